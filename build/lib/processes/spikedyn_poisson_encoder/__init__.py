"""SpikeDyn Poisson rate encoder: MNIST images → seeded Poisson spike trains, one image per presentation."""

"""SpikeDyn (Putra & Shafique, DAC 2021) in Lava: unsupervised continual learning with direct lateral inhibition."""

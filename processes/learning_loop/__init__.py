"""LatentLearningLoop: the continual phase's learning loop (latent sources, teacher, plastic layer) as one Process."""

"""SpikeDyn layer: learning synapses, excitatory neurons and lateral inhibition as one hierarchical Process."""

"""SpikeDynStream: a SpikeDynLayer learning from its own Poisson-encoded image stream, as one Process."""

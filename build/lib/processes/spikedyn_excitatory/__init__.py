"""SpikeDyn excitatory layer: leaky integrate-and-fire with adaptive threshold, learning-gated bAP, spike counts."""

"""Latent compression of SpikingLR (OR over windows of w steps) and its decompression; bit accounting.

Replay4NCL's reduced timesteps need no extra operator here: its latents are produced at T=40 and stored with
window 1, so the saving comes from the smaller T.
"""
import numpy as np

from lava_replay.errors import LavaReplayError


def compress(spikes, window):
    """OR of spikes (..., T) over non-overlapping windows of `window` steps -> (..., ceil(T / window)) bool."""
    if window < 1:
        raise LavaReplayError(f"compression window must be >= 1, got {window}")
    spikes = np.asarray(spikes, dtype=bool)
    steps = spikes.shape[-1]
    padded = -(-steps // window) * window
    if padded != steps:
        pad = [(0, 0)] * (spikes.ndim - 1) + [(0, padded - steps)]
        spikes = np.pad(spikes, pad)
    return spikes.reshape(spikes.shape[:-1] + (padded // window, window)).any(-1)


def decompress(stored, window, steps):
    """Inverse of compress as SpikingLR does it: one spike at the first step of each window that held any."""
    stored = np.asarray(stored, dtype=bool)
    out = np.zeros(stored.shape[:-1] + (stored.shape[-1] * window,), dtype=bool)
    out[..., ::window] = stored
    return out[..., :steps]


def unpack(packed, window, steps):
    """Bit-packed compressed latents (..., bytes) -> decompressed spikes (..., steps) (np.packbits' inverse)."""
    stored = np.unpackbits(np.asarray(packed, np.uint8), axis=-1, count=stored_steps(steps, window)).astype(bool)
    return decompress(stored, window, steps)


def stored_steps(steps, window):
    """Time bins kept per latent neuron: ceil(T / window)."""
    return -(-steps // window)


def bits_per_sample(neurons, steps, window):
    """Bits of one stored latent sample at 1 bit per (neuron, stored step)."""
    return neurons * stored_steps(steps, window)

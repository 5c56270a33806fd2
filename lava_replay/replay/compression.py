"""Latent compression of SpikingLR (OR over windows of w steps) and bit accounting; the sources' decompression
is processes.spike_packing.

Replay4NCL's reduced timesteps need no extra operator here: its latents are produced at T=40 and stored with
window 1, so the saving comes from the smaller T.
"""
import numpy as np

from lava_replay.errors import LavaReplayError
from processes.spike_packing import decompress, stored_steps


def compress(spikes, window):
    """OR of spikes (..., T) over non-overlapping windows of `window` steps -> (..., ceil(T / window)) bool."""
    if window < 1:
        raise LavaReplayError(f"compression window must be >= 1, got {window}")
    spikes = np.asarray(spikes, dtype=bool)
    steps = spikes.shape[-1]
    padded = stored_steps(steps, window) * window
    if padded != steps:
        pad = [(0, 0)] * (spikes.ndim - 1) + [(0, padded - steps)]
        spikes = np.pad(spikes, pad)
    return spikes.reshape(spikes.shape[:-1] + (padded // window, window)).any(-1)


def bits_per_sample(neurons, steps, window):
    """Bits of one stored latent sample at 1 bit per (neuron, stored step)."""
    return neurons * stored_steps(steps, window)


def as_stored(spikes, window):
    """Spikes (..., T) as the buffer stores and replays them: compressed over `window` steps, then decompressed
    (one spike at each window's first step)."""
    spikes = np.asarray(spikes, dtype=bool)
    return decompress(compress(spikes, window), window, spikes.shape[-1])

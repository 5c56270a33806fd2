"""Stored spike trains as the source processes read them: bit-packed along time, optionally OR-compressed over
windows of w steps (SpikingLR's latent compression), expanded back at the start of each slot."""
import numpy as np


def stored_steps(steps, window):
    """Time bins kept per neuron for `steps` steps in windows of `window`: ceil(steps / window)."""
    return -(-steps // window)


def decompress(stored, window, steps):
    """(..., bins) bool -> (..., steps) bool: one spike at the first step of each window that held any."""
    stored = np.asarray(stored, dtype=bool)
    out = np.zeros(stored.shape[:-1] + (stored.shape[-1] * window,), dtype=bool)
    out[..., ::window] = stored
    return out[..., :steps]


def unpack(packed, window, steps):
    """Bit-packed (np.packbits along the last axis) compressed spikes (..., bytes) -> decompressed (..., steps)."""
    stored = np.unpackbits(np.asarray(packed, np.uint8), axis=-1, count=stored_steps(steps, window)).astype(bool)
    return decompress(stored, window, steps)

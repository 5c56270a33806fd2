"""A small synthetic SHD-like data set for fast tests: 700 channels, class-dependent spatio-temporal patterns."""
import numpy as np

from lava_replay.data.shd import N_CHANNELS


def synthetic_shd(n_per_class=20, n_classes=4, timesteps=40, n_channels=N_CHANNELS, seed=0,
                  noise_rate=0.01, pattern_rate=0.5):
    """Data dict like load_split's: each class sweeps a band of channels up or down over time, plus noise.

    Class c's band starts at a class-specific channel and moves with a class-specific slope; each sample
    jitters the start by a few channels and steps, so a network must learn the pattern, not memorise it.
    """
    rng = np.random.default_rng(seed)
    n = n_per_class * n_classes
    labels = np.repeat(np.arange(n_classes), n_per_class)
    spikes = (rng.random((n, n_channels, timesteps)) < noise_rate).astype(np.uint8)
    band = max(4, n_channels // 35)
    starts = np.linspace(0.1, 0.7, n_classes) * n_channels
    slopes = np.where(np.arange(n_classes) % 2 == 0, 1.0, -1.0) * n_channels / (3.0 * timesteps)
    for i, c in enumerate(labels):
        shift_ch = rng.integers(-3, 4)
        shift_t = rng.integers(0, max(1, timesteps // 10))
        for t in range(shift_t, timesteps):
            centre = int(starts[c] + slopes[c] * (t - shift_t) + shift_ch) % n_channels
            channels = (centre + np.arange(band)) % n_channels
            spikes[i, channels, t] |= (rng.random(band) < pattern_rate).astype(np.uint8)
    return {"spikes": spikes, "labels": labels, "speakers": np.zeros(n, dtype=np.int64),
            "fingerprint": f"synthetic-{n_per_class}x{n_classes}-T{timesteps}-seed{seed}"}

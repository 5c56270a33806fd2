"""Spiking Heidelberg Digits through tonic, binned on a fixed 1.4 s grid into T binary steps, cached on disk."""
import os

import numpy as np

from lava_replay.errors import LavaReplayError
from lava_replay.fileio import atomic_save_npz, file_sha256

DURATION_S = 1.4
N_CHANNELS = 700
N_CLASSES = 20
SPLIT_FILES = {"train": "shd_train.h5", "test": "shd_test.h5"}


def bin_events(times_s, units, timesteps, n_channels=N_CHANNELS):
    """Binary (n_channels, timesteps) raster of one sample: bins of 1.4 s / timesteps; later spikes go to the last."""
    if timesteps < 1:
        raise LavaReplayError(f"timesteps must be >= 1, got {timesteps}")
    raster = np.zeros((n_channels, timesteps), dtype=np.uint8)
    steps = np.minimum((np.asarray(times_s, dtype=np.float64) / (DURATION_S / timesteps)).astype(np.int64),
                       timesteps - 1)
    raster[np.asarray(units, dtype=np.int64), steps] = 1
    return raster


def shd_file(data_dir, split):
    """Path of an SHD split file in the layout tonic uses: <data_dir>/SHD/shd_<split>.h5."""
    return os.path.join(data_dir, "SHD", SPLIT_FILES[split])


def split_available(data_dir, split):
    """True when the SHD file of this split is in the data directory."""
    return os.path.exists(shd_file(data_dir, split))


def _tonic_dataset(data_dir, split):
    import tonic

    try:
        return tonic.datasets.SHD(save_to=data_dir, train=(split == "train"))
    except Exception as exc:  # tonic raises URLError/OSError/RuntimeError when offline
        raise LavaReplayError(
            f"SHD {split} split not found at {shd_file(data_dir, split)} and the download failed ({exc}). "
            f"Put the official file {SPLIT_FILES[split]} (unzipped) into {os.path.join(data_dir, 'SHD')}, "
            f"or choose another data directory with --data-dir / LAVA_REPLAY_DATA.") from exc


def load_split(data_dir, split, timesteps, progress=True):
    """Binned SHD split: dict with 'spikes' (n, 700, T) uint8, 'labels', 'speakers', 'fingerprint'.

    The binned arrays are cached in <data_dir>/cache keyed by split, T and the source file's hash.
    """
    if split not in SPLIT_FILES:
        raise LavaReplayError(f"unknown SHD split {split!r}; expected one of {sorted(SPLIT_FILES)}")
    dataset = _tonic_dataset(data_dir, split)
    source = shd_file(data_dir, split)
    fingerprint = file_sha256(source)[:16]
    cache = os.path.join(data_dir, "cache", f"shd_{split}_T{timesteps}_{fingerprint}.npz")
    if os.path.exists(cache):
        with np.load(cache) as c:
            spikes = np.unpackbits(c["packed"], axis=-1, count=timesteps)
            return {"spikes": spikes, "labels": c["labels"], "speakers": c["speakers"],
                    "fingerprint": fingerprint}
    from tqdm import tqdm

    spikes = np.zeros((len(dataset), N_CHANNELS, timesteps), dtype=np.uint8)
    labels = np.zeros(len(dataset), dtype=np.int64)
    for i in tqdm(range(len(dataset)), desc=f"binning SHD {split} at T={timesteps}", disable=not progress):
        events, label = dataset[i]
        spikes[i] = bin_events(events["t"] * 1e-6, events["x"], timesteps)
        labels[i] = label
    speakers = np.asarray(dataset.speaker, dtype=np.int64)
    atomic_save_npz(cache, packed=np.packbits(spikes, axis=-1), labels=labels, speakers=speakers)
    return {"spikes": spikes, "labels": labels, "speakers": speakers, "fingerprint": fingerprint}

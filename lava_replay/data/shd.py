"""Spiking Heidelberg Digits: the official .h5 files (downloaded by tonic when absent), binned on a fixed 1.4 s
grid into T steps, cached on disk: binary (a spike where a channel fired in a bin) or graded (how often it fired)."""
import os
import shutil

import numpy as np

from lava_replay.errors import LavaReplayError
from lava_replay.fileio import atomic_save_npz, file_sha256

DURATION_S = 1.4
N_CHANNELS = 700
N_CLASSES = 20
MAX_COUNT = 255  # graded input: events per channel and bin, saturated to an 8-bit spike payload
SPLIT_FILES = {"train": "shd_train.h5", "test": "shd_test.h5"}


def bin_events(times_s, units, timesteps, n_channels=N_CHANNELS, graded=False):
    """(n_channels, timesteps) uint8 raster of one sample, bins of 1.4 s / timesteps (later spikes go to the
    last): 1 where a channel fired in a bin, or with `graded` how often it fired there (at most 255), as
    tonic's ToFrame counts events."""
    if timesteps < 1:
        raise LavaReplayError(f"timesteps must be >= 1, got {timesteps}")
    steps = np.minimum((np.asarray(times_s, dtype=np.float64) / (DURATION_S / timesteps)).astype(np.int64),
                       timesteps - 1)
    flat = np.asarray(units, dtype=np.int64) * timesteps + steps
    counts = np.bincount(flat, minlength=n_channels * timesteps).reshape(n_channels, timesteps)
    return np.minimum(counts, 1 if not graded else MAX_COUNT).astype(np.uint8)


def is_graded(spikes):
    """Whether binned samples are graded: some bin holds more than one event."""
    spikes = np.asarray(spikes)
    return bool(spikes.size) and spikes.max() > 1


def shd_file(data_dir, split):
    """Path of an SHD split file in the layout tonic uses: <data_dir>/SHD/shd_<split>.h5."""
    return os.path.join(data_dir, "SHD", SPLIT_FILES[split])


def split_available(data_dir, split):
    """True when the SHD file of this split is in the data directory."""
    return os.path.exists(shd_file(data_dir, split))


def read_shd_file(path):
    """(times_s, units, labels, speakers) of an SHD file in the official layout (spikes/times, spikes/units as
    variable-length arrays, labels, extra/speaker); a LavaReplayError says when the file is not one."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            times, units = f["spikes/times"][()], f["spikes/units"][()]
            labels = f["labels"][()].astype(np.int64)
            speakers = f["extra/speaker"][()].astype(np.int64)
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise LavaReplayError(f"{path} is not a readable SHD file: {exc}") from exc
    if not len(times) == len(units) == len(labels) == len(speakers):
        raise LavaReplayError(f"{path} is not a readable SHD file: {len(times)} spike trains, {len(units)} unit "
                              f"lists, {len(labels)} labels and {len(speakers)} speakers")
    if len(labels) and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise LavaReplayError(f"{path} is not a readable SHD file: labels must be in 0..{N_CLASSES - 1}")
    if any(len(t) != len(u) or (len(u) and u.max() >= N_CHANNELS) for t, u in zip(times, units)):
        raise LavaReplayError(f"{path} is not a readable SHD file: spike times and units differ in length or "
                              f"a unit is not in 0..{N_CHANNELS - 1}")
    return times, units, labels, speakers


def download_split(data_dir, split):
    """Fetch a missing SHD split with tonic (online use); nothing is left behind when that fails."""
    import tonic

    if not os.path.isdir(data_dir):
        raise LavaReplayError(f"data directory {data_dir} does not exist; expected the SHD file at "
                              f"{shd_file(data_dir, split)} (see README, 'Data'), or set --data-dir")
    folder = os.path.join(data_dir, "SHD")
    made = not os.path.exists(folder)
    try:
        tonic.datasets.SHD(save_to=data_dir, train=(split == "train"))
    except Exception as exc:  # tonic raises URLError/OSError/RuntimeError when offline
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        raise LavaReplayError(
            f"SHD {split} split not found at {shd_file(data_dir, split)} and the download failed ({exc}). "
            f"Put the official file {SPLIT_FILES[split]} (unzipped) into {folder}, "
            f"or choose another data directory with --data-dir / LAVA_REPLAY_DATA.") from exc


def load_split(data_dir, split, timesteps, progress=True, graded=False):
    """Binned SHD split (bin_events): dict with 'spikes' (n, 700, T) uint8, 'labels', 'speakers', 'fingerprint'.

    The binned arrays are cached in <data_dir>/cache keyed by split, T, binary or graded, and the source file's
    hash.
    """
    if split not in SPLIT_FILES:
        raise LavaReplayError(f"unknown SHD split {split!r}; expected one of {sorted(SPLIT_FILES)}")
    source = shd_file(data_dir, split)
    if not os.path.exists(source):
        download_split(data_dir, split)
    fingerprint = file_sha256(source)[:16]
    kind = "_graded" if graded else ""
    cache = os.path.join(data_dir, "cache", f"shd_{split}_T{timesteps}{kind}_{fingerprint}.npz")
    if os.path.exists(cache):
        with np.load(cache) as c:
            spikes = c["counts"] if graded else np.unpackbits(c["packed"], axis=-1, count=timesteps)
            return {"spikes": spikes, "labels": c["labels"], "speakers": c["speakers"],
                    "fingerprint": fingerprint}
    from tqdm import tqdm

    times, units, labels, speakers = read_shd_file(source)
    spikes = np.zeros((len(labels), N_CHANNELS, timesteps), dtype=np.uint8)
    desc = f"binning SHD {split} at T={timesteps}" + (" (graded)" if graded else "")
    for i in tqdm(range(len(labels)), desc=desc, disable=not progress):
        # whole microseconds first, as tonic's events hold them, so both readers bin alike
        micros = (times[i].astype(np.float64) * 1e6).astype(np.int64)
        spikes[i] = bin_events(micros * 1e-6, units[i], timesteps, graded=graded)
    stored = {"counts": spikes} if graded else {"packed": np.packbits(spikes, axis=-1)}
    atomic_save_npz(cache, labels=labels, speakers=speakers, **stored)
    return {"spikes": spikes, "labels": labels, "speakers": speakers, "fingerprint": fingerprint}

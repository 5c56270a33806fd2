"""MNIST from the IDX files (gzip-compressed or not) in <data-dir>/mnist."""
import gzip
import os
import zlib

import numpy as np

from lava_replay.errors import LavaReplayError

FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _find(folder, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    raise LavaReplayError(f"MNIST file {stem}[.gz] not found in {folder}; put the four MNIST IDX files there")


def read_idx(path):
    """One IDX array (uint8 data) with its magic number and dimensions checked."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:  # gzip raises EOFError for a truncated file
        raise LavaReplayError(f"cannot read IDX file {path} ({exc}); expected a complete MNIST IDX file") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise LavaReplayError(f"{path} is not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    if len(raw) != header + int(np.prod(dims)):
        raise LavaReplayError(f"{path}: size {len(raw)} bytes does not match its header dimensions {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def load_mnist(data_dir, split="train"):
    """(images (n, 28, 28) uint8, labels (n,) int64) of the MNIST train or test split."""
    if split not in FILES:
        raise LavaReplayError(f"unknown MNIST split {split!r}; expected 'train' or 'test'")
    folder = os.path.join(data_dir, "mnist")
    images = read_idx(_find(folder, FILES[split][0]))
    labels = read_idx(_find(folder, FILES[split][1])).astype(np.int64)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise LavaReplayError(f"MNIST images in {folder} have shape {images.shape}; expected (n, 28, 28)")
    if len(images) != len(labels):
        raise LavaReplayError(f"MNIST {split}: {len(images)} images but {len(labels)} labels in {folder}")
    return images, labels

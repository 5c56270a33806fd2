"""Seeded class-incremental protocols over SHD: which classes come when, and the train/val/test samples of each.

- ``spikinglr``: all available SHD files merged, split per class at random (as SpikingLR): old classes keep
  ~20 % for test; the new class gets 448 train / 64 test and the rest for validation (when a class has fewer
  than 512 samples: 1/8 test, then 10 % of the rest for validation).
- ``official``: the train file trains, the test file tests (error when the test file is absent).
- ``multistep``: English digits (0-9) first, then the German digits (10-19) one at a time; per-class split.
A validation split (``val_fraction`` of each class's training part) is kept apart for hyper-parameters. With
``val_speakers`` the validation split is instead every non-test sample of those speakers (unseen speakers: none
of their samples is trained on); the test split stays the same, so its held-out speakers' part measures unseen
speakers without having chosen anything on it.
"""
from dataclasses import dataclass

import numpy as np

from lava_replay.data import shd
from lava_replay.errors import LavaReplayError

PROTOCOLS = ("spikinglr", "official", "multistep")
OLD_TEST_FRACTION = 0.2
NEW_TRAIN, NEW_TEST = 448, 64
VAL_FRACTION = 0.1


@dataclass
class Protocol:
    """A class-incremental schedule: tasks[0] are the pretraining classes; index arrays point into the data."""
    name: str
    tasks: list
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    seed: int
    val_speakers: tuple = ()

    @property
    def pretrain_classes(self):
        """Classes of the pretraining task."""
        return list(self.tasks[0])

    @property
    def new_classes(self):
        """Classes learned after pretraining, in order."""
        return [c for task in self.tasks[1:] for c in task]

    def select(self, part, labels, classes):
        """Indices of `part` ('train', 'val' or 'test') whose label is in `classes`."""
        idx = getattr(self, part)
        return idx[np.isin(labels[idx], classes)]


def hold_out_speakers(protocol, speakers, val_speakers):
    """The protocol with every non-test sample of `val_speakers` as validation and the other speakers' as training."""
    val_speakers = tuple(sorted(set(int(s) for s in val_speakers)))
    known = set(np.unique(speakers[np.concatenate([protocol.train, protocol.val])]).tolist())
    unknown = sorted(set(val_speakers) - known)
    if unknown:
        raise LavaReplayError(f"--val-speakers {' '.join(map(str, unknown))}: no such speaker in the training data; "
                              f"expected some of {sorted(known)}")
    if set(val_speakers) >= known:
        raise LavaReplayError("--val-speakers holds out every speaker; leave at least one for training")
    pool = np.sort(np.concatenate([protocol.train, protocol.val]))
    held = np.isin(speakers[pool], val_speakers)
    return Protocol(protocol.name, protocol.tasks, pool[~held], pool[held], protocol.test, protocol.seed,
                    val_speakers)


def per_class_subset(indices, labels, per_class, rng):
    """At most `per_class` of `indices` from each class, drawn with `rng`, sorted."""
    keep = [rng.permutation(indices[labels[indices] == c])[:per_class] for c in np.unique(labels[indices])]
    return np.sort(np.concatenate(keep)) if keep else indices


def _check_name(name):
    if name not in PROTOCOLS:
        raise LavaReplayError(f"unknown protocol {name!r} (--protocol); expected one of {', '.join(PROTOCOLS)}")


def _tasks(name, new_classes, n_classes):
    if name == "multistep":
        return [list(range(10))] + [[c] for c in range(10, n_classes)]
    bad = [c for c in new_classes if not 0 <= c < n_classes]
    if bad or not new_classes or len(set(new_classes)) != len(new_classes):
        raise LavaReplayError(f"--new-class must name distinct classes in 0..{n_classes - 1}, got {new_classes}")
    if len(new_classes) >= n_classes:
        raise LavaReplayError("--new-class leaves no class for pretraining")
    return [[c for c in range(n_classes) if c not in new_classes]] + [[c] for c in new_classes]


def pretrain_classes(name, new_classes=(0,), n_classes=shd.N_CLASSES):
    """The pretraining classes of a protocol, known before any data is read; checks the name and the new classes."""
    _check_name(name)
    return _tasks(name, list(new_classes), n_classes)[0]


def split_per_class(labels, tasks, seed, val_fraction=VAL_FRACTION):
    """Seeded per-class random split into (train, val, test) index arrays, SpikingLR's proportions."""
    rng = np.random.default_rng(seed)
    new = {c for task in tasks[1:] for c in task}
    parts = {"train": [], "val": [], "test": []}
    for c in sorted({c for task in tasks for c in task}):
        idx = rng.permutation(np.flatnonzero(labels == c))
        if len(idx) < 3:
            raise LavaReplayError(f"class {c} has {len(idx)} samples; at least 3 are needed to split it")
        if c in new:
            n_test = NEW_TEST if len(idx) >= NEW_TRAIN + NEW_TEST else max(1, round(len(idx) / 8))
        else:
            n_test = max(1, round(OLD_TEST_FRACTION * len(idx)))
        rest = idx[n_test:]
        n_val = max(1, round(val_fraction * len(rest)))
        if c in new and len(rest) > NEW_TRAIN:  # a full-size new class keeps 448 for training
            n_val = len(rest) - NEW_TRAIN
        parts["test"].append(idx[:n_test])
        parts["val"].append(rest[:n_val])
        parts["train"].append(rest[n_val:])
    return {k: np.sort(np.concatenate(v)) for k, v in parts.items()}


def make_protocol(name, labels, new_classes=(0,), seed=0, n_test_file=0, n_classes=shd.N_CLASSES):
    """Build a Protocol over `labels`; for 'official' the last `n_test_file` samples are the test file."""
    _check_name(name)
    tasks = _tasks(name, list(new_classes), n_classes)
    if name != "official":
        parts = split_per_class(labels, tasks, seed)
        return Protocol(name, tasks, parts["train"], parts["val"], parts["test"], seed)
    n_train_file = len(labels) - n_test_file
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in range(n_classes):
        idx = rng.permutation(np.flatnonzero(labels[:n_train_file] == c))
        n_val = max(1, round(VAL_FRACTION * len(idx))) if len(idx) else 0
        val.append(idx[:n_val])
        train.append(idx[n_val:])
    test = np.arange(n_train_file, len(labels))
    return Protocol(name, tasks, np.sort(np.concatenate(train)), np.sort(np.concatenate(val)), test, seed)


def load_shd_protocol(data_dir, name, timesteps, new_classes=(0,), seed=0, progress=True, val_speakers=(),
                      graded=False):
    """Binned SHD (files merged as the protocol asks; binary, or graded: events per bin) and its Protocol:
    (data dict, Protocol).

    With val_speakers, those speakers' non-test samples are the validation split (hold_out_speakers)."""
    _check_name(name)  # before any data is loaded
    has_test = shd.split_available(data_dir, "test")
    if name == "official" and not has_test:
        raise LavaReplayError(
            f"protocol 'official' needs the SHD test split at {shd.shd_file(data_dir, 'test')}, which is absent; "
            "put shd_test.h5 there or use --protocol spikinglr")
    parts = [shd.load_split(data_dir, "train", timesteps, progress, graded)]
    if has_test:
        parts.append(shd.load_split(data_dir, "test", timesteps, progress, graded))
    data = {key: np.concatenate([p[key] for p in parts]) for key in ("spikes", "labels", "speakers")}
    data["fingerprint"] = "+".join(p["fingerprint"] for p in parts)
    n_test_file = len(parts[1]["labels"]) if has_test else 0
    protocol = make_protocol(name, data["labels"], new_classes, seed, n_test_file)
    if val_speakers:
        protocol = hold_out_speakers(protocol, data["speakers"], val_speakers)
    return data, protocol

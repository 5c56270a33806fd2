"""The dynamic environment: MNIST classes arrive one after another without labels; after each task the
network is evaluated with labels assigned from a small labelled calibration set of the classes seen so far."""
from dataclasses import dataclass

import numpy as np

from lava_replay.errors import LavaReplayError
from lava_replay.spikedyn.network import Schedule

IMAGE_SHAPE = (28, 28)


def task_order(permute=False, seed=0):
    """Digits 0 → 9, or a permutation of them fixed by `seed`."""
    order = np.arange(10)
    return np.random.default_rng(seed).permutation(order) if permute else order


def check_images(images, labels, what):
    """Raise a LavaReplayError unless images are (n, 28, 28) with n labels."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise LavaReplayError(f"{what}: images have shape {images.shape}; expected (n, 28, 28) MNIST digits")
    if len(labels) != len(images):
        raise LavaReplayError(f"{what}: {len(images)} images but {len(labels)} labels")


@dataclass
class Stream:
    """Indices of the chosen samples per class: train (unlabelled), calibration (labelled), test (from MNIST's
    test split, or with validation=True from a held-out part of the training split)."""

    classes: np.ndarray
    train: dict
    calib: dict
    test: dict
    validation: bool = False

    @property
    def calibration_size(self):
        """Labelled calibration samples per class."""
        return len(next(iter(self.calib.values())))


def make_stream(train_labels, test_labels, classes, samples_per_task, calib_per_class, test_per_class, seed=0,
                validation=False):
    """Pick disjoint training and calibration samples (train split) and test samples per class: from the test
    split, or (validation=True, for choosing settings) from the rest of the training split."""
    rng = np.random.default_rng(seed)
    train, calib, test = {}, {}, {}
    for c in classes:
        pool = rng.permutation(np.flatnonzero(train_labels == c))
        pool_test = rng.permutation(np.flatnonzero(test_labels == c))
        if validation:
            pool_test = pool[samples_per_task + calib_per_class:]
        if len(pool) < samples_per_task + calib_per_class or len(pool_test) < test_per_class:
            where = "validation (training split)" if validation else "test"
            raise LavaReplayError(f"class {c}: {len(pool)} training / {len(pool_test)} {where} images, but "
                                  f"--samples-per-task {samples_per_task} + {calib_per_class} calibration and "
                                  f"{test_per_class} test images are needed")
        train[c] = pool[:samples_per_task]
        calib[c] = pool[samples_per_task:samples_per_task + calib_per_class]
        test[c] = pool_test[:test_per_class]
    return Stream(np.asarray(classes), train, calib, test, validation)


@dataclass
class Plan:
    """The presentation schedule and, per task, which recorded rows hold calibration and test responses."""

    schedule: Schedule
    blocks: list          # presentations per run block (train t, eval t, train t+1, ...)
    calib_rows: list      # per task: (rows, labels)
    test_rows: list       # per task: (rows, labels)


def _eval_block(stream, seen, train_images, test_images, row):
    """Images of the calibration then test samples of the classes `seen`, with their recorded rows/labels."""
    images, rows = [], {}
    for name, source, pick in (("calib", train_images, stream.calib), ("test", test_images, stream.test)):
        idx = np.concatenate([pick[s] for s in seen])
        images.append(source[idx])
        rows[name] = (np.arange(row, row + len(idx)), np.concatenate([np.full(len(pick[s]), s) for s in seen]))
        row += len(idx)
    return np.concatenate(images), rows["calib"], rows["test"]


def build_plan(stream, train_images, test_images, train=True):
    """Per task: a train block (learning on), then an evaluation block: calibration + test images of the
    classes seen so far (learning off, per-neuron counts recorded). With train=False: one evaluation block
    of all classes (for already trained weights)."""
    if stream.validation:
        test_images = train_images
    images, learn, slots, blocks, calib_rows, test_rows = [], [], [], [], [], []
    row = 0
    tasks = range(len(stream.classes)) if train else [len(stream.classes) - 1]
    for t in tasks:
        if train:
            c = stream.classes[t]
            images.append(train_images[stream.train[c]])
            learn.append(np.ones(len(stream.train[c]), np.int32))
            slots.append(-np.ones(len(stream.train[c]), np.int32))
            blocks.append(len(stream.train[c]))
        block, calib, test = _eval_block(stream, stream.classes[:t + 1], train_images, test_images, row)
        images.append(block)
        learn.append(np.zeros(len(block), np.int32))
        slots.append(np.arange(row, row + len(block), dtype=np.int32))
        row += len(block)
        blocks.append(len(block))
        calib_rows.append(calib)
        test_rows.append(test)
    schedule = Schedule(np.concatenate(images), np.concatenate(learn), np.concatenate(slots))
    return Plan(schedule, blocks, calib_rows, test_rows)


def assign_labels(counts, labels, classes):
    """Each neuron's label: the class with its highest mean response on the calibration set; −1 if silent."""
    means = np.stack([counts[labels == c].mean(axis=0) for c in classes])
    neuron_labels = np.asarray(classes)[means.argmax(axis=0)]
    neuron_labels[means.max(axis=0) == 0] = -1
    return neuron_labels


def predict(counts, neuron_labels, classes):
    """Diehl & Cook vote: the class whose assigned neurons have the highest mean count; −1 with no spikes."""
    votes = np.stack([counts[:, neuron_labels == c].mean(axis=1) if (neuron_labels == c).any()
                      else np.zeros(len(counts)) for c in classes], axis=1)
    pred = np.asarray(classes)[votes.argmax(axis=1)]
    pred[votes.max(axis=1) == 0] = -1
    return pred


def class_accuracies(counts, plan, block, seen):
    """Accuracy per class of `seen` in evaluation block `block`, labels assigned from its calibration rows."""
    calib_idx, calib_labels = plan.calib_rows[block]
    test_idx, test_labels = plan.test_rows[block]
    pred = predict(counts[test_idx], assign_labels(counts[calib_idx], calib_labels, seen), seen)
    return [float((pred[test_labels == c] == c).mean()) for c in seen]


def accuracy_matrix(counts, plan, classes):
    """R[i, j]: accuracy on task j (class classes[j]) after training through task i; NaN for j > i."""
    n = len(classes)
    R = np.full((n, n), np.nan)
    for i in range(n):
        R[i, :i + 1] = class_accuracies(counts, plan, i, classes[:i + 1])
    return R


def continual_metrics(R):
    """ACC, BWT, forgetting, and per task the accuracy on the most recent task (R[i, i]) and on the previous
    ones (mean of R[i, :i]); the means of both over tasks ('recent' over all, 'previous' over i ≥ 1)."""
    n = len(R)
    recent = [float(R[i, i]) for i in range(n)]
    previous = [float(np.mean(R[i, :i])) if i else None for i in range(n)]
    last = R[n - 1]
    bwt = float(np.mean([last[j] - R[j, j] for j in range(n - 1)])) if n > 1 else 0.0
    forgetting = float(np.mean([np.nanmax(R[j:, j]) - last[j] for j in range(n - 1)])) if n > 1 else 0.0
    prev_vals = [p for p in previous if p is not None]
    return {"ACC": float(np.mean(last)), "BWT": bwt, "forgetting": forgetting,
            "recent_per_task": recent, "previous_per_task": previous,
            "recent_mean": float(np.mean(recent)),
            "previous_mean": float(np.mean(prev_vals)) if prev_vals else None}

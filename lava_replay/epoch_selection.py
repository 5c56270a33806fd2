"""The continual phase's epoch, chosen on the validation split, as the papers report their best validation epoch.

The learning session reads the learned weights after every epoch (Var.get). Afterwards all epochs' layers run
side by side in Lava as one wider frozen network on the validation latents: each layer's weights are stacked
block-diagonally (the first layer's side by side on the shared latents), so each epoch's neurons see only their
own epoch's layer below and spike exactly as that epoch's network alone would. 'best-val' keeps the epoch with
the highest all-class validation accuracy (the latest of equals); 'last' (the default: on validation, picking
the epoch did not beat the last one, docs/tuning.md) keeps the last epoch.
"""
from dataclasses import dataclass

import numpy as np

from lava_replay.errors import LavaReplayError
from lava_replay.metrics import predictions

SELECTIONS = ("best-val", "last")
STACKED_NEURONS = 1536  # widest stacked layer per Lava run: dense block-diagonal recurrence grows as its square


@dataclass
class EpochChoice:
    """The epoch kept (0-based) by `rule`, every epoch's accuracy curve on the validation samples, and how many
    samples that was."""

    rule: str
    epoch: int
    curve: dict
    validation_samples: int


def check_selection(select_epoch, eval_split):
    """LavaReplayError unless `select_epoch` is known and chooses on a split other than the one evaluated."""
    if select_epoch not in SELECTIONS:
        raise LavaReplayError(f"--select-epoch must be one of {', '.join(SELECTIONS)}, got {select_epoch!r}")
    if select_epoch == "best-val" and eval_split == "val":
        raise LavaReplayError("--select-epoch best-val picks the epoch on the validation split, so it cannot also "
                              "be evaluated there: use --eval-split test, or --select-epoch last")


def stacked_block(blocks):
    """One block whose layer l holds layer l of every block in `blocks` (same shapes), side by side: the first
    layers share the input, every later matrix (and every recurrent one) is block-diagonal."""
    from scipy.linalg import block_diag

    stacked = []
    for i, layers in enumerate(zip(*blocks)):
        weights = [layer["weight"] for layer in layers]
        recurrent = [layer["weight_rec"] for layer in layers]
        stacked.append(dict(layers[0], weight=np.vstack(weights) if i == 0 else block_diag(*weights),
                            weight_rec=None if recurrent[0] is None else block_diag(*recurrent)))
    return stacked


def epoch_output_counts(blocks, latents, vth, backend, lanes, progress=False):
    """Output spike counts (epochs, n, classes) of every epoch's block (output last, threshold `vth`) on latents
    (n, neurons, T), in Lava: as many blocks side by side per run as keep the widest layer within
    STACKED_NEURONS."""
    from lava_replay.continual import output_counts

    width = max(layer["weight"].shape[0] for layer in blocks[0])
    per_run = max(1, STACKED_NEURONS // width)
    n_classes = blocks[0][-1]["weight"].shape[0]
    counts = []
    for start in range(0, len(blocks), per_run):
        group = blocks[start:start + per_run]
        stacked, _ = output_counts(stacked_block(group), latents, backend, lanes, vth, progress,
                                   desc=f"epochs {start + 1}-{start + len(group)}")
        counts.append(stacked.reshape(len(latents), len(group), n_classes).transpose(1, 0, 2))
    return np.concatenate(counts)


def accuracy_curve(epoch_counts, labels, old_classes, new_classes):
    """{"old", "new", "all": one top-1 accuracy per epoch (nan where a group has no sample)} from output counts
    (epochs, n, classes)."""
    labels = np.asarray(labels)
    hits = predictions(epoch_counts) == labels
    groups = {"old": np.isin(labels, old_classes), "new": np.isin(labels, new_classes)}
    groups["all"] = groups["old"] | groups["new"]
    return {k: [float(h[mask].mean()) if mask.any() else float("nan") for h in hits] for k, mask in groups.items()}


def best_epoch(curve):
    """0-based index of the epoch with the highest all-class accuracy, the latest of equals."""
    accuracy = np.asarray(curve["all"])
    return int(len(accuracy) - 1 - np.argmax(accuracy[::-1]))

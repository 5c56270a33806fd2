"""Where the Loihi rule starts a new class: its weight row imprinted from latents, not zeros.

A class's imprint is its mean latent spike count minus the mean of every class's mean (old classes from the replay
buffer, new ones from their training samples), so the row excites on what sets the class apart and inhibits on
what every class has. Its length is `scale` times the median length of the old classes' rows, so that it drives its
neuron about as strongly as a pretrained class drives its own. The host writes it as the layer's initial weights,
as it writes the pretrained ones (on Loihi as in the simulator); the rule then learns from there.
"""
import numpy as np

from lava_replay.errors import LavaReplayError


def imprinted_rows(counts, labels, new_classes, old_rows, scale):
    """Integer weight rows (len(new_classes), neurons) from latent spike counts (n, neurons) of samples of every
    class (labels: n), the old classes' pretrained rows (k, neurons) and `scale` (> 0); even integers in
    [-256, 254], as netx's 8-bit weights."""
    counts, labels = np.asarray(counts, float), np.asarray(labels)
    classes = np.unique(labels)
    missing = sorted(set(new_classes) - set(classes.tolist()))
    if missing or len(classes) < 2:
        raise LavaReplayError(f"imprinting needs latents of the new classes {missing or list(new_classes)} and of "
                              "at least one other class (the replay buffer's)")
    means = {c: counts[labels == c].mean(axis=0) for c in classes}
    centre = np.mean(list(means.values()), axis=0)
    length = scale * np.median(np.linalg.norm(np.asarray(old_rows, float), axis=1))
    rows = []
    for c in new_classes:
        direction = means[c] - centre
        norm = np.linalg.norm(direction)
        rows.append(direction * (length / norm) if norm > 0 else direction)
    return np.clip(2 * np.round(np.asarray(rows) / 2), -256, 254).astype(np.int32)

"""Training schedules: which sample each slot of the continual phase holds, per strategy.

A schedule is a list of (source, index) with source NEW (a new-class sample through the FrozenSpikeGenerator) or
REPLAY (a stored latent through the LatentReplaySource).
"""
import numpy as np

from lava_replay.errors import LavaReplayError

NEW, REPLAY = 0, 1
ORDERS = ("new_only", "new_then_replay_by_class", "interleaved", "balanced")


def training_schedule(order, n_new, replay_labels, epochs, rng):
    """(sources, indices) arrays over all slots of `epochs` epochs.

    new_only: the new-class samples, shuffled (naive fine-tuning, no replay).
    new_then_replay_by_class: per epoch all new-class samples, then the replayed latents one old class at a
        time (SpikingLR's order: batches of a single old class after the new-class batches).
    interleaved: per epoch new-class samples and replayed latents shuffled together (Replay4NCL: LR data
        inserted among the new-task data).
    balanced: as interleaved, but each epoch takes only as many new-class samples as the buffer holds per old
        class (a different random subset each epoch), so that every class is taught equally often.
    """
    if order not in ORDERS:
        raise LavaReplayError(f"unknown schedule order {order!r}; expected one of {', '.join(ORDERS)}")
    if epochs < 1 or n_new < 1:
        raise LavaReplayError(f"a schedule needs >= 1 epoch and >= 1 new sample, got {epochs} and {n_new}")
    replay_labels = np.asarray(replay_labels)
    if order != "new_only" and len(replay_labels) == 0:
        raise LavaReplayError(f"order {order!r} replays latents, but the replay buffer is empty")
    sources, indices = [], []
    for _ in range(epochs):
        new = [(NEW, i) for i in rng.permutation(n_new)]
        if order == "balanced":
            per_class = int(np.ceil(len(replay_labels) / len(np.unique(replay_labels))))
            new = new[:per_class]
        if order == "new_only":
            epoch = new
        elif order in ("interleaved", "balanced"):
            epoch = new + [(REPLAY, j) for j in range(len(replay_labels))]
            epoch = [epoch[k] for k in rng.permutation(len(epoch))]
        else:
            replay = []
            for c in rng.permutation(np.unique(replay_labels)):
                replay += [(REPLAY, j) for j in rng.permutation(np.flatnonzero(replay_labels == c))]
            epoch = new + replay
        sources += [s for s, _ in epoch]
        indices += [i for _, i in epoch]
    return np.array(sources, np.int64), np.array(indices, np.int64)

"""Latent compression, memory accounting, the buffer file and the training schedules."""
import numpy as np
import pytest

from lava_replay.errors import LavaReplayError
from lava_replay.replay.buffer import LatentBuffer, replay_indices
from lava_replay.replay.compression import bits_per_sample, compress
from processes.spike_packing import decompress
from lava_replay.replay.schedule import NEW, REPLAY, training_schedule


def test_compress_ors_windows_and_decompress_puts_a_spike_first():
    spikes = np.array([[0, 1, 0, 0, 1, 1, 0]], bool)
    assert compress(spikes, 2).astype(int).tolist() == [[1, 0, 1, 0]]
    assert compress(spikes, 3).astype(int).tolist() == [[1, 1, 0]]
    assert decompress(compress(spikes, 2), 2, 7).astype(int).tolist() == [[1, 0, 0, 0, 1, 0, 0]]
    assert np.array_equal(decompress(compress(spikes, 1), 1, 7), spikes)
    with pytest.raises(LavaReplayError, match="window"):
        compress(spikes, 0)


def test_memory_accounting_is_exact():
    # SpikingLR at LR layer 3: 50 neurons, T=100, 1:2 -> 50 x 50 bits; Replay4NCL: 50 x 40 bits = 0.8 of it
    assert bits_per_sample(50, 100, 2) == 2500
    assert bits_per_sample(50, 40, 1) == 2000
    assert bits_per_sample(50, 100, 3) == 50 * 34
    rng = np.random.default_rng(0)
    buf = LatentBuffer.from_latents(rng.random((7, 50, 100)) < 0.2, np.arange(7), 2, 3, "m.net", "abc")
    mem = buf.memory()
    assert mem == {"samples": 7, "bits_per_sample": 2500, "bits": 17500, "bytes": 7 * 50 * 7,
                   "ideal_bytes": 2188}
    assert buf.packed.shape == (7, 50, 7)  # 50 stored steps -> 7 bytes per neuron row


def test_buffer_round_trip_and_checks(tmp_path):
    rng = np.random.default_rng(1)
    latents = rng.random((5, 50, 40)) < 0.3
    buf = LatentBuffer.from_latents(latents, [1, 2, 3, 4, 5], 1, 3, "m.net", "sha1")
    path = tmp_path / "buf.npz"
    buf.save(path)
    back = LatentBuffer.load(path, model_sha="sha1", neurons=50, timesteps=40)
    assert np.array_equal(np.unpackbits(back.packed, axis=-1, count=40).astype(bool), latents)
    assert back.labels.tolist() == [1, 2, 3, 4, 5] and back.memory() == buf.memory()
    with pytest.raises(LavaReplayError, match="another model"):
        LatentBuffer.load(path, model_sha="other")
    with pytest.raises(LavaReplayError, match="100-neuron|50-neuron"):
        LatentBuffer.load(path, neurons=100)
    with pytest.raises(LavaReplayError, match="T=40"):
        LatentBuffer.load(path, timesteps=100)
    with pytest.raises(LavaReplayError, match="not found"):
        LatentBuffer.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(LavaReplayError, match="unreadable|not a latent"):
        LatentBuffer.load(tmp_path / "other.npz")
    with pytest.raises(LavaReplayError, match="samples > 0"):
        LatentBuffer.from_latents(np.zeros((0, 50, 40)), [], 1, 3, "m.net", "sha1")


def test_replay_indices_take_per_class_samples():
    labels = np.repeat(np.arange(4), 10)
    chosen = replay_indices(labels, np.flatnonzero(labels > 0), 3, np.random.default_rng(0))
    assert np.bincount(labels[chosen], minlength=4).tolist() == [0, 3, 3, 3]
    with pytest.raises(LavaReplayError, match="replay-per-class"):
        replay_indices(labels, np.arange(40), 0, np.random.default_rng(0))


def test_schedules():
    rng = np.random.default_rng(0)
    replay_labels = np.array([3, 1, 3, 2, 1])
    src, idx = training_schedule("new_only", 4, replay_labels, 2, rng)
    assert (src == NEW).all() and sorted(idx.tolist()) == [0, 0, 1, 1, 2, 2, 3, 3]
    src, idx = training_schedule("new_then_replay_by_class", 4, replay_labels, 1, rng)
    assert (src[:4] == NEW).all() and (src[4:] == REPLAY).all()
    classes = replay_labels[idx[4:]]
    assert all(classes[i] == classes[i + 1] or classes[i] not in classes[i + 1:] for i in range(len(classes) - 1))
    src, idx = training_schedule("interleaved", 4, replay_labels, 3, rng)
    assert len(src) == 27 and (src == REPLAY).sum() == 15
    # balanced: 2 latents per old class (5 over 3 classes, rounded up), so 2 new-class samples per epoch,
    # a different pair each epoch
    src, idx = training_schedule("balanced", 10, replay_labels, 3, rng)
    assert len(src) == 3 * 7 and (src == NEW).sum() == 6 and len(set(idx[src == NEW].tolist())) > 2
    with pytest.raises(LavaReplayError, match="empty"):
        training_schedule("interleaved", 4, [], 1, rng)
    with pytest.raises(LavaReplayError, match="unknown schedule"):
        training_schedule("random", 4, replay_labels, 1, rng)


@pytest.mark.parametrize("per_epoch, epochs, lanes", [(100, 3, 64), (1532, 5, 64), (128, 4, 64), (7, 3, 1)])
def test_epoch_slot_bounds_end_each_epoch_before_the_next_ones_first_slot(per_epoch, epochs, lanes):
    """Slots before an epoch's bound hold only that epoch's and earlier samples; the slot at the bound holds a
    sample of the next epoch; the last bound is the last slot."""
    from lava_replay.continual import epoch_slot_bounds, lane_schedule

    laid = lane_schedule(np.arange(per_epoch * epochs), lanes)
    epoch_of = np.where(laid >= 0, laid // per_epoch, -1)
    bounds = epoch_slot_bounds(per_epoch * epochs, epochs, lanes)
    assert len(bounds) == epochs and bounds[-1] == len(laid)
    for epoch, bound in enumerate(bounds[:-1]):
        assert epoch_of[:bound].max() <= epoch and epoch_of[bound].max() == epoch + 1
    with pytest.raises(LavaReplayError, match="do not split into 2 equal epochs"):
        epoch_slot_bounds(7, 2, lanes)

"""The Lava processes of the continual phase: exactness against netx, replay, run-time Var updates, learning,
and what happens when a process fails."""

import numpy as np
import pytest

from lava_replay.continual import generate_latents, slot_timing
from lava_replay.data.synthetic import synthetic_shd
from lava_replay.export import SHIPPED_MODEL_DIR, model_path
from lava_replay.errors import LavaReplayError
from lava_replay.lava_inference import lava_layer_spikes
from lava_replay.lava_session import LavaSession
from lava_replay.learning_rule import delta_rule
from lava_replay.netx_params import read_layers
from lava_replay.replay.compression import compress
from processes.spike_packing import decompress

NET40 = model_path("shd19_T40_new0", SHIPPED_MODEL_DIR)
T = 40


def _inputs(n, seed=0, classes=None):
    spikes = synthetic_shd(1, 20, T, seed=seed)["spikes"].astype(bool)
    return spikes[:n] if classes is None else spikes[classes]


def _plastic(layer, n_slots, weights=None, gain=4, lr_exp=-4):
    from processes.plastic_learning_layer.process import PlasticLearningLayer

    slot, offset = slot_timing(T)
    rule = delta_rule(lr_exp, slot, 4, 16, 4)
    return PlasticLearningLayer(weights=layer["weight"] if weights is None else weights, vth=layer["vth"],
                                decay_u=layer["decay_u"], decay_v=layer["decay_v"], learning_rule=rule,
                                timesteps=T, slot=slot, offset=offset, n_slots=n_slots, error_gain=gain)


def _teacher(labels, margin=10):
    from processes.teacher_source.process import TeacherSource

    slot, _ = slot_timing(T)
    return TeacherSource(labels=labels, n_classes=20, margin=margin, slot=slot)


@pytest.mark.timeout(300)
def test_frozen_generator_and_plastic_layer_equal_netx():
    from processes.frozen_spike_generator.process import FrozenSpikeGenerator
    from processes.scheduled_source.process import ScheduledSpikeSource

    x = _inputs(4)
    layers = read_layers(NET40)
    slot, offset = slot_timing(T)
    # slots 0-3 compute samples 0-3; slots 4-5 repeat slots 2 and 0 from the generator's cache
    source = ScheduledSpikeSource(samples=np.packbits(x, axis=-1), steps=T, schedule=[0, 1, 2, 3, -1, -1],
                                  slot=slot, offset=offset)
    generator = FrozenSpikeGenerator(layers=layers[:3], timesteps=T, slot=slot, offset=offset,
                                     cached=[-1, -1, -1, -1, 2, 0])
    layer = _plastic(layers[3], 6)
    teacher = _teacher(-np.ones(6, int))
    source.s_out.connect(generator.s_in)
    generator.s_out.connect(layer.s_in)
    teacher.s_out.connect(layer.target_in)
    with LavaSession(layer) as lava:
        lava.run(6 * slot)
        latents = np.unpackbits(generator.latents.get().astype(np.uint8), axis=-1, count=T).astype(bool)
        counts = layer.counts.get()
        activity = generator.activity.get()
    netx_latents, netx_out = lava_layer_spikes(NET40, x, layers=[2, 3])
    assert netx_latents.sum() > 0 and netx_out.sum() > 0
    assert np.array_equal(latents[:4], netx_latents.astype(bool))
    assert np.array_equal(latents[4], latents[2]) and np.array_equal(latents[5], latents[0])
    assert np.array_equal(counts[:4], netx_out.sum(-1))
    assert np.array_equal(counts[4], counts[2]) and np.array_equal(counts[5], counts[0])
    assert np.array_equal(activity[:4, 0], x.sum(axis=(1, 2)))
    assert np.array_equal(activity[:4, 3], netx_latents.sum(axis=(1, 2)))


@pytest.mark.timeout(300)
def test_latent_replay_source_sends_decompressed_latents_on_schedule():
    from lava.proc import io

    from processes.latent_replay_source.process import LatentReplaySource

    slot, offset = slot_timing(T)
    latents = np.random.default_rng(0).random((3, 50, T)) < 0.2
    stored = np.packbits(compress(latents, 2), axis=-1)
    replay = LatentReplaySource(samples=stored, steps=T, window=2, schedule=[2, -1, 0], slot=slot, offset=offset)
    sink = io.sink.RingBuffer(shape=(50,), buffer=3 * slot)
    replay.s_out.connect(sink.a_in)
    with LavaSession(sink) as lava:
        lava.run(3 * slot)
        got = sink.data.get().astype(bool)
    expected = decompress(compress(latents, 2), 2, T)
    assert np.array_equal(got[:, offset:offset + T], expected[2])
    assert not got[:, slot:2 * slot].any()
    assert np.array_equal(got[:, 2 * slot + offset:2 * slot + offset + T], expected[0])
    assert not got[:, :offset].any()


def _replay_graph(latents, labels, layer, weights, gain, n_slots):
    from processes.latent_replay_source.process import LatentReplaySource

    slot, offset = slot_timing(T)
    replay = LatentReplaySource(samples=np.packbits(latents, axis=-1), steps=T, window=1,
                                schedule=np.arange(n_slots) % len(latents), slot=slot, offset=offset)
    plastic = _plastic(layer, n_slots, weights=weights, gain=gain)
    teacher = _teacher(labels)
    replay.s_out.connect(plastic.s_in)
    teacher.s_out.connect(plastic.target_in)
    return plastic, slot


@pytest.mark.timeout(300)
def test_threshold_and_learning_rate_updates_take_effect_between_runs():
    layers = read_layers(NET40)
    latents, _ = generate_latents(layers[:3], _inputs(1, seed=3), T)
    plastic, slot = _replay_graph(latents, -np.ones(3, int), layers[3], None, 4, 3)
    with LavaSession(plastic) as lava:
        lava.run(slot)
        plastic.vth.set(np.array([layers[3]["vth"] // 2]))
        lava.run(slot)
        assert plastic.vth.get()[0] == layers[3]["vth"] // 2
        counts = plastic.counts.get()
    assert counts[0].sum() > 0
    assert counts[1].sum() > counts[0].sum()  # same latent, lower threshold: more output spikes

    # learning rate: error gain 0 leaves the weights alone; after setting it to 4 the taught class gains
    weights = np.zeros_like(layers[3]["weight"])
    plastic, slot = _replay_graph(latents, np.full(4, 5), layers[3], weights, 0, 4)
    with LavaSession(plastic) as lava:
        lava.run(2 * slot)
        frozen = plastic.weights.get()
        plastic.error_gain.set(np.full(20, 4))
        lava.run(slot)
        learned = plastic.weights.get()
        lava.run(slot)
        counts = plastic.counts.get()
    assert not frozen.any()
    active = latents[0].any(axis=1)
    assert (learned[5, active] >= 0).all() and learned[5, active].sum() > 0
    assert not learned[5, ~active].any() and not learned[np.arange(20) != 5].any()
    assert counts[2, 5] == 0 and counts[3, 5] > 0  # the taught neuron answers after one update


@pytest.mark.timeout(300)
def test_delta_rule_moves_counts_toward_targets():
    layers = read_layers(NET40)
    latents, _ = generate_latents(layers[:3], _inputs(2, seed=5, classes=[0, 10]), T)
    labels = np.tile([7, 9], 6)
    plastic, slot = _replay_graph(latents, labels, layers[3], np.zeros_like(layers[3]["weight"]), 2, 12)
    with LavaSession(plastic) as lava:
        lava.run(12 * slot)
        counts = plastic.counts.get()
    def shortfall(k, label):  # how far the labelled neuron is from out-spiking every other one by the margin 10
        return max(np.delete(counts[k], label).max() + 10 - counts[k, label], 0)

    assert shortfall(10, 7) + shortfall(11, 9) < shortfall(0, 7) + shortfall(1, 9)
    assert counts[10].argmax() == 7 and counts[11].argmax() == 9


@pytest.mark.timeout(300)
def test_a_zero_error_gain_leaves_its_neurons_row_alone():
    """Per-neuron error gains: with gain 0 on every row but the taught classes', only those rows learn (the rivals
    the margin rule depresses with one gain for all stay as pretrained)."""
    layers = read_layers(NET40)
    latents, _ = generate_latents(layers[:3], _inputs(2, seed=5, classes=[0, 10]), T)
    labels = np.tile([7, 9], 6)
    start = layers[3]["weight"]
    taught = np.zeros(20, int)
    taught[[7, 9]] = 4
    learned = {}
    for name, gain in (("taught rows", taught), ("all rows", 4)):
        plastic, slot = _replay_graph(latents, labels, layers[3], None, gain, 12)
        with LavaSession(plastic) as lava:
            lava.run(12 * slot)
            learned[name] = plastic.weights.get()
    others = np.setdiff1d(np.arange(20), [7, 9])
    assert np.array_equal(learned["taught rows"][others], start[others])
    assert (learned["taught rows"][[7, 9]] != start[[7, 9]]).sum() > 20
    assert (learned["all rows"][others] != start[others]).sum() > 20


@pytest.mark.timeout(120)
def test_a_failing_process_reports_its_traceback_and_is_stopped():
    layers = read_layers(NET40)
    broken = [dict(layer) for layer in layers[:1]]
    del broken[0]["decay_u"]
    with pytest.raises(LavaReplayError, match="decay_u"):
        generate_latents(broken, _inputs(1), T)


def test_margin_error_by_hand():
    from processes.plastic_learning_layer.models import margin_error

    count = np.array([5, 9, 2, 8])
    teach = np.array([64, 1 + 3, 64, 64])  # neuron 1 is labelled, margin 3
    # neuron 1 must lead its strongest rival (neuron 3, 8 spikes) by 3: shortfall 2, the rival pays it
    assert margin_error(count, teach).tolist() == [0, 2, 0, -2]
    assert margin_error(np.array([3, 0, 0, 4]), teach).tolist() == [0, 7, 0, -7]  # only the strongest rival
    assert margin_error(np.array([0, 0, 0, 0]), teach).tolist() == [0, 3, 0, 0]  # a silent rival is left alone
    assert margin_error(np.array([1, 12, 0, 8]), teach).tolist() == [0, 0, 0, 0]  # classified with the margin
    assert not margin_error(count, np.zeros(4, int)).any()
    # every rival inside the margin learns: neuron 0 (7 spikes) falls short by 1, neuron 3 (8) by 2
    assert margin_error(np.array([7, 9, 2, 8]), teach, all_rivals=True).tolist() == [-1, 2, 0, -2]
    assert margin_error(np.array([7, 9, 2, 8]), teach).tolist() == [0, 2, 0, -2]


def test_softmax_error_by_hand():
    from processes.plastic_learning_layer.models import output_error

    teach = np.array([64, 1 + 3, 64, 64])  # neuron 1 labelled
    # logits 0.5 * c = [0, 2, 0, 0]: softmax [0.0923, 0.7232, 0.0923, 0.0923] -> 8 * (onehot - p), rounded
    assert output_error(np.array([0, 4, 0, 0]), teach, "softmax").tolist() == [-1, 2, -1, -1]
    # a confident right answer leaves nothing to learn; a wrong one moves every output
    assert not output_error(np.array([0, 20, 0, 0]), teach, "softmax").any()
    assert output_error(np.array([0, 0, 10, 0]), teach, "softmax").tolist() == [0, 8, -8, 0]
    assert not output_error(np.array([0, 4, 0, 0]), np.zeros(4, int), "softmax").any()
    assert output_error(np.array([7, 9, 2, 8]), teach, "all_rivals").tolist() == [-1, 2, 0, -2]


def test_error_gain_decays_per_epoch_but_not_below_one():
    from lava_replay.continual import epoch_gain, strategy

    strat = strategy("replay4ncl", error_gain=4, gain_decay=0.5)
    assert [epoch_gain(strat, e) for e in range(4)] == [4, 2, 1, 1]
    assert epoch_gain(strategy("replay4ncl", error_gain=4, gain_decay=1.0), 3) == 4


def test_old_class_rows_get_their_share_of_the_error_gain():
    from lava_replay.continual import row_gains, strategy

    plastic = {"weight": np.zeros((5, 3))}
    strat = strategy("spikinglr", error_gain=4, gain_decay=0.5, old_class_gain=0.5)
    assert row_gains(strat, 0, plastic, [1, 3]).tolist() == [2, 4, 2, 4, 2]
    assert row_gains(strat, 1, plastic, [1, 3]).tolist() == [1, 2, 1, 2, 1]
    assert row_gains(strategy("spikinglr", old_class_gain=0), 2, plastic, [0]).tolist() == [1, 0, 0, 0, 0]


def test_loihi_rule_order_is_per_learner_unless_given():
    from lava_replay.continual import strategy
    from lava_replay.errors import LavaReplayError

    slr = strategy("spikinglr")
    assert (slr.order_for("gradient"), slr.order_for("loihi")) == ("new_then_replay_by_class", "interleaved")
    given = strategy("spikinglr", order="balanced")
    assert (given.order_for("gradient"), given.order_for("loihi")) == ("balanced", "balanced")
    assert strategy("replay4ncl").order_for("loihi") == "interleaved"
    with pytest.raises(LavaReplayError, match="loihi_order must be one of"):
        strategy("spikinglr", loihi_order="by_speaker")


def test_cosine_learning_rate_schedule_anneals_the_step_per_epoch():
    from lava_replay.continual import epoch_lr_factor, strategy

    cosine = strategy("replay4ncl", lr_schedule="cosine")
    assert np.allclose([epoch_lr_factor(cosine, e, 4) for e in range(4)], [1, 0.5 + 0.5 ** 1.5, 0.5, 0.5 - 0.5 ** 1.5])
    assert [epoch_lr_factor(strategy("replay4ncl"), e, 4) for e in range(4)] == [1.0] * 4
    with pytest.raises(LavaReplayError, match="lr_schedule must be one of constant, cosine, got 'step'"):
        strategy("replay4ncl", lr_schedule="step")

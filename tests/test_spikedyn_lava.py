"""The SpikeDyn Lava processes on synthetic images (a bright bar): learning, its gate, the adaptive threshold
and lateral inhibition, measured in the Lava fixed-point simulator."""
import numpy as np
import pytest

from lava_replay.spikedyn.config import SpikeDynConfig, make_config
from lava_replay.spikedyn.network import Schedule, SpikeDynNetwork, initial_weights, learning_rule
from processes.count_packing import pack_counts, unpack_counts

THETA_PLUS = SpikeDynConfig().theta_plus
BAR = np.zeros((28, 28), np.uint8)
BAR[10:18] = 255
ON = BAR.reshape(-1) > 0


def _run(cfg, learn, inhibition=True):
    n = len(learn)
    slots = np.where(np.asarray(learn) == 0, np.cumsum(np.asarray(learn) == 0) - 1, -1)
    schedule = Schedule(np.repeat(BAR[None], n, axis=0), np.asarray(learn), slots)
    return SpikeDynNetwork(cfg, schedule, inhibition=inhibition).run_blocks([n])


@pytest.mark.timeout(120)
def test_stdp_potentiates_the_bar_and_depresses_the_rest_only_for_firing_neurons():
    cfg = make_config(neurons=4, seed=1)
    w0 = initial_weights(cfg)
    res = _run(cfg, [1, 1, 1])
    fired = res.theta > 0               # θ grows by THETA_PLUS per spike in learning presentations
    winners = res.theta >= 3 * THETA_PLUS
    assert winners.any()
    dw = res.weights - w0
    assert (dw[winners][:, ON].mean(axis=1) > 20).all()
    assert (dw[winners][:, ~ON].mean(axis=1) < -5).all()
    assert (dw[fired][:, ON].mean(axis=1) > dw[fired][:, ~ON].mean(axis=1)).all()
    assert (dw[~fired] == 0).all()  # SpikeDyn updates happen at post spikes only


@pytest.mark.timeout(120)
def test_evaluation_presentations_do_not_learn():
    cfg = make_config(neurons=4, seed=1)
    res = _run(cfg, [0, 0])
    assert res.counts.sum() > 0
    assert (res.weights == initial_weights(cfg)).all()
    assert (res.theta == 0).all()


@pytest.mark.timeout(120)
def test_adaptive_threshold_switch():
    on = _run(make_config(neurons=4, seed=1), [1])
    off = _run(make_config(neurons=4, seed=1, switches={"adaptive_threshold": False}), [1])
    assert on.theta.max() > THETA_PLUS  # several spikes (minus the slow decay at the end of the presentation)
    assert (off.theta == 0).all() and off.exc_spikes.sum() > 0


@pytest.mark.timeout(120)
def test_theta_decays_by_its_shift_at_the_end_of_a_presentation():
    slow = _run(make_config(neurons=4, seed=1), [1])                        # default shift 9
    fast = _run(make_config(neurons=4, seed=1, theta_decay_shift=1), [1])   # θ halves at the end
    grown = np.ceil(slow.theta / THETA_PLUS).astype(np.int64) * THETA_PLUS  # θ before the decay (same spikes)
    assert grown.max() >= 2 * THETA_PLUS
    np.testing.assert_array_equal(slow.theta, grown - (grown >> 9))
    np.testing.assert_array_equal(fast.theta, grown - (grown >> 1))


@pytest.mark.timeout(120)
def test_evaluation_presentations_leave_theta_as_learning_left_it():
    cfg = make_config(neurons=4, seed=1, theta_decay_shift=1)  # θ would halve at the end of each presentation
    learned = _run(cfg, [1])
    evaluated = _run(cfg, [1, 0, 0])
    assert learned.theta.max() > 0
    np.testing.assert_array_equal(evaluated.theta, learned.theta)


@pytest.mark.timeout(120)
def test_a_stronger_weight_decay_holds_the_learned_weights_lower():
    default = _run(make_config(neurons=4, seed=1), [1, 1, 1])
    strong = _run(make_config(neurons=4, seed=1, weight_decay_shift=2), [1, 1, 1])   # 1/4 instead of 1/32
    assert "2^-2*y0*w" in learning_rule(make_config(weight_decay_shift=2)).dw_str
    fired = (default.theta > 0) & (strong.theta > 0)
    assert fired.any()
    assert strong.weights[fired][:, ON].mean() < default.weights[fired][:, ON].mean() - 10


@pytest.mark.timeout(180)
@pytest.mark.parametrize("baseline", [False, True], ids=["direct", "diehl_cook"])
def test_lateral_inhibition_suppresses(baseline):
    cfg = make_config(neurons=20, seed=2, baseline=baseline)
    free = _run(cfg, [0, 0], inhibition=False)
    inhibited = _run(cfg, [0, 0], inhibition=True)
    assert inhibited.exc_spikes.sum() < 0.5 * free.exc_spikes.sum()
    assert (inhibited.counts > 0).sum() < (free.counts > 0).sum()


def test_rules_per_switch():
    assert "x0" in learning_rule(make_config(baseline=True)).dw_str
    dyn = learning_rule(make_config()).dw_str
    assert "x0" not in dyn and "y2" in dyn and "w" in dyn
    assert "y2" not in learning_rule(make_config(switches={"adaptive_lr": False})).dw_str


def test_counts_are_packed_six_to_a_word_and_unpacked_exactly():
    counts = np.array([0, 1, 2, 255, 300, 7, 9, 10, 11], np.int32)
    words = pack_counts(counts)
    assert words.shape == (2,)
    # Lava's Var.get() returns float64 values: the 48-bit words survive it
    back = unpack_counts(np.stack([words, words]).astype(np.float64), len(counts))
    assert back.tolist() == [[0, 1, 2, 255, 255, 7, 9, 10, 11]] * 2  # saturated at 255
    lanes = pack_counts(np.stack([[counts, counts[::-1]]] * 3))  # leading axes: slots, lanes
    assert lanes.shape == (3, 2, 2)
    assert np.array_equal(unpack_counts(lanes, len(counts))[2, 1], np.minimum(counts[::-1], 255))

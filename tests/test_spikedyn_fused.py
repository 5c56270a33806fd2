"""The fused SpikeDyn layer model against the reference graph of Lava processes (LearningDense with Lava's
fixed-point learning engine, the excitatory layer, the inhibition Dense/LIF processes): identical spikes,
counts, thresholds and learned weights, stochastic rounding included (same seeds)."""
import json

import numpy as np
import pytest

from lava_replay.errors import LavaReplayError
from lava_replay.spikedyn import bench
from lava_replay.spikedyn.config import make_config
from lava_replay.spikedyn.network import Schedule, SpikeDynNetwork, initial_weights
from processes.spikedyn_layer.models import normalise_rows

VARIANTS = {
    "spikedyn": {},                                                   # y0-gated products only
    "diehl_cook": {"baseline": True, "weight_norm": False},           # x0 and y0 products, inhibitory LIF layer
    "spikedyn_no_reduce_spurious": {"switches": {"reduce_spurious": False}},
}


def _images(n, seed):
    """Bright random blobs: enough input to make a small layer fire and learn."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), np.uint8)
    for k in range(n):
        r, c = rng.integers(4, 20, size=2)
        images[k, r:r + 8, c:c + 8] = 255
    return images


def _run(cfg, fused, inhibition=True):
    learn = np.array([1, 1, 0, 1, 1, 0], np.int32)
    slots = np.where(learn == 0, np.cumsum(learn == 0) - 1, -1).astype(np.int32)
    net = SpikeDynNetwork(cfg, Schedule(_images(len(learn), cfg.seed), learn, slots), inhibition=inhibition)
    return net.run_blocks([2, 1, 3], fused=fused)  # several blocks: state carries over between run() calls


@pytest.mark.timeout(300)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_fused_layer_equals_the_reference_graph(variant):
    cfg = make_config(neurons=12, seed=3, **VARIANTS[variant])
    ref, fused = _run(cfg, fused=False), _run(cfg, fused=True)
    assert ref.exc_spikes[np.array([0, 1, 3, 4])].sum() > 0          # the layer fired while learning
    assert (ref.weights != initial_weights(cfg)).sum() > 100          # and the rule changed many weights
    np.testing.assert_array_equal(fused.exc_spikes, ref.exc_spikes)
    np.testing.assert_array_equal(fused.counts, ref.counts)
    np.testing.assert_array_equal(fused.theta, ref.theta)
    np.testing.assert_array_equal(fused.weights, ref.weights)


@pytest.mark.timeout(300)
def test_fused_layer_without_inhibition_equals_the_reference_graph():
    cfg = make_config(neurons=6, seed=4)
    ref, fused = _run(cfg, fused=False, inhibition=False), _run(cfg, fused=True, inhibition=False)
    np.testing.assert_array_equal(fused.exc_spikes, ref.exc_spikes)
    np.testing.assert_array_equal(fused.weights, ref.weights)


def test_normalise_rows_holds_each_neurons_weight_sum():
    w = np.array([[10, 30, 0, 60], [1, 1, 1, 1], [0, 0, 0, 0]], np.int32)
    normalise_rows(w, 200)
    np.testing.assert_array_equal(w, [[20, 60, 0, 120], [50, 50, 50, 50], [0, 0, 0, 0]])
    big = np.array([[1, 0, 0, 0]], np.int32)
    normalise_rows(big, 1000)
    assert big[0, 0] == 255  # 8-bit weights saturate


@pytest.mark.timeout(120)
def test_weight_normalisation_runs_before_learning_presentations_in_the_fused_model():
    cfg = make_config(neurons=5, seed=2, baseline=True, weight_norm_total=5000)
    blank = Schedule(np.zeros((2, 28, 28), np.uint8), np.array([0, 1], np.int32), np.array([0, -1], np.int32))
    res = SpikeDynNetwork(cfg, blank).run_blocks([2])   # no input: nothing learns, only the normalisation acts
    expected = initial_weights(cfg)
    normalise_rows(expected, 5000)
    np.testing.assert_array_equal(res.weights, expected)
    assert np.abs(res.weights.sum(axis=1) - 5000).max() <= 784 // 2
    with pytest.raises(LavaReplayError, match="fused CPU model only"):
        SpikeDynNetwork(cfg, blank).run_blocks([2], fused=False)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_bench_speed_reports_both_models_and_their_ratio(tmp_path):
    assert bench.main(["--speed", "--neurons", "8", "--speed-images", "2", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "speed.json").read_text())
    for variant in ("spikedyn", "baseline"):
        r = report[variant]
        assert r["fused_steps_per_s"] > 0 and r["reference_steps_per_s"] > 0
        assert r["ratio"] == pytest.approx(r["fused_steps_per_s"] / r["reference_steps_per_s"], rel=0.01)

"""The op-count energy model and the accuracy metrics on hand-computed cases."""
import numpy as np
import pytest

from lava_replay.energy import add_ops, energy_uj, layer_ops
from lava_replay.metrics import accuracy_report, predictions


def test_layer_ops_by_hand():
    # 4 -> 3 (recurrent) -> 2; 5 input spikes, 2 hidden spikes, 1 output spike, T = 10
    ops = layer_ops([(3, 4), (2, 3)], [True, False], [5, 2, 1], 10)
    assert ops == {"synops": 5 * 3 + 2 * 3 + 2 * 2, "neuron_updates": (3 + 2) * 10, "spikes": 3}
    with pytest.raises(ValueError):
        layer_ops([(3, 4)], [False], [1], 10)


def test_energy_by_hand():
    # 1000 synops x 23.6 pJ + 100 neuron updates x 52 pJ + 10 spikes x 1.7 pJ + 50 updates x 120 pJ
    assert energy_uj(1000, 100, 10, 50) == pytest.approx((23600 + 5200 + 17 + 6000) * 1e-6)
    # 4-bit weights: the synaptic terms (synops, synapse updates) at half energy, neuron updates and spikes not
    assert energy_uj(1000, 100, 10, 50, weight_bits=4) == pytest.approx((11800 + 5200 + 17 + 3000) * 1e-6)
    assert add_ops({"synops": 1.0}, {"synops": 2.0, "spikes": 1.0}) == {"spikes": 1.0, "synops": 3.0}


def test_synapse_updates_by_hand():
    from lava_replay.continual import strategy
    from lava_replay.report import synapse_updates_per_sample

    # a recurrent 3 x 4 layer (12 + 9 synapses) under a 2 x 3 output layer (6): 27 plastic synapses
    layers = [{"weight": np.zeros((3, 4)), "weight_rec": np.zeros((3, 3))}, {"weight": np.zeros((2, 3)),
                                                                              "weight_rec": None}]
    plain = strategy("replay4ncl", average_every=0, epochs=2)
    averaged = strategy("replay4ncl", average_every=4, epochs=2)
    assert synapse_updates_per_sample(layers, plain, "loihi") == 27
    assert synapse_updates_per_sample(layers, averaged, "loihi") == 27 * (1 + 1 / 8)  # every 4th of the last half
    assert synapse_updates_per_sample(layers, averaged, "gradient") == 27  # the gradient learner has no tag


def test_accuracy_report_by_hand():
    labels = np.array([0, 0, 1, 1, 2, 2])
    before = np.array([1, 1, 1, 1, 2, 1])          # old classes 1, 2: 3 of 4 right; new class 0: none
    after = np.array([0, 1, 1, 2, 1, 2])           # old: 2 of 4; new: 1 of 2
    rep = accuracy_report(before, after, labels, [1, 2], [0])
    assert rep["old_before"] == 0.75 and rep["old"] == 0.5 and rep["forgetting"] == 0.25
    assert rep["new_before"] == 0.0 and rep["new"] == 0.5 and rep["all"] == 0.5
    assert rep["per_class"] == {0: 0.5, 1: 0.5, 2: 0.5}
    assert predictions(np.array([[0, 3, 3], [2, 0, 1]])).tolist() == [1, 0]


def test_accuracy_report_splits_old_class_errors_into_new_and_old():
    labels = np.array([0, 1, 1, 1, 2, 2, 2, 2])
    after = np.array([0, 0, 1, 2, 2, 0, 1, 2])     # old: 3 of 7 right, 2 read as the new class 0, 2 as old
    rep = accuracy_report(after, after, labels, [1, 2], [0])
    assert rep["old"] == pytest.approx(3 / 7) and rep["old_as_new"] == pytest.approx(2 / 7)
    assert rep["confusion"] == {0: {0: 1}, 1: {0: 1, 1: 1, 2: 1}, 2: {0: 1, 1: 1, 2: 2}}

"""The SpikeDyn memory and energy model on hand-computed cases."""
import pytest

from lava_replay import energy
from lava_replay.spikedyn import cost_model as cm


def test_memory_hand_computed():
    # 2 inputs, N=2, 8 bit: synapses 2*2 + 2*1 = 6, states 2*2 = 4 -> 10 words * 8 bit
    assert cm.memory_bits(2, 8, n_input=2) == 80
    # baseline adds N one-to-one synapses and N inhibitory neuron states: 6+2 synapses, 4+2 states
    assert cm.memory_bits(2, 8, baseline=True, n_input=2) == 14 * 8
    # N=400 MNIST, 4 bit: (784*400 + 400*399) + 800 = 473,600 words * 4
    assert cm.memory_bits(400, 4) == (313600 + 159600 + 800) * 4


def test_operation_counts_hand_computed():
    act = cm.Activity(input_spikes=100.0, exc_spikes=5.0, steps=70)
    dyn = cm.operation_counts(10, act, learning=True, n_input=784)
    assert dyn == {"synops": 100 * 10 + 5 * 9, "neuron_updates": 700.0, "synapse_updates": 5 * 784.0}
    base = cm.operation_counts(10, act, baseline=True, learning=True, pre_triggered=True, n_input=784)
    assert base == {"synops": 1000 + 5 * 1 + 5 * 9, "neuron_updates": 1400.0,
                    "synapse_updates": 5 * 784.0 + 100 * 10}
    assert cm.operation_counts(10, act, learning=False)["synapse_updates"] == 0.0


def test_energy_report_hand_computed_in_uj():
    # the model's formula, by hand: E = synops·23.6 pJ·b/8 + synapse updates·120 pJ·b/8 + neuron updates·52 pJ,
    # reported in µJ (it was reported in J before the one energy model: the same value × 1e6)
    train = cm.Activity(100.0, 5.0, 70)
    infer = cm.Activity(100.0, 5.0, 70)
    rep = cm.energy_report(10, train, infer, samples_per_task=30)
    per_sample_pj = (1000 + 45) * 23.6 + 5 * 784 * 120 + 700 * 52
    assert rep["train_per_sample_uJ"] == pytest.approx(per_sample_pj * 1e-6)
    assert rep["train_per_task_uJ"] == pytest.approx(30 * per_sample_pj * 1e-6)
    assert rep["inference_per_sample_uJ"] == pytest.approx(((1000 + 45) * 23.6 + 700 * 52) * 1e-6)
    # a tiny baseline at 4 bits: N=2, 3 input spikes, 1 excitatory spike, 4 steps, pre-triggered STDP
    # synops = 3·2 + 1·1 + 1·1 = 8; neuron updates = 4·2·2 = 16; synapse updates = 1·784 + 3·2 = 790
    rep = cm.energy_report(2, cm.Activity(3.0, 1.0, 4), cm.Activity(3.0, 1.0, 4), samples_per_task=5, bits=4,
                           baseline=True, pre_triggered=True)
    train_j = (8 * 23.6 / 2 + 790 * 120 / 2 + 16 * 52) * 1e-12
    infer_j = (8 * 23.6 / 2 + 16 * 52) * 1e-12
    assert rep == pytest.approx({"train_per_sample_uJ": train_j * 1e6, "train_per_task_uJ": 5 * train_j * 1e6,
                                 "inference_per_sample_uJ": infer_j * 1e6})


def test_energy_uses_the_shared_per_op_table(monkeypatch):
    # SpikeDyn has no table of its own: a change to lava_replay.energy's constants changes its energies
    act = cm.Activity(100.0, 5.0, 70)
    before = cm.energy_report(10, act, act, samples_per_task=1)["inference_per_sample_uJ"]
    monkeypatch.setattr(energy, "PJ_PER_NEURON_UPDATE", 2 * energy.PJ_PER_NEURON_UPDATE)
    after = cm.energy_report(10, act, act, samples_per_task=1)["inference_per_sample_uJ"]
    assert after - before == pytest.approx(700 * 52 * 1e-6)

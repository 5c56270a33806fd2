"""The SpikeDyn memory and energy model on hand-computed cases."""
import pytest

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
    assert dyn == {"synops": 100 * 10 + 5 * 9, "neuron_updates": 700.0, "syn_updates": 5 * 784.0}
    base = cm.operation_counts(10, act, baseline=True, learning=True, pre_triggered=True, n_input=784)
    assert base == {"synops": 1000 + 5 * 1 + 5 * 9, "neuron_updates": 1400.0,
                    "syn_updates": 5 * 784.0 + 100 * 10}
    assert cm.operation_counts(10, act, learning=False)["syn_updates"] == 0.0


def test_energy_hand_computed():
    counts = {"synops": 1000.0, "neuron_updates": 100.0, "syn_updates": 10.0}
    pj_8 = 1000 * 23.6 + 10 * 120 + 100 * 52
    assert cm.energy_joules(counts, 8) == pytest.approx(pj_8 * 1e-12)
    pj_4 = 1000 * 23.6 / 2 + 10 * 120 / 2 + 100 * 52
    assert cm.energy_joules(counts, 4) == pytest.approx(pj_4 * 1e-12)


def test_energy_report_per_sample_and_task():
    train = cm.Activity(100.0, 5.0, 70)
    infer = cm.Activity(100.0, 5.0, 70)
    rep = cm.energy_report(10, train, infer, samples_per_task=30)
    per_sample = ((1000 + 45) * 23.6 + 5 * 784 * 120 + 700 * 52) * 1e-12
    assert rep["train_per_sample_J"] == pytest.approx(per_sample)
    assert rep["train_per_task_J"] == pytest.approx(30 * per_sample)
    assert rep["inference_per_sample_J"] == pytest.approx(((1000 + 45) * 23.6 + 700 * 52) * 1e-12)

"""Analytical memory and energy model of a SpikeDyn / Diehl & Cook network (the one source of these numbers).

Energy per operation: the Loihi per-op energies of lava_replay.energy (Davies et al., IEEE Micro 2018, Table 2:
synaptic spike operation 23.6 pJ, synaptic (learning) update 120 pJ, neuron update 52 pJ). These are for Loihi's
8-bit-class synapses; for other weight precisions the synaptic terms are scaled by bits / 8 (an assumption of
this model: synaptic energy ~ weight memory traffic).
"""
from dataclasses import dataclass

from lava_replay.energy import PJ_PER_NEURON_UPDATE as E_NEURON_PJ
from lava_replay.energy import PJ_PER_SYNAPSE_UPDATE as E_SYN_UPDATE_PJ
from lava_replay.energy import PJ_PER_SYNOP as E_SYNOP_PJ

N_INPUT = 784
REFERENCE_BITS = 8


def memory_bits(neurons, bits, baseline=False, n_input=N_INPUT):
    """Memory of the network in bits.

    weights  = (n_input·N + N·(N−1)) · bits          plastic synapses + lateral inhibition (zero diagonal)
               (+ N · bits for the baseline's one-to-one excitatory→inhibitory synapses)
    neurons  = N · 2 · bits                            membrane potential v and adaptive threshold θ
               (+ N · bits for the baseline's inhibitory neurons' v)
    Example: N=2, 8 bit, 2 inputs, SpikeDyn: (4 + 2)·8 + 2·2·8 = 80 bits.
    """
    synapses = n_input * neurons + neurons * (neurons - 1) + (neurons if baseline else 0)
    states = 2 * neurons + (neurons if baseline else 0)
    return (synapses + states) * bits


@dataclass(frozen=True)
class Activity:
    """Mean spike counts per presentation and the presentation length (steps)."""

    input_spikes: float
    exc_spikes: float
    steps: int


def operation_counts(neurons, activity, baseline=False, learning=False, pre_triggered=False,
                     n_input=N_INPUT):
    """Operation counts of one presentation.

    synops      = input_spikes·N + lateral:  SpikeDyn  exc_spikes·(N−1)
                                             baseline  exc_spikes·1 + inh_spikes·(N−1), inh_spikes = exc_spikes
                                             (each excitatory spike drives its inhibitory partner once)
    neuron_upd  = steps·N (·2 for the baseline's inhibitory layer)
    syn_updates = learning only: exc_spikes·n_input (post-triggered terms)
                  + input_spikes·N if the rule has a pre-triggered (x0) term
    """
    if baseline:
        lateral = activity.exc_spikes * 1 + activity.exc_spikes * (neurons - 1)
    else:
        lateral = activity.exc_spikes * (neurons - 1)
    synops = activity.input_spikes * neurons + lateral
    neuron_updates = activity.steps * neurons * (2 if baseline else 1)
    updates = 0.0
    if learning:
        updates = activity.exc_spikes * n_input + (activity.input_spikes * neurons if pre_triggered else 0.0)
    return {"synops": float(synops), "neuron_updates": float(neuron_updates), "syn_updates": float(updates)}


def energy_joules(counts, bits=REFERENCE_BITS):
    """E = synops·23.6 pJ·b/8 + syn_updates·120 pJ·b/8 + neuron_updates·52 pJ (b = weight bits)."""
    scale = bits / REFERENCE_BITS
    picojoules = (counts["synops"] * E_SYNOP_PJ * scale + counts["syn_updates"] * E_SYN_UPDATE_PJ * scale
                  + counts["neuron_updates"] * E_NEURON_PJ)
    return picojoules * 1e-12


def energy_report(neurons, train_activity, infer_activity, samples_per_task, bits=REFERENCE_BITS,
                  baseline=False, pre_triggered=False):
    """Training and inference energy per sample and per task (J), from the activity of the two phases."""
    train = energy_joules(operation_counts(neurons, train_activity, baseline, True, pre_triggered), bits)
    infer = energy_joules(operation_counts(neurons, infer_activity, baseline, False), bits)
    return {"train_per_sample_J": train, "train_per_task_J": train * samples_per_task,
            "inference_per_sample_J": infer}

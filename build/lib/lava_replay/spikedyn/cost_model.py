"""Analytical memory and energy model of a SpikeDyn / Diehl & Cook network (the one source of these numbers).

This module counts SpikeDyn's operations (and its memory); their energy is the project's one energy model,
lava_replay.energy.energy_uj (Loihi per-op energies, Davies et al., IEEE Micro 2018, Table 2; µJ; synaptic terms
scaled by weight bits / 8). SpikeDyn's counts have no spike-sending term (only synaptic ops, synaptic updates
and neuron updates are counted, as in this model from the start), so the 1.7 pJ per spike of the latent-replay
reports does not enter SpikeDyn's energies.
"""
from dataclasses import dataclass

from lava_replay.energy import REFERENCE_WEIGHT_BITS, energy_uj

N_INPUT = 784
REFERENCE_BITS = REFERENCE_WEIGHT_BITS


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

    synops          = input_spikes·N + lateral:  SpikeDyn  exc_spikes·(N−1)
                                                 baseline  exc_spikes·1 + inh_spikes·(N−1), inh_spikes = exc_spikes
                                                 (each excitatory spike drives its inhibitory partner once)
    neuron_updates  = steps·N (·2 for the baseline's inhibitory layer)
    synapse_updates = learning only: exc_spikes·n_input (post-triggered terms)
                      + input_spikes·N if the rule has a pre-triggered (x0) term
    (no spike-sending count: see the module docstring)
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
    return {"synops": float(synops), "neuron_updates": float(neuron_updates), "synapse_updates": float(updates)}


def energy_report(neurons, train_activity, infer_activity, samples_per_task, bits=REFERENCE_BITS,
                  baseline=False, pre_triggered=False):
    """Training and inference energy per sample and per task (µJ, lava_replay.energy.energy_uj at `bits`-bit
    weights), from the activity of the two phases."""
    train = energy_uj(**operation_counts(neurons, train_activity, baseline, True, pre_triggered), weight_bits=bits)
    infer = energy_uj(**operation_counts(neurons, infer_activity, baseline, False), weight_bits=bits)
    return {"train_per_sample_uJ": train, "train_per_task_uJ": train * samples_per_task,
            "inference_per_sample_uJ": infer}

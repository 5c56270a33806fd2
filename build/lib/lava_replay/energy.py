"""The one energy model of the project: Loihi per-op energies, in one unit (µJ), for every method.

Used by the latent-replay methods (SpikingLR, Replay4NCL: report.py, compare.py) with the op counts of
layer_ops, and by SpikeDyn (spikedyn/cost_model.py, which counts its own ops: STDP updates, lateral
inhibition, weight precision) through energy_uj. Unit: µJ, the size of one sample's energy in every report
(a few to a few tens of µJ), so the reports need no exponent; SpikeDyn's per-task energies and its search's
`--max-energy-uj` are in µJ too.

Per-op energies: Davies et al., "Loihi: A Neuromorphic Manycore Processor with On-Chip Learning", IEEE Micro
38(1), 2018, Table 2 (14 nm Loihi, measured): 23.6 pJ per synaptic spike op (min), 120 pJ per synaptic update
(learning, pairwise STDP), 52 pJ per active neuron update, 1.7 pJ per spike sent within a tile. Loihi 2's per-op
energies are not published at this granularity; the same constants are used for every method, so the ratios
between methods are what this model is for.

Weight precision: the measured synaptic energies are for Loihi's 8-bit-class synapses (REFERENCE_WEIGHT_BITS);
for another precision b the two synaptic terms are scaled by b / 8 (an assumption of this model: synaptic
energy ~ weight memory traffic). Only SpikeDyn's model search varies b; the other methods use 8 (scale 1).
"""
import numpy as np

PJ_PER_SYNOP = 23.6             # Davies et al. 2018, Table 2: synaptic spike op (min)
PJ_PER_SYNAPSE_UPDATE = 120.0   # Davies et al. 2018, Table 2: synaptic update (pairwise STDP)
PJ_PER_NEURON_UPDATE = 52.0     # Davies et al. 2018, Table 2: neuron update (active)
PJ_PER_SPIKE = 1.7              # Davies et al. 2018, Table 2: within-tile spike energy
REFERENCE_WEIGHT_BITS = 8       # the synapse precision the measured synaptic energies are for
UJ_PER_PJ = 1e-6


def layer_ops(layer_shapes, recurrent, spikes, timesteps):
    """Op counts of one sample through dense layers.

    layer_shapes: (n_out, n_in) per layer; recurrent: per layer, whether it feeds its own spikes back (n_out x
    n_out); spikes: per-sample spike counts of the input followed by each layer's output (len = layers + 1).
    synops = sum_l spikes_in(l) * n_out(l) + [recurrent] spikes_out(l) * n_out(l);
    neuron_updates = sum_l n_out(l) * T (every neuron is updated every step);
    spikes = sum_l spikes_out(l).
    """
    if len(spikes) != len(layer_shapes) + 1:
        raise ValueError(f"need input + {len(layer_shapes)} layer spike counts, got {len(spikes)}")
    synops = neuron_updates = 0.0
    for (n_out, _), rec, s_in, s_out in zip(layer_shapes, recurrent, spikes[:-1], spikes[1:]):
        synops += s_in * n_out + (s_out * n_out if rec else 0)
        neuron_updates += n_out * timesteps
    return {"synops": float(synops), "neuron_updates": float(neuron_updates), "spikes": float(np.sum(spikes[1:]))}


def energy_uj(synops=0.0, neuron_updates=0.0, spikes=0.0, synapse_updates=0.0, weight_bits=REFERENCE_WEIGHT_BITS):
    """E = synops * 23.6 pJ * s + neuron_updates * 52 pJ + spikes * 1.7 pJ + synapse_updates * 120 pJ * s, in µJ,
    with s = weight_bits / 8 (1 at Loihi's 8-bit synapses)."""
    scale = weight_bits / REFERENCE_WEIGHT_BITS
    picojoules = (synops * PJ_PER_SYNOP * scale + neuron_updates * PJ_PER_NEURON_UPDATE + spikes * PJ_PER_SPIKE
                  + synapse_updates * PJ_PER_SYNAPSE_UPDATE * scale)
    return picojoules * UJ_PER_PJ


def add_ops(*parts):
    """Sum of op-count dicts."""
    keys = {k for p in parts for k in p}
    return {k: float(sum(p.get(k, 0.0) for p in parts)) for k in sorted(keys)}

"""The SpikeDyn layer Process: plastic input synapses → adaptive-threshold LIF neurons ⟲ lateral inhibition."""
import numpy as np

from lava.magma.core.process.ports.ports import InPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from processes.count_packing import packed_width

INHIBITION_KINDS = ("direct", "diehl_cook", "none")


class SpikeDynLayer(AbstractProcess):
    """N excitatory neurons learning their (N, n_in) input weights with a 2-factor rule, one presentation of
    `sample_steps` steps after another (schedule `learn`, `record_slot`).

    Per step t (integers; inputs s_t on `s_in`, excitatory spikes z_t):
      a_t = W·s_{t−1} + inh_t                          (synapses: a LearningDense, 8-bit excitatory weights)
      z_t = SpikeDynExcitatory dynamics of a_t          (LIF, adaptive threshold θ, refractory, presentation
                                                         reset; see processes/spikedyn_excitatory)
      W  ← `learning_rule` every t_epoch steps (Lava's Loihi 2-factor engine; post spikes z reach the rule only
           in learning presentations)
    Lateral inhibition (`inhibition`), w = inhibition_weight·2^inhibition_exp:
      'direct'      SpikeDyn: inh_t,i = w·Σ_{j≠i} z_{t−1,j} (one N×N Dense, zero diagonal)
      'diehl_cook'  Diehl & Cook: excitatory → one-to-one Dense → inhibitory LIF (fires the step after its
                    excitatory partner) → N×N Dense back: inh_t,i = w·Σ_{j≠i} z_{t−2,j}
      'none'        no inhibition (for tests)
    Weight normalisation (Diehl & Cook; `weight_norm_total` > 0, fused model only): before every learning
    presentation each neuron's weights are rescaled so that they sum to weight_norm_total,
    w ← min(255, round(w · total / Σw)). It is a step between presentations (a host write on Loihi), not part
    of the learning rule, which cannot express it.
    Models: the SubProcessModel (tag 'fixed_pt') is the reference graph of Lava processes (LearningDense,
    SpikeDynExcitatory, Dense [, LIF, Dense]); the 'fused' PyLoihiProcessModel computes the same in one OS
    process.

    Parameters
    ----------
    weights : int array (N, n_in)
        Initial 8-bit input weights.
    learning_rule : Loihi2FLearningRule
        The synapses' STDP rule.
    vth, v_decay_shift, refractory, theta_plus, theta_decay_shift, sample_steps, learn, record_slot, theta
        As SpikeDynExcitatory.
    inhibition : 'direct', 'diehl_cook' or 'none'
    inhibition_weight, inhibition_exp : int
        Lateral weight w = inhibition_weight * 2^inhibition_exp (negative: inhibitory).
    weight_norm_total : int
        Diehl & Cook's normalisation total, 0 for none (fused model only).

    Ports
    -----
    s_in : InPort (n_in,)
        Input spikes.

    Vars
    ----
    weights : (N, n_in)
    theta : (N,)
    learn, record_slot : (presentations,)
    counts : (recorded, ceil(N / 6)) int64
        Per-neuron counts of recorded presentations, packed (processes.count_packing.unpack_counts).
    spike_total : (presentations,)
        Layer spikes per presentation.
    """

    def __init__(self, *, name=None, **parameters):
        params, initial = layer_parameters(**parameters)
        super().__init__(name=name, **params)
        self.s_in = InPort(shape=(params["weights"].shape[1],))
        for var, init in initial.items():
            setattr(self, var, Var(shape=init.shape, init=init))


def layer_parameters(*, weights, learning_rule, vth, v_decay_shift, refractory, theta_plus, theta_decay_shift,
                     sample_steps, learn, record_slot, inhibition, inhibition_weight, inhibition_exp, theta=None,
                     weight_norm_total=0):
    """(proc params, {Var: initial value}) of a SpikeDynLayer, after checking the arguments; else ValueError."""
    if inhibition not in INHIBITION_KINDS:
        raise ValueError(f"inhibition {inhibition!r}; expected one of {INHIBITION_KINDS}")
    weights = np.asarray(weights, dtype=np.int32)
    n = weights.shape[0]
    learn = np.asarray(learn, dtype=np.int32)
    record_slot = np.asarray(record_slot, dtype=np.int32)
    n_record = max(int(record_slot.max()) + 1, 1) if len(record_slot) else 1
    params = dict(weights=weights, learning_rule=learning_rule, vth=int(vth), v_decay_shift=int(v_decay_shift),
                  refractory=int(refractory), theta_plus=int(theta_plus), theta_decay_shift=int(theta_decay_shift),
                  sample_steps=int(sample_steps), learn=learn, record_slot=record_slot, inhibition=inhibition,
                  inhibition_weight=int(inhibition_weight), inhibition_exp=int(inhibition_exp),
                  theta=theta, weight_norm_total=int(weight_norm_total))
    initial = {"weights": weights,
               "theta": np.zeros(n, np.int32) if theta is None else np.asarray(theta, np.int32),
               "learn": learn, "record_slot": record_slot,
               "counts": np.zeros((n_record, packed_width(n)), dtype=np.int64),
               "spike_total": np.zeros(learn.shape, dtype=np.int32)}
    return params, initial

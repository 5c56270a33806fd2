"""The SpikeDyn excitatory layer Process: integer leaky integrate-and-fire neurons with an adaptive threshold."""
import numpy as np

from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from processes.count_packing import packed_width


class SpikeDynExcitatory(AbstractProcess):
    """N excitatory neurons with an adaptive threshold, driven by presentations of `sample_steps` steps each.

    Per step (integers; r: remaining refractory steps):

        v[t] = max(v[t-1] - (v[t-1] >> v_decay_shift) + a_in[t], -vth)    (v = 0 while r > 0)
        s[t] = v[t] > vth + θ;   where s[t]: v = 0, r = refractory, θ += theta_plus (learning presentations)

    At the end of presentation k: v = 0, θ -= θ >> theta_decay_shift if learn[k] (evaluation presentations
    leave θ unchanged, as Diehl & Cook fix θ for testing), spike_total[k] = Σ s, and when record_slot[k] >= 0
    the per-neuron counts go to counts[record_slot[k]].

    Parameters
    ----------
    shape : tuple (N,)
    vth, v_decay_shift, refractory : int
        Threshold, leak shift, refractory steps.
    theta_plus, theta_decay_shift : int
        Adaptive threshold: raise per spike, decay shift per presentation.
    sample_steps : int
        Steps per presentation.
    learn : int array (presentations,)
        1: learning presentation (spikes raise θ and are sent on s_out_bap), 0: evaluation.
    record_slot : int array (presentations,)
        Where to store a presentation's counts, -1: not stored.
    theta : int array (N,), optional
        Initial θ.

    Ports
    -----
    a_in : InPort (N,)
        Synaptic input.
    s_out : OutPort (N,)
        Spikes.
    s_out_bap : OutPort (N,)
        Spikes of learning presentations only (the back-propagating action potential that drives a
        LearningDense's STDP rule; in evaluation nothing is sent, so the synapses do not learn).

    Vars
    ----
    v, vth, theta : (N,)
    learn, record_slot : (presentations,)
    counts : (recorded, ceil(N / 6)) int64
        Per-neuron counts, six 8-bit counts per word (processes.count_packing.unpack_counts: Lava reads Vars
        back one value at a time).
    spike_total : (presentations,)
    """

    def __init__(self, *, shape, vth, v_decay_shift, refractory, theta_plus, theta_decay_shift, sample_steps,
                 learn, record_slot, theta=None, **kwargs):
        learn = np.asarray(learn, dtype=np.int32)
        record_slot = np.asarray(record_slot, dtype=np.int32)
        n_record = max(int(record_slot.max()) + 1, 1) if len(record_slot) else 1
        super().__init__(shape=shape, v_decay_shift=int(v_decay_shift), refractory=int(refractory),
                         theta_plus=int(theta_plus), theta_decay_shift=int(theta_decay_shift),
                         sample_steps=int(sample_steps), **kwargs)
        n = shape[0]
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.s_out_bap = OutPort(shape=shape)
        self.v = Var(shape=shape, init=np.zeros(n, dtype=np.int32))
        self.vth = Var(shape=shape, init=np.full(n, int(vth), dtype=np.int32))
        self.theta = Var(shape=shape, init=np.zeros(n, np.int32) if theta is None else np.asarray(theta, np.int32))
        self.learn = Var(shape=learn.shape, init=learn)
        self.record_slot = Var(shape=record_slot.shape, init=record_slot)
        words = packed_width(n)
        self.counts = Var(shape=(n_record, words), init=np.zeros((n_record, words), dtype=np.int64))
        self.spike_total = Var(shape=learn.shape, init=np.zeros(learn.shape, dtype=np.int32))

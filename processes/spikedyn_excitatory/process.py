"""The SpikeDyn excitatory layer Process: integer leaky integrate-and-fire neurons with an adaptive threshold."""
import numpy as np

from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from processes.spikedyn_excitatory.dynamics import packed_width


class SpikeDynExcitatory(AbstractProcess):
    """N excitatory neurons driven by a schedule of presentations of `sample_steps` steps each.

    Per step (integers): v ← v − (v >> v_decay_shift) + a_in (not while refractory), clipped at −vth;
    spike when v > vth + θ; then v ← 0 and `refractory` silent steps. During learning presentations
    (`learn[k] = 1`) a spike also raises θ by `theta_plus` and is sent on `s_out_bap` (the back-propagating
    action potential that drives the STDP rule of a LearningDense); in evaluation presentations nothing is
    sent there, so the synapses do not learn. At the end of each presentation v is reset, θ decays by
    θ >> theta_decay_shift, the layer's spike total is stored in `spike_total[k]` and, when
    `record_slot[k] >= 0`, the per-neuron counts in `counts[record_slot[k]]` (for label assignment; packed six
    8-bit counts to an int64 word, `dynamics.unpack_counts`, because Lava reads Vars back one value at a time).
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

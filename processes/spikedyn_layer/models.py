"""Models of SpikeDynLayer: the reference graph of Lava processes (SubProcessModel) and the fused CPU model."""
from collections import deque

import numpy as np
from lava.magma.core.decorator import implements, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.dense.process import Dense, LearningDense
from lava.proc.lif.process import LIF
from lava.utils.weightutils import SignMode

from processes.spikedyn_excitatory.dynamics import AdaptiveLifDynamics
from processes.spikedyn_excitatory.process import SpikeDynExcitatory
from processes.spikedyn_layer.process import SpikeDynLayer
from processes.spikedyn_layer.sparse_learning import SparseLearningEngine
from processes.slot_clock import slot_position

# Diehl & Cook inhibitory neurons: a LIF that fires the step after its excitatory partner and forgets at once
TO_INH_WEIGHT, TO_INH_EXP = 255, 6
INH_LIF = {"du": 4095, "dv": 4095, "vth": 200, "bias_mant": 0}
NEURON_PARAMS = ("vth", "v_decay_shift", "refractory", "theta_plus", "theta_decay_shift", "sample_steps")
ALIASED = ("theta", "learn", "record_slot", "counts", "spike_total")


def normalise_rows(weights, total):
    """Diehl & Cook's weight normalisation in 8-bit integers: each row rescaled to sum to `total` (in place)."""
    sums = weights.sum(axis=1, keepdims=True)
    scaled = np.rint(weights * (total / np.maximum(sums, 1)))
    weights[:] = np.minimum(scaled, 255).astype(weights.dtype)


@implements(proc=SpikeDynLayer, protocol=LoihiProtocol)
@tag("fixed_pt")
class SubSpikeDynLayerModel(AbstractSubProcessModel):
    """Reference: LearningDense → SpikeDynExcitatory ⟲ inhibition Dense(s) [+ LIF], one Lava process each."""

    def __init__(self, proc):
        p = proc.proc_params
        if p["weight_norm_total"]:
            raise ValueError("weight normalisation is a step between presentations of the fused model; the "
                             "reference graph (what Loihi runs) has none: use weight_norm_total=0")
        n = proc.weights.shape[0]
        self.synapses = LearningDense(weights=proc.weights.init, learning_rule=p["learning_rule"],
                                      sign_mode=SignMode.EXCITATORY, num_weight_bits=8)
        self.exc = SpikeDynExcitatory(shape=(n,), learn=proc.learn.init, record_slot=proc.record_slot.init,
                                      theta=proc.theta.init, **{k: p[k] for k in NEURON_PARAMS})
        proc.s_in.connect(self.synapses.s_in)
        self.synapses.a_out.connect(self.exc.a_in)
        self.exc.s_out_bap.connect(self.synapses.s_in_bap)
        proc.weights.alias(self.synapses.weights)
        for name in ALIASED:
            getattr(proc, name).alias(getattr(self.exc, name))
        if p["inhibition"] != "none":
            self._inhibition(n, p)

    def _inhibition(self, n, p):
        back = Dense(weights=p["inhibition_weight"] * (1 - np.eye(n, dtype=np.int32)),
                     weight_exp=p["inhibition_exp"], sign_mode=SignMode.INHIBITORY)
        if p["inhibition"] == "diehl_cook":
            self.to_inh = Dense(weights=TO_INH_WEIGHT * np.eye(n, dtype=np.int32), weight_exp=TO_INH_EXP,
                                sign_mode=SignMode.EXCITATORY)
            self.inh = LIF(shape=(n,), **INH_LIF)
            self.exc.s_out.connect(self.to_inh.s_in)
            self.to_inh.a_out.connect(self.inh.a_in)
            self.inh.s_out.connect(back.s_in)
        else:
            self.exc.s_out.connect(back.s_in)
        back.a_out.connect(self.exc.a_in)
        self.back = back


class FusedLayerDynamics(AdaptiveLifDynamics, PyLoihiProcessModel):
    """The reference graph's arithmetic in one leaf model: the same integer synapse sums and neuron dynamics,
    inhibition as the spikes of the last (direct) or second-to-last (Diehl & Cook) step, and the learning rule
    through SparseLearningEngine (Lava's engine on the synapses that can change; bit-equal); plus the weight
    normalisation step, which only the fused models have. layer_step(s_in) is one step on input spikes s_in."""

    weights: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self._init_dynamics(proc_params)
        self.vth_value = proc_params["vth"]
        self.t_epoch = proc_params["learning_rule"].t_epoch
        self.engine = None
        kind = proc_params["inhibition"]
        self.inh_weight = proc_params["inhibition_weight"] << proc_params["inhibition_exp"]
        self.delay = {"direct": 1, "diehl_cook": 2, "none": 0}[kind]
        self.norm_total = proc_params["weight_norm_total"]

    def _start(self):
        n, n_in = self.weights.shape
        self.engine = SparseLearningEngine(self.proc_params["learning_rule"], n, n_in)
        self.v = np.zeros(n, dtype=np.int32)
        self.vth = np.full(n, self.vth_value, dtype=np.int32)
        self.a_syn = np.zeros(n, dtype=np.int64)
        self.past = deque([np.zeros(n, dtype=bool)] * self.delay, maxlen=self.delay)
        self.silent = np.zeros(n, dtype=bool)

    def layer_step(self, s_in):
        if self.engine is None:
            self._start()
        sample, learning = self._presentation()
        if learning and self.norm_total and slot_position(self.time_step, self.window)[1] == 0:
            normalise_rows(self.weights, self.norm_total)
        s_in = s_in.astype(bool)
        a_in = self.a_syn
        if self.delay:
            old = self.past[0]
            a_in = a_in + self.inh_weight * (int(old.sum()) - old.astype(np.int64))
        self.a_syn = self.weights[:, s_in].sum(axis=1)
        spikes = self._fire(a_in.astype(np.int32), learning)
        if self.delay:
            self.past.append(spikes)
        self.engine.record(s_in, spikes if learning else self.silent, self.time_step)
        self._close_presentation(sample, learning)

    def lrn_guard(self):
        return self.time_step % self.t_epoch == 0

    def run_lrn(self):
        self.engine.learn(self.weights)

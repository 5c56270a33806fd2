"""Models of the plastic learning layer: ErrorLIF (fixed point) and the PlasticLearningLayer composition."""
import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.neuron import LearningNeuronModelFixed
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.dense.process import LearningDense

from lava_replay.netx_params import cuba_step
from processes.plastic_learning_layer.process import ErrorLIF, PlasticLearningLayer


def margin_error(count, target):
    """Count error of the margin rule (see ErrorLIF) from the teacher's payloads; zeros without a teacher."""
    error = np.zeros(count.shape, np.int32)
    labelled = np.flatnonzero((target >= 1) & (target < 64))
    competitors = target >= 64
    if len(labelled) != 1 or not competitors.any():
        return error
    k = labelled[0]
    margin = target[k] - 1
    rival = np.flatnonzero(competitors)[count[competitors].argmax()]
    shortfall = max(count[rival] + margin - count[k], 0)
    error[k] = shortfall
    if count[rival] > 0:  # a silent rival cannot win: leave its weights alone
        error[rival] = -shortfall
    return error


@implements(proc=ErrorLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyErrorLifModel(LearningNeuronModelFixed, PyLoihiProcessModel):
    """Bit-accurate CUBA dynamics (as netx's LIF), slot resets, spike counting and the count error as y2 / y3.

    vth and error_gain are ndarray Vars read every step, so a Var set between runs takes effect (the stock
    fixed-point LIF caches vth << 6 once; lava-reference §3.7).
    """

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    du: int = LavaPyType(int, np.uint16, precision=12)
    dv: int = LavaPyType(int, np.uint16, precision=12)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=3)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=17)
    counts: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    error_gain: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.timesteps = proc_params["timesteps"]
        self.slot = proc_params["slot"]
        self.offset = proc_params["offset"]
        shape = proc_params["shape"]
        self.count = np.zeros(shape, np.int32)
        self.no_input = np.zeros(shape, np.int32)
        self.no_spikes = np.zeros(shape, bool)
        self.zeros = np.zeros(shape, np.int32)

    def run_spk(self):
        a_in = self.a_in.recv()
        target = self.a_third_factor_in.recv()
        slot_index, phase = divmod(self.time_step - 1, self.slot)
        if phase <= self.offset:
            self.u[:] = 0
            self.v[:] = 0
            a_in = self.no_input
            self.count[:] = 0
        u, v, spikes = cuba_step(self.u, self.v, a_in, int(self.du) + 1, int(self.dv), int(self.vth[0]))
        self.u[:] = u
        self.v[:] = v
        if phase < self.offset + self.timesteps:
            self.count += spikes
        self.y2 = self.y3 = self.zeros
        if phase == self.slot - 1:
            if slot_index < len(self.counts):
                self.counts[slot_index] = self.count
            error = self.error_gain[0] * margin_error(self.count, target)
            self.y2 = np.clip(error, 0, 127).astype(np.int32)
            self.y3 = np.clip(-error, 0, 127).astype(np.int32)
        self.s_out.send(spikes)
        self.s_out_bap.send(self.no_spikes)
        self.s_out_y1.send(self.zeros)
        self.s_out_y2.send(self.y2)
        self.s_out_y3.send(self.y3)


@implements(proc=PlasticLearningLayer, protocol=LoihiProtocol)
class SubPlasticLearningLayerModel(AbstractSubProcessModel):
    """LearningDense (weights as given, exponent 0, 8-bit) feeding ErrorLIF; the teacher drives the third factor."""

    def __init__(self, proc):
        p = proc.proc_params
        n_out, n_in = p["weights"].shape
        rule = p["learning_rule"]
        self.synapse = LearningDense(weights=p["weights"], learning_rule=rule, num_weight_bits=8, weight_exp=0)
        self.neuron = ErrorLIF(shape=(n_out,), du=p["decay_u"] - 1, dv=p["decay_v"], vth=np.array([p["vth"]]),
                               learning_rule=rule, timesteps=p["timesteps"], slot=p["slot"],
                               offset=p["offset"], n_slots=proc.counts.shape[0], error_gain=p["error_gain"])
        proc.in_ports.s_in.connect(self.synapse.s_in)
        self.synapse.a_out.connect(self.neuron.a_in)
        proc.in_ports.target_in.connect(self.neuron.a_third_factor_in)
        self.neuron.s_out.connect(proc.out_ports.s_out)
        self.neuron.s_out_bap.connect(self.synapse.s_in_bap)
        self.neuron.s_out_y1.connect(self.synapse.s_in_y1)
        self.neuron.s_out_y2.connect(self.synapse.s_in_y2)
        self.neuron.s_out_y3.connect(self.synapse.s_in_y3)
        proc.vars.weights.alias(self.synapse.weights)
        proc.vars.vth.alias(self.neuron.vth)
        proc.vars.error_gain.alias(self.neuron.error_gain)
        proc.vars.counts.alias(self.neuron.counts)

"""Fixed-point CPU model of SpikeDynExcitatory."""
import numpy as np

from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.spikedyn_excitatory.process import SpikeDynExcitatory


@implements(proc=SpikeDynExcitatory, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySpikeDynExcitatoryFixed(PyLoihiProcessModel):
    """Integer dynamics as documented on SpikeDynExcitatory."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    s_out_bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    theta: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    learn: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=1)
    record_slot: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    counts: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    spike_total: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.decay = proc_params["v_decay_shift"]
        self.refractory = proc_params["refractory"]
        self.theta_plus = proc_params["theta_plus"]
        self.theta_decay = proc_params["theta_decay_shift"]
        self.window = proc_params["sample_steps"]
        self.wait = None
        self.sample_counts = None

    def run_spk(self):
        if self.wait is None:
            self.wait = np.zeros(self.v.shape, dtype=np.int32)
            self.sample_counts = np.zeros(self.v.shape, dtype=np.int32)
        sample, phase = divmod(self.time_step - 1, self.window)
        learning = sample < len(self.learn) and self.learn[sample] == 1
        a_in = self.a_in.recv().astype(np.int32)
        free = self.wait == 0
        self.v = np.where(free, self.v - np.right_shift(self.v, self.decay) + a_in, 0)
        self.v = np.maximum(self.v, -self.vth)
        self.wait = np.maximum(self.wait - 1, 0)
        spikes = self.v > self.vth + self.theta
        self.v[spikes] = 0
        self.wait[spikes] = self.refractory
        self.sample_counts += spikes
        if learning:
            self.theta[spikes] += self.theta_plus
        self.s_out.send(spikes)
        self.s_out_bap.send(spikes if learning else np.zeros_like(spikes))
        if phase == self.window - 1 and sample < len(self.learn):
            self._end_presentation(sample)

    def _end_presentation(self, sample):
        self.spike_total[sample] = int(self.sample_counts.sum())
        slot = self.record_slot[sample]
        if slot >= 0:
            self.counts[slot] = self.sample_counts
        self.sample_counts[:] = 0
        self.v[:] = 0
        self.wait[:] = 0
        self.theta -= np.right_shift(self.theta, self.theta_decay)

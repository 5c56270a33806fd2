"""Fixed-point CPU model of SpikeDynExcitatory."""
import numpy as np

from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.spikedyn_excitatory.dynamics import AdaptiveLifDynamics
from processes.spikedyn_excitatory.process import SpikeDynExcitatory


@implements(proc=SpikeDynExcitatory, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySpikeDynExcitatoryFixed(AdaptiveLifDynamics, PyLoihiProcessModel):
    """Integer dynamics as documented on SpikeDynExcitatory."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    s_out_bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self._init_dynamics(proc_params)

    def run_spk(self):
        sample, learning = self._presentation()
        spikes = self._fire(self.a_in.recv().astype(np.int32), learning)
        self.s_out.send(spikes)
        self.s_out_bap.send(spikes if learning else np.zeros_like(spikes))
        self._close_presentation(sample, learning)

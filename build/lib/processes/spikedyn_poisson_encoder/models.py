"""Fixed-point CPU model of SpikeDynPoissonEncoder."""
import numpy as np

from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.slot_clock import slot_position
from processes.spikedyn_poisson_encoder.process import PROB_BITS, SpikeDynPoissonEncoder


@implements(proc=SpikeDynPoissonEncoder, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySpikeDynPoissonEncoderFixed(PyLoihiProcessModel):
    """Draws one 16-bit uniform integer per pixel and step and fires where it is below the pixel's probability."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    prob: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=17)
    spike_count: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.present = proc_params["present_steps"]
        self.window = proc_params["sample_steps"]
        self.rng = np.random.default_rng(proc_params["seed"])

    def run_spk(self):
        sample, phase = slot_position(self.time_step, self.window)
        spikes = np.zeros(self.s_out.shape, dtype=bool)
        if sample < self.prob.shape[0] and phase < self.present:
            draw = self.rng.integers(0, 2 ** PROB_BITS, size=spikes.shape)
            spikes = draw < self.prob[sample]
            self.spike_count[sample] += int(spikes.sum())
        self.s_out.send(spikes)

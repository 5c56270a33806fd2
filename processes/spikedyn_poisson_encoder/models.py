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


class PoissonDraws:
    """The encoder's arithmetic: step(time_step, prob, spike_count) draws one 16-bit uniform integer per pixel
    and fires where it is below the pixel's probability (image `sample` of the step), counting the spikes."""

    def __init__(self, present_steps, sample_steps, seed, size):
        self.present, self.window = present_steps, sample_steps
        self.rng = np.random.default_rng(seed)
        self.silence = np.zeros(size, dtype=bool)

    def step(self, time_step, prob, spike_count):
        """Spikes of `time_step`; spike_count[sample] grows by their number."""
        sample, phase = slot_position(time_step, self.window)
        if sample >= prob.shape[0] or phase >= self.present:
            return self.silence
        spikes = self.rng.integers(0, 2 ** PROB_BITS, size=self.silence.shape) < prob[sample]
        spike_count[sample] += int(spikes.sum())
        return spikes


class PoissonEncoding:
    """The encoder's Vars and arithmetic, mixed into a ProcessModel whose Process has them (the encoder's, and
    the fused SpikeDynStream's): encoded_spikes() gives the spikes of the current step."""

    prob: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=17)
    spike_count: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        p = proc_params
        self.draws = PoissonDraws(p["present_steps"], p["sample_steps"], p["seed"], p["size"])

    def encoded_spikes(self):
        return self.draws.step(self.time_step, self.prob, self.spike_count)


@implements(proc=SpikeDynPoissonEncoder, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySpikeDynPoissonEncoderFixed(PoissonEncoding, PyLoihiProcessModel):
    """Draws one 16-bit uniform integer per pixel and step and fires where it is below the pixel's probability."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)

    def run_spk(self):
        self.s_out.send(self.encoded_spikes())

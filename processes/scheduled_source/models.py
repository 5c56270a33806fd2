"""Fixed-point models of ScheduledSpikeSource and GradedSpikeSource."""
import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.scheduled_source.process import GradedSpikeSource, ScheduledSpikeSource, lane_shape
from processes.slot_clock import slot_position
from processes.spike_packing import unpack


class SlotSamples:
    """The spikes a scheduled source sends: stored samples (bit-packed, `window`-compressed; or with `graded` one
    8-bit value per step) laid out by slot.

    step_spikes(time_step) gives what the source sends at a Lava time step: sample schedule[k] from step
    `offset` of slot k on, for `steps` steps; zeros elsewhere."""

    def __init__(self, samples, steps, schedule, slot, offset, window=1, graded=False):
        self.samples, self.steps, self.schedule = samples, steps, schedule
        self.slot, self.offset, self.window, self.graded = slot, offset, window, graded
        self.shape = lane_shape(schedule, samples.shape[1])
        self.dtype = np.int32 if graded else bool
        self.silence = np.zeros(self.shape, dtype=self.dtype)
        self.current = None

    def sample_spikes(self, index):
        """(channels, steps) spikes of stored sample `index`."""
        if self.graded:
            return self.samples[index][:, :self.steps].astype(np.int32)
        return unpack(self.samples[index], self.window, self.steps)

    def slot_spikes(self, slot_index):
        """(channels, steps) or (lanes, channels, steps) spikes of a slot; None when the slot is silent."""
        scheduled = self.schedule[slot_index] if slot_index < len(self.schedule) else -1
        if np.ndim(scheduled) == 0:
            return None if scheduled < 0 else self.sample_spikes(scheduled)
        if (scheduled < 0).all():
            return None
        spikes = np.zeros(self.shape + (self.steps,), dtype=self.dtype)
        for lane in np.flatnonzero(scheduled >= 0):
            spikes[lane] = self.sample_spikes(scheduled[lane])
        return spikes

    def step_spikes(self, time_step):
        """Spikes sent at `time_step` (the steps of a run, in order)."""
        slot_index, phase = slot_position(time_step, self.slot)
        if phase == 0:
            self.current = self.slot_spikes(slot_index)
        t = phase - self.offset
        return self.current[..., t] if self.current is not None and 0 <= t < self.steps else self.silence


class ScheduledSourceModelBase(PyLoihiProcessModel):
    """Shared stepping of the scheduled sources: a sample unpacked at the start of its slot, sent step by step."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)

    def __init__(self, proc_params, window=1, graded=False):
        super().__init__(proc_params)
        p = proc_params
        self.sent = SlotSamples(p["samples"], p["steps"], p["schedule"], p["slot"], p["offset"], window, graded)

    def run_spk(self):
        self.s_out.send(self.sent.step_spikes(self.time_step))


@implements(proc=ScheduledSpikeSource, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyScheduledSpikeSourceModel(ScheduledSourceModelBase):
    """Binary spikes, exactly as stored."""


@implements(proc=GradedSpikeSource, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyGradedSpikeSourceModel(ScheduledSourceModelBase):
    """Graded spikes, exactly as stored: 8-bit payloads."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=8)

    def __init__(self, proc_params):
        super().__init__(proc_params, graded=True)

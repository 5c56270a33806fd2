"""Fixed-point model of ScheduledSpikeSource."""
import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.scheduled_source.process import ScheduledSpikeSource, lane_shape
from processes.slot_clock import slot_position


class ScheduledSourceModelBase(PyLoihiProcessModel):
    """Shared stepping of the scheduled sources: unpack a sample at the start of its slot, send it step by step."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.samples = proc_params["samples"]
        self.steps = proc_params["steps"]
        self.schedule = proc_params["schedule"]
        self.slot = proc_params["slot"]
        self.offset = proc_params["offset"]
        self.current = None
        self.shape = lane_shape(self.schedule, self.samples.shape[1])
        self.silence = np.zeros(self.shape, dtype=bool)

    def sample_spikes(self, index):
        """(channels, steps) spikes of stored sample `index`."""
        return np.unpackbits(self.samples[index], axis=-1, count=self.steps).astype(bool)

    def run_spk(self):
        slot_index, phase = slot_position(self.time_step, self.slot)
        if phase == 0:
            self.current = self.slot_spikes(slot_index)
        t = phase - self.offset
        if self.current is not None and 0 <= t < self.steps:
            self.s_out.send(self.current[..., t])
        else:
            self.s_out.send(self.silence)

    def slot_spikes(self, slot_index):
        """(channels, steps) or (lanes, channels, steps) spikes of a slot; None when the slot is silent."""
        scheduled = self.schedule[slot_index] if slot_index < len(self.schedule) else -1
        if np.ndim(scheduled) == 0:
            return None if scheduled < 0 else self.sample_spikes(scheduled)
        if (scheduled < 0).all():
            return None
        spikes = np.zeros(self.shape + (self.steps,), dtype=bool)
        for lane in np.flatnonzero(scheduled >= 0):
            spikes[lane] = self.sample_spikes(scheduled[lane])
        return spikes


@implements(proc=ScheduledSpikeSource, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyScheduledSpikeSourceModel(ScheduledSourceModelBase):
    """Binary spikes, exactly as stored."""

"""ScheduledSpikeSource: stored binary spike samples sent one per time slot (per lane), as a schedule says."""
import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess

from lava_replay.errors import LavaReplayError


def checked_schedule(samples, stored_steps, steps, schedule, slot, offset):
    """(samples, schedule) as uint8 / int64 arrays after checking they fit the slots; else LavaReplayError.

    schedule: (slots,) one sample per slot, or (slots, lanes) one sample per lane of each slot (-1: silent).
    """
    samples = np.asarray(samples, dtype=np.uint8)
    schedule = np.asarray(schedule, dtype=np.int64)
    if samples.ndim != 3 or samples.shape[2] * 8 < stored_steps:
        raise LavaReplayError(f"samples must be bit-packed (n, channels, >= {stored_steps}/8 bytes), "
                              f"got shape {samples.shape}")
    if schedule.ndim not in (1, 2) or (schedule.size and (schedule.max() >= len(samples) or schedule.min() < -1)):
        raise LavaReplayError(f"the schedule must hold one sample index in [-1, {len(samples)}) per slot "
                              "(shape (slots,)) or per lane of each slot (shape (slots, lanes))")
    if offset < 0 or offset + steps > slot:
        raise LavaReplayError(f"a slot of {slot} steps cannot hold {steps} steps after an offset of {offset}")
    return samples, schedule


def lane_shape(schedule, size):
    """Port shape of a source with this schedule: (size,) for one sample per slot, (lanes, size) for several."""
    return (size,) if schedule.ndim == 1 else (schedule.shape[1], size)


class ScheduledSpikeSource(AbstractProcess):
    """Sends sample schedule[k] in slot k (steps k*slot+1 .. (k+1)*slot), starting `offset` steps into the slot.

    samples: bit-packed spikes (n, channels, bytes), np.packbits(..., axis=-1) of (n, channels, steps);
    schedule: one sample index per slot, -1 for a silent slot, or (slots, lanes) to send `lanes` samples side
    by side in each slot (s_out then has shape (lanes, channels)). Slots past the schedule are silent.
    """

    def __init__(self, *, samples, steps, schedule, slot, offset=0, name=None):
        samples, schedule = checked_schedule(samples, steps, steps, schedule, slot, offset)
        super().__init__(samples=samples, steps=steps, schedule=schedule, slot=slot, offset=offset, name=name)
        self.s_out = OutPort(shape=lane_shape(schedule, samples.shape[1]))

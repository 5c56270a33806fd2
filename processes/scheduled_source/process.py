"""ScheduledSpikeSource and GradedSpikeSource: stored spike samples, binary or graded, sent one per time slot (per
lane) as a schedule says."""
import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess


def checked_schedule(samples, stored_steps, steps, schedule, slot, offset, packed=True):
    """(samples, schedule) as uint8 / int64 arrays after checking they fit the slots; else ValueError.

    samples: (n, channels, bytes), bit-packed along time (packed) or one byte per step (graded values).
    schedule: (slots,) one sample per slot, or (slots, lanes) one sample per lane of each slot (-1: silent).
    """
    samples = np.asarray(samples, dtype=np.uint8)
    schedule = np.asarray(schedule, dtype=np.int64)
    width = -(-stored_steps // 8) if packed else stored_steps
    if samples.ndim != 3 or samples.shape[2] < width:
        raise ValueError(f"samples must be {'bit-packed ' if packed else ''}(n, channels, >= {width} bytes), "
                         f"got shape {samples.shape}")
    if schedule.ndim not in (1, 2) or (schedule.size and (schedule.max() >= len(samples) or schedule.min() < -1)):
        raise ValueError(f"the schedule must hold one sample index in [-1, {len(samples)}) per slot "
                         "(shape (slots,)) or per lane of each slot (shape (slots, lanes))")
    if offset < 0 or offset + steps > slot:
        raise ValueError(f"a slot of {slot} steps cannot hold {steps} steps after an offset of {offset}")
    return samples, schedule


def lane_shape(schedule, size):
    """Port shape of a source with this schedule: (size,) for one sample per slot, (lanes, size) for several."""
    return (size,) if schedule.ndim == 1 else (schedule.shape[1], size)


class ScheduledSpikeSource(AbstractProcess):
    """Sends stored spike samples, one per slot (or one per lane of each slot), as a schedule says.

        s_out[k * slot + offset + t] = samples[schedule[k]][:, t],   t = 0 .. steps - 1

    (Lava time steps k * slot + 1 .. (k + 1) * slot make slot k.) Slots with schedule -1, and slots past the
    schedule, are silent.

    Parameters
    ----------
    samples : uint8 array (n, channels, bytes)
        np.packbits(spikes, axis=-1) of spikes (n, channels, steps).
    steps : int
        Steps of a sample.
    schedule : int array (slots,) or (slots, lanes)
        Sample per slot (or per lane of each slot), -1 for none.
    slot, offset : int
        Steps per slot, and the slot step at which a sample starts (offset + steps <= slot).

    Ports
    -----
    s_out : OutPort (channels,) or (lanes, channels)
        Spikes.
    """

    packed = True  # samples bit-packed along time

    def __init__(self, *, samples, steps, schedule, slot, offset=0, name=None):
        samples, schedule = checked_schedule(samples, steps, steps, schedule, slot, offset, self.packed)
        super().__init__(samples=samples, steps=steps, schedule=schedule, slot=slot, offset=offset, name=name)
        self.s_out = OutPort(shape=lane_shape(schedule, samples.shape[1]))


class GradedSpikeSource(ScheduledSpikeSource):
    """ScheduledSpikeSource of graded spikes (Loihi 2 spikes with an 8-bit payload): each step of a stored sample
    holds a value 0..255, e.g. how many input events fell into that time bin; 0 sends nothing.

        s_out[k * slot + offset + t] = samples[schedule[k]][:, t],   t = 0 .. steps - 1

    Parameters, ports: as ScheduledSpikeSource's, but samples : uint8 array (n, channels, steps), one value per
    step (not bit-packed).
    """

    packed = False

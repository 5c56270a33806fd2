"""LatentReplaySource: replays stored, compressed latent spike samples according to a schedule."""
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess

from processes.scheduled_source.process import checked_schedule, lane_shape
from processes.spike_packing import stored_steps


class LatentReplaySource(AbstractProcess):
    """Replays stored latents: sample schedule[k] in slot k, decompressed at the start of the slot.

        s_out[k * slot + offset + t] = decompress(samples[schedule[k]], window)[t],   t = 0 .. steps - 1

    where decompress (processes.spike_packing) puts one spike at the first step of each window of `window`
    steps that held any (SpikingLR's compression; window 1: stored as they are, e.g. Replay4NCL's T=40
    latents). Slots with schedule -1, and slots past the schedule, are silent.

    Parameters
    ----------
    samples : uint8 array (n, neurons, bytes)
        Compressed latents, bit-packed along time: ceil(steps / window) stored steps each.
    steps, window : int
        Steps of a replayed sample, and the compression window.
    schedule : int array (slots,) or (slots, lanes)
        Sample per slot (or per lane of each slot), -1 for none.
    slot, offset : int
        Steps per slot, and the slot step at which a sample starts.

    Ports
    -----
    s_out : OutPort (neurons,) or (lanes, neurons)
        Latent spikes.
    """

    def __init__(self, *, samples, steps, window, schedule, slot, offset=0, name=None):
        stored = stored_steps(steps, window)
        samples, schedule = checked_schedule(samples, stored, steps, schedule, slot, offset)
        super().__init__(samples=samples, steps=steps, window=window, schedule=schedule, slot=slot,
                         offset=offset, name=name)
        self.s_out = OutPort(shape=lane_shape(schedule, samples.shape[1]))

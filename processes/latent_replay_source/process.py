"""LatentReplaySource: replays stored, compressed latent spike samples according to a schedule."""
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess

from processes.scheduled_source.process import checked_schedule, lane_shape


class LatentReplaySource(AbstractProcess):
    """Sends latent sample schedule[k] in slot k, decompressed to `steps` steps; silent when not scheduled.

    A (slots, lanes) schedule sends several latents side by side in each slot, as ScheduledSpikeSource does.

    samples: bit-packed compressed latents (n, neurons, bytes) of ceil(steps / window) stored steps each
    (lava_replay.replay.compression); window 1 means uncompressed (or already reduced in T, as Replay4NCL).
    """

    def __init__(self, *, samples, steps, window, schedule, slot, offset=0, name=None):
        stored = -(-steps // window)
        samples, schedule = checked_schedule(samples, stored, steps, schedule, slot, offset)
        super().__init__(samples=samples, steps=steps, window=window, schedule=schedule, slot=slot,
                         offset=offset, name=name)
        self.s_out = OutPort(shape=lane_shape(schedule, samples.shape[1]))

"""Fixed-point model of LatentReplaySource: decompression happens in the source, at the start of each slot."""
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.latent_replay_source.process import LatentReplaySource
from processes.scheduled_source.models import ScheduledSourceModelBase


@implements(proc=LatentReplaySource, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLatentReplaySourceModel(ScheduledSourceModelBase):
    """Unpacks a stored latent and expands each window's OR bit into a spike at the window's first step."""

    def __init__(self, proc_params):
        super().__init__(proc_params, window=proc_params["window"])

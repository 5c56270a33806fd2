"""Models of SpikeDynStream: the encoder and the layer as two Processes (reference), or fused in one."""
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.spikedyn_layer.models import FusedLayerDynamics
from processes.spikedyn_layer.process import SpikeDynLayer
from processes.spikedyn_poisson_encoder.models import PoissonEncoding
from processes.spikedyn_poisson_encoder.process import SpikeDynPoissonEncoder
from processes.spikedyn_stream.process import SpikeDynStream

ENCODER_PARAMETERS = ("images", "present_steps", "sample_steps", "max_rate_hz", "seed")
LAYER_PARAMETERS = ("weights", "learning_rule", "vth", "v_decay_shift", "refractory", "theta_plus",
                    "theta_decay_shift", "sample_steps", "learn", "record_slot", "inhibition", "inhibition_weight",
                    "inhibition_exp", "theta", "weight_norm_total")


@implements(proc=SpikeDynStream, protocol=LoihiProtocol)
class SubSpikeDynStreamModel(AbstractSubProcessModel):
    """The reference: SpikeDynPoissonEncoder -> SpikeDynLayer (whose model the run configuration picks)."""

    def __init__(self, proc):
        p = proc.proc_params
        self.encoder = SpikeDynPoissonEncoder(**{k: p[k] for k in ENCODER_PARAMETERS})
        self.layer = SpikeDynLayer(**{k: p[k] for k in LAYER_PARAMETERS})
        self.encoder.s_out.connect(self.layer.s_in)
        for inner in (self.encoder, self.layer):
            for var in inner.vars:
                getattr(proc.vars, var.name).alias(var)


@implements(proc=SpikeDynStream, protocol=LoihiProtocol)
@requires(CPU)
@tag("fused")
class PySpikeDynStreamFused(PoissonEncoding, FusedLayerDynamics):
    """Encoder (PoissonEncoding, same random stream) and layer (FusedLayerDynamics) in one OS process."""

    def run_spk(self):
        self.layer_step(self.encoded_spikes())

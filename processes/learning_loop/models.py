"""Models of LatentLearningLoop: the graph of named processes (reference), and one fused model per learner."""
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.latent_replay_source.process import LatentReplaySource
from processes.learning_loop.process import LatentLearningLoop
from processes.plastic_learning_layer.models import GradientLearner, LoihiRuleLearner
from processes.plastic_learning_layer.process import PlasticLearningLayer
from processes.scheduled_source.models import SlotSamples
from processes.teacher_source.models import TeacherPayloads
from processes.teacher_source.process import TeacherSource

LAYER_PARAMETERS = ("weights", "vth", "decay_u", "decay_v", "learning_rule", "timesteps", "slot", "offset", "n_slots",
                    "error_gain", "learning_rate", "batch", "loss_scale", "lanes", "error_rule", "hidden",
                    "average_every")


@implements(proc=LatentLearningLoop, protocol=LoihiProtocol)
class SubLatentLearningLoopModel(AbstractSubProcessModel):
    """The reference: LatentReplaySource (new) and LatentReplaySource (replayed) -> PlasticLearningLayer <-
    TeacherSource, four processes; the layer runs the model its run configuration picks."""

    def __init__(self, proc):
        p = proc.proc_params
        timing = {"steps": p["timesteps"], "slot": p["slot"], "offset": p["offset"]}
        self.new = LatentReplaySource(samples=p["new_samples"], window=1, schedule=p["new_schedule"], **timing)
        self.replayed = LatentReplaySource(samples=p["replay_samples"], window=p["window"],
                                           schedule=p["replay_schedule"], **timing)
        self.teacher = TeacherSource(labels=p["labels"], n_classes=p["weights"].shape[0], margin=p["margin"],
                                     slot=p["slot"])
        self.layer = PlasticLearningLayer(**{k: p[k] for k in LAYER_PARAMETERS})
        self.new.s_out.connect(self.layer.s_in)
        self.replayed.s_out.connect(self.layer.s_in)
        self.teacher.s_out.connect(self.layer.target_in)
        for name in ("weights", "vth", "error_gain", "weight_average", "average_every", "learning_rate", "counts",
                     "hidden_weights", "hidden_activity"):
            getattr(proc.vars, name).alias(getattr(self.layer, name))


class LoopInputs:
    """The fused loop's sources: each step, the new and replayed latents and the teacher's payloads go to the
    learner's learn_step, in one OS process."""

    def __init__(self, proc_params):
        super().__init__(proc_params)
        p = proc_params
        self.new = SlotSamples(p["new_samples"], p["timesteps"], p["new_schedule"], p["slot"], p["offset"])
        self.replayed = SlotSamples(p["replay_samples"], p["timesteps"], p["replay_schedule"], p["slot"],
                                    p["offset"], window=p["window"])
        self.teacher = TeacherPayloads(p["labels"], p["weights"].shape[0], p["margin"], p["slot"])

    def run_spk(self):
        x = self.new.step_spikes(self.time_step) | self.replayed.step_spikes(self.time_step)
        self.learn_step(x, self.teacher.step_payloads(self.time_step))


@implements(proc=LatentLearningLoop, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt", "fused")
class PyFusedGradientLoopModel(LoopInputs, GradientLearner):
    """The loop with the gradient learner (GradientLearner) in one OS process."""


@implements(proc=LatentLearningLoop, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt", "fused")
class PyFusedLoihiRuleLoopModel(LoopInputs, LoihiRuleLearner):
    """The loop with the Loihi rule (LoihiRuleLearner: Lava's learning engine, same rule and seed) in one OS
    process."""

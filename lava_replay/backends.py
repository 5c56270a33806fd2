"""Lava run configurations: 'sim' = Loihi2SimCfg fixed point on the CPU; 'loihi' = Loihi2HwCfg when installed."""
from lava_replay.errors import LavaReplayError

BACKENDS = ("sim", "loihi")
LEARNINGS = ("gradient", "loihi")


def loihi_available():
    """True when the lava-loihi extension (needed for Loihi 2 hardware) is installed."""
    from lava.utils import loihi

    return bool(loihi.is_installed())


def check_learning(learning, backend="sim"):
    """LavaReplayError unless `learning` names a learner that runs on `backend`."""
    if learning not in LEARNINGS:
        raise LavaReplayError(f"unknown --learning {learning!r}; expected one of {', '.join(LEARNINGS)}")
    if learning == "gradient" and backend == "loihi":
        raise LavaReplayError("--learning gradient runs on the CPU only (it has no Loihi model); use --learning "
                              "loihi with --backend loihi")


def learner_model_map(learning, reference=False):
    """{PlasticLearningLayer: model, LatentLearningLoop: model} of a learner. 'loihi' = the fixed-point Loihi rule:
    the layer as LearningDense + ErrorLIF (what Loihi runs); 'gradient' = the papers' surrogate-gradient learner
    (floating_pt). The learning loop is its graph of named processes when reference=True, else its fused model
    for the learner (one OS process, tested equal)."""
    from processes.learning_loop.models import (PyFusedGradientLoopModel, PyFusedLoihiRuleLoopModel,
                                                SubLatentLearningLoopModel)
    from processes.learning_loop.process import LatentLearningLoop
    from processes.plastic_learning_layer.models import PyGradientLearningModel, SubPlasticLearningLayerModel
    from processes.plastic_learning_layer.process import PlasticLearningLayer

    check_learning(learning)
    gradient = learning == "gradient"
    fused = PyFusedGradientLoopModel if gradient else PyFusedLoihiRuleLoopModel
    return {PlasticLearningLayer: PyGradientLearningModel if gradient else SubPlasticLearningLayerModel,
            LatentLearningLoop: SubLatentLearningLoopModel if reference else fused}


def run_config(backend="sim", exception_proc_model_map=None, learning="loihi", reference=False):
    """The Lava RunConfig of a backend; 'loihi' without lava-loihi raises a LavaReplayError (never a CPU fallback).

    The PlasticLearningLayer runs the model of `learning` (learner_model_map; on Loihi always the reference);
    exception_proc_model_map adds other choices.
    """
    if backend not in BACKENDS:
        raise LavaReplayError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    check_learning(learning, backend)
    learner = learner_model_map(learning, reference or backend == "loihi")
    exception_proc_model_map = {**learner, **(exception_proc_model_map or {})}
    if backend == "loihi":
        if not loihi_available():
            raise LavaReplayError("backend 'loihi' needs the lava-loihi extension (Intel INRC), which is not "
                                  "installed here; use --backend sim for the CPU simulator")
        from lava.magma.core.run_configs import Loihi2HwCfg

        return Loihi2HwCfg(exception_proc_model_map=exception_proc_model_map or {})
    from lava.magma.core.run_configs import Loihi2SimCfg

    return Loihi2SimCfg(select_tag="fixed_pt", exception_proc_model_map=exception_proc_model_map or {})

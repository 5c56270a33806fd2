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
    """{PlasticLearningLayer: its ProcessModel} for a learner: 'loihi' = the fixed-point Loihi rule, as
    LearningDense + ErrorLIF (reference=True: the SubProcessModel, what Loihi runs) or the same in one OS process
    (the fused CPU model, tested equal); 'gradient' = the papers' surrogate-gradient learner (floating_pt)."""
    from processes.plastic_learning_layer.models import (PyFusedLoihiRuleModel, PyGradientLearningModel,
                                                         SubPlasticLearningLayerModel)
    from processes.plastic_learning_layer.process import PlasticLearningLayer

    check_learning(learning)
    if learning == "gradient":
        return {PlasticLearningLayer: PyGradientLearningModel}
    return {PlasticLearningLayer: SubPlasticLearningLayerModel if reference else PyFusedLoihiRuleModel}


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

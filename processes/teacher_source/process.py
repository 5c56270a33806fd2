"""TeacherSource: the supervised signal of the plastic layer, one target vector per slot."""
import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess

from lava_replay.errors import LavaReplayError


class TeacherSource(AbstractProcess):
    """Sends, at step `teach_step` of slot k, a graded spike per output neuron: target spike count + 1 (0 = no teacher).

    labels: one class per slot, -1 for slots without teaching (evaluation); target_on / target_off: the spike
    counts wanted from the labelled class's neuron and from the others (0..126, 7-bit graded payload).
    """

    def __init__(self, *, labels, n_classes, target_on, target_off, slot, teach_step, name=None):
        labels = np.asarray(labels, dtype=np.int64)
        if labels.ndim != 1 or (len(labels) and (labels.max() >= n_classes or labels.min() < -1)):
            raise LavaReplayError(f"teacher labels must be classes in [-1, {n_classes}), one per slot")
        if not 0 <= target_off < 127 or not 0 <= target_on < 127:
            raise LavaReplayError(f"targets must be spike counts in [0, 126], got {target_on}/{target_off}")
        if not 0 <= teach_step < slot:
            raise LavaReplayError(f"teaching step {teach_step} is outside a slot of {slot} steps")
        super().__init__(labels=labels, n_classes=n_classes, target_on=target_on, target_off=target_off,
                         slot=slot, teach_step=teach_step, name=name)
        self.s_out = OutPort(shape=(n_classes,))

"""TeacherSource: the supervised signal of the plastic layer, one target vector per slot."""
import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess

from lava_replay.errors import LavaReplayError


class TeacherSource(AbstractProcess):
    """Sends, at step `teach_step` of slot k, a graded 7-bit spike per output neuron: its role in the slot.

    labels: one class per slot, -1 for slots without teaching (evaluation). The labelled class's neuron gets
    1 + margin ("out-spike every other neuron by `margin`"), every other neuron 64 ("competitor"); 0 means no
    teaching. margin in 0..62.
    """

    def __init__(self, *, labels, n_classes, margin, slot, teach_step, name=None):
        labels = np.asarray(labels, dtype=np.int64)
        if labels.ndim != 1 or (len(labels) and (labels.max() >= n_classes or labels.min() < -1)):
            raise LavaReplayError(f"teacher labels must be classes in [-1, {n_classes}), one per slot")
        if not 0 <= margin <= 62:
            raise LavaReplayError(f"the teacher's margin must be 0..62 spikes, got {margin}")
        if not 0 <= teach_step < slot:
            raise LavaReplayError(f"teaching step {teach_step} is outside a slot of {slot} steps")
        super().__init__(labels=labels, n_classes=n_classes, margin=margin, slot=slot, teach_step=teach_step,
                         name=name)
        self.s_out = OutPort(shape=(n_classes,))

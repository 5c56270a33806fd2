"""TeacherSource: the supervised signal of the plastic layer, one target vector per slot."""
import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess

from lava_replay.errors import LavaReplayError

COMPETITOR = 64  # payload of every output neuron that is not the labelled one; 0 = no teaching


def labelled_payload(margin):
    """Payload of the labelled neuron: 1 + margin (1..63)."""
    return 1 + margin


def decode_payloads(target):
    """(labels, margins) per lane from teacher payloads (..., classes): label -1 and margin 0 where untaught."""
    target = np.asarray(target)
    labelled = (target >= 1) & (target < COMPETITOR)
    taught = (labelled.sum(-1) == 1) & (target >= COMPETITOR).any(-1)
    labels = np.where(taught, labelled.argmax(-1), -1)
    margins = np.where(taught, (target * labelled).sum(-1) - 1, 0)
    return labels, margins


class TeacherSource(AbstractProcess):
    """Sends, at step `teach_step` of slot k, a graded 7-bit spike per output neuron: its role in the slot.

    labels: one class per slot, -1 for slots without teaching (evaluation), or (slots, lanes) for several
    samples per slot (s_out then has shape (lanes, n_classes)). The labelled class's neuron gets
    labelled_payload(margin) = 1 + margin ("out-spike every other neuron by `margin`"), every other neuron
    COMPETITOR = 64; 0 means no teaching. margin in 0..62. teach_step must be the learning layer's last slot step.
    """

    def __init__(self, *, labels, n_classes, margin, slot, teach_step, name=None):
        labels = np.asarray(labels, dtype=np.int64)
        if labels.ndim not in (1, 2) or (labels.size and (labels.max() >= n_classes or labels.min() < -1)):
            raise LavaReplayError(f"teacher labels must be classes in [-1, {n_classes}), one per slot or per lane")
        if not 0 <= margin <= 62:
            raise LavaReplayError(f"the teacher's margin must be 0..62 spikes, got {margin}")
        if not 0 <= teach_step < slot:
            raise LavaReplayError(f"teaching step {teach_step} is outside a slot of {slot} steps")
        super().__init__(labels=labels, n_classes=n_classes, margin=margin, slot=slot, teach_step=teach_step,
                         name=name)
        self.s_out = OutPort(shape=labels.shape[1:] + (n_classes,))

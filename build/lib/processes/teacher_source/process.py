"""TeacherSource: the supervised signal of the plastic layer, one target vector per slot."""
import numpy as np
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess


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
    """The supervision of a PlasticLearningLayer: a graded 7-bit spike per output neuron, its role in the slot.

        s_out[k * slot + teaching_step(slot)]_c = labelled_payload(margin)   if c == labels[k]
                                                = COMPETITOR                  otherwise
        s_out = 0 at every other step, and in slots with label -1

    teaching_step (processes.slot_clock) is the slot's last step, the one at which the plastic layer learns; the
    layer's models check that payloads arrive there. labelled_payload(margin) = 1 + margin asks the labelled
    neuron to out-spike every other one by `margin` (the Loihi rule's margin; the gradient learner reads only
    the label).

    Parameters
    ----------
    labels : int array (slots,) or (slots, lanes)
        Class per slot (or per lane of each slot), -1 for no teaching (evaluation).
    n_classes : int
        Output neurons.
    margin : int
        Spikes, 0 .. 62.
    slot : int
        Steps per slot.

    Ports
    -----
    s_out : OutPort (n_classes,) or (lanes, n_classes)
        Payloads, 7-bit graded spikes.
    """

    def __init__(self, *, labels, n_classes, margin, slot, name=None):
        labels = np.asarray(labels, dtype=np.int64)
        if labels.ndim not in (1, 2) or (labels.size and (labels.max() >= n_classes or labels.min() < -1)):
            raise ValueError(f"teacher labels must be classes in [-1, {n_classes}), one per slot or per lane")
        if not 0 <= margin <= 62:
            raise ValueError(f"the teacher's margin must be 0..62 spikes, got {margin}")
        super().__init__(labels=labels, n_classes=n_classes, margin=margin, slot=slot, name=name)
        self.s_out = OutPort(shape=labels.shape[1:] + (n_classes,))

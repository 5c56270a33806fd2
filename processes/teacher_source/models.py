"""Fixed-point model of TeacherSource."""
import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.teacher_source.process import COMPETITOR, TeacherSource, labelled_payload
from processes.slot_clock import slot_position, teaching_step


class TeacherPayloads:
    """What a TeacherSource sends: step_payloads(time_step) is the payload of labels[k] at slot k's teaching step,
    zeros elsewhere."""

    def __init__(self, labels, n_classes, margin, slot):
        self.labels, self.slot = labels, slot
        # row c: the payloads that teach class c; the last row (label -1): no teaching
        self.targets = np.full((n_classes + 1, n_classes), COMPETITOR, np.int32)
        np.fill_diagonal(self.targets, labelled_payload(margin))
        self.targets[n_classes] = 0
        self.silent = np.zeros(labels.shape[1:] + (n_classes,), np.int32)

    def step_payloads(self, time_step):
        """Payloads sent at `time_step`."""
        slot_index, phase = slot_position(time_step, self.slot)
        if phase == teaching_step(self.slot) and slot_index < len(self.labels):
            return self.targets[self.labels[slot_index]]
        return self.silent


@implements(proc=TeacherSource, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyTeacherSourceModel(PyLoihiProcessModel):
    """Graded 7-bit payloads (labelled_payload(margin) / COMPETITOR) at the slot's teaching step, else zeros."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        p = proc_params
        self.payloads = TeacherPayloads(p["labels"], p["n_classes"], p["margin"], p["slot"])

    def run_spk(self):
        self.s_out.send(self.payloads.step_payloads(self.time_step))

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


@implements(proc=TeacherSource, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyTeacherSourceModel(PyLoihiProcessModel):
    """Graded 7-bit payloads (labelled_payload(margin) / COMPETITOR) at the slot's teaching step, else zeros."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.labels = proc_params["labels"]
        self.slot = proc_params["slot"]
        self.teach_step = teaching_step(self.slot)
        n = proc_params["n_classes"]
        # row c: the payloads that teach class c; the last row (label -1): no teaching
        self.targets = np.full((n + 1, n), COMPETITOR, np.int32)
        np.fill_diagonal(self.targets, labelled_payload(proc_params["margin"]))
        self.targets[n] = 0
        self.silent = np.zeros(self.labels.shape[1:] + (n,), np.int32)

    def run_spk(self):
        slot_index, phase = slot_position(self.time_step, self.slot)
        if phase == self.teach_step and slot_index < len(self.labels):
            self.s_out.send(self.targets[self.labels[slot_index]])
        else:
            self.s_out.send(self.silent)

"""Fixed-point model of TeacherSource."""
import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.teacher_source.process import TeacherSource


@implements(proc=TeacherSource, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyTeacherSourceModel(PyLoihiProcessModel):
    """Graded 7-bit payloads (labelled: 1 + margin, others: 64) at the slot's teaching step, zeros otherwise."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.labels = proc_params["labels"]
        self.slot = proc_params["slot"]
        self.teach_step = proc_params["teach_step"]
        n = proc_params["n_classes"]
        self.silent = np.zeros(n, np.int32)
        self.targets = np.full((n, n), 64, np.int32)
        np.fill_diagonal(self.targets, 1 + proc_params["margin"])

    def run_spk(self):
        slot_index, phase = divmod(self.time_step - 1, self.slot)
        label = self.labels[slot_index] if slot_index < len(self.labels) else -1
        self.s_out.send(self.targets[label] if phase == self.teach_step and label >= 0 else self.silent)

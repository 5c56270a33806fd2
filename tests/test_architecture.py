"""processes/ stands alone: its modules import only Lava, numpy, the standard library and processes itself."""
import ast
import pathlib
import sys

import numpy as np
import pytest

from lava_replay.continual import run_frozen
from lava_replay.errors import LavaReplayError
from processes.slot_clock import check_teaching_step, teaching_step

ROOT = pathlib.Path(__file__).resolve().parents[1] / "processes"
ALLOWED = {"lava", "numpy", "processes"} | set(sys.stdlib_module_names)


def imported_packages(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", sorted(ROOT.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_processes_import_only_lava_numpy_and_themselves(path):
    assert set(imported_packages(path)) <= ALLOWED


def test_a_payload_off_the_teaching_step_is_refused():
    slot = 50
    payload = np.array([0, 5, 64])
    check_teaching_step(payload, teaching_step(slot), slot)
    check_teaching_step(np.zeros(3), 10, slot)
    with pytest.raises(RuntimeError, match="step 10 of a 50-step slot"):
        check_teaching_step(payload, 10, slot)


# Lava's AbstractProcess.__del__ reads self._runtime, which a Process that raised before super().__init__ lacks
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_bad_process_arguments_become_one_line_errors():
    layers = [{"weight": np.zeros((4, 3), np.int32), "weight_rec": None, "vth": 1, "decay_u": 0, "decay_v": 0},
              {"weight": np.zeros((2, 5), np.int32), "weight_rec": None, "vth": 1, "decay_u": 0, "decay_v": 0}]
    with pytest.raises(LavaReplayError, match="frozen layers 0 and 1 do not chain"):
        run_frozen(layers, np.zeros((1, 3, 4), bool), 4)

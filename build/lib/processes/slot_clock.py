"""The slot clock the models share: which slot (sample, presentation) a time step is in, and where in it; the
teaching step of the continual phase."""
import numpy as np


def slot_position(time_step, slot):
    """(slot index, step within the slot) of Lava time step `time_step` (which starts at 1), slots of `slot` steps."""
    return divmod(time_step - 1, slot)


def teaching_step(slot):
    """The step within a slot at which the teacher's payload arrives and the plastic layer learns: the last."""
    return slot - 1


def check_teaching_step(target, phase, slot):
    """Raise RuntimeError if a teacher payload (any non-zero `target`) arrives at another step than
    teaching_step(slot): the layer would not learn from it."""
    if phase != teaching_step(slot) and np.any(target):
        raise RuntimeError(f"a teacher payload arrived at step {phase} of a {slot}-step slot; the plastic layer "
                           f"learns at step {teaching_step(slot)} only")

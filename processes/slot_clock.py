"""The slot clock every model of the continual phase shares: which slot a time step is in, and where in it."""


def slot_position(time_step, slot):
    """(slot index, step within the slot) of Lava time step `time_step` (which starts at 1), slots of `slot` steps."""
    return divmod(time_step - 1, slot)

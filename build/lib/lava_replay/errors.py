"""The one exception type that the command-line tools turn into a clear message and exit code 2."""
from contextlib import contextmanager


class LavaReplayError(Exception):
    """Bad input or an impossible request: the message names what was wrong and what was expected."""


@contextmanager
def process_arguments():
    """Build Lava processes here: the ValueError that processes/ raise on bad arguments becomes a LavaReplayError
    (processes/ know nothing of the application)."""
    try:
        yield
    except ValueError as exc:
        raise LavaReplayError(str(exc)) from exc

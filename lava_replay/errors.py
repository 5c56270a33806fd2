"""The one exception type that the command-line tools turn into a clear message and exit code 2."""


class LavaReplayError(Exception):
    """Bad input or an impossible request: the message names what was wrong and what was expected."""

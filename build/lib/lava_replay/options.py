"""Checks of command-line options that run before any data is read or any Lava process starts."""
import os
import tempfile

from lava_replay.errors import LavaReplayError


def at_least(option, value, minimum=1):
    """LavaReplayError naming `option` unless `value` (a number or a list of numbers; None = default) is >= minimum."""
    values = value if isinstance(value, (list, tuple)) else [value]
    if any(v is not None and v < minimum for v in values):
        raise LavaReplayError(f"{option} must be >= {minimum}, got {value}")
    return value


def above_zero(option, value):
    """LavaReplayError naming `option` unless `value` (None = not given) is > 0."""
    if value is not None and not value > 0:
        raise LavaReplayError(f"{option} must be > 0, got {value}")
    return value


def output_folder(path, option="--out"):
    """Create the folder `path` now (with its parents) and check that a file can be written there."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise LavaReplayError(f"{option} {path} is a file; expected a folder for the results")
    try:
        os.makedirs(path, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".tmp-")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise LavaReplayError(f"{option} {path} cannot be written ({exc.strerror or exc}); expected a folder "
                              "where files can be created") from exc
    return path


def output_file(path, option="--out"):
    """Check that the file `path` can be written (its folder is created now); it must not be a folder."""
    if os.path.isdir(path):
        raise LavaReplayError(f"{option} {path} is a folder; expected a file name")
    output_folder(os.path.dirname(path) or ".", option)
    return path

"""lava-replay: neuromorphic continual learning (latent replay) on Intel's Lava framework."""
import os

# Lava sets multiprocessing's start method to 'fork' when this module is first imported and raises
# "context has already been set" if anything (a notebook kernel, a DataLoader) used multiprocessing before.
# Importing it here, first, makes every entry point of the package safe.
import lava.magma.runtime.message_infrastructure.multiprocessing  # noqa: F401

DEFAULT_DATA_DIR = "data"


def data_dir(option=None):
    """The data directory: the given option, else $LAVA_REPLAY_DATA, else ./data."""
    return option or os.environ.get("LAVA_REPLAY_DATA") or DEFAULT_DATA_DIR

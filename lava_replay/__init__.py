"""lava-replay: neuromorphic continual learning (latent replay) on Intel's Lava framework."""
import os

DEFAULT_DATA_DIR = "data"


def data_dir(option=None):
    """The data directory: the given option, else $LAVA_REPLAY_DATA, else ./data."""
    return option or os.environ.get("LAVA_REPLAY_DATA") or DEFAULT_DATA_DIR

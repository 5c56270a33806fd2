"""Import Lava first: it forces the 'fork' start method, which must happen before anything touches multiprocessing."""
import os

import lava_replay  # noqa: F401  (imports Lava first, which sets the multiprocessing start method)
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def repo_root():
    """The repository root."""
    return REPO

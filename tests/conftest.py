"""Import lava_replay (and so Lava) first: Lava forces the 'fork' start method, which must happen before anything
touches multiprocessing."""
import lava_replay  # noqa: F401

import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT_FOLDERS = ("runs", "checkpoints", "logs")  # git-ignored, so `git status` would not show writes there


def _repo_state():
    """What a tutorial must not change: `git status --porcelain` (None without git) and the files under the
    git-ignored output folders."""
    try:
        status = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True,
                                timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        status = None
    files = sorted(os.path.join(root, f) for folder in OUTPUT_FOLDERS
                   for root, _, names in os.walk(os.path.join(REPO, folder)) for f in names)
    return status, files


@pytest.fixture
def run_tutorial(tmp_path, monkeypatch):
    """Execute tutorials/<name> top to bottom as a reader would (kernel in the repository root), with the
    kernel's temporary folder set to tmp_path; check that nothing was written into the repository (a failing
    cell raises in execute); return (outputs of all code cells, their text, tmp_path)."""
    import nbformat
    from nbclient import NotebookClient

    def run(name, cell_timeout=600):
        nb = nbformat.read(os.path.join(REPO, "tutorials", name), as_version=4)
        before = _repo_state()
        monkeypatch.setenv("TMPDIR", str(tmp_path))  # tempfile.mkdtemp() in the kernel lands here
        NotebookClient(nb, timeout=cell_timeout, kernel_name="python3",
                       resources={"metadata": {"path": REPO}}).execute()
        outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
        assert _repo_state() == before, "the tutorial wrote into the repository"
        text = "".join(o.get("text", "") for o in outputs)
        return outputs, text, tmp_path

    return run


def png_outputs(outputs):
    """The displayed pictures (image/png outputs) among a notebook's outputs."""
    return [o for o in outputs if "image/png" in o.get("data", {})]

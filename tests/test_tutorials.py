"""The tutorials run top to bottom in their quick setting."""
import glob
import os

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# 04_spikedyn is executed, and its outputs checked, by tests/test_spikedyn_tutorial.py
NOTEBOOKS = sorted(p for p in glob.glob(os.path.join(REPO, "tutorials", "*.ipynb")) if "04_spikedyn" not in p)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[os.path.basename(p) for p in NOTEBOOKS])
def test_tutorial_executes(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": REPO}}).execute()
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    text = "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for o in cell.get("outputs", []))
    if "01_pretrain" in path:
        assert "predictions equal: True" in text
        assert "identical: False" not in text
    if "02_latent_replay" in path:
        assert "old classes:" in text and "latents (6, 50, 40)" in text

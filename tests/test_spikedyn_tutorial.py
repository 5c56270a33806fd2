"""tutorials/04_spikedyn.ipynb runs top to bottom (quick setting) and shows what it promises."""
import os

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATH = os.path.join(REPO, "tutorials", "04_spikedyn.ipynb")


@pytest.mark.timeout(600)
def test_spikedyn_tutorial_executes():
    nb = nbformat.read(PATH, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": REPO}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "baseline" in text and "spikedyn" in text and "steps/s" in text
    assert "x0" in text.split("spikedyn ")[0]  # the baseline's rule has the pre-triggered term
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for o in outputs)

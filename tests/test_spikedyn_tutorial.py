"""tutorials/04_spikedyn.ipynb runs top to bottom (quick setting) and shows what it promises."""
import pytest

from conftest import REPO, png_outputs

pytestmark = pytest.mark.slow


@pytest.mark.timeout(600)
def test_spikedyn_tutorial_executes(run_tutorial):
    outputs, text, _ = run_tutorial("04_spikedyn.ipynb", cell_timeout=300)
    assert "baseline" in text and "spikedyn" in text and "steps/s" in text
    assert "x0" in text.split("spikedyn ")[0]  # the baseline's rule has the pre-triggered term
    assert "ACC" in text and "BWT" in text
    assert png_outputs(outputs)
    assert REPO not in text

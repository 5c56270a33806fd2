"""Tutorials 01-03 run top to bottom in their quick setting and show what they promise; they write only to a
temporary folder. (04_spikedyn: tests/test_spikedyn_tutorial.py.)"""
import glob
import os

import pytest

from conftest import REPO, png_outputs

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(REPO, "tutorials", "*.ipynb")))


def temp_folder(tmp_path, prefix):
    """The one folder a tutorial made with tempfile.mkdtemp(prefix=...)."""
    made = [p for p in tmp_path.iterdir() if p.name.startswith(prefix)]
    assert len(made) == 1, sorted(p.name for p in tmp_path.iterdir())
    return made[0]


def test_tutorials_are_numbered_01_to_04():
    assert [n[:2] for n in NOTEBOOKS] == ["01", "02", "03", "04"], NOTEBOOKS


@pytest.mark.timeout(900)
def test_01_pretrain_and_export(run_tutorial):
    outputs, text, tmp = run_tutorial("01_pretrain_and_export.ipynb")
    assert "SLAYER accuracy of the quick model" in text
    assert "identical: True" in text and "identical: False" not in text
    assert "predictions equal: True" in text
    assert {p.name for p in temp_folder(tmp, "lava-replay-tutorial-").iterdir()} >= {
        "tutorial_quick.net", "tutorial_quick.json"}
    assert len(png_outputs(outputs)) >= 3  # input raster, Lava raster, training curve
    assert REPO not in text


@pytest.mark.timeout(900)
def test_02_latent_replay_in_lava(run_tutorial):
    outputs, text, tmp = run_tutorial("02_latent_replay_in_lava.ipynb")
    assert "latents (6, 50, 40)" in text
    assert "2500 bits per latent" in text and "2000 bits per latent" in text
    assert "old classes:" in text and "new class:" in text
    assert {p.name for p in temp_folder(tmp, "lava-replay-tutorial02-").iterdir()} >= {
        "report.json", "replay_buffer.npz", "accuracy.png", "costs.png", "raster.png"}
    assert len(png_outputs(outputs)) >= 4  # latent rasters, accuracy, costs, replayed latent
    assert REPO not in text


@pytest.mark.timeout(900)
def test_03_spikinglr_vs_replay4ncl(run_tutorial):
    outputs, text, tmp = run_tutorial("03_spikinglr_vs_replay4ncl.ipynb")
    assert "| old-class top-1 |" in text and "| bits per latent | 2500 | 2000" in text  # bench compare's table
    for method, T in (("SpikingLR", 100), ("Replay4NCL", 40)):
        assert f"{method} (T={T}):" in text
    assert "x 2500 bits" in text and "x 2000 bits" in text
    assert "Replay4NCL vs SpikingLR: 2.5x fewer timesteps, 20 % fewer bits per latent" in text
    written = {p.name for p in temp_folder(tmp, "lava-replay-tutorial03-").iterdir()}
    assert {"compare.json", "compare.md", "gradient_spikinglr_new0_seed0", "gradient_replay4ncl_new0_seed0"} <= written
    assert len(png_outputs(outputs)) >= 3  # accuracy bars, memory/time/energy bars, latent rasters
    assert REPO not in text

"""The main job end to end on the real SHD split (make test writes it into data/ first) in its quick setting."""
import json
import os

import pytest

from lava_replay import data_dir
from lava_replay.data import shd
from lava_replay.run import main

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.timeout(600)
def test_run_quick_writes_report(tmp_path):
    directory = data_dir()
    assert shd.split_available(directory, "train"), (
        f"SHD not found in {os.path.abspath(directory)}: run the tests with `make test`, which writes it there")
    out = tmp_path / "run"
    assert main(["--backend", "sim", "--timesteps", "40", "--quick", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["backend"] == "sim" and report["timesteps"] == 40 and report["new_classes"] == [0]
    assert report["samples"] == 2 * 19
    assert report["accuracy"]["lava_slayer_agreement"] == 1.0
    assert report["accuracy"]["old"] == report["accuracy"]["old_slayer"]
    assert report["latency"]["steps_per_sample"] == 64
    assert (out / "raster.png").stat().st_size > 1000

"""The main job end to end on the real SHD split (make test writes it into data/ first) in its quick setting,
and its errors for bad options and mismatched replay buffers."""
import json

import numpy as np
import pytest

from lava_replay import data_dir
from lava_replay.cli import run_cli
from lava_replay.data import shd
from lava_replay.replay.buffer import FORMAT, LatentBuffer
from lava_replay.run import main


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    directory = data_dir()
    assert shd.split_available(directory, "train"), (
        f"SHD not found in {directory}: run the tests with `make test`, which writes it there")
    out = tmp_path_factory.mktemp("run")
    assert main(["--backend", "sim", "--quick", "--out", str(out)]) == 0
    return out, json.loads((out / "report.json").read_text())


@pytest.mark.timeout(900)
def test_quick_replay4ncl_report(quick_run):
    out, report = quick_run
    assert report["method"] == "replay4ncl" and report["backend"] == "sim" and report["lr_layer"] == 3
    assert report["timesteps"] == 40 and report["new_classes"] == [0] and report["seed"] == 0
    acc = report["accuracy"]
    for key in ("old", "new", "all", "old_before"):
        assert 0.0 <= acc[key] <= 1.0
    assert acc["forgetting"] == pytest.approx(acc["old_before"] - acc["old"])
    assert acc["old_before"] > 0.5  # the pretrained network, run in Lava, recognises the old classes
    assert acc["new"] > acc["new_before"]  # and the continual phase taught it the new class
    mem = report["latent_memory"]
    assert mem["samples"] == 4 * 19 and mem["bits_per_sample"] == 50 * 40
    assert mem["bytes"] == 4 * 19 * 50 * 5
    assert report["latency"]["timesteps"] == 40 and report["latency"]["steps_per_sample"] == 64
    energy = report["energy"]
    assert energy["synops_per_sample"] > 0 and energy["neuron_updates_per_sample"] == (200 + 100 + 50 + 20) * 40
    assert energy["training_uJ_per_sample"] > 0 and energy["inference_uJ_per_sample"] > 0
    assert report["wall_seconds"]["continual"] > 0 and report["wall_seconds"]["evaluation"] > 0
    buffer = LatentBuffer.load(out / "replay_buffer.npz")
    assert np.bincount(buffer.labels, minlength=20).tolist() == [0] + [4] * 19
    for name in ("accuracy.png", "costs.png", "raster.png"):
        assert (out / name).stat().st_size > 1000


@pytest.mark.timeout(300)
def test_buffer_that_does_not_fit_is_refused(quick_run, tmp_path, capsys):
    out, _ = quick_run
    args = ["--quick", "--out", str(tmp_path / "x")]
    # a T=40 buffer for the T=100 SpikingLR model
    assert run_cli(main, ["--method", "spikinglr", "--buffer", str(out / "replay_buffer.npz")] + args) == 2
    assert "does not fit" in capsys.readouterr().err
    empty = tmp_path / "empty.npz"
    np.savez(empty, format=np.array(FORMAT), packed=np.zeros((0, 50, 5), np.uint8), labels=np.zeros(0, int),
             shape=np.array([50, 40, 1, 3]), model=np.array("m.net"), model_sha=np.array("x"))
    assert run_cli(main, ["--buffer", str(empty)] + args) == 2
    assert "empty" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_option_errors(capsys):
    assert run_cli(main, ["--backend", "loihi"]) == 2
    assert "lava-loihi" in capsys.readouterr().err
    assert run_cli(main, ["--lr-layer", "7", "--quick"]) == 2
    assert "--lr-layer must be in 0..3" in capsys.readouterr().err
    assert run_cli(main, ["--lr-layer", "2", "--quick"]) == 2
    assert "only --lr-layer 3" in capsys.readouterr().err
    assert run_cli(main, ["--replay-per-class", "0"]) == 2
    assert "--replay-per-class" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--method", "ewc"])

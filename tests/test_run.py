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


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_quick_replay4ncl_report(quick_run):
    out, report = quick_run
    assert report["method"] == "replay4ncl" and report["backend"] == "sim" and report["lr_layer"] == 3
    assert report["timesteps"] == 40 and report["new_classes"] == [0] and report["seed"] == 0
    assert report["path"].startswith("fast (64 samples per slot") and "learning loop fused" in report["path"]
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
    assert report["epoch_selection"] == {"rule": "last", "epoch": 30, "validation_samples": 0, "curve": None}
    buffer = LatentBuffer.load(out / "replay_buffer.npz")
    assert np.bincount(buffer.labels, minlength=20).tolist() == [0] + [4] * 19
    for name in ("accuracy.png", "costs.png", "raster.png"):
        assert (out / name).stat().st_size > 1000


@pytest.mark.slow
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
    with pytest.raises(SystemExit):
        main(["--method", "ewc"])


NO_DATA = ["--data-dir", "/nonexistent/lava-replay-data"]  # an option checked too late would fail on the data


@pytest.mark.parametrize("argv, message", [
    (["--timesteps", "0", "--epochs", "0"], "--timesteps must be >= 2, got 0"),
    (["--timesteps", "-1"], "--timesteps must be >= 2, got -1"),
    (["--epochs", "0"], "--epochs must be >= 1, got 0"),
    (["--epochs", "-3"], "--epochs must be >= 1, got -3"),
    (["--replay-per-class", "0"], "--replay-per-class must be >= 1"),
    (["--lr-layer", "7"], "--lr-layer must be in 0..3"),
    (["--lr-layer", "2", "--learning", "loihi"], "only --learning gradient does"),
    (["--lr-layer", "0"], "--lr-layer 0 would replay raw input spikes"),
    (["--protocol", "nope"], "unknown protocol 'nope' (--protocol)"),
    (["--new-class", "20"], "--new-class must name distinct classes in 0..19"),
    (["--imprint", "-0.5"], "--imprint must be >= 0, got -0.5"),
])
def test_bad_options_fail_before_any_data_is_read(argv, message, capsys):
    assert run_cli(main, argv + NO_DATA) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_mistyped_model_lists_the_models_instead_of_a_pretrain_hint(capsys):
    assert run_cli(main, ["--model", "shd19_T40_nwe0"] + NO_DATA) == 2
    err = capsys.readouterr().err
    assert "--model shd19_T40_nwe0" in err and "shd19_T40_new0" in err and "To make it" not in err


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["zero bytes", "truncated"])
def test_unreadable_buffer_is_an_error(damage, quick_run, tmp_path, capsys):
    out, _ = quick_run
    bad = tmp_path / "replay_buffer.npz"
    whole = (out / "replay_buffer.npz").read_bytes()
    bad.write_bytes(b"" if damage == "zero bytes" else whole[:len(whole) // 2])
    assert run_cli(main, ["--buffer", str(bad)] + NO_DATA) == 2
    err = capsys.readouterr().err
    assert f"replay buffer {bad} is unreadable or incomplete" in err and "Traceback" not in err


def test_bad_out_fails_before_any_work(tmp_path, capsys):
    a_file = tmp_path / "report.txt"
    a_file.write_text("keep me")
    assert run_cli(main, ["--out", str(a_file)] + NO_DATA) == 2
    assert f"--out {a_file} is a file; expected a folder" in capsys.readouterr().err
    assert run_cli(main, ["--out", str(a_file / "sub")] + NO_DATA) == 2
    assert f"--out {a_file / 'sub'} cannot be written" in capsys.readouterr().err
    assert a_file.read_text() == "keep me"
    # a good --out is made before the data is read
    assert run_cli(main, ["--out", str(tmp_path / "new" / "run")] + NO_DATA) == 2
    assert "does not exist" in capsys.readouterr().err
    assert (tmp_path / "new" / "run").is_dir()


def test_out_where_no_file_can_be_created(tmp_path, monkeypatch, capsys):
    import tempfile

    def refused(*args, **kwargs):  # what a read-only folder does (root, who runs these tests, may write anywhere)
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(tempfile, "mkstemp", refused)
    assert run_cli(main, ["--out", str(tmp_path)] + NO_DATA) == 2
    assert f"--out {tmp_path} cannot be written (Permission denied)" in capsys.readouterr().err


def test_strategy_errors_name_the_setting():
    from lava_replay.continual import strategy
    from lava_replay.errors import LavaReplayError

    with pytest.raises(LavaReplayError, match=r"^invalid settings for replay4ncl: epochs must be >= 1, got 0$"):
        strategy("replay4ncl", epochs=0)

"""Bad input to the SpikeDyn command and bench: a one-line error naming the option or file, exit code 2."""
import gzip
import os

import numpy as np
import pytest

from lava_replay import backends
from lava_replay.errors import LavaReplayError
from lava_replay.spikedyn import bench, cli
from lava_replay.spikedyn.config import make_config


def _idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _fail(main, argv, capsys):
    assert main(argv) == 2
    return capsys.readouterr().err


def test_missing_mnist_files(tmp_path, capsys):
    err = _fail(cli.main, ["--quick", "--data-dir", str(tmp_path), "--out", str(tmp_path / "o")], capsys)
    assert "train-images-idx3-ubyte" in err and "not found" in err
    err = _fail(bench.main, ["--quick", "--data-dir", str(tmp_path), "--out", str(tmp_path / "b")], capsys)
    assert "not found" in err


def _mnist(tmp_path, side):
    """MNIST-like IDX files of side x side images (6 train, 4 test) in tmp_path/mnist; returns that folder."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    for split, n in (("train", 6), ("t10k", 4)):
        _idx(folder / f"{split}-images-idx3-ubyte.gz", np.zeros((n, side, side)))
        _idx(folder / f"{split}-labels-idx1-ubyte.gz", np.zeros(n))
    return folder


def test_images_of_the_wrong_size(tmp_path, capsys):
    _mnist(tmp_path, 20)
    err = _fail(cli.main, ["--quick", "--data-dir", str(tmp_path), "--out", str(tmp_path / "o")], capsys)
    assert "expected (n, 28, 28)" in err


def test_constraints_that_no_candidate_meets(tmp_path, capsys):
    # fails before reading data: the data directory here is empty
    err = _fail(cli.main, ["--search", "--quick", "--max-memory-kib", "0.5", "--data-dir", str(tmp_path)], capsys)
    assert "no candidate" in err and "--max-memory-kib 0.5" in err
    err = _fail(cli.main, ["--search", "--max-energy-uj", "0.001", "--data-dir", str(tmp_path)], capsys)
    assert "no candidate" in err


@pytest.mark.parametrize("argv, words", [
    (["--baseline", "--weight-decay"], ["--baseline", "--weight-decay"]),
    (["--baseline", "--adaptive-lr", "--reduce-spurious"], ["--adaptive-lr", "--reduce-spurious"]),
    (["--search", "--baseline"], ["--search", "--baseline"]),
    (["--search", "--neurons", "100"], ["--neurons", "--search"]),
    (["--max-energy-uj", "5"], ["--search"]),
    (["--neurons", "0"], ["--neurons"]),
    (["--samples-per-task", "0"], ["--samples-per-task"]),
    (["--search", "--search-bits", "0"], ["--search-bits"]),
    (["--search", "--search-neurons", "0"], ["--search-neurons must be >= 1"]),
    (["--search", "--search-neurons", "100", "-5"], ["--search-neurons must be >= 1"]),
    (["--search", "--max-memory-kib", "0"], ["--max-memory-kib must be > 0"]),
    (["--neurons", "-2"], ["--neurons must be >= 1"]),
    (["--weight-norm"], ["--weight-norm", "--baseline"]),
    (["--baseline", "--reference"], ["--reference", "--no-weight-norm"]),
    (["--test-per-class", "0"], ["--test-per-class"]),
    (["--theta-decay-shift", "0"], ["--theta-decay-shift must be 1 to 30"]),
    (["--weight-decay-shift", "9"], ["--weight-decay-shift must be 1 to 8"]),
])
def test_contradicting_or_impossible_options(argv, words, tmp_path, capsys):
    err = _fail(cli.main, argv + ["--data-dir", str(tmp_path)], capsys)
    assert all(w in err for w in words), err


def test_loihi_backend_without_lava_loihi(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(backends, "loihi_available", lambda: False)  # as on any machine without lava-loihi
    for main in (cli.main, bench.main):
        err = _fail(main, ["--backend", "loihi", "--quick", "--data-dir", str(tmp_path)], capsys)
        assert "lava-loihi" in err


def test_baseline_may_keep_or_drop_its_adaptive_threshold():
    cfg = make_config(baseline=True, switches={"adaptive_threshold": False})
    assert cfg.adaptive_threshold is False and cfg.label == "baseline-no_adaptive_threshold"
    with pytest.raises(LavaReplayError, match="unknown mechanism"):
        make_config(switches={"normalisation": True})


def test_bench_rejects_bad_sizes(tmp_path, capsys):
    err = _fail(bench.main, ["--neurons", "0", "--data-dir", str(tmp_path)], capsys)
    assert "--neurons" in err
    err = _fail(bench.main, ["--reference", "--data-dir", str(tmp_path)], capsys)
    assert "--no-weight-norm" in err
    assert not os.path.exists(tmp_path / "runs")


def test_truncated_mnist_file(tmp_path, capsys):
    images = _mnist(tmp_path, 28) / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-20])
    err = _fail(cli.main, ["--quick", "--data-dir", str(tmp_path), "--out", str(tmp_path / "o")], capsys)
    assert f"cannot read IDX file {images}" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("main", [cli.main, bench.main], ids=["run", "bench"])
def test_out_that_is_a_file_fails_before_the_data(main, tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("")
    err = _fail(main, ["--quick", "--data-dir", str(tmp_path / "no-data"), "--out", str(a_file)], capsys)
    assert f"--out {a_file} is a file" in err


def test_help_says_the_baseline_keeps_its_adaptive_threshold(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "mechanism 'adaptive_threshold' on/off (default: on, also for --baseline)" in text
    assert "mechanism 'weight_decay' on/off (default: on, off for --baseline)" in text
    assert make_config(baseline=True).adaptive_threshold and not make_config(baseline=True).weight_decay

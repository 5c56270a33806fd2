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


def test_images_of_the_wrong_size(tmp_path, capsys):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for split, n in (("train", 6), ("t10k", 4)):
        _idx(folder / f"{split}-images-idx3-ubyte.gz", np.zeros((n, 20, 20)))
        _idx(folder / f"{split}-labels-idx1-ubyte.gz", np.zeros(n))
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
    (["--weight-norm"], ["--weight-norm", "--baseline"]),
    (["--baseline", "--reference"], ["--reference", "--no-weight-norm"]),
    (["--test-per-class", "0"], ["--test-per-class"]),
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

"""Bad input around .net files and the command-line tools: clear errors naming what was wrong."""
import json
import os
import shutil

import numpy as np
import pytest
import torch

from lava_replay.data.synthetic import synthetic_shd
from lava_replay.errors import LavaReplayError
from lava_replay.export import export_model, load_model_info, load_slayer_net, model_path, pretrained_model
from lava_replay.fileio import file_sha256
from lava_replay.model import ModelConfig, SpikingNet


@pytest.fixture()
def small_model(tmp_path):
    torch.manual_seed(0)
    net = SpikingNet(ModelConfig(hidden=(16, 8), n_outputs=4, dropout=0))
    path = str(tmp_path / "small.net")
    export_model(net, path, {"classes": [1, 2, 3], "timesteps": 20, "seed": 0, "data_fingerprint": "synthetic",
                             "accuracy": {"test": 0.5}})
    return net, path


def test_sidecar_and_roundtrip(small_model):
    net, path = small_model
    info = load_model_info(path, timesteps=20, classes=[3, 2, 1])
    assert info["architecture"]["hidden"] == [16, 8]
    assert info["neuron"]["vThMant"] == int(net.cfg.threshold * 64)
    loaded = load_slayer_net(path)
    x = torch.from_numpy(synthetic_shd(n_per_class=1, n_classes=2, timesteps=20)["spikes"].astype(np.float32))
    net.eval()
    with torch.no_grad():
        assert torch.equal(net(x), loaded(x))


def test_wrong_timesteps(small_model):
    with pytest.raises(LavaReplayError, match="T=20.*T=40"):
        load_model_info(small_model[1], timesteps=40)


def test_wrong_architecture(small_model):
    with pytest.raises(LavaReplayError, match=r"\[700, 16, 8, 4\].*\[700, 200, 100, 50, 20\]"):
        load_model_info(small_model[1], architecture=ModelConfig())


def test_wrong_classes(small_model):
    with pytest.raises(LavaReplayError, match="classes"):
        load_model_info(small_model[1], classes=[0, 1])


def _rehash(net_path):
    """Make the sidecar agree with the .net again (as a faulty export would), to reach the checks after the hash."""
    side = net_path[:-4] + ".json"
    with open(side) as f:
        info = json.load(f)
    info["net_sha256"] = file_sha256(net_path)
    with open(side, "w") as f:
        json.dump(info, f)


def test_corrupt_net(small_model):
    path = small_model[1]
    with open(path, "wb") as f:
        f.write(b"not an hdf5 file")
    with pytest.raises(LavaReplayError, match="does not match the SHA-256 in its sidecar"):
        load_model_info(path)
    _rehash(path)
    with pytest.raises(LavaReplayError, match="not a readable netx network file"):
        load_model_info(path)


def test_committed_models_carry_their_hash():
    for name in ("shd19_T40_new0", "shd19_T100_new0"):
        path = model_path(name)
        assert load_model_info(path)["net_sha256"] == file_sha256(path)


def test_random_bytes_in_a_copy_of_the_committed_model_are_refused(tmp_path):
    source = model_path("shd19_T40_new0")
    copy = tmp_path / "shd19_T40_new0.net"
    shutil.copy(source, copy)
    shutil.copy(source[:-4] + ".json", tmp_path / "shd19_T40_new0.json")
    middle = os.path.getsize(copy) // 2
    with open(copy, "r+b") as f:
        f.seek(middle - 32768)
        f.write(np.random.default_rng(0).bytes(65536))
    with pytest.raises(LavaReplayError, match=f"{copy} does not match the SHA-256 in its sidecar"):
        pretrained_model(40, list(range(1, 20)), str(copy))


def test_sidecar_without_hash_is_refused(small_model):
    side = small_model[1][:-4] + ".json"
    with open(side) as f:
        info = json.load(f)
    del info["net_sha256"]
    with open(side, "w") as f:
        json.dump(info, f)
    with pytest.raises(LavaReplayError, match="lacks the SHA-256"):
        load_model_info(small_model[1])


@pytest.mark.parametrize("bad, message", [(np.nan, "NaN or infinite"), (np.inf, "NaN or infinite"),
                                          (1000.0, r"expected 8-bit netx weights in -256..254")])
def test_weights_must_be_finite_and_in_range(bad, message, small_model):
    import h5py

    path = small_model[1]
    with h5py.File(path, "r+") as h:
        weights = h["layer"]["1"]["weight"]
        changed = weights[()]
        changed.flat[3] = bad
        weights[...] = changed
    _rehash(path)
    with pytest.raises(LavaReplayError, match=f"layer 1 weight holds .*{message}"):
        load_model_info(path)


def test_mistyped_model_name_lists_the_models(tmp_path):
    with pytest.raises(LavaReplayError, match=r"--model shd19_T40_nwe0: .* not found; .*shd19_T40_new0") as exc:
        pretrained_model(40, list(range(1, 20)), "shd19_T40_nwe0")
    assert "To make it" not in str(exc.value)


def test_sidecar_disagrees_with_file(small_model, tmp_path):
    _, path = small_model
    side = path[:-4] + ".json"
    with open(side) as f:
        info = json.load(f)
    info["architecture"]["hidden"] = [16, 9]
    with open(side, "w") as f:
        json.dump(info, f)
    with pytest.raises(LavaReplayError, match="sidecar describes"):
        load_model_info(path)


def test_missing_model_says_how_to_make_it(tmp_path):
    with pytest.raises(LavaReplayError, match="lava_replay.pretrain --timesteps 77 --new-class 0"):
        pretrained_model(77, list(range(1, 20)))


def test_export_is_atomic_on_failure(tmp_path, small_model):
    net, _ = small_model
    target = tmp_path / "broken.net"

    def explode(path):
        raise RuntimeError("disk full")
    net.export_hdf5 = explode
    with pytest.raises(RuntimeError):
        export_model(net, str(target), {"classes": [1], "timesteps": 20, "seed": 0, "data_fingerprint": "x",
                                        "accuracy": {}})
    assert not target.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]


def test_cli_errors(capsys):
    from lava_replay import bench, pretrain, run
    from lava_replay.cli import run_cli

    assert run_cli(run.main, ["--backend", "loihi"]) == 2
    assert "lava-loihi" in capsys.readouterr().err
    assert run_cli(pretrain.main, ["--epochs", "0"]) == 2
    assert "--epochs must be >= 1" in capsys.readouterr().err
    assert run_cli(pretrain.main, ["--protocol", "nope", "--data-dir", "/nonexistent"]) == 2
    assert "unknown protocol" in capsys.readouterr().err
    assert run_cli(bench.main, ["pretrain", "--lava-samples", "0"]) == 2
    assert "--lava-samples" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run.main(["--backend", "gpu"])

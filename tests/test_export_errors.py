"""Bad input around .net files and the command-line tools: clear errors naming what was wrong."""
import json
import os

import numpy as np
import pytest
import torch

from lava_replay.data.synthetic import synthetic_shd
from lava_replay.errors import LavaReplayError
from lava_replay.export import export_model, load_model_info, load_slayer_net, pretrained_model
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


def test_corrupt_net(small_model):
    path = small_model[1]
    with open(path, "wb") as f:
        f.write(b"not an hdf5 file")
    with pytest.raises(LavaReplayError, match="not a readable netx network file"):
        load_model_info(path)


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

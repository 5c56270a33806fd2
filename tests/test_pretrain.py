import numpy as np
import pytest
import torch

from lava_replay import pretrain as pretrain_module
from lava_replay.data.protocols import make_protocol
from lava_replay.data.synthetic import synthetic_shd
from lava_replay.errors import LavaReplayError
from lava_replay.export import load_model_info
from lava_replay.model import ModelConfig, SpikingNet
from lava_replay.pretrain import TrainConfig, pretrain, train

SMALL = dict(hidden=(24, 12), n_outputs=4)


def _data():
    data = synthetic_shd(n_per_class=24, n_classes=4, timesteps=24, seed=0)
    return data, make_protocol("spikinglr", data["labels"], new_classes=[3], seed=0, n_classes=4)


def test_pretraining_learns_synthetic_classes(tmp_path):
    data, protocol = _data()
    _, sidecar = pretrain(data, protocol, 24, ModelConfig(**SMALL), TrainConfig(epochs=8, lr=0.01, batch_size=16),
                          name="synthetic", model_dir=str(tmp_path), checkpoint_dir=None, progress=False)
    assert sidecar["classes"] == [0, 1, 2]
    assert sidecar["accuracy"]["test"] >= 0.7  # chance is 1/3 (three pretraining classes)
    assert len(sidecar["history"]) == 8
    info = load_model_info(str(tmp_path / "synthetic.net"), timesteps=24, classes=[0, 1, 2])
    assert info["data_fingerprint"] == data["fingerprint"]

    # a warm restart starts from the exported weights: with a vanishing learning rate nothing changes
    _, again = pretrain(data, protocol, 24, ModelConfig(**SMALL), TrainConfig(epochs=1, lr=1e-12, batch_size=16),
                        name="restart", model_dir=str(tmp_path), checkpoint_dir=None, progress=False,
                        init_from=str(tmp_path / "synthetic.net"))
    assert again["accuracy"]["test"] == sidecar["accuracy"]["test"]
    assert again["init_from"]["file"] == "synthetic.net"


def test_resume_continues_an_interrupted_run(tmp_path, monkeypatch):
    data, protocol = _data()
    idx = protocol.select("train", data["labels"], [0, 1, 2])
    val = protocol.select("val", data["labels"], [0, 1, 2])
    cfg = TrainConfig(epochs=2, lr=0.01, batch_size=16)
    ckpt = str(tmp_path / "run.pt")

    torch.manual_seed(0)
    straight = SpikingNet(ModelConfig(**SMALL))
    full = train(straight, data["spikes"], data["labels"], idx, val, cfg, progress=False)

    calls = {"n": 0}
    real_evaluate = pretrain_module.evaluate

    def interrupt_in_epoch_two(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real_evaluate(*args, **kwargs)
    monkeypatch.setattr(pretrain_module, "evaluate", interrupt_in_epoch_two)
    torch.manual_seed(0)
    first = SpikingNet(ModelConfig(**SMALL))
    with pytest.raises(KeyboardInterrupt):
        train(first, data["spikes"], data["labels"], idx, val, cfg, checkpoint=ckpt, progress=False)
    monkeypatch.setattr(pretrain_module, "evaluate", real_evaluate)

    torch.manual_seed(123)  # the checkpoint, not the caller's seed, must decide what happens next
    resumed = SpikingNet(ModelConfig(**SMALL))
    history = train(resumed, data["spikes"], data["labels"], idx, val, cfg, checkpoint=ckpt, resume=True,
                    progress=False)
    assert [h["epoch"] for h in history] == [1, 2]
    assert [h["val_accuracy"] for h in history] == [h["val_accuracy"] for h in full]
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)

    with pytest.raises(LavaReplayError, match="other settings"):
        train(SpikingNet(ModelConfig(**SMALL)), data["spikes"], data["labels"], idx, val,
              TrainConfig(epochs=3, lr=0.01, batch_size=16), checkpoint=ckpt, resume=True, progress=False)


def test_pretrain_rejects_data_of_other_shape(tmp_path):
    data, protocol = _data()
    with pytest.raises(LavaReplayError, match="T=40"):
        pretrain(data, protocol, 40, ModelConfig(**SMALL), TrainConfig(epochs=1), model_dir=str(tmp_path),
                 checkpoint_dir=None, progress=False)


def test_augment_shifts_whole_pattern():
    from lava_replay.pretrain import augment

    x = torch.zeros(3, 50, 20)
    x[:, 25, 10] = 1
    out = augment(x, np.random.default_rng(0), channel_shift=5, time_shift=0.1)
    for sample in out:
        (c, t), = torch.nonzero(sample).tolist()
        assert 20 <= c <= 30 and 8 <= t <= 12
    assert torch.equal(augment(x, np.random.default_rng(0), 0, 0), x)


@pytest.mark.parametrize("argv, message", [
    (["--timesteps", "0"], "--timesteps must be >= 1, got 0"),
    (["--hidden", "200", "0"], "--hidden must be >= 1"),
    (["--channel-shift", "-1"], "--channel-shift must be >= 0"),
    (["--time-shift", "1.5"], "--time-shift must be in [0, 1)"),
    (["--lr", "0"], "--lr must be > 0"),
    (["--new-class", "21"], "--new-class must name distinct classes"),
    (["--init-from", "no_such_model"], "--init-from no_such_model: model file"),
])
def test_options_fail_before_any_data_is_read(argv, message, tmp_path, capsys):
    from lava_replay.cli import run_cli

    base = ["--data-dir", str(tmp_path / "no-data"), "--model-dir", str(tmp_path / "m"), "--checkpoint-dir", ""]
    assert run_cli(pretrain_module.main, base + argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--model-dir", "--checkpoint-dir"])
def test_output_folders_that_are_files_fail_before_training(option, tmp_path, capsys):
    from lava_replay.cli import run_cli

    a_file = tmp_path / "taken"
    a_file.write_text("")
    argv = ["--data-dir", str(tmp_path / "no-data"), "--model-dir", str(tmp_path / "m"), option, str(a_file)]
    assert run_cli(pretrain_module.main, argv) == 2
    assert f"{option} {a_file} is a file" in capsys.readouterr().err

import numpy as np
import pytest
import torch

from lava_replay import pretrain as pretrain_module
from lava_replay.data.protocols import make_protocol
from lava_replay.data.synthetic import synthetic_shd
from lava_replay.errors import LavaReplayError
from lava_replay.export import default_model_name, load_model_info
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
    out = augment(x, np.random.default_rng(0), TrainConfig(channel_shift=5, time_shift=0.1))
    for sample in out:
        (c, t), = torch.nonzero(sample).tolist()
        assert 20 <= c <= 30 and 8 <= t <= 12
    assert torch.equal(augment(x, np.random.default_rng(0), TrainConfig(channel_shift=0, time_shift=0)), x)


@pytest.mark.parametrize("argv, message", [
    (["--timesteps", "0"], "--timesteps must be >= 1, got 0"),
    (["--hidden", "200", "0"], "--hidden must be >= 1"),
    (["--channel-shift", "-1"], "--channel-shift must be >= 0"),
    (["--time-shift", "1.5"], "--time-shift must be in [0, 1)"),
    (["--time-stretch", "1"], "--time-stretch must be in [0, 1)"),
    (["--channel-stretch", "-0.1"], "--channel-stretch must be in [0, 1)"),
    (["--channel-jitter", "-1"], "--channel-jitter must be >= 0"),
    (["--channel-mask", "-2"], "--channel-mask must be >= 0"),
    (["--speaker-mix", "1.5"], "--speaker-mix must be in [0, 1], got 1.5"),
    (["--lr", "0"], "--lr must be > 0"),
    (["--decay-lr", "0"], "--decay-lr must be > 0"),
    (["--delay-lr", "-1"], "--delay-lr must be > 0"),
    (["--axon-delays", "63"], "--axon-delays must be in 0..62"),
    (["--decay-spread", "1"], "--decay-spread must be in [0, 1), got 1.0"),
    (["--label-smoothing", "1"], "--label-smoothing must be in [0, 1), got 1.0"),
    (["--learn-decays"], "--learn-decays needs --full-bptt"),
    (["--current-decay", "1"], "--current-decay must be in (0, 1), got 1.0"),
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


@pytest.mark.parametrize("timesteps", [100, 40, 25])
def test_default_decays_keep_the_reference_time_constants_at_any_t(timesteps):
    args = pretrain_module.build_parser().parse_args(["--timesteps", str(timesteps)])
    cfg = pretrain_module.model_config(args)
    # one step of this T spans 100 / T reference steps, so it decays the state as much as they do:
    # 1 - d_T = (1 - d_100)^(100 / T)
    for option in ("current_decay", "voltage_decay"):
        assert 1 - getattr(cfg, option) == pytest.approx((1 - getattr(ModelConfig, option)) ** (100 / timesteps))
    assert (cfg.current_decay > ModelConfig.current_decay) == (timesteps < 100)
    if timesteps == 100:  # the reference T keeps the defaults exactly (sidecars show 0.18, not 0.17999...)
        assert (cfg.current_decay, cfg.voltage_decay) == (ModelConfig.current_decay, ModelConfig.voltage_decay)
    if timesteps == 40:  # the decays of the committed T=40 model (docs/tuning.md, D5), to 2 decimals
        assert (round(cfg.current_decay, 2), round(cfg.voltage_decay, 2)) == (0.39, 0.22)


def test_given_decays_are_used_as_they_are():
    args = pretrain_module.build_parser().parse_args(["--timesteps", "40", "--current-decay", "0.5"])
    cfg = pretrain_module.model_config(args)
    assert cfg.current_decay == 0.5 and cfg.voltage_decay == pytest.approx(1 - (1 - 0.095) ** 2.5)


def test_stretch_moves_each_spike_by_the_sample_factor_and_keeps_the_count():
    from lava_replay.pretrain import stretch

    x = torch.zeros(200, 101, 40)
    x[:, 90, 20] = 1
    x[:, 50, 30] = 2  # channel 50 is the middle one
    out = stretch(x, np.random.default_rng(1), time_stretch=0.2, channel_stretch=0.1)
    assert torch.equal(out.sum((1, 2)), x.sum((1, 2)))
    channels, times = [], []
    for sample in out:
        (c1, t1), = torch.nonzero(sample == 1).tolist()
        (c2, t2), = torch.nonzero(sample == 2).tolist()
        assert c2 == 50 and abs(t2 - 1.5 * t1) <= 1.25  # one time factor for the whole sample
        channels.append(c1)
        times.append(t1)
    assert 16 <= min(times) < 20 < max(times) <= 24
    assert 86 <= min(channels) < 90 < max(channels) <= 94


def test_jitter_moves_each_spike_on_its_own_within_the_bound_and_keeps_its_step():
    from lava_replay.pretrain import jitter

    x = torch.zeros(1, 100, 400)
    x[0, 50, :] = 1  # one spike per step, all in channel 50
    out = jitter(x, np.random.default_rng(0), 3)
    assert torch.equal(out.sum(1), x.sum(1))  # every spike kept at its own step
    channels = torch.nonzero(out[0])[:, 0]
    assert channels.min() == 47 and channels.max() == 53
    assert len(torch.unique(channels)) == 7  # each spike draws its own offset
    edge = torch.zeros(1, 100, 400)
    edge[0, 0, :] = 1
    assert 0.5 < jitter(edge, np.random.default_rng(0), 3).sum() / 400 < 0.65  # 3 of 7 offsets leave: dropped


def test_mask_silences_one_band_of_adjacent_channels_per_sample_and_nothing_else():
    from lava_replay.pretrain import mask_channels

    x = torch.ones(200, 100, 5)
    out = mask_channels(x, np.random.default_rng(0), 8)
    silent = (out.sum(2) == 0)  # (sample, channel): the whole channel silenced
    assert torch.equal(out.sum(2)[~silent], x.sum(2)[~silent])  # other channels untouched, at every step
    widths = silent.sum(1)
    assert widths.min() == 0 and widths.max() == 8  # 0..8 channels, both ends drawn over 200 samples
    for row in silent:
        band = torch.nonzero(row)[:, 0]
        assert len(band) == 0 or band.max() - band.min() + 1 == len(band)  # one contiguous band
    starts = {int(torch.nonzero(row)[0, 0]) for row in silent if row.any()}
    assert len(starts) > 50  # the band moves from sample to sample


def test_augment_input_dropout_only_deletes_spikes():
    from lava_replay.pretrain import augment

    x = torch.ones(4, 100, 50)
    out = augment(x, np.random.default_rng(0), TrainConfig(channel_shift=0, time_shift=0, input_dropout=0.3))
    assert torch.all(out <= x)
    assert 0.65 < out.mean().item() < 0.75


def test_speaker_mix_takes_each_bin_from_the_sample_or_a_time_aligned_other_speaker_of_its_class():
    from lava_replay.pretrain import SpeakerMixer

    spikes = np.zeros((5, 40, 30), dtype=np.uint8)
    spikes[0, 0:10, 5:8] = 1    # the sample: class 1, speaker 0, mean time 6
    spikes[1, 10:20, 15:18] = 1  # class 1, speaker 1, mean time 16: the only partner, moved 10 steps earlier
    spikes[2, 20:30, 5:8] = 1    # class 1 but speaker 0 (the same speaker): never a partner
    spikes[3, 30:40, 5:8] = 1    # speaker 2 but class 2: never a partner
    spikes[4, 0:10, 20:23] = 1   # class 2, speaker 3
    labels, speakers = np.array([1, 1, 1, 2, 2]), np.array([0, 1, 0, 2, 3])
    mixer = SpeakerMixer(spikes, labels, speakers, np.arange(5), probability=1.0)
    x = torch.from_numpy(spikes[[0]].astype(np.float32))
    rng = np.random.default_rng(0)
    from_partner = []
    for _ in range(50):
        out = mixer(x, [0], rng)[0]
        partner = torch.zeros_like(out)
        partner[10:20, 5:8] = 1
        assert torch.all((out == x[0]) | (out == partner))
        from_partner.append(float(out[10:20, 5:8].mean()))
    assert min(from_partner) < 0.2 and max(from_partner) > 0.8  # lam varies per pair
    assert torch.equal(SpeakerMixer(spikes, labels, speakers, np.arange(5), 0.0)(x, [0], rng), x)
    alone = SpeakerMixer(spikes, labels, np.zeros(5, dtype=int), np.arange(5), 1.0)  # one speaker says all
    assert torch.equal(alone(x, [0], rng), x)


def test_distillation_loss_mixes_cross_entropy_and_teacher():
    from lava_replay.pretrain import distillation_loss

    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.5, 0.0]])
    labels = torch.tensor([0, 1])
    ce = torch.nn.functional.cross_entropy(logits, labels)
    assert torch.isclose(distillation_loss(logits, labels, None, 0.0, 2.0), ce)
    assert torch.isclose(distillation_loss(logits, labels, logits.clone(), 0.5, 2.0), 0.5 * ce)  # KL(p||p) = 0
    assert distillation_loss(logits, labels, -logits, 1.0, 2.0) > 0


def test_label_smoothing_spreads_the_target_over_all_classes():
    from lava_replay.pretrain import distillation_loss

    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.5, 0.0]])
    labels = torch.tensor([0, 1])
    log_p = torch.log_softmax(logits, -1)
    target = torch.full((2, 3), 0.3 / 3)  # smoothing 0.3 over 3 classes
    target[[0, 1], labels] += 0.7
    expected = -(target * log_p).sum(-1).mean()
    assert torch.isclose(distillation_loss(logits, labels, None, 0.0, 1.0, label_smoothing=0.3), expected)
    assert not torch.isclose(expected, distillation_loss(logits, labels, None, 0.0, 1.0))


def test_training_uses_the_configured_label_smoothing(monkeypatch):
    data, protocol = _data()
    idx = protocol.select("train", data["labels"], [0, 1, 2])
    seen = []
    real_loss = pretrain_module.distillation_loss

    def spy(*args):
        seen.append(args[-1])
        return real_loss(*args)
    monkeypatch.setattr(pretrain_module, "distillation_loss", spy)
    train(SpikingNet(ModelConfig(**SMALL)), data["spikes"], data["labels"], idx, idx[:8],
          TrainConfig(epochs=1, batch_size=16, label_smoothing=0.2), progress=False)
    assert seen and set(seen) == {0.2}


def test_student_learns_from_teacher_without_labels(tmp_path):
    """With distill weight 1 the labels are ignored: a student given shuffled labels still learns the classes
    from a teacher that ran at another T."""
    from lava_replay.export import load_slayer_net
    from lava_replay.pretrain import evaluate, teacher_logits

    data, protocol = _data()
    pretrain(data, protocol, 24, ModelConfig(**SMALL), TrainConfig(epochs=8, lr=0.01, batch_size=16),
             name="teacher", model_dir=str(tmp_path), checkpoint_dir=None, progress=False)
    student_data = synthetic_shd(n_per_class=24, n_classes=4, timesteps=12, seed=0)
    idx = protocol.select("train", data["labels"], [0, 1, 2])
    test = protocol.select("test", data["labels"], [0, 1, 2])
    soft = torch.zeros(len(data["labels"]), 4)
    soft[idx] = teacher_logits(load_slayer_net(str(tmp_path / "teacher.net")), data["spikes"], idx, 0.5)
    shuffled = np.random.default_rng(0).permutation(data["labels"])
    cfg = TrainConfig(epochs=8, lr=0.01, batch_size=16, distill_weight=1.0)
    torch.manual_seed(0)
    student = SpikingNet(ModelConfig(**SMALL))
    train(student, student_data["spikes"], shuffled, idx, idx, cfg, progress=False, soft_targets=soft)
    assert evaluate(student, student_data["spikes"], data["labels"], test)[0] >= 0.7
    with pytest.raises(LavaReplayError, match="--distill-from"):
        train(student, student_data["spikes"], shuffled, idx, idx, cfg, progress=False)


def test_pretrain_distills_and_reports_unseen_speakers(tmp_path):
    from lava_replay.data.protocols import hold_out_speakers

    data, protocol = _data()
    data["speakers"] = np.arange(len(data["labels"])) % 4
    pretrain(data, protocol, 24, ModelConfig(**SMALL), TrainConfig(epochs=1, lr=0.01, batch_size=16),
             name="teacher", model_dir=str(tmp_path), checkpoint_dir=None, progress=False)
    student_data = dict(synthetic_shd(n_per_class=24, n_classes=4, timesteps=12, seed=0),
                        fingerprint=data["fingerprint"], speakers=data["speakers"])
    held = hold_out_speakers(protocol, data["speakers"], [2])
    cfg = TrainConfig(epochs=1, lr=0.01, batch_size=16, distill_weight=0.5)
    _, sidecar = pretrain(student_data, held, 12, ModelConfig(**SMALL), cfg, model_dir=str(tmp_path),
                          checkpoint_dir=None, progress=False, distill_from=str(tmp_path / "teacher.net"),
                          teacher_data=data)
    name = default_model_name(12, [0, 1, 2], [2])
    assert name.endswith("-19_spk2") and (tmp_path / f"{name}.net").exists()
    assert sidecar["val_speakers"] == [2] and sidecar["distill_from"]["timesteps"] == 24
    test = protocol.select("test", data["labels"], [0, 1, 2])
    n_unseen = int((data["speakers"][test] == 2).sum())
    acc = sidecar["accuracy"]
    assert 0 < n_unseen < len(test)
    assert acc["test"] * len(test) == pytest.approx(acc["test_unseen_speakers"] * n_unseen
                                                   + acc["test_seen_speakers"] * (len(test) - n_unseen))
    with pytest.raises(LavaReplayError, match="teacher needs the same samples"):
        pretrain(student_data, held, 12, ModelConfig(**SMALL), cfg, name="other", model_dir=str(tmp_path),
                 checkpoint_dir=None, progress=False, distill_from=str(tmp_path / "teacher.net"),
                 teacher_data=dict(data, labels=np.roll(data["labels"], 1)))


def test_pretrain_does_not_overwrite_a_model_unless_asked(tmp_path):
    data, protocol = _data()
    cfg = TrainConfig(epochs=1, lr=0.01, batch_size=16)
    pretrain(data, protocol, 24, ModelConfig(**SMALL), cfg, name="m", model_dir=str(tmp_path),
             checkpoint_dir=None, progress=False)
    before = (tmp_path / "m.json").read_text()
    with pytest.raises(LavaReplayError, match="--overwrite"):
        pretrain(data, protocol, 24, ModelConfig(**SMALL), cfg, name="m", model_dir=str(tmp_path),
                 checkpoint_dir=None, progress=False)
    assert (tmp_path / "m.json").read_text() == before
    _, again = pretrain(data, protocol, 24, ModelConfig(**SMALL), TrainConfig(epochs=2, lr=0.01, batch_size=16),
                        name="m", model_dir=str(tmp_path), checkpoint_dir=None, progress=False, overwrite=True)
    assert len(again["history"]) == 2


def test_bench_reports_held_out_speakers_beside_the_random_split(tmp_path):
    from lava_replay.bench import speaker_accuracy
    from lava_replay.data.protocols import hold_out_speakers
    from lava_replay.export import load_slayer_net

    data, protocol = _data()
    data["speakers"] = np.arange(len(data["labels"])) % 4
    cfg = TrainConfig(epochs=2, lr=0.01, batch_size=16)
    random_net, _ = pretrain(data, protocol, 24, ModelConfig(**SMALL), cfg, name="random",
                             model_dir=str(tmp_path), checkpoint_dir=None, progress=False)
    missing = speaker_accuracy(data, protocol, [1], 24, random_net, model_dir=str(tmp_path))
    assert "held_out_test" not in missing and "--val-speakers 1" in missing["note"]
    with pytest.raises(LavaReplayError, match="--val-speakers 9: no test samples"):
        speaker_accuracy(data, protocol, [9], 24, random_net, model_dir=str(tmp_path))
    _, sidecar = pretrain(data, hold_out_speakers(protocol, data["speakers"], [1]), 24, ModelConfig(**SMALL), cfg,
                          model_dir=str(tmp_path), checkpoint_dir=None, progress=False)
    report = speaker_accuracy(data, protocol, [1], 24, load_slayer_net(str(tmp_path / "random.net")),
                              model_dir=str(tmp_path))
    assert report["held_out_test"] == sidecar["accuracy"]["test_unseen_speakers"]
    assert report["held_out_val"] == sidecar["accuracy"]["val"]
    test = protocol.select("test", data["labels"], [0, 1, 2])
    assert report["test_samples"] == int((data["speakers"][test] == 1).sum())


def test_a_graded_model_records_its_input_and_refuses_binary_data(tmp_path):
    from lava_replay.export import graded_input, model_input

    data, protocol = _data()
    graded = dict(data, spikes=data["spikes"] * np.uint8(3))  # three events wherever there was a spike
    pretrain(graded, protocol, 24, ModelConfig(**SMALL, graded_input=True), TrainConfig(epochs=1, batch_size=16),
             name="graded", model_dir=str(tmp_path), checkpoint_dir=None, progress=False)
    info = load_model_info(str(tmp_path / "graded.net"))
    assert graded_input(info) and not graded_input(dict(info, architecture=ModelConfig(**SMALL).to_dict()))
    assert model_input(graded["spikes"], info, "graded.net") is graded["spikes"]
    with pytest.raises(LavaReplayError, match="graded.net reads graded input"):
        model_input(data["spikes"], info, "graded.net")
    binary = dict(info, architecture=ModelConfig(**SMALL).to_dict())
    assert np.array_equal(model_input(graded["spikes"], binary, "binary.net"), data["spikes"])
    assert model_input(data["spikes"], binary, "binary.net") is data["spikes"]  # binary data is not copied


def test_cli_rejects_bad_new_options(capsys):
    from lava_replay.cli import run_cli

    assert run_cli(pretrain_module.main, ["--distill-from", "shd19_T100_new0", "--distill-weight", "2"]) == 2
    assert "--distill-weight must be in (0, 1]" in capsys.readouterr().err
    assert run_cli(pretrain_module.main, ["--input-dropout", "1"]) == 2
    assert "--input-dropout must be in [0, 1)" in capsys.readouterr().err

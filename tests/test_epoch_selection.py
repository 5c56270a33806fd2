"""Choosing the continual phase's epoch on the validation split: every epoch's layers side by side in Lava give
each epoch's own spikes, the choice follows the curve, and the option's errors."""
import json

import numpy as np
import pytest

from lava_replay import epoch_selection
from lava_replay.cli import run_cli
from lava_replay.continual import generate_latents, output_counts
from lava_replay.data.synthetic import synthetic_shd
from lava_replay.epoch_selection import accuracy_curve, best_epoch, epoch_output_counts
from lava_replay.export import SHIPPED_MODEL_DIR, model_path
from lava_replay.netx_params import read_layers

T = 40


@pytest.fixture(scope="module")
def layers():
    return read_layers(model_path("shd19_T40_new0", SHIPPED_MODEL_DIR))


@pytest.fixture(scope="module")
def t40_job_data():
    """The SHD training file's spikinglr split of the shipped T=40 model, as a continual job reads it (slow tests)."""
    from lava_replay import data_dir
    from lava_replay.data.protocols import load_shd_protocol, pretrain_classes
    from lava_replay.export import graded_input, pretrained_model

    _, info = pretrained_model(T, pretrain_classes("spikinglr", [0]))
    data, protocol = load_shd_protocol(data_dir(), "spikinglr", T, [0], info["seed"], graded=graded_input(info))
    return data, protocol, data_dir()


def perturbed(block, seed):
    """The block with every weight moved by up to ±12 (netx units): another 'epoch' of it."""
    rng = np.random.default_rng(seed)

    def move(m):
        return None if m is None else m + rng.integers(-12, 13, m.shape).astype(np.int32)

    return [dict(layer, weight=move(layer["weight"]), weight_rec=move(layer["weight_rec"])) for layer in block]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lr_layer", [3, 2])
def test_epochs_side_by_side_spike_as_each_epoch_alone(layers, lr_layer, monkeypatch):
    """Output counts of three epochs' blocks run side by side (two per Lava run here, so that the grouping is
    exercised too; LR layer 2 adds a recurrent hidden layer) equal those of each block run alone."""
    monkeypatch.setattr(epoch_selection, "STACKED_NEURONS", 2 * layers[lr_layer]["weight"].shape[0])
    spikes = synthetic_shd(1, 20, T, seed=0)["spikes"].astype(bool)[:10]
    latents, _ = generate_latents(layers[:lr_layer], spikes, T, lanes=4)
    blocks = [perturbed(layers[lr_layer:], seed) for seed in range(3)]
    vth = round(0.9 * layers[3]["vth"])
    together = epoch_output_counts(blocks, latents, vth, "sim", lanes=4)
    alone = np.stack([output_counts(block, latents, lanes=4, vth=vth)[0] for block in blocks])
    assert together.shape == (3, 10, 20) and alone.sum() > 0
    assert not np.array_equal(alone[0], alone[1])  # the epochs differ, so a mix-up would show
    assert np.array_equal(together, alone)


def test_accuracy_curve_and_the_latest_best_epoch():
    labels = np.array([1, 1, 2, 0])
    counts = np.zeros((3, 4, 3), int)
    counts[0, :, 1] = 5                       # epoch 1: all say 1 -> old 2/3, new 0
    counts[1, np.arange(4), labels] = 5       # epoch 2: all right
    counts[2, np.arange(4), labels] = 5       # epoch 3: all right too
    curve = accuracy_curve(counts, labels, old_classes=[1, 2], new_classes=[0])
    assert curve["old"] == pytest.approx([2 / 3, 1, 1]) and curve["new"] == [0, 1, 1]
    assert curve["all"] == pytest.approx([0.5, 1, 1])
    assert best_epoch(curve) == 2
    assert best_epoch({"all": [0.4, 0.9, 0.7]}) == 1


@pytest.mark.parametrize("module", ["run", "bench"])
def test_best_val_on_the_validation_split_is_refused(module, capsys):
    if module == "run":
        from lava_replay.run import main
        argv = ["--select-epoch", "best-val", "--eval-split", "val", "--data-dir", "/nonexistent"]
    else:
        from lava_replay.bench import main
        argv = ["compare", "--select-epoch", "best-val", "--eval-split", "val", "--data-dir", "/nonexistent"]
    assert run_cli(main, argv) == 2
    err = capsys.readouterr().err
    assert "--select-epoch best-val picks the epoch on the validation split" in err
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit):
        main(argv[:-6] + ["--select-epoch", "first"])


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_curve_on_the_evaluation_split_ends_at_the_jobs_own_accuracy(tmp_path):
    """Evaluating on the validation split with the last epoch kept, the side-by-side curve's last epoch is the
    accuracy the job's own evaluation (a separate Lava run of the kept weights) measures."""
    from lava_replay.run import main

    assert main(["--quick", "--eval-split", "val", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    sel, acc = report["epoch_selection"], report["accuracy"]
    assert sel["rule"] == "last" and sel["epoch"] == report["epochs"] == 30
    assert sel["validation_samples"] == report["samples"]["evaluation"] == 60
    assert len(sel["curve"]["all"]) == 30 and len(set(sel["curve"]["all"])) > 1
    for key in ("old", "new", "all"):
        assert sel["curve"][key][-1] == pytest.approx(acc[key])


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_best_val_keeps_the_best_validation_epoch(t40_job_data):
    """With --select-epoch best-val (evaluating on test) the job keeps the weights of the epoch that the
    validation curve ranks first (the latest of equals)."""
    from lava_replay.continual import JobSettings
    from lava_replay.run import run_method

    data, protocol, directory = t40_job_data
    settings = JobSettings(select_epoch="best-val", progress=False)
    report, result = run_method("replay4ncl", data, protocol, directory, settings, quick=True)
    sel = report["epoch_selection"]
    assert sel["rule"] == "best-val" and sel["validation_samples"] == 60 and len(sel["curve"]["all"]) == 30
    best = max(sel["curve"]["all"])
    assert sel["curve"]["all"][sel["epoch"] - 1] == best and best not in sel["curve"]["all"][sel["epoch"]:]
    learned = result.learned
    assert learned.block is learned.epoch_blocks[sel["epoch"] - 1]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_an_epochs_weights_do_not_depend_on_the_epochs_after_it(t40_job_data):
    """Epoch e's weights in a longer run are the last weights of a run of e epochs with the same seed. The quick
    job's epochs (100 samples) end inside slots of 64 lanes; each is read before that slot, so that it holds no
    step on the next epoch's samples (continual.epoch_slot_bounds). A large step makes every minibatch show."""
    from lava_replay.continual import JobSettings
    from lava_replay.run import run_method

    data, protocol, directory = t40_job_data
    settings = JobSettings(eval_split="val", progress=False)
    learned = {epochs: run_method("replay4ncl", data, protocol, directory, settings, epochs=epochs,
                                  quick=True, learning_rate=0.05)[1].learned for epochs in (2, 3)}
    assert learned[3].activity.shape[0] == 300 and len(learned[3].epoch_blocks) == 3
    for epoch in (0, 1):
        np.testing.assert_array_equal(learned[3].epoch_blocks[epoch][-1]["weight"],
                                      learned[2].epoch_blocks[epoch][-1]["weight"])
    weights = [block[-1]["weight"] for block in learned[3].epoch_blocks]
    assert not np.array_equal(weights[0], weights[1]) and not np.array_equal(weights[1], weights[2])


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_loihi_rules_weight_average_covers_the_last_epoch(t40_job_data):
    """With --average-every the Loihi rule's epochs before the last are the plain run's (the tag does not touch
    the weights), and the weights kept are the last epoch's moving average, started at the weights it began with:
    neither those nor the last weights, and nearer the last."""
    from lava_replay.continual import JobSettings
    from lava_replay.run import run_method

    data, protocol, directory = t40_job_data
    settings = JobSettings(learning="loihi", eval_split="val", progress=False)
    runs = {every: run_method("replay4ncl", data, protocol, directory, settings, epochs=2, quick=True,
                              error_gain=8, gain_decay=1.0, average_every=every)[1].learned for every in (0, 1)}
    plain, averaged = ([block[-1]["weight"] for block in runs[every].epoch_blocks] for every in (0, 1))
    np.testing.assert_array_equal(plain[0], averaged[0])
    start, last, average = plain[0], plain[1], averaged[1]
    assert not np.array_equal(average, last) and not np.array_equal(average, start)
    assert np.square(average - last).sum() < np.square(start - last).sum()
    np.testing.assert_array_equal(runs[1].block[-1]["weight"], average)

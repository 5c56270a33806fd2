"""The comparison bench: its table's units, and its options checked before any run; the speed bench's paths."""
import json

import pytest

from lava_replay import bench
from lava_replay.cli import run_cli
from lava_replay.compare import ACCURACIES, markdown


def _summary(value):
    one = {"mean": value, "std": 0.0}
    per_method = {"accuracy": {k: one for k in ACCURACIES}}
    per_method.update({k: one for k in ("latent_memory_bytes", "bits_per_latent", "latency_ms_per_sample",
                                        "training_uJ_per_sample", "inference_uJ_per_sample",
                                        "continual_samples_per_s")})
    pair = {k: one for k in ("latency_ratio_wall", "timestep_ratio", "memory_bits_reduction", "memory_reduction",
                             "training_energy_reduction", "inference_energy_reduction")}
    return {"spikinglr": per_method, "replay4ncl": per_method, "replay4ncl_vs_spikinglr": pair}


def _rows(summary, learning="loihi"):
    """compare.md's rows by their first cell."""
    return {line.split("|")[1].strip(): line for line in markdown(summary, learning, 3).splitlines()
            if line.startswith("| ")}


def test_forgetting_is_given_in_percentage_points():
    row = next(line for line in markdown(_summary(0.0351), "gradient", 1).splitlines()
               if line.startswith("| forgetting"))
    assert row.count("3.51 ± 0.00 pp") == 2 and "%" not in row and "points)" not in row


def test_the_table_gives_the_all_class_accuracy_before_learning_and_what_the_new_class_took():
    summary = _summary(0.5)
    summary["spikinglr"] = dict(summary["spikinglr"], accuracy=dict(summary["spikinglr"]["accuracy"],
                                                                    all_before={"mean": 0.8814, "std": 0.0},
                                                                    old_as_new={"mean": 0.0517, "std": 0.01}))
    rows = _rows(summary)
    assert "| 88.14 ± 0.00 % | 50.00 ± 0.00 % |" in rows["all-class top-1 before learning"]
    assert "| 5.17 ± 1.00 % | 50.00 ± 0.00 % |" in rows["old-class samples read as the new class"]


def test_a_larger_replay4ncl_cost_reads_as_more_not_negative_less():
    summary = _summary(0.2)
    summary["replay4ncl_vs_spikinglr"]["training_energy_reduction"] = {"mean": -0.3641, "std": 0.0013}
    rows = _rows(summary)
    assert "(36.41 ± 0.13 % more)" in rows["training energy, µJ/sample (model)"]
    assert "(20.00 ± 0.00 % less)" in rows["inference energy, µJ/sample (model)"]
    assert "-" not in rows["training energy, µJ/sample (model)"].split("|")[3]


def test_bench_output_is_checked_before_any_run(tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("")
    no_data = ["--data-dir", str(tmp_path / "no-data")]
    assert run_cli(bench.main, ["compare", "--out", str(a_file)] + no_data) == 2
    assert f"--out {a_file} is a file" in capsys.readouterr().err
    assert run_cli(bench.main, ["compare", "--replay-per-class", "0"] + no_data) == 2
    assert "--replay-per-class must be >= 1" in capsys.readouterr().err
    assert run_cli(bench.main, ["compare", "--learning", "both", "--lr-layer", "2"] + no_data) == 2
    assert "only --learning gradient does" in capsys.readouterr().err
    assert run_cli(bench.main, ["pretrain", "--out", str(tmp_path)] + no_data) == 2
    assert f"--out {tmp_path} is a folder; expected a file name" in capsys.readouterr().err
    assert run_cli(bench.main, ["pretrain", "--timesteps", "0"] + no_data) == 2
    assert "--timesteps must be >= 2" in capsys.readouterr().err
    assert run_cli(bench.main, ["speed", "--samples", "0"] + no_data) == 2
    assert "--samples must be >= 1" in capsys.readouterr().err
    assert run_cli(bench.main, ["speed", "--out", str(tmp_path)] + no_data) == 2
    assert "is a folder; expected a file name" in capsys.readouterr().err


def test_bench_compare_defaults_are_run_defaults(tmp_path, monkeypatch):
    import lava_replay.compare
    from lava_replay.continual import DEFAULT_LANES, DEFAULT_REPLAY_PER_CLASS

    seen = {}

    def capture(data_dir, protocol, learnings, seeds, classes, settings, quick, out, sizes):
        seen.update(settings=settings, sizes=sizes)
        return None, ""

    monkeypatch.setattr(lava_replay.compare, "bench_compare", capture)
    assert run_cli(bench.main, ["compare", "--out", str(tmp_path / "cmp")]) == 0
    assert seen["sizes"] == [DEFAULT_REPLAY_PER_CLASS]
    assert seen["settings"].replay_per_class == DEFAULT_REPLAY_PER_CLASS
    assert seen["settings"].lanes == DEFAULT_LANES
    assert run_cli(bench.main, ["compare", "--lanes", "1", "--replay-per-class", "64", "256",
                                "--out", str(tmp_path / "cmp")]) == 0
    assert seen["settings"].lanes is None and seen["sizes"] == [64, 256]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_bench_speed_times_one_epoch_of_every_path(tmp_path):
    """bench speed on a few samples: every continual path learns the one planned epoch (whatever the method's
    epochs are), and the ratios are those of the timings."""
    out = tmp_path / "speed.json"
    assert bench.main(["speed", "--samples", "8", "--train-samples", "8", "--stock-samples", "2", "--lanes", "4",
                       "--no-spikedyn", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    continual = report["continual"]
    assert set(continual) == {"gradient_fast", "gradient_reference", "loihi_fast", "loihi_reference"}
    assert {path["samples"] for path in continual.values()} == {8}
    fast, ref = continual["loihi_fast"]["samples_per_s"], continual["loihi_reference"]["samples_per_s"]
    assert report["ratios"]["continual_loihi_fast_vs_reference"] == pytest.approx(fast / ref)

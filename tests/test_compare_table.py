"""The comparison bench: its table's units, and its options checked before any run."""
from lava_replay import bench
from lava_replay.cli import run_cli
from lava_replay.compare import markdown


def _summary(value):
    keys = ("old", "new", "forgetting", "continual_samples_per_s")
    one = {"mean": value, "std": 0.0}
    summary = {k: {"spikinglr": one, "replay4ncl": one} for k in keys}
    for key in ("latency_ratio_wall", "timestep_ratio", "memory_bits_reduction", "memory_reduction",
                "training_energy_reduction", "inference_energy_reduction"):
        summary[key] = one
    return summary


def test_forgetting_is_given_in_percentage_points():
    row = next(line for line in markdown(_summary(0.0351), 1).splitlines() if line.startswith("| forgetting"))
    assert row.count("3.51 pp") == 2 and "%" not in row and "points)" not in row


def test_bench_output_is_checked_before_any_run(tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("")
    no_data = ["--data-dir", str(tmp_path / "no-data")]
    assert run_cli(bench.main, ["compare", "--out", str(a_file)] + no_data) == 2
    assert f"--out {a_file} is a file" in capsys.readouterr().err
    assert run_cli(bench.main, ["compare", "--replay-per-class", "0"] + no_data) == 2
    assert "--replay-per-class must be >= 1" in capsys.readouterr().err
    assert run_cli(bench.main, ["pretrain", "--out", str(tmp_path)] + no_data) == 2
    assert f"--out {tmp_path} is a folder; expected a file name" in capsys.readouterr().err
    assert run_cli(bench.main, ["pretrain", "--timesteps", "0"] + no_data) == 2
    assert "--timesteps must be >= 2" in capsys.readouterr().err

"""SpikeDyn run, search and bench end to end on real MNIST (make test links it into data/) in the quick
setting: 3 digits, small networks, a few images per task."""
import json
import os

import pytest

from lava_replay import data_dir
from lava_replay.spikedyn import bench, cli

pytestmark = pytest.mark.slow


def _require_mnist():
    folder = os.path.join(data_dir(), "mnist")
    assert os.path.isdir(folder), f"MNIST not found in {os.path.abspath(folder)}: run the tests with `make test`"


@pytest.mark.timeout(300)
def test_run_quick_writes_report_and_plots(tmp_path):
    _require_mnist()
    out = tmp_path / "run"
    assert cli.main(["--quick", "--out", str(out)]) == 0
    rep = json.loads((out / "report.json").read_text())
    assert rep["variant"] == "spikedyn" and rep["classes"] == [0, 1, 2]
    assert rep["calibration_set_size_final"] == 3 * rep["calibration_per_class"]
    R = rep["accuracy_matrix"]
    assert [sum(v is not None for v in row) for row in R] == [1, 2, 3]
    assert rep["ACC"] == pytest.approx(sum(R[-1]) / 3)
    assert rep["recent_per_task"] == pytest.approx([R[i][i] for i in range(3)])
    assert rep["energy"]["train_per_sample_uJ"] > rep["energy"]["inference_per_sample_uJ"] > 0
    # 3 tasks × 5 training images + evaluation of the seen digits (2 calibration + 4 test each)
    steps = rep["config"]["present_steps"] + rep["config"]["rest_steps"]
    assert rep["lava"]["steps"] == (3 * 5 + (1 + 2 + 3) * (2 + 4)) * steps
    for name in ("accuracy.png", "weights.png"):
        assert (out / name).stat().st_size > 5000


@pytest.mark.timeout(300)
def test_search_quick_picks_a_feasible_pareto_candidate(tmp_path):
    _require_mnist()
    out = tmp_path / "search"
    assert cli.main(["--search", "--quick", "--search-bits", "16", "8", "4", "--out", str(out)]) == 0
    result = json.loads((out / "search.json").read_text())
    rows = result["candidates"]
    assert [(r["neurons"], r["bits"]) for r in rows] == [(n, b) for n in (20, 40) for b in (16, 8, 4)]
    picked = [r for r in rows if r["picked"]]
    assert len(picked) == 1 and picked[0]["pareto"] and picked[0]["feasible"]
    for n in (20, 40):
        r16, r8 = (next(r for r in rows if r["neurons"] == n and r["bits"] == b) for b in (16, 8))
        assert r16["accuracy"] == r8["accuracy"] and r16["memory_kib"] == 2 * r8["memory_kib"]
    assert (out / "pareto.png").stat().st_size > 5000 and "| N | bits |" in (out / "search.md").read_text()


@pytest.mark.timeout(300)
def test_search_names_the_sizes_it_does_not_train(tmp_path, capsys):
    _require_mnist()
    out = tmp_path / "search"
    # N=40 needs 16.1 KiB even at 4 bits: over the 12 KiB limit, so only N=20 is trained
    assert cli.main(["--search", "--quick", "--search-bits", "8", "4", "--max-memory-kib", "12", "--out",
                     str(out)]) == 0
    result = json.loads((out / "search.json").read_text())
    assert result["not_trained"] == [40] and {r["neurons"] for r in result["candidates"]} == {20}
    assert "not trained: N = [40]" in capsys.readouterr().out


@pytest.mark.timeout(400)
def test_bench_quick_runs_baseline_spikedyn_and_ablation_on_the_same_tasks(tmp_path):
    _require_mnist()
    out = tmp_path / "bench"
    assert bench.main(["--quick", "--out", str(out)]) == 0
    result = json.loads((out / "bench.json").read_text())
    names = [r["variant"] for r in result["runs"]]
    assert names == ["baseline", "spikedyn", "spikedyn-no_weight_decay", "spikedyn-no_adaptive_lr",
                     "spikedyn-no_reduce_spurious", "spikedyn-no_adaptive_threshold"]
    assert len({tuple(r["classes"]) for r in result["runs"]}) == 1
    base, dyn = result["runs"][:2]
    gain = result["spikedyn_vs_baseline"]
    assert gain["recent_pp"]["mean"] == pytest.approx(100 * (dyn["recent_mean"] - base["recent_mean"]))
    # the baseline's pre-triggered STDP updates N synapses per input spike: more training energy
    assert gain["train_energy_pct"]["mean"] < 0
    text = (out / "bench.md").read_text()
    assert "Ablation" in text and "paper (N400)" in text


@pytest.mark.timeout(400)
def test_bench_over_seeds_reports_mean_and_std_and_plots(tmp_path):
    _require_mnist()
    out = tmp_path / "bench"
    assert bench.main(["--quick", "--seeds", "1", "2", "--permute", "--no-ablation", "--out", str(out)]) == 0
    result = json.loads((out / "bench.json").read_text())
    runs = result["runs_by_seed"]
    assert [[r["variant"] for r in seed_runs] for seed_runs in runs] == [["baseline", "spikedyn"]] * 2
    assert runs[0][0]["classes"] != runs[1][0]["classes"]  # a seeded permutation per seed
    assert runs[0][0]["config"]["weight_norm"] is True     # the faithful Diehl & Cook baseline
    acc = [seed_runs[1]["ACC"] for seed_runs in runs]
    assert result["summary"]["spikedyn"]["ACC"]["mean"] == pytest.approx(sum(acc) / 2)
    assert result["summary"]["spikedyn"]["ACC"]["std"] == pytest.approx(abs(acc[0] - acc[1]) / 2)
    assert " ± " in (out / "bench.md").read_text()
    for name in ("accuracy.png", "weights-baseline.png", "weights-spikedyn.png"):
        assert (out / name).stat().st_size > 5000

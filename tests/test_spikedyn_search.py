"""Model search: quantisation, constraint checks, Pareto front and pick (no Lava)."""
import numpy as np
import pytest

from lava_replay.errors import LavaReplayError
from lava_replay.spikedyn import search
from lava_replay.spikedyn.cost_model import Activity


def test_quantize_keeps_most_significant_bits():
    w = np.array([0, 15, 16, 200, 255])
    assert search.quantize(w, 4).tolist() == [0, 0, 16, 192, 240]
    assert search.quantize(w, 8).tolist() == w.tolist()
    assert search.quantize(w, 32).tolist() == w.tolist()


def test_pareto_hand_case():
    rows = [{"accuracy": 0.8, "memory_kib": 10, "train_energy_per_task_uJ": 5},
            {"accuracy": 0.7, "memory_kib": 20, "train_energy_per_task_uJ": 6},   # dominated by the first
            {"accuracy": 0.9, "memory_kib": 40, "train_energy_per_task_uJ": 9},
            {"accuracy": 0.5, "memory_kib": 5, "train_energy_per_task_uJ": 9}]
    search.mark_pareto(rows)
    assert [r["pareto"] for r in rows] == [True, False, True, True]


def _runs():
    act = Activity(400.0, 8.0, 70)
    return {100: {"acc": {8: 0.5, 4: 0.45}, "train": act, "infer": act},
            200: {"acc": {8: 0.6, 4: 0.3}, "train": act, "infer": act}}


def test_pick_is_the_most_accurate_feasible_pareto_candidate():
    rows = search.candidate_rows(_runs(), [32, 8, 4], 10, max_memory_kib=100, max_energy_uj=None)
    pick = [r for r in rows if r["picked"]]
    assert len(pick) == 1 and (pick[0]["neurons"], pick[0]["bits"]) == (100, 8)  # N200/8 bit needs 193 KiB
    r32 = next(r for r in rows if r["bits"] == 32 and r["neurons"] == 100)
    assert r32["accuracy_bits"] == 8 and not r32["pareto"]  # same accuracy as 8 bit, more memory and energy


def test_constraints_no_candidate_meets_is_an_error():
    with pytest.raises(LavaReplayError, match="no candidate"):
        search.check_constraints([100, 200], [8, 4], 70, 30, max_memory_kib=1.0, max_energy_uj=None)
    with pytest.raises(LavaReplayError, match="max-energy-uj"):
        search.check_constraints([100], [8], 70, 30, max_memory_kib=None, max_energy_uj=1e-3)
    # N100 at 4 bit needs 43.2 KiB, N200 at 4 bit 96.2 KiB
    assert search.check_constraints([100, 200], [8, 4], 70, 30, max_memory_kib=50, max_energy_uj=None) == [100]


def test_no_feasible_after_training_is_an_error():
    with pytest.raises(LavaReplayError, match="after training"):
        search.candidate_rows(_runs(), [8], 10, max_memory_kib=None, max_energy_uj=1e-6)

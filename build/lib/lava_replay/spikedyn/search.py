"""Model search over network size and weight precision under memory and energy constraints; Pareto front.

Accuracy of a candidate: its N is trained once in Lava (8-bit weights, the precision of Lava's fixed-point
learning engine); ACC at 8 bits is the run's final accuracy, below 8 bits the final weights are truncated to
`bits` bits and evaluated again in Lava; above 8 bits Lava cannot hold more weight bits, so the 8-bit accuracy
stands in ("accuracy_bits": 8). Memory and energy come from cost_model at the candidate's precision.
"""
import numpy as np

from lava_replay.energy import energy_uj
from lava_replay.errors import LavaReplayError
from lava_replay.spikedyn import cost_model

SEARCH_NEURONS = (100, 200, 400, 800)
SEARCH_BITS = (32, 16, 8, 4)


def quantize(weights, bits):
    """Keep the `bits` most significant of 8 weight bits (no change for bits ≥ 8)."""
    if bits >= cost_model.REFERENCE_BITS:
        return np.asarray(weights)
    shift = cost_model.REFERENCE_BITS - bits
    return np.left_shift(np.right_shift(np.asarray(weights), shift), shift)


def lower_bound_energy(neurons, steps, samples_per_task, bits):
    """Training energy per task (µJ) with no spikes at all (neuron updates only): no run can use less."""
    counts = cost_model.operation_counts(neurons, cost_model.Activity(0.0, 0.0, steps), learning=True)
    return energy_uj(**counts, weight_bits=bits) * samples_per_task


def check_constraints(neurons_list, bits_list, steps, samples_per_task, max_memory_kib, max_energy_uj):
    """The sizes worth training: those with a precision that fits the memory limit and whose training energy
    lower bound fits the energy limit; a LavaReplayError when no candidate can meet both."""
    worth = []
    for n in neurons_list:
        for b in bits_list:
            mem_ok = max_memory_kib is None or cost_model.memory_bits(n, b) / 8192 <= max_memory_kib
            e_ok = max_energy_uj is None or lower_bound_energy(n, steps, samples_per_task, b) <= max_energy_uj
            if mem_ok and e_ok:
                worth.append(n)
                break
    if not worth:
        smallest = min(cost_model.memory_bits(n, b) for n in neurons_list for b in bits_list) / 8192
        least = min(lower_bound_energy(n, steps, samples_per_task, b) for n in neurons_list for b in bits_list)
        raise LavaReplayError(
            f"no candidate (N in {list(neurons_list)}, bits in {list(bits_list)}) meets --max-memory-kib "
            f"{max_memory_kib} and --max-energy-uj {max_energy_uj}: the smallest needs {smallest:.1f} KiB and at "
            f"least {least:.2f} uJ of training energy per task; relax a constraint")
    return worth


def candidate_rows(runs, bits_list, samples_per_task, max_memory_kib, max_energy_uj):
    """One row per (N, bits) from the trained sizes: runs[N] = {'acc': {bits: ACC}, 'train': Activity,
    'infer': Activity}; marks feasibility, the Pareto front and the pick."""
    rows = []
    for n, run in sorted(runs.items()):
        for b in bits_list:
            energy = cost_model.energy_report(n, run["train"], run["infer"], samples_per_task, bits=b)
            acc_bits = min(b, cost_model.REFERENCE_BITS)
            mem_kib = cost_model.memory_bits(n, b) / 8192
            e_uj = energy["train_per_task_uJ"]
            rows.append({"neurons": n, "bits": b, "accuracy": run["acc"][acc_bits], "accuracy_bits": acc_bits,
                         "memory_kib": mem_kib, "train_energy_per_task_uJ": e_uj,
                         "inference_energy_per_sample_uJ": energy["inference_per_sample_uJ"],
                         "feasible": (max_memory_kib is None or mem_kib <= max_memory_kib)
                         and (max_energy_uj is None or e_uj <= max_energy_uj)})
    mark_pareto(rows)
    feasible = [r for r in rows if r["feasible"] and r["pareto"]]
    if not feasible:
        raise LavaReplayError(f"after training, no candidate meets --max-memory-kib {max_memory_kib} and "
                              f"--max-energy-uj {max_energy_uj} (measured energies are above the lower bound)")
    pick = max(feasible, key=lambda r: (r["accuracy"], -r["train_energy_per_task_uJ"], -r["memory_kib"]))
    for r in rows:
        r["picked"] = r is pick
    return rows


def mark_pareto(rows):
    """r['pareto'] = no other row is at least as good in accuracy (↑), memory (↓) and energy (↓) and better
    in one of them."""
    def key(r):
        return np.array([-r["accuracy"], r["memory_kib"], r["train_energy_per_task_uJ"]])

    for r in rows:
        k = key(r)
        r["pareto"] = not any(np.all(key(o) <= k) and np.any(key(o) < k) for o in rows if o is not r)


def markdown(rows):
    """The candidates as a markdown table."""
    lines = ["| N | bits | ACC | ACC measured at | memory (KiB) | train energy / task (uJ) | "
             "inference energy / sample (uJ) | feasible | Pareto | pick |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['neurons']} | {r['bits']} | {r['accuracy']:.3f} | {r['accuracy_bits']} bit | "
                     f"{r['memory_kib']:.1f} | {r['train_energy_per_task_uJ']:.1f} | "
                     f"{r['inference_energy_per_sample_uJ']:.2f} | {'yes' if r['feasible'] else 'no'} | "
                     f"{'yes' if r['pareto'] else ''} | {'**pick**' if r['picked'] else ''} |")
    return "\n".join(lines) + "\n"

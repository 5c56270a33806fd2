"""The comparison bench: SpikingLR and Replay4NCL on the same split and seed, in the Replay4NCL paper's form."""
import os

import numpy as np

from lava_replay.errors import LavaReplayError
from lava_replay.fileio import atomic_write_json, atomic_write_text

PAPER = {"spikinglr": {"old": 0.8622}, "replay4ncl": {"old": 0.9043},
         "latency_ratio": 4.88, "memory_reduction": 0.20, "energy_reduction": 0.3643}
METHODS = ("spikinglr", "replay4ncl")


def pair_metrics(baseline, method):
    """Replay4NCL against SpikingLR from two reports: accuracies, latency ratio, memory and energy reductions."""
    return {
        "old": {m: r["accuracy"]["old"] for m, r in zip(METHODS, (baseline, method))},
        "new": {m: r["accuracy"]["new"] for m, r in zip(METHODS, (baseline, method))},
        "forgetting": {m: r["accuracy"]["forgetting"] for m, r in zip(METHODS, (baseline, method))},
        "latency_ratio_wall": baseline["latency"]["ms_per_sample"] / method["latency"]["ms_per_sample"],
        "timestep_ratio": baseline["timesteps"] / method["timesteps"],
        "memory_reduction": 1 - method["latent_memory"]["bytes"] / baseline["latent_memory"]["bytes"],
        "memory_bits_reduction": 1 - (method["latent_memory"]["bits_per_sample"]
                                      / baseline["latent_memory"]["bits_per_sample"]),
        "training_energy_reduction": 1 - (method["energy"]["training_uJ_per_sample"]
                                          / baseline["energy"]["training_uJ_per_sample"]),
        "inference_energy_reduction": 1 - (method["energy"]["inference_uJ_per_sample"]
                                           / baseline["energy"]["inference_uJ_per_sample"]),
        "continual_samples_per_s": {m: r["throughput"]["continual_samples_per_s"]
                                    for m, r in zip(METHODS, (baseline, method))},
    }


def summarise(pairs):
    """Mean and standard deviation of every number over the new classes' pairs."""
    def walk(values):
        first = values[0]
        if isinstance(first, dict):
            return {k: walk([v[k] for v in values]) for k in first}
        return {"mean": float(np.mean(values)), "std": float(np.std(values))}
    return walk(pairs)


def markdown(summary, n_classes):
    """The comparison table: measured (mean ± std over new classes when several) beside the paper's figures."""
    def pct(x, unit="%"):
        return f"{100 * x['mean']:.2f} {unit}" + (f" ± {100 * x['std']:.2f}" if n_classes > 1 else "")

    def ratio(x):
        return f"{x['mean']:.2f}×" + (f" ± {x['std']:.2f}" if n_classes > 1 else "")
    s = summary
    rows = [
        "| | SpikingLR (ours) | Replay4NCL (ours) | paper: SpikingLR / Replay4NCL |",
        "|---|---|---|---|",
        f"| old-class top-1 | {pct(s['old']['spikinglr'])} | {pct(s['old']['replay4ncl'])} | 86.22 % / 90.43 % |",
        f"| new-class top-1 | {pct(s['new']['spikinglr'])} | {pct(s['new']['replay4ncl'])} | comparable |",
        f"| forgetting (old before − after) | {pct(s['forgetting']['spikinglr'], 'pp')} | "
        f"{pct(s['forgetting']['replay4ncl'], 'pp')} | |",
        f"| latency ratio, Lava wall-clock | 1× | {ratio(s['latency_ratio_wall'])} | 4.88× |",
        f"| latency ratio, timesteps | 1× | {ratio(s['timestep_ratio'])} | |",
        f"| latent-memory reduction, bits per latent | 0 | {pct(s['memory_bits_reduction'])} | 20 % |",
        f"| latent-memory reduction, packed bytes | 0 | {pct(s['memory_reduction'])} | |",
        f"| training-energy reduction | 0 | {pct(s['training_energy_reduction'])} | 36.43 % |",
        f"| inference-energy reduction | 0 | {pct(s['inference_energy_reduction'])} | |",
        f"| Lava continual phase, samples/s | {s['continual_samples_per_s']['spikinglr']['mean']:.1f} | "
        f"{s['continual_samples_per_s']['replay4ncl']['mean']:.1f} | |",
    ]
    return "\n".join(rows)


def bench_compare(directory, new_classes, replay_per_class=50, seed=0, backend="sim", quick=False, out_dir=None):
    """Run both methods for each new class (one 19+1 step each); write compare.json and compare.md."""
    from lava_replay.continual import STRATEGIES
    from lava_replay.data.protocols import load_shd_protocol
    from lava_replay.plots import cost_bars
    from lava_replay.run import run_method

    pairs, reports = [], {}
    for new_class in new_classes:
        runs = {}
        for method in METHODS:
            data, protocol = load_shd_protocol(directory, "spikinglr", STRATEGIES[method].timesteps, [new_class],
                                               seed)
            run_out = os.path.join(out_dir, f"new{new_class}_{method}") if out_dir else None
            runs[method], _ = run_method(method, data, protocol, directory, backend,
                                         replay_per_class=replay_per_class, seed=seed, quick=quick, out=run_out)
        pairs.append(pair_metrics(runs["spikinglr"], runs["replay4ncl"]))
        reports[new_class] = runs
    if not pairs:
        raise LavaReplayError("no new class to compare")
    summary = summarise(pairs)
    table = markdown(summary, len(pairs))
    result = {"bench": "compare", "new_classes": list(new_classes), "seed": seed, "quick": quick,
              "replay_per_class": replay_per_class, "summary": summary, "pairs": pairs, "paper": PAPER,
              "reports": {str(c): r for c, r in reports.items()}}
    if out_dir:
        atomic_write_json(os.path.join(out_dir, "compare.json"), result)
        atomic_write_text(os.path.join(out_dir, "compare.md"), table + "\n")
        first = reports[new_classes[0]]
        cost_bars([first[m] for m in METHODS], os.path.join(out_dir, "compare_costs.png"))
    return result, table

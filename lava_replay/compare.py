"""The comparison bench: SpikingLR and Replay4NCL on the same protocol and seeds, per learner, in the Replay4NCL
paper's form (accuracies as mean ± std over seeds)."""
import os

import numpy as np

from lava_replay.errors import LavaReplayError
from lava_replay.fileio import atomic_write_json, atomic_write_text

PAPER = {"spikinglr": {"old": 0.8622}, "replay4ncl": {"old": 0.9043},
         "latency_ratio": 4.88, "memory_reduction": 0.20, "energy_reduction": 0.3643}
METHODS = ("spikinglr", "replay4ncl")
ACCURACIES = ("old", "new", "all", "old_before", "all_before", "forgetting", "old_as_new")


def pair_metrics(baseline, method):
    """Replay4NCL against SpikingLR from two reports: latency ratio, memory and energy reductions."""
    return {
        "latency_ratio_wall": baseline["latency"]["ms_per_sample"] / method["latency"]["ms_per_sample"],
        "timestep_ratio": baseline["timesteps"] / method["timesteps"],
        "memory_reduction": 1 - method["latent_memory"]["bytes"] / baseline["latent_memory"]["bytes"],
        "memory_bits_reduction": 1 - (method["latent_memory"]["bits_per_sample"]
                                      / baseline["latent_memory"]["bits_per_sample"]),
        "training_energy_reduction": 1 - (method["energy"]["training_uJ_per_sample"]
                                          / baseline["energy"]["training_uJ_per_sample"]),
        "inference_energy_reduction": 1 - (method["energy"]["inference_uJ_per_sample"]
                                           / baseline["energy"]["inference_uJ_per_sample"]),
    }


def mean_std(values):
    """{"mean", "std", "n"} of a list of numbers (std over the runs, ddof 0)."""
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "n": len(values)}


def summarise(reports):
    """Per method: accuracies, latent memory, latency, energy and continual throughput as mean ± std over runs."""
    out = {}
    for method, runs in reports.items():
        out[method] = {
            "accuracy": {k: mean_std([r["accuracy"][k] for r in runs]) for k in ACCURACIES},
            "latent_memory_bytes": mean_std([r["latent_memory"]["bytes"] for r in runs]),
            "bits_per_latent": mean_std([r["latent_memory"]["bits_per_sample"] for r in runs]),
            "latency_ms_per_sample": mean_std([r["latency"]["ms_per_sample"] for r in runs]),
            "training_uJ_per_sample": mean_std([r["energy"]["training_uJ_per_sample"] for r in runs]),
            "inference_uJ_per_sample": mean_std([r["energy"]["inference_uJ_per_sample"] for r in runs]),
            "continual_samples_per_s": mean_std([r["throughput"]["continual_samples_per_s"] for r in runs]),
        }
    pairs = [pair_metrics(b, m) for b, m in zip(reports["spikinglr"], reports["replay4ncl"])]
    out["replay4ncl_vs_spikinglr"] = {k: mean_std([p[k] for p in pairs]) for k in pairs[0]}
    return out


def markdown(summary, learning, n_runs):
    """The comparison table of one learner: measured (mean ± std over runs) beside the paper's figures."""
    def pct(x, unit="%"):
        return f"{100 * x['mean']:.2f} ± {100 * x['std']:.2f} {unit}"

    def change(x):
        """A reduction as 'N ± s % less', or '% more' where Replay4NCL's value is the larger."""
        return f"{pct({**x, 'mean': abs(x['mean'])})} {'less' if x['mean'] >= 0 else 'more'}"

    def num(x, unit=""):
        return f"{x['mean']:.2f}{unit}" + (f" ± {x['std']:.2f}" if x["std"] else "")

    s, r = summary, summary["replay4ncl_vs_spikinglr"]
    acc = {m: s[m]["accuracy"] for m in METHODS}
    rows = [
        f"Learner: {learning}; {n_runs} run(s) (seeds x new classes); mean ± std over runs.",
        "",
        "| | SpikingLR (ours) | Replay4NCL (ours) | paper: SpikingLR / Replay4NCL |",
        "|---|---|---|---|",
        f"| old-class top-1 | {pct(acc['spikinglr']['old'])} | {pct(acc['replay4ncl']['old'])} | 86.22 % / 90.43 % |",
        f"| new-class top-1 | {pct(acc['spikinglr']['new'])} | {pct(acc['replay4ncl']['new'])} | comparable |",
        f"| all-class top-1 | {pct(acc['spikinglr']['all'])} | {pct(acc['replay4ncl']['all'])} | |",
        f"| old-class top-1 before learning | {pct(acc['spikinglr']['old_before'])} | "
        f"{pct(acc['replay4ncl']['old_before'])} | |",
        f"| all-class top-1 before learning | {pct(acc['spikinglr']['all_before'])} | "
        f"{pct(acc['replay4ncl']['all_before'])} | |",
        f"| forgetting (old before − after) | {pct(acc['spikinglr']['forgetting'], 'pp')} | "
        f"{pct(acc['replay4ncl']['forgetting'], 'pp')} | |",
        f"| old-class samples read as the new class | {pct(acc['spikinglr']['old_as_new'])} | "
        f"{pct(acc['replay4ncl']['old_as_new'])} | |",
        f"| latency ratio, Lava wall-clock | 1× | {num(r['latency_ratio_wall'], '×')} | 4.88× |",
        f"| latency ratio, timesteps | 1× | {num(r['timestep_ratio'], '×')} | |",
        f"| bits per latent | {s['spikinglr']['bits_per_latent']['mean']:.0f} | "
        f"{s['replay4ncl']['bits_per_latent']['mean']:.0f} ({change(r['memory_bits_reduction'])}) | 20 % less |",
        f"| latent buffer, packed bytes | {s['spikinglr']['latent_memory_bytes']['mean']:.0f} | "
        f"{s['replay4ncl']['latent_memory_bytes']['mean']:.0f} ({change(r['memory_reduction'])}) | |",
        f"| training energy, µJ/sample (model) | {num(s['spikinglr']['training_uJ_per_sample'])} | "
        f"{num(s['replay4ncl']['training_uJ_per_sample'])} ({change(r['training_energy_reduction'])}) | "
        "36.43 % less |",
        f"| inference energy, µJ/sample (model) | {num(s['spikinglr']['inference_uJ_per_sample'])} | "
        f"{num(s['replay4ncl']['inference_uJ_per_sample'])} ({change(r['inference_energy_reduction'])}) | |",
        f"| Lava continual phase, samples/s | {num(s['spikinglr']['continual_samples_per_s'])} | "
        f"{num(s['replay4ncl']['continual_samples_per_s'])} | |",
    ]
    return "\n".join(rows)


def buffer_table(by_buffer):
    """Accuracy against buffer size (latents per old class) with the buffer's memory, per learner and method."""
    rows = ["| learner | latents per old class | method | old | new | all | buffer bytes |", "|---|---|---|---|---|---|---|"]
    for size, summary in by_buffer.items():
        for learning, per_method in summary.items():
            for m in METHODS:
                a = per_method[m]["accuracy"]
                rows.append(f"| {learning} | {size} | {m} | " + " | ".join(
                    f"{100 * a[k]['mean']:.2f} ± {100 * a[k]['std']:.2f}" for k in ("old", "new", "all"))
                    + f" | {per_method[m]['latent_memory_bytes']['mean']:.0f} |")
    return "\n".join(rows)


def bench_compare(directory, protocol_name="spikinglr", learnings=("gradient",), seeds=(0,), new_classes=(0,),
                  settings=None, quick=False, out_dir=None, buffer_sizes=None):
    """Run both methods for every learner, seed, new class and buffer size (one 19+1 step each; the data split is
    the pretrained model's, the seed varies the replay buffer, schedule and learner); write
    compare.json (summary[learning][method].accuracy.{old,new,all,old_before}: mean/std over seeds and new
    classes, fractions, at the first buffer size; by_buffer[size]: the same per buffer size) and compare.md.
    settings: a continual.JobSettings template (its learning, seed and buffer size are set per run)."""
    from dataclasses import replace

    from lava_replay.continual import STRATEGIES, JobSettings
    from lava_replay.data.protocols import load_shd_protocol, pretrain_classes
    from lava_replay.export import graded_input, pretrained_model
    from lava_replay.plots import cost_bars
    from lava_replay.run import run_method

    if not seeds or not learnings:
        raise LavaReplayError("the comparison needs at least one seed and one learner")
    settings = settings or JobSettings()
    sizes = list(buffer_sizes or [settings.replay_per_class])
    reports = {size: {learning: {m: [] for m in METHODS} for learning in learnings} for size in sizes}
    for seed, new_class in [(seed, c) for seed in seeds for c in new_classes]:
        for method in METHODS:
            T = STRATEGIES[method].timesteps
            _, info = pretrained_model(T, pretrain_classes(protocol_name, [new_class]))
            # the model's own split (no test sample seen in pretraining) and input; the seed varies the job
            shd, protocol = load_shd_protocol(directory, protocol_name, T, [new_class], info["seed"],
                                              graded=graded_input(info))
            for size, learning in [(size, learning) for size in sizes for learning in learnings]:
                name = f"{learning}_{method}_new{new_class}_seed{seed}" + (f"_buf{size}" if len(sizes) > 1 else "")
                run = replace(settings, learning=learning, seed=seed, replay_per_class=size)
                report, _ = run_method(method, shd, protocol, directory, run, quick=quick,
                                       out=os.path.join(out_dir, name) if out_dir else None)
                reports[size][learning][method].append(report)
    by_buffer = {size: {learning: summarise(reports[size][learning]) for learning in learnings} for size in sizes}
    runs = len(seeds) * len(new_classes)
    tables = "\n\n".join(markdown(by_buffer[sizes[0]][learning], learning, runs) for learning in learnings)
    if len(sizes) > 1:
        tables += "\n\nAccuracy against buffer size (mean ± std over runs, %):\n\n" + buffer_table(by_buffer)
    result = {"bench": "compare", "protocol": protocol_name, "new_classes": list(new_classes), "seeds": list(seeds),
              "learnings": list(learnings), "quick": quick, "replay_per_class": sizes[0], "buffer_sizes": sizes,
              "eval_split": settings.eval_split, "lr_layer": settings.lr_layer, "summary": by_buffer[sizes[0]],
              "by_buffer": by_buffer, "paper": PAPER, "reports": reports}
    if out_dir:
        atomic_write_json(os.path.join(out_dir, "compare.json"), result)
        atomic_write_text(os.path.join(out_dir, "compare.md"), tables + "\n")
        first = reports[sizes[0]][learnings[0]]
        cost_bars([first[m][0] for m in METHODS], os.path.join(out_dir, "compare_costs.png"))
    return result, tables

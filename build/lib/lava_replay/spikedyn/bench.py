"""`python -m lava_replay.bench spikedyn`: Diehl & Cook baseline (with its weight normalisation) vs SpikeDyn on
the same tasks, and the ablation (each SpikeDyn mechanism off in turn), over one or more seeds; writes
bench.json, bench.md (mean ± std over seeds), accuracy.png (per task, most recent and previous) and the
learned weights of the baseline and SpikeDyn (weights-<variant>.png, first seed). `--speed` instead measures
Lava steps/s of the fused layer model against the reference graph (speed.json)."""
import argparse
import os
import time

import numpy as np

from lava_replay import data_dir
from lava_replay.backends import BACKENDS, run_config
from lava_replay.cli import run_cli
from lava_replay.options import at_least, output_folder
from lava_replay.fileio import atomic_write_json, atomic_write_text
from lava_replay.spikedyn import plots
from lava_replay.spikedyn.cli import (FULL, QUICK, add_stream_options, check_reference, make_stream, model_note,
                                     network_options, run_one, settings)
from lava_replay.spikedyn.config import MECHANISMS, make_config
from lava_replay.spikedyn.experiment import load_data
from lava_replay.spikedyn.speed import speed_report

PAPER = {"recent_pp": 21.0, "previous_pp": 8.0, "train_energy_pct": -51.0, "inference_energy_pct": -37.0}
METRICS = (("most recent task", lambda r: r["recent_mean"]), ("previous tasks", lambda r: r["previous_mean"]),
           ("ACC", lambda r: r["ACC"]), ("BWT", lambda r: r["BWT"]),
           ("train energy (uJ/sample)", lambda r: r["energy"]["train_per_sample_uJ"]),
           ("inference energy (uJ/sample)", lambda r: r["energy"]["inference_per_sample_uJ"]),
           ("memory (KiB)", lambda r: r["memory_bits"] / 8192),
           ("Lava steps/s", lambda r: r["lava"]["steps_per_second"]))


def variants(neurons, seed, ablation=True, **options):
    """Baseline, SpikeDyn, then (ablation) SpikeDyn with one mechanism off, in that order."""
    common = {"neurons": neurons, "seed": seed, **options}
    configs = [make_config(baseline=True, **common), make_config(**common)]
    return configs + ([make_config(switches={m: False}, **common) for m in MECHANISMS] if ablation else [])


def gains(base, dyn):
    """SpikeDyn against the baseline: accuracy differences in percentage points, energy changes in %."""
    def pct(key):
        return 100.0 * (dyn["energy"][key] / base["energy"][key] - 1.0)

    prev = None
    if base["previous_mean"] is not None:
        prev = 100.0 * (dyn["previous_mean"] - base["previous_mean"])
    return {"recent_pp": 100.0 * (dyn["recent_mean"] - base["recent_mean"]), "previous_pp": prev,
            "train_energy_pct": pct("train_per_sample_uJ"), "inference_energy_pct": pct("inference_per_sample_uJ")}


def mean_std(values):
    """{'mean', 'std', 'n'} of the non-None values (population std; None when there are none)."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"mean": float(np.mean(vals)), "std": float(np.std(vals)), "n": len(vals)}


def summarise(runs_by_seed):
    """Per variant (in run order) and metric: mean ± std over seeds; and the gains over seeds."""
    labels = [r["variant"] for r in runs_by_seed[0]]
    table = {label: {name: mean_std([get(runs[i]) for runs in runs_by_seed]) for name, get in METRICS}
             for i, label in enumerate(labels)}
    per_seed = [gains(runs[0], runs[1]) for runs in runs_by_seed]
    return table, {key: mean_std([g[key] for g in per_seed]) for key in per_seed[0]}


def _cell(stat, fmt):
    if stat is None:
        return "n/a"
    return format(stat["mean"], fmt) + (f" ± {format(stat['std'], fmt.lstrip('+'))}" if stat["n"] > 1 else "")


def markdown(table, gain, command, seeds):
    """Baseline vs SpikeDyn (with the paper's figures) and the ablation, mean ± std over seeds, as markdown."""
    head = "| variant | " + " | ".join(name for name, _ in METRICS) + " |\n" + "|---" * (len(METRICS) + 1) + "|\n"

    def row(label):
        cells = [_cell(table[label][name], "+.3f" if name == "BWT" else ".0f" if "steps" in name else
                       ".3f" if "energy" not in name and "memory" not in name else ".2f")
                 for name, _ in METRICS]
        return f"| {label} | " + " | ".join(cells) + " |\n"

    labels = list(table)
    text = (f"Command: `{command}`\n\nSeeds: {', '.join(map(str, seeds))} (mean ± std over seeds)\n\n"
            "### Baseline (Diehl & Cook) vs SpikeDyn\n\n" + head + row(labels[0]) + row(labels[1]))
    text += ("\n| SpikeDyn vs baseline | most recent task | previous tasks | training energy | inference energy |\n"
             "|---|---|---|---|---|\n"
             f"| measured | {_cell(gain['recent_pp'], '+.1f')} pp | {_cell(gain['previous_pp'], '+.1f')} pp | "
             f"{_cell(gain['train_energy_pct'], '+.1f')} % | {_cell(gain['inference_energy_pct'], '+.1f')} % |\n"
             f"| paper (N400) | +{PAPER['recent_pp']:.0f} % | +{PAPER['previous_pp']:.0f} % | "
             f"{PAPER['train_energy_pct']:.0f} % | {PAPER['inference_energy_pct']:.0f} % |\n")
    if len(labels) > 2:
        text += "\n### Ablation (SpikeDyn with one mechanism off)\n\n" + head + "".join(row(lb) for lb in labels[1:])
    return text


def build_parser():
    """The bench options."""
    p = argparse.ArgumentParser(prog="python -m lava_replay.bench spikedyn", description=__doc__)
    p.add_argument("--backend", choices=BACKENDS, default="sim")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--neurons", type=int, default=None, help="N (default 400, quick 40)")
    add_stream_options(p)
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="one run of every variant per seed")
    p.add_argument("--no-ablation", dest="ablation", action="store_false",
                   help="only the baseline and SpikeDyn (no mechanism-off variants)")
    p.add_argument("--out", default=os.path.join("runs", "spikedyn-bench"))
    p.add_argument("--quick", action="store_true", help="3 digits, N=40, 5 images per task")
    p.add_argument("--speed", action="store_true",
                   help="measure Lava steps/s, fused layer model vs reference graph (N=--neurons, real MNIST)")
    p.add_argument("--speed-images", type=int, default=20, help="--speed: training images per measurement")
    return p


def main(argv=None):
    """Entry point; returns the exit code."""
    return run_cli(_main, argv)


def _main(argv):
    args = build_parser().parse_args(argv)
    run_config(args.backend)  # an unavailable backend fails before any data is read
    for key in ("neurons", "samples_per_task", "calib_per_class", "test_per_class", "speed_images"):
        at_least("--" + key.replace("_", "-"), getattr(args, key))
    if not args.speed:
        check_reference(args, baseline_norm=True)
    output_folder(args.out)
    command = ("python -m lava_replay.bench spikedyn " + " ".join(argv or [])).strip()
    os.makedirs(args.out, exist_ok=True)
    if args.speed:
        return _speed(args, command)
    s = settings(args)
    data = load_data(data_dir(args.data_dir))
    print(model_note(args))
    start = time.perf_counter()
    runs_by_seed, weights = [], {}
    for seed in args.seeds:
        stream = make_stream(data, s, args.permute, seed, args.validation)
        runs = []
        for k, cfg in enumerate(variants(s["neurons"], seed, args.ablation, **network_options(args))):
            out = os.path.join(args.out, f"seed{seed}", cfg.label)
            report, result = run_one(cfg, data, stream, args.backend, out, fused=not args.reference)
            runs.append(report)
            if k < 2 and cfg.label not in weights:
                weights[cfg.label] = result.weights
        runs_by_seed.append(runs)
    table, gain = summarise(runs_by_seed)
    wall = round(time.perf_counter() - start, 1)
    atomic_write_json(os.path.join(args.out, "bench.json"), {
        "command": command, "wall_seconds": wall, "seeds": args.seeds, "settings": s, "paper": PAPER,
        "spikedyn_vs_baseline": gain, "summary": table, "runs": runs_by_seed[0], "runs_by_seed": runs_by_seed})
    text = markdown(table, gain, command, args.seeds)
    atomic_write_text(os.path.join(args.out, "bench.md"), text + f"\nWall time: {wall:.0f} s\n")
    plots.accuracy_per_task([[runs[k] for runs in runs_by_seed] for k in (0, 1)],
                            os.path.join(args.out, "accuracy.png"))
    for label, w in weights.items():
        plots.weight_images(w, os.path.join(args.out, f"weights-{label}.png"), title=f"{label}, seed {args.seeds[0]}")
    print(text)
    print(f"written to {args.out}/bench.json, bench.md, accuracy.png, weights-*.png ({wall:.0f} s)")
    return 0


def _speed(args, command):
    neurons = args.neurons or (QUICK if args.quick else FULL)["neurons"]
    report = {"command": command, **speed_report(neurons, args.speed_images, args.seeds[0], args.data_dir)}
    atomic_write_json(os.path.join(args.out, "speed.json"), report)
    for variant in ("spikedyn", "baseline"):
        r = report[variant]
        print(f"{variant} N={neurons}: fused {r['fused_steps_per_s']:.0f} steps/s, reference graph "
              f"{r['reference_steps_per_s']:.0f} steps/s: {r['ratio']:.2f}x")
    print(f"written to {args.out}/speed.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

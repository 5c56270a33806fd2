"""`python -m lava_replay.bench spikedyn`: Diehl & Cook baseline vs SpikeDyn on the same tasks and seed, and
the ablation (each SpikeDyn mechanism off in turn); writes bench.json, bench.md and accuracy.png."""
import argparse
import os
import time

from lava_replay import data_dir
from lava_replay.backends import BACKENDS, run_config
from lava_replay.cli import run_cli
from lava_replay.options import at_least, output_folder
from lava_replay.fileio import atomic_write_json, atomic_write_text
from lava_replay.spikedyn import plots
from lava_replay.spikedyn.cli import FULL, QUICK, make_stream, run_one
from lava_replay.spikedyn.config import MECHANISMS, make_config
from lava_replay.spikedyn.experiment import load_data

PAPER = {"recent_pp": 21.0, "previous_pp": 8.0, "train_energy_pct": -51.0, "inference_energy_pct": -37.0}


def variants(neurons, seed):
    """Baseline, SpikeDyn, then SpikeDyn with one mechanism off, in that order."""
    common = {"neurons": neurons, "seed": seed}
    return ([make_config(baseline=True, **common), make_config(**common)]
            + [make_config(switches={m: False}, **common) for m in MECHANISMS])


def gains(base, dyn):
    """SpikeDyn against the baseline: accuracy differences in percentage points, energy changes in %."""
    def pct(key):
        return 100.0 * (dyn["energy"][key] / base["energy"][key] - 1.0)

    prev = None
    if base["previous_mean"] is not None:
        prev = 100.0 * (dyn["previous_mean"] - base["previous_mean"])
    return {"recent_pp": 100.0 * (dyn["recent_mean"] - base["recent_mean"]), "previous_pp": prev,
            "train_energy_pct": pct("train_per_sample_J"), "inference_energy_pct": pct("inference_per_sample_J")}


def _num(value, fmt):
    return "n/a" if value is None else format(value, fmt)


def markdown(reports, gain, command):
    """Two tables (baseline vs SpikeDyn with the paper's figures; ablation) as markdown."""
    head = ("| variant | most recent task | previous tasks | ACC | BWT | train energy (uJ/sample) | "
            "inference energy (uJ/sample) | memory (KiB) | Lava steps/s | Lava run (s) |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")

    def row(r):
        return (f"| {r['variant']} | {r['recent_mean']:.3f} | {_num(r['previous_mean'], '.3f')} | {r['ACC']:.3f} | "
                f"{r['BWT']:+.3f} | {r['energy']['train_per_sample_J'] * 1e6:.2f} | "
                f"{r['energy']['inference_per_sample_J'] * 1e6:.2f} | {r['memory_bits'] / 8192:.1f} | "
                f"{r['lava']['steps_per_second']:.0f} | {r['lava']['run_seconds']:.0f} |\n")

    text = f"Command: `{command}`\n\n### Baseline (Diehl & Cook) vs SpikeDyn\n\n" + head
    text += row(reports[0]) + row(reports[1])
    text += ("\n| SpikeDyn vs baseline | most recent task | previous tasks | training energy | inference energy |\n"
             "|---|---|---|---|---|\n"
             f"| measured | {gain['recent_pp']:+.1f} pp | {_num(gain['previous_pp'], '+.1f')} pp | "
             f"{gain['train_energy_pct']:+.1f} % | {gain['inference_energy_pct']:+.1f} % |\n"
             f"| paper (N400) | +{PAPER['recent_pp']:.0f} % | +{PAPER['previous_pp']:.0f} % | "
             f"{PAPER['train_energy_pct']:.0f} % | {PAPER['inference_energy_pct']:.0f} % |\n")
    text += "\n### Ablation (SpikeDyn with one mechanism off)\n\n" + head + "".join(row(r) for r in reports[1:])
    return text


def build_parser():
    """The bench options."""
    p = argparse.ArgumentParser(prog="python -m lava_replay.bench spikedyn", description=__doc__)
    p.add_argument("--backend", choices=BACKENDS, default="sim")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--neurons", type=int, default=None, help="N (default 400, quick 40)")
    p.add_argument("--samples-per-task", type=int, default=None, help="default 30, quick 5")
    p.add_argument("--permute", action="store_true", help="seeded random digit order")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=os.path.join("runs", "spikedyn-bench"))
    p.add_argument("--quick", action="store_true", help="3 digits, N=40, 5 images per task")
    return p


def main(argv=None):
    """Entry point; returns the exit code."""
    return run_cli(_main, argv)


def _main(argv):
    args = build_parser().parse_args(argv)
    run_config(args.backend)  # an unavailable backend fails before any data is read
    s = dict(QUICK if args.quick else FULL)
    for key in ("neurons", "samples_per_task"):
        if at_least("--" + key.replace("_", "-"), getattr(args, key)) is not None:
            s[key] = getattr(args, key)
    output_folder(args.out)
    data = load_data(data_dir(args.data_dir))
    stream = make_stream(data, s, args.permute, args.seed)
    start = time.perf_counter()
    reports = []
    for cfg in variants(s["neurons"], args.seed):
        report, _ = run_one(cfg, data, stream, args.backend, os.path.join(args.out, cfg.label))
        reports.append(report)
    gain = gains(reports[0], reports[1])
    command = "python -m lava_replay.bench spikedyn " + " ".join(argv or [])
    os.makedirs(args.out, exist_ok=True)
    atomic_write_json(os.path.join(args.out, "bench.json"), {
        "command": command, "wall_seconds": round(time.perf_counter() - start, 1), "paper": PAPER,
        "spikedyn_vs_baseline": gain, "runs": reports})
    text = markdown(reports, gain, command.strip())
    atomic_write_text(os.path.join(args.out, "bench.md"), text)
    plots.accuracy_per_task(reports[:2], os.path.join(args.out, "accuracy.png"))
    print(text)
    print(f"written to {args.out}/bench.json, bench.md, accuracy.png "
          f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

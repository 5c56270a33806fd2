"""`python -m lava_replay.run --method spikedyn ...`: one continual-learning run, or the model search.

Writes <out>/report.json, accuracy.png and weights.png; with --search also search.json, search.md and
pareto.png.
"""
import argparse
import os

from lava_replay import data_dir
from lava_replay.backends import BACKENDS, run_config
from lava_replay.cli import run_cli
from lava_replay.errors import LavaReplayError
from lava_replay.fileio import atomic_write_json, atomic_write_text
from lava_replay.options import above_zero, at_least, output_folder
from lava_replay.spikedyn import environment, plots, search
from lava_replay.spikedyn.config import MECHANISMS, SpikeDynConfig, make_config
from lava_replay.spikedyn.cost_model import Activity
from lava_replay.spikedyn.experiment import evaluate_weights, load_data, run_experiment
from lava_replay.spikedyn.network import VTH

FULL = {"neurons": 400, "samples_per_task": 500, "calib_per_class": 20, "test_per_class": 100, "tasks": 10,
        "search_neurons": search.SEARCH_NEURONS}
QUICK = {"neurons": 40, "samples_per_task": 5, "calib_per_class": 2, "test_per_class": 4, "tasks": 3,
         "search_neurons": (20, 40)}


def _full_quick(text, key):
    """Help text with the full-scale and --quick defaults of one stream setting."""
    return f"{text} (default {FULL[key]}, quick {QUICK[key]})"


def build_parser():
    """The options of the SpikeDyn run/search command."""
    p = argparse.ArgumentParser(prog="python -m lava_replay.run --method spikedyn", description=__doc__)
    p.add_argument("--backend", choices=BACKENDS, default="sim")
    p.add_argument("--data-dir", default=None, help="data directory with mnist/ (default $LAVA_REPLAY_DATA)")
    p.add_argument("--neurons", type=int, default=None, help=_full_quick("excitatory neurons N", "neurons"))
    add_stream_options(p)
    p.add_argument("--baseline", action="store_true",
                   help="Diehl & Cook: inhibitory layer, plain STDP, weight normalisation")
    p.add_argument("--weight-norm", action=argparse.BooleanOptionalAction, default=None,
                   help="Diehl & Cook's per-neuron weight normalisation between presentations (--baseline; "
                        "default on)")
    for m in MECHANISMS:
        kept = m == "adaptive_threshold"  # part of Diehl & Cook, so the baseline keeps it (config.baseline_config)
        p.add_argument("--" + m.replace("_", "-"), dest=m, action=argparse.BooleanOptionalAction, default=None,
                       help=f"SpikeDyn mechanism '{m}' on/off (default: on, {'also' if kept else 'off'} for "
                            "--baseline)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="output folder (default runs/spikedyn or runs/spikedyn-search)")
    p.add_argument("--quick", action="store_true", help="3 digits, N=40, 5 images per task: a minute")
    p.add_argument("--search", action="store_true", help="model search over N and weight precision")
    p.add_argument("--search-neurons", type=int, nargs="+", default=None,
                   help=f"N values (default {' '.join(map(str, FULL['search_neurons']))})")
    p.add_argument("--search-bits", type=int, nargs="+", default=list(search.SEARCH_BITS))
    p.add_argument("--max-memory-kib", type=float, default=None, help="search: memory limit (KiB)")
    p.add_argument("--max-energy-uj", type=float, default=None, help="search: training energy per task limit (uJ)")
    return p


def add_stream_options(p):
    """Stream, validation and Lava-model options shared by the run command and the bench."""
    default = SpikeDynConfig()
    p.add_argument("--samples-per-task", type=int, default=None,
                   help=_full_quick("unlabelled training images per digit", "samples_per_task"))
    p.add_argument("--calib-per-class", type=int, default=None,
                   help=_full_quick("labelled calibration images per digit seen", "calib_per_class"))
    p.add_argument("--test-per-class", type=int, default=None,
                   help=_full_quick("test images per digit", "test_per_class"))
    p.add_argument("--permute", action="store_true", help="tasks in a seeded random digit order (default 0→9)")
    p.add_argument("--validation", action="store_true",
                   help="test on held-out images of MNIST's training split (for choosing settings), not its "
                        "test split")
    p.add_argument("--theta-plus", type=int, default=None,
                   help=f"adaptive threshold increment per spike (default {default.theta_plus} = "
                        f"{100 * default.theta_plus / VTH:g} %% of the threshold)")
    p.add_argument("--theta-decay-shift", type=int, default=None,
                   help="adaptive threshold decay: θ shrinks by 2^-shift per learning presentation "
                        f"(default {default.theta_decay_shift})")
    p.add_argument("--weight-decay-shift", type=int, default=None,
                   help="weight decay (SpikeDyn): each post spike shrinks the neuron's weights by 2^-shift "
                        f"(default {default.weight_decay_shift})")
    p.add_argument("--reference", action="store_true",
                   help="run the layer as the reference graph of Lava processes (LearningDense, neurons, "
                        "inhibition) instead of its fused CPU model (default; bit-equal, several times faster)")


def network_options(args):
    """Config fields set by the shared network options (only those given)."""
    given = {"theta_plus": args.theta_plus, "theta_decay_shift": args.theta_decay_shift,
             "weight_decay_shift": args.weight_decay_shift}
    return {name: value for name, value in given.items() if value is not None}


def model_note(args):
    """One line saying which SpikeDynLayer model runs."""
    if args.reference or args.backend != "sim":
        return "Lava layer model: reference graph of Lava processes (LearningDense + neurons + inhibition)"
    return ("Lava layer model: fused CPU model (one OS process, bit-equal to the reference graph; --reference "
            "selects the graph)")


def check_reference(args, baseline_norm):
    """--reference (or --backend loihi) cannot run the baseline's weight normalisation, a fused-model step."""
    if (args.reference or args.backend != "sim") and baseline_norm:
        raise LavaReplayError("--reference / --backend loihi run the graph of Lava processes, which has no "
                              "Diehl & Cook weight normalisation (a step of the fused model); add "
                              "--no-weight-norm or drop --reference")


def check_args(args):
    """Contradicting or impossible options → LavaReplayError naming them."""
    check_reference(args, args.baseline and args.weight_norm is not False)
    if args.search and args.baseline:
        raise LavaReplayError("--search contradicts --baseline: the search is over SpikeDyn networks")
    if args.search and args.neurons is not None:
        raise LavaReplayError("--neurons contradicts --search: the search takes its sizes from --search-neurons")
    if not args.search and (args.max_memory_kib is not None or args.max_energy_uj is not None
                            or args.search_neurons is not None):
        raise LavaReplayError("--max-memory-kib / --max-energy-uj / --search-neurons need --search")
    for name in ("samples_per_task", "neurons", "search_neurons", "calib_per_class", "test_per_class"):
        at_least("--" + name.replace("_", "-"), getattr(args, name))
    above_zero("--max-memory-kib", args.max_memory_kib)
    above_zero("--max-energy-uj", args.max_energy_uj)
    bad_bits = [b for b in args.search_bits if b < 1 or b > 32]
    if bad_bits:
        raise LavaReplayError(f"--search-bits {bad_bits}: weight precisions must be between 1 and 32 bits")


def settings(args):
    """Sizes from --quick / full defaults, overridden by explicit options."""
    s = dict(QUICK if args.quick else FULL)
    for key in ("neurons", "samples_per_task", "calib_per_class", "test_per_class"):
        if getattr(args, key, None) is not None:
            s[key] = getattr(args, key)
    if getattr(args, "search_neurons", None) is not None:
        s["search_neurons"] = tuple(args.search_neurons)
    return s


def make_stream(data, s, permute, seed, validation=False):
    """The task stream (first s['tasks'] digits of the order) of a run."""
    classes = environment.task_order(permute, seed)[:s["tasks"]]
    return environment.make_stream(data[1], data[3], classes, s["samples_per_task"], s["calib_per_class"],
                                   s["test_per_class"], seed, validation)


def progress_bar(total, desc):
    """A tqdm bar over run blocks and the callback that advances it."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="block")
    return bar, lambda i: bar.update(1)


def run_one(cfg, data, stream, backend, out=None, fused=True):
    """Run one variant; write report.json and plots into out when given; return (report, result)."""
    bar, tick = progress_bar(2 * len(stream.classes), cfg.label)
    try:
        report, result = run_experiment(cfg, data, stream, backend, tick, fused)
    finally:
        bar.close()
    if out:
        os.makedirs(out, exist_ok=True)
        atomic_write_json(os.path.join(out, "report.json"), report)
        plots.accuracy_per_task([[report]], os.path.join(out, "accuracy.png"))
        plots.weight_images(result.weights, os.path.join(out, "weights.png"))
    return report, result


def run_search(args, s, sizes, data, stream):
    """Train each worthwhile N once, evaluate it at each precision, write the table, plot and pick."""
    skipped = [n for n in s["search_neurons"] if n not in sizes]
    if skipped:
        print(f"not trained: N = {skipped}: at no precision in --search-bits do they meet the limits (memory, or "
              f"the training energy's lower bound)")
    runs, reports = {}, {}
    for n in sizes:
        cfg = make_config(neurons=n, seed=args.seed, switches={m: getattr(args, m) for m in MECHANISMS},
                          **network_options(args))
        report, result = run_one(cfg, data, stream, args.backend, fused=not args.reference)
        acc = {8: report["ACC"]}  # also stands in for > 8 bits (see search.py)
        for b in sorted({b for b in args.search_bits if b < 8}):
            acc[b] = evaluate_weights(cfg, search.quantize(result.weights, b), result.theta, data, stream,
                                      args.backend, fused=not args.reference)
        runs[n] = {"acc": acc, "train": _activity(report, "train"), "infer": _activity(report, "inference")}
        reports[n] = report
    rows = search.candidate_rows(runs, args.search_bits, s["samples_per_task"], args.max_memory_kib,
                                 args.max_energy_uj)
    out = args.out
    pick = next(r for r in rows if r["picked"])
    atomic_write_json(os.path.join(out, "search.json"), {
        "constraints": {"max_memory_kib": args.max_memory_kib, "max_energy_uj": args.max_energy_uj},
        "candidates": rows, "not_trained": skipped, "pick": pick, "runs": {str(n): r for n, r in reports.items()}})
    text = search.markdown(rows)
    atomic_write_text(os.path.join(out, "search.md"), text)
    plots.pareto_front(rows, os.path.join(out, "pareto.png"))
    print(text)
    print(f"pick: N={pick['neurons']}, {pick['bits']} bit: ACC {pick['accuracy']:.3f}, "
          f"{pick['memory_kib']:.1f} KiB, {pick['train_energy_per_task_uJ']:.1f} uJ training energy per task\n"
          f"  written to {out}/search.json, search.md, pareto.png")
    return 0


def _activity(report, phase):
    return Activity(**report["activity"][phase])


def main(argv=None):
    """Entry point; returns the exit code (2 with a one-line message on bad input)."""
    return run_cli(_main, argv)


def _main(argv):
    args = build_parser().parse_args(argv)
    check_args(args)
    run_config(args.backend)  # an unavailable backend fails before any data is read
    s = settings(args)
    extra = {} if args.weight_norm is None else {"weight_norm": args.weight_norm}
    cfg = make_config(baseline=args.baseline, neurons=s["neurons"], seed=args.seed,
                      switches={m: getattr(args, m) for m in MECHANISMS}, **extra, **network_options(args))
    sizes = None
    if args.search:  # constraints no candidate can meet fail before any data is read or Lava runs
        sizes = search.check_constraints(s["search_neurons"], args.search_bits, cfg.sample_steps,
                                         s["samples_per_task"], args.max_memory_kib, args.max_energy_uj)
    args.out = output_folder(args.out or os.path.join("runs", "spikedyn-search" if args.search else "spikedyn"))
    data = load_data(data_dir(args.data_dir))
    stream = make_stream(data, s, args.permute, args.seed, args.validation)
    print(model_note(args))
    if args.search:
        return run_search(args, s, sizes, data, stream)
    out = args.out
    report, _ = run_one(cfg, data, stream, args.backend, out, fused=not args.reference)
    print(f"{report['variant']} N={cfg.neurons}: ACC {report['ACC']:.3f}, BWT {report['BWT']:+.3f}, "
          f"most recent task {report['recent_mean']:.3f}, previous tasks {_fmt(report['previous_mean'])}; "
          f"training energy {report['energy']['train_per_sample_uJ']:.2f} uJ/sample, inference "
          f"{report['energy']['inference_per_sample_uJ']:.2f} uJ/sample, memory "
          f"{report['memory_bits'] / 8192:.1f} KiB; Lava {report['lava']['steps_per_second']:.0f} steps/s "
          f"({report['lava']['layer_model']})\n"
          f"  report: {out}/report.json")
    return 0


def _fmt(value):
    return "n/a" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    raise SystemExit(main())

"""The main job: continual learning of new SHD classes as Lava processes, with evaluation before and after.

    python -m lava_replay.run --backend sim                       # Replay4NCL, T=40, new class 0
    python -m lava_replay.run --backend sim --method spikinglr    # SpikingLR baseline, T=100, latents 1:2
    python -m lava_replay.run --backend sim --quick               # small: a few minutes
    python -m lava_replay.run --method spikedyn --backend sim     # SpikeDyn on MNIST (its own options: --help)
Writes <out>/report.json, <out>/replay_buffer.npz and accuracy.png, costs.png, raster.png.
"""
import argparse
import os
import sys

from lava_replay import data_dir as resolve_data_dir
from lava_replay.backends import BACKENDS, LEARNINGS, check_learning, run_config
from lava_replay.cli import run_cli
from lava_replay.continual import DEFAULT_LANES, DEFAULT_REPLAY_PER_CLASS, LR_SCHEDULES, STRATEGIES
from lava_replay.epoch_selection import SELECTIONS, check_selection
from lava_replay.fileio import atomic_write_json, file_sha256
from lava_replay.options import above_zero, at_least, output_folder
from lava_replay.replay.schedule import ORDERS
from processes.plastic_learning_layer.process import ERROR_RULES

QUICK = {"replay_per_class": 4, "eval_per_class": 3, "max_new": 24, "epochs": {"loihi": 1, "gradient": 30}}


def method_defaults(field):
    """A Strategy field's default per method, for --help: 'naive 2, spikinglr 2, replay4ncl 4' (methods whose
    value is an empty string, i.e. unset, are left out)."""
    return ", ".join(f"{name} {getattr(chosen, field)}" for name, chosen in STRATEGIES.items()
                     if getattr(chosen, field) != "")


def build_parser():
    """Command-line options of the main job."""
    p = argparse.ArgumentParser(prog="python -m lava_replay.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--method", choices=sorted(STRATEGIES) + ["spikedyn"], default="replay4ncl",
                   help="spikedyn: unsupervised MNIST continual learning, see --method spikedyn --help")
    p.add_argument("--backend", choices=BACKENDS, default="sim", help="sim: Lava CPU simulator; loihi: Loihi 2")
    p.add_argument("--learning", choices=LEARNINGS, default="gradient",
                   help="gradient: the papers' surrogate-gradient learner (CPU); loihi: the Loihi 3-factor rule")
    p.add_argument("--lanes", type=int, default=DEFAULT_LANES,
                   help="samples side by side per Lava slot in evaluation, latent generation and gradient "
                        f"learning (default {DEFAULT_LANES}: the fast paths, with the Loihi rule fused in one process; "
                        "1 = the reference path: one sample per slot, the Loihi rule as LearningDense + ErrorLIF)")
    p.add_argument("--lr-layer", type=int, default=3,
                   help="latent-replay layer: latents are its input and it learns with every layer above it (3: the "
                        "output layer alone; 1, 2: recurrent layers too, --learning gradient only)")
    p.add_argument("--timesteps", type=int, default=None, help="T (default: the method's, 40 or 100)")
    p.add_argument("--new-class", type=int, nargs="+", default=[0], help="classes learned in the continual phase")
    p.add_argument("--replay-per-class", type=int, default=DEFAULT_REPLAY_PER_CLASS,
                   help=f"stored latents per old class (default {DEFAULT_REPLAY_PER_CLASS})")
    p.add_argument("--epochs", type=int, default=None, help="continual epochs (default: the method's, per learner)")
    p.add_argument("--learning-rate", type=float, default=None,
                   help="gradient learner's Adamax step (default: the method's)")
    p.add_argument("--lr-schedule", choices=LR_SCHEDULES, default=None,
                   help="gradient learner's Adamax step over the epochs: held, or annealed towards 0 along a half "
                        "cosine (Var.set before each epoch; default: the method's)")
    p.add_argument("--old-class-lr-scale", type=float, default=None,
                   help="gradient learner: the old classes' weight rows learn at this fraction of the rate")
    p.add_argument("--order", choices=ORDERS, default=None,
                   help="training schedule, for either learner (default: the method's: "
                        f"{method_defaults('order')}; with the Loihi rule: {method_defaults('loihi_order')})")
    p.add_argument("--error-gain", type=int, default=None,
                   help=f"Loihi rule: starting error gain (default: the method's: {method_defaults('error_gain')})")
    p.add_argument("--gain-decay", type=float, default=None,
                   help="Loihi rule: error gain multiplied by this after every epoch (Var.set; default: the "
                        f"method's: {method_defaults('gain_decay')})")
    p.add_argument("--old-class-gain", type=float, default=None,
                   help="Loihi rule: the old classes' rows' error gain relative to the new classes' (0: they stay "
                        f"as pretrained; default: the method's: {method_defaults('old_class_gain')})")
    p.add_argument("--error-rule", choices=ERROR_RULES, default=None,
                   help="Loihi rule: the output neurons' count error: the margin shortfall against the strongest "
                        "rival (default), against every rival inside the margin, or the softmax cross-entropy "
                        "error of every output")
    p.add_argument("--margin", type=int, default=None,
                   help="Loihi rule: spikes by which the labelled output must lead the others (default: the "
                        f"method's: {method_defaults('margin')})")
    p.add_argument("--x1-tau", type=int, default=None,
                   help="Loihi rule: time constant of the pre-synaptic trace, in steps (default 16)")
    p.add_argument("--x1-impulse", type=int, default=None,
                   help="Loihi rule: the pre-synaptic trace's increment per spike (default: the method's: "
                        f"{method_defaults('x1_impulse')})")
    p.add_argument("--average-every", type=int, default=None,
                   help="Loihi rule: over the last epoch, keep the moving average of the weights in the synapses' "
                        "tag, stepped by 1/128 of its gap on every N-th taught sample, and use the averaged weights "
                        f"(0: the last weights; default: the method's: {method_defaults('average_every')})")
    p.add_argument("--imprint", type=float, default=None,
                   help="Loihi rule: start the new classes' rows imprinted from the latents (their mean count less "
                        "the mean of all classes'), this many times as long as the old classes' rows (0: at zero; "
                        f"default: the method's: {method_defaults('imprint')})")
    p.add_argument("--vth-scale", type=float, default=None,
                   help="learning layer's threshold relative to the pretrained one (default: the method's)")
    p.add_argument("--buffer", default=None, help="replay an existing replay_buffer.npz instead of making one")
    p.add_argument("--model", default=None, help="netx model name or .net path (default: matches T/classes)")
    p.add_argument("--protocol", default="spikinglr")
    p.add_argument("--data-dir", default=None, help="data directory (default $LAVA_REPLAY_DATA or ./data)")
    p.add_argument("--seed", type=int, default=0,
                   help="the continual job's seed (replay buffer, schedule); the train/val/test split is always "
                        "the pretrained model's, so that no evaluation sample was seen in pretraining")
    p.add_argument("--out", default=os.path.join("runs", "latest"))
    p.add_argument("--eval-split", choices=("test", "val"), default="test",
                   help="evaluate on the protocol's test split (default) or its validation split (for tuning)")
    p.add_argument("--select-epoch", choices=SELECTIONS, default="last",
                   help="weights kept after learning: those of the last epoch (default), or of the epoch with the "
                        "best all-class accuracy on the validation split (best-val, as the papers report; needs "
                        "--eval-split test)")
    p.add_argument("--quick", action="store_true",
                   help="small: 4 latents per old class, 24 new-class samples, 3 test samples per class, 1 epoch "
                        "(Loihi rule) or 10 (gradient)")
    return p


def run_method(method, data, protocol, directory, settings, epochs=None, model=None, buffer_path=None, quick=False,
               out=None, **strategy_overrides):
    """One continual-learning job in Lava (settings: a continual.JobSettings); returns (report dict, result).
    Writes <out> files when out is set; strategy_overrides replace Strategy fields (e.g. learning_rate)."""
    from dataclasses import replace

    from lava_replay.continual import continual_job, strategy
    from lava_replay.export import pretrained_model
    from lava_replay.replay.buffer import LatentBuffer
    from lava_replay.report import build_report, write_plots

    timesteps = data["spikes"].shape[2]
    if quick:
        settings = replace(settings, replay_per_class=QUICK["replay_per_class"],
                           eval_per_class=QUICK["eval_per_class"], max_new=QUICK["max_new"])
        epochs = epochs or QUICK["epochs"][settings.learning]  # an explicit --epochs still counts
    epoch_field = "gradient_epochs" if settings.learning == "gradient" else "epochs"
    strat = strategy(method, timesteps=timesteps, **{epoch_field: epochs}, **strategy_overrides)
    path, _ = pretrained_model(timesteps, protocol.pretrain_classes, model)
    buffer = LatentBuffer.load(buffer_path) if buffer_path else None
    result = continual_job(path, data, protocol, strat, settings, buffer=buffer)
    data_info = {"dataset": "SHD", "protocol": protocol.name, "split_seed": protocol.seed,
                 "data_dir": os.path.abspath(directory),
                 "fingerprint": data["fingerprint"], "new_classes": protocol.new_classes,
                 "model": os.path.basename(path)}
    report = build_report(result, method, settings.backend, settings.seed, data_info, quick)
    if out:
        os.makedirs(out, exist_ok=True)
        if result.buffer is not None:
            result.buffer.save(os.path.join(out, "replay_buffer.npz"))
        atomic_write_json(os.path.join(out, "report.json"), report)
        write_plots(report, result, out)
    return report, result


def summary(report):
    """A few lines for the terminal."""
    acc, mem = report["accuracy"], report["latent_memory"]
    return (f"{report['method']} (T={report['timesteps']}, Lava {report['backend']}, {report['learning']} learning, "
            f"path: {report['path']}), new classes "
            f"{report['new_classes']}:\n"
            f"  old {100 * acc['old']:.2f} % (before {100 * acc['old_before']:.2f} %, forgetting "
            f"{100 * acc['forgetting']:.2f} points; {100 * acc['old_as_new']:.2f} % of old-class samples now read as "
            f"new), new {100 * acc['new']:.2f} %, all {100 * acc['all']:.2f} %\n"
            f"  latent memory {mem['bytes']} bytes ({mem['samples']} latents x {mem['bits_per_sample']} bits), "
            f"latency {report['latency']['ms_per_sample']:.0f} ms/sample in Lava, energy "
            f"{report['energy']['inference_uJ_per_sample']:.2f} µJ inference / "
            f"{report['energy']['training_uJ_per_sample']:.2f} µJ training per sample\n"
            f"  continual phase {report['throughput']['continual_samples_per_s']:.1f} samples/s in Lava; "
            f"{epoch_line(report)}")


def epoch_line(report):
    """Which epoch's weights the job kept, and why."""
    sel = report["epoch_selection"]
    kept = f"weights of epoch {sel['epoch']} of {report['epochs']} kept ({sel['rule']}"
    if sel["curve"] is None:
        return kept + ")"
    all_class = sel["curve"]["all"][sel["epoch"] - 1]
    return kept + f": {100 * all_class:.2f} % on {sel['validation_samples']} validation samples)"


def spikedyn_args(argv):
    """The arguments after removing `--method spikedyn` (or `--method=spikedyn`), or None for other methods."""
    for i, arg in enumerate(argv):
        if arg == "--method=spikedyn":
            return argv[:i] + argv[i + 1:]
        if arg == "--method" and argv[i + 1:i + 2] == ["spikedyn"]:
            return argv[:i] + argv[i + 2:]
    return None


def check_options(args):
    """Check every option (and make the output folder) before any data is loaded or Lava runs; returns T and the
    pretrained model's sidecar."""
    from lava_replay.continual import check_lr_layer
    from lava_replay.data.protocols import pretrain_classes
    from lava_replay.export import pretrained_model
    from lava_replay.replay.buffer import LatentBuffer

    run_config(args.backend)  # an unavailable backend fails here
    check_learning(args.learning, args.backend)
    at_least("--replay-per-class", args.replay_per_class)
    at_least("--lanes", args.lanes)
    for option in ("error_gain", "margin", "x1_tau", "x1_impulse"):
        at_least("--" + option.replace("_", "-"), getattr(args, option))
    for option in ("learning_rate", "vth_scale", "gain_decay"):
        above_zero("--" + option.replace("_", "-"), getattr(args, option))
    at_least("--old-class-lr-scale", args.old_class_lr_scale, 0)
    at_least("--average-every", args.average_every, 0)
    at_least("--imprint", args.imprint, 0)
    at_least("--old-class-gain", args.old_class_gain, 0)
    at_least("--timesteps", args.timesteps, 2)
    at_least("--epochs", args.epochs)
    check_selection(args.select_epoch, args.eval_split)
    timesteps = args.timesteps if args.timesteps is not None else STRATEGIES[args.method].timesteps
    path, info = pretrained_model(timesteps, pretrain_classes(args.protocol, args.new_class), args.model)
    check_lr_layer(args.lr_layer, len(info["architecture"]["hidden"]), args.learning)
    if args.buffer:
        LatentBuffer.load(args.buffer, model_sha=file_sha256(path), timesteps=timesteps)
    output_folder(args.out)
    return timesteps, info


STRATEGY_OPTIONS = ("learning_rate", "vth_scale", "lr_schedule", "old_class_lr_scale", "order", "error_gain",
                    "gain_decay", "error_rule", "margin", "x1_tau", "x1_impulse", "average_every",
                    "imprint", "old_class_gain")


def strategy_options(args):
    """The Strategy fields the command line sets (None: the method's own)."""
    return {name: getattr(args, name) for name in STRATEGY_OPTIONS}


def main(argv=None):
    """Entry point of python -m lava_replay.run."""
    from lava_replay.data.protocols import load_shd_protocol
    from lava_replay.export import graded_input

    argv = sys.argv[1:] if argv is None else list(argv)
    rest = spikedyn_args(argv)
    if rest is not None:
        from lava_replay.spikedyn.cli import main as spikedyn_main

        return spikedyn_main(rest)
    args = build_parser().parse_args(argv)
    timesteps, info = check_options(args)
    directory = resolve_data_dir(args.data_dir)
    # the pretrained model's split and input: no evaluation sample was seen in pretraining; --seed varies the job
    data, protocol = load_shd_protocol(directory, args.protocol, timesteps, args.new_class, info["seed"],
                                       graded=graded_input(info))
    from lava_replay.continual import JobSettings

    settings = JobSettings(learning=args.learning, lr_layer=args.lr_layer, replay_per_class=args.replay_per_class,
                           seed=args.seed, backend=args.backend, eval_split=args.eval_split,
                           lanes=None if args.lanes == 1 else args.lanes, select_epoch=args.select_epoch)
    report, _ = run_method(args.method, data, protocol, directory, settings, args.epochs, args.model, args.buffer,
                           args.quick, out=args.out, **strategy_options(args))
    print(summary(report) + f"\n  report: {args.out}/report.json")
    return 0


def cli():
    """The console script lava-replay-run: main with one-line errors and exit codes."""
    sys.exit(run_cli(main))


if __name__ == "__main__":
    cli()

"""Benchmarks.

    python -m lava_replay.bench compare                  # (make bench) SpikingLR vs Replay4NCL, new class 0
    python -m lava_replay.bench compare --learning both --seeds 0 1 2   # both learners, mean ± std over seeds
    python -m lava_replay.bench pretrain                 # pretrained models: accuracy, epoch time, Lava speed
    python -m lava_replay.bench speed                    # samples/s: stock netx vs the project's Lava paths
    python -m lava_replay.bench spikedyn                 # Diehl & Cook vs SpikeDyn on MNIST, ablation

compare writes <out>/compare.json, compare.md (the paper's table) and every run's report; pretrain prints a
table and writes JSON.
"""
import argparse
import os
import sys
import time

import numpy as np

from lava_replay import data_dir as resolve_data_dir
from lava_replay.backends import check_learning, run_config
from lava_replay.cli import run_cli
from lava_replay.continual import DEFAULT_LANES, DEFAULT_REPLAY_PER_CLASS, JobSettings, check_lr_layer
from lava_replay.epoch_selection import SELECTIONS, check_selection
from lava_replay.errors import LavaReplayError
from lava_replay.fileio import atomic_write_json
from lava_replay.options import at_least, output_file, output_folder


def slayer_epoch_seconds(net, spikes, labels, train_idx, batches=8, batch_size=64, seed=0):
    """Seconds per SLAYER training epoch: `batches` timed batches (this trains net) scaled to a whole epoch."""
    import torch

    from lava_replay.pretrain import TrainConfig, train_step

    net.train()
    optimizer = torch.optim.Adam(net.parameters(), lr=TrainConfig.lr)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(batches):
        batch = rng.choice(train_idx, batch_size, replace=False)
        train_step(net, optimizer, torch.from_numpy(spikes[batch].astype(np.float32)),
                   torch.from_numpy(labels[batch]), TrainConfig())
    per_batch = (time.perf_counter() - start) / batches
    return per_batch * int(np.ceil(len(train_idx) / batch_size))


def speaker_accuracy(data, protocol, val_speakers, timesteps, random_split_net, model_dir=None):
    """Test accuracy on the test samples of val_speakers: of the random-split model (which trained on other
    samples of those speakers) and of the model trained with those speakers held out, when it exists."""
    from lava_replay.data.protocols import hold_out_speakers
    from lava_replay.export import default_model_name, load_model_info, load_slayer_net, model_input, model_path
    from lava_replay.pretrain import evaluate

    labels, classes = data["labels"], protocol.pretrain_classes
    test = protocol.select("test", labels, classes)
    unseen = test[np.isin(data["speakers"][test], val_speakers)]
    if not len(unseen):
        raise LavaReplayError(f"--val-speakers {' '.join(map(str, val_speakers))}: no test samples of these "
                              f"speakers; expected some of {sorted(np.unique(data['speakers'][test]).tolist())}")
    result = {"val_speakers": list(val_speakers), "test_samples": int(len(unseen)),
              "random_split_model": evaluate(random_split_net, data["spikes"], labels, unseen)[0]}
    path = model_path(default_model_name(timesteps, classes, val_speakers), model_dir)
    if not os.path.exists(path):
        result["note"] = (f"no model trained without speakers {list(val_speakers)}: python -m lava_replay.pretrain "
                          f"--timesteps {timesteps} --val-speakers {' '.join(map(str, val_speakers))}")
        return result
    info = load_model_info(path, timesteps=timesteps, classes=classes)
    held_out = hold_out_speakers(protocol, data["speakers"], val_speakers)
    if info.get("val_speakers") != list(held_out.val_speakers):
        raise LavaReplayError(f"{path} was validated on speakers {info.get('val_speakers')}, not {val_speakers}")
    spikes = model_input(data["spikes"], info, path)
    net = load_slayer_net(path)
    result.update(held_out_model=os.path.basename(path),
                  held_out_val=evaluate(net, spikes, labels, held_out.select("val", labels, classes))[0],
                  held_out_test=evaluate(net, spikes, labels, unseen)[0])
    return result


def bench_pretrain(data_dir, timesteps_list=(100, 40), new_class=(0,), lava_samples=128, seed=0,
                   val_speakers=(3, 7)):
    """Measure each committed pretrained model; returns a list of result dicts.

    Besides the random split, each T reports the test samples of val_speakers (speaker_accuracy)."""
    import torch

    from lava_replay.data.protocols import load_shd_protocol, pretrain_classes
    from lava_replay.export import graded_input, load_slayer_net, pretrained_model
    from lava_replay.pretrain import evaluate
    from lava_replay.lava_inference import evaluate_pretrained

    results = []
    for timesteps in timesteps_list:
        path, info = pretrained_model(timesteps, pretrain_classes("spikinglr", new_class))
        data, protocol = load_shd_protocol(data_dir, "spikinglr", timesteps, new_class, seed,
                                           graded=graded_input(info))
        if info["data_fingerprint"] != data["fingerprint"]:
            print(f"note: {path} was trained on data {info['data_fingerprint']}, this data is "
                  f"{data['fingerprint']}", file=sys.stderr)
        labels = data["labels"]
        test = protocol.select("test", labels, protocol.pretrain_classes)
        net = load_slayer_net(path)
        slayer_acc, _ = evaluate(net, data["spikes"], labels, test)
        speakers = speaker_accuracy(data, protocol, val_speakers, timesteps, net)
        epoch_s = slayer_epoch_seconds(net, data["spikes"], labels,
                                       protocol.select("train", labels, protocol.pretrain_classes), seed=seed)
        lava = evaluate_pretrained(data, protocol, timesteps, samples=lava_samples, seed=seed)
        results.append({
            "model": os.path.basename(path), "timesteps": timesteps, "classes": len(protocol.pretrain_classes),
            "test_samples": int(len(test)), "slayer_test_accuracy": slayer_acc,
            "slayer_seconds_per_epoch": epoch_s, "torch_threads": torch.get_num_threads(),
            "inference_samples": lava["samples"],
            "lava_accuracy_on_those": lava["accuracy"]["old"],
            "lava_slayer_agreement": lava["accuracy"]["lava_slayer_agreement"],
            "lava_samples_per_s": lava["samples"] / lava["wall_seconds"]["lava"],
            "slayer_samples_per_s": lava["samples"] / lava["wall_seconds"]["slayer"], "speakers": speakers,
            "data_fingerprint": data["fingerprint"]})
    return results


def markdown_table(results):
    """The pretraining bench as a markdown table."""
    lines = ["| model | T | test acc. (SLAYER, 19 classes) | held-out speakers: random-split model / model "
             "trained without them | s/epoch (SLAYER) | Lava samples/s | SLAYER samples/s | Lava acc. / agreement |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        spk = r["speakers"]
        held_out = f"{100 * spk['held_out_test']:.2f} %" if "held_out_test" in spk else "not trained"
        speakers = (f"speakers {','.join(map(str, spk['val_speakers']))}: {100 * spk['random_split_model']:.2f} % / "
                    f"{held_out} ({spk['test_samples']})")
        lines.append(f"| {r['model']} | {r['timesteps']} | {100 * r['slayer_test_accuracy']:.2f} % "
                     f"({r['test_samples']}) | {speakers} | {r['slayer_seconds_per_epoch']:.1f} | "
                     f"{r['lava_samples_per_s']:.2f} | {r['slayer_samples_per_s']:.1f} | "
                     f"{100 * r['lava_accuracy_on_those']:.2f} % / {100 * r['lava_slayer_agreement']:.1f} % "
                     f"({r['inference_samples']}) |")
    return "\n".join(lines)


def build_parser():
    """Command-line options of the benchmarks."""
    p = argparse.ArgumentParser(prog="python -m lava_replay.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="bench", required=True)
    sub.add_parser("spikedyn", help="Diehl & Cook vs SpikeDyn on MNIST and the ablation (own options)")
    pre = sub.add_parser("pretrain", help="pretraining accuracy, epoch time, inference speed")
    pre.add_argument("--timesteps", type=int, nargs="+", default=[100, 40])
    pre.add_argument("--new-class", type=int, nargs="+", default=[0])
    pre.add_argument("--val-speakers", type=int, nargs="+", default=[3, 7],
                     help="speakers whose test samples are also reported alone (unseen by a --val-speakers model)")
    pre.add_argument("--lava-samples", type=int, default=128, help="test samples run in Lava and SLAYER")
    pre.add_argument("--data-dir", default=None)
    pre.add_argument("--seed", type=int, default=0)
    pre.add_argument("--out", default=os.path.join("runs", "bench", "pretrain.json"))
    spd = sub.add_parser("speed", help="samples/s of stock netx, evaluation and continual paths, in one run")
    spd.add_argument("--samples", type=int, default=512, help="test samples for the evaluation path")
    spd.add_argument("--train-samples", type=int, default=512, help="samples of the continual phase (1 epoch)")
    spd.add_argument("--stock-samples", type=int, default=64, help="samples through stock netx")
    spd.add_argument("--lanes", type=int, default=DEFAULT_LANES,
                     help=f"samples per slot (default {DEFAULT_LANES}, as run)")
    spd.add_argument("--no-spikedyn", action="store_true", help="skip SpikeDyn's fused vs reference steps/s")
    spd.add_argument("--data-dir", default=None)
    spd.add_argument("--seed", type=int, default=0)
    spd.add_argument("--out", default=os.path.join("runs", "bench", "speed.json"))
    cmp = sub.add_parser("compare", help="SpikingLR vs Replay4NCL continual learning in Lava, per learner and seed")
    cmp.add_argument("--protocol", choices=("spikinglr", "official"), default="spikinglr")
    cmp.add_argument("--learning", choices=("gradient", "loihi", "both"), default="gradient")
    cmp.add_argument("--seeds", type=int, nargs="+", default=[0])
    cmp.add_argument("--new-class", nargs="+", default=["0"], help="class(es) learned, one run each, or 'all'")
    cmp.add_argument("--replay-per-class", type=int, nargs="+", default=[DEFAULT_REPLAY_PER_CLASS],
                     help=f"latents per old class (default {DEFAULT_REPLAY_PER_CLASS}, as run); several values: "
                          "accuracy against buffer size")
    cmp.add_argument("--eval-split", choices=("test", "val"), default="test")
    cmp.add_argument("--select-epoch", choices=SELECTIONS, default="last", help="as run's --select-epoch")
    cmp.add_argument("--lr-layer", type=int, default=3,
                     help="latent-replay layer (3: the output layer learns; 1, 2: --learning gradient only)")
    cmp.add_argument("--lanes", type=int, default=DEFAULT_LANES,
                     help=f"samples per slot (default {DEFAULT_LANES}, as run)")
    cmp.add_argument("--backend", default="sim")
    cmp.add_argument("--data-dir", default=None)
    cmp.add_argument("--quick", action="store_true", help="the main job's quick setting for each run")
    cmp.add_argument("--out", default=os.path.join("runs", "bench", "compare"))
    return p


def new_class_list(values):
    """--new-class values: class numbers, or 'all' for 0..19."""
    if values == ["all"]:
        return list(range(20))
    try:
        classes = [int(v) for v in values]
    except ValueError as exc:
        raise LavaReplayError(f"--new-class takes class numbers 0..19 or 'all', got {values}") from exc
    if any(not 0 <= c < 20 for c in classes):
        raise LavaReplayError(f"--new-class takes class numbers 0..19 or 'all', got {values}")
    return classes


def spikedyn_speed(fused, args):
    """SpikeDyn N=400 steps/s on real MNIST, fused or reference model (lava_replay.spikedyn.speed)."""
    from lava_replay.spikedyn.speed import steps_per_second

    return steps_per_second(fused, neurons=400, images=20, seed=args.seed, data_dir_option=args.data_dir)


def speed_main(args):
    """python -m lava_replay.bench speed."""
    from lava_replay.data.protocols import load_shd_protocol, pretrain_classes
    from lava_replay.export import graded_input, pretrained_model
    from lava_replay.plots import speed_bars
    from lava_replay.speed import bench_speed, markdown

    for option in ("samples", "train_samples", "stock_samples", "lanes"):
        at_least("--" + option.replace("_", "-"), getattr(args, option))
    output_file(args.out)
    path, info = pretrained_model(40, pretrain_classes("spikinglr", [0]))
    data, protocol = load_shd_protocol(resolve_data_dir(args.data_dir), "spikinglr", 40, [0], info["seed"],
                                       graded=graded_input(info))
    spikedyn = None if args.no_spikedyn else lambda fused: spikedyn_speed(fused, args)
    results = bench_speed(data, protocol, path, args.samples, args.train_samples, args.stock_samples, args.lanes,
                          args.seed, spikedyn)
    atomic_write_json(args.out, {"bench": "speed", **results})
    speed_bars(results, os.path.splitext(args.out)[0] + ".png")
    print(markdown(results))
    print(f"written: {args.out} and its figure {os.path.splitext(args.out)[0]}.png")
    return 0


def main(argv=None):
    """Entry point of python -m lava_replay.bench."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["spikedyn"]:
        from lava_replay.spikedyn.bench import main as spikedyn_bench

        return spikedyn_bench(argv[1:])
    args = build_parser().parse_args(argv)
    if args.bench == "compare":
        from lava_replay.compare import bench_compare
        from lava_replay.model import ModelConfig

        classes = new_class_list(args.new_class)
        learnings = ("gradient", "loihi") if args.learning == "both" else (args.learning,)
        run_config(args.backend)
        for learning in learnings:
            check_learning(learning, args.backend)
            check_lr_layer(args.lr_layer, len(ModelConfig.hidden), learning)
        sizes = args.replay_per_class
        at_least("--replay-per-class", sizes)
        at_least("--lanes", args.lanes)
        check_selection(args.select_epoch, args.eval_split)
        output_folder(args.out)
        settings = JobSettings(replay_per_class=sizes[0], backend=args.backend,
                               eval_split=args.eval_split, lanes=None if args.lanes == 1 else args.lanes,
                               lr_layer=args.lr_layer, select_epoch=args.select_epoch)
        _, table = bench_compare(resolve_data_dir(args.data_dir), args.protocol, learnings, args.seeds, classes,
                                 settings, args.quick, args.out, sizes)
        print(table)
        print(f"written: {args.out}/compare.json, compare.md")
        return 0
    if args.bench == "speed":
        return speed_main(args)
    from lava_replay.data.protocols import pretrain_classes
    from lava_replay.export import pretrained_model

    at_least("--lava-samples", args.lava_samples)
    at_least("--timesteps", args.timesteps, 2)
    for timesteps in args.timesteps:  # a missing model or bad --new-class fails before any data is read
        pretrained_model(timesteps, pretrain_classes("spikinglr", args.new_class))
    output_file(args.out)
    results = bench_pretrain(resolve_data_dir(args.data_dir), args.timesteps, args.new_class,
                             args.lava_samples, args.seed, args.val_speakers)
    atomic_write_json(args.out, {"bench": "pretrain", "results": results})
    print(markdown_table(results))
    for r in results:
        if "note" in r["speakers"]:
            print(f"note: {r['speakers']['note']}")
    print(f"written: {args.out}")
    return 0


def cli():
    """The console script lava-replay-bench: main with one-line errors and exit codes."""
    sys.exit(run_cli(main))


if __name__ == "__main__":
    cli()

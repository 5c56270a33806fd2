"""The main job: the pretrained netx network on the test samples of its classes, run as Lava processes.

    python -m lava_replay.run --backend sim             # T=100 model, all old-class test samples
    python -m lava_replay.run --backend sim --quick     # 2 test samples per class, seconds
Writes <out>/report.json and <out>/raster.png.
"""
import argparse
import os
import sys
import time

import numpy as np

from lava_replay import data_dir as resolve_data_dir
from lava_replay.backends import BACKENDS, run_config
from lava_replay.cli import run_cli
from lava_replay.errors import LavaReplayError
from lava_replay.export import load_slayer_net, pretrained_model
from lava_replay.fileio import atomic_write_json


def build_parser():
    """Command-line options of the main job."""
    p = argparse.ArgumentParser(prog="python -m lava_replay.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=BACKENDS, default="sim", help="sim: Lava CPU simulator; loihi: Loihi 2")
    p.add_argument("--timesteps", type=int, default=100)
    p.add_argument("--new-class", type=int, nargs="+", default=[0], help="classes held out of pretraining")
    p.add_argument("--protocol", default="spikinglr")
    p.add_argument("--model", default=None, help="netx model name or .net path (default: matches T/classes)")
    p.add_argument("--samples", type=int, default=0, help="test samples to run (0: all)")
    p.add_argument("--data-dir", default=None, help="data directory (default $LAVA_REPLAY_DATA or ./data)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=os.path.join("runs", "latest"))
    p.add_argument("--quick", action="store_true", help="2 test samples per class")
    return p


def evaluate_pretrained(data, protocol, timesteps, backend="sim", model=None, samples=0, per_class=0, seed=0,
                        progress=False):
    """Lava and SLAYER accuracy of the pretrained model on the pretraining classes' test samples (a dict)."""
    from lava_replay.data.protocols import per_class_subset
    from lava_replay.lava_inference import lava_classify, slot_length
    from lava_replay.pretrain import evaluate

    path, info = pretrained_model(timesteps, protocol.pretrain_classes, model)
    labels = data["labels"]
    test = protocol.select("test", labels, protocol.pretrain_classes)
    if per_class:
        test = per_class_subset(test, labels, per_class, np.random.default_rng(seed))
    if samples:
        test = np.sort(np.random.default_rng(seed).permutation(test)[:samples])
    lava_pred, lava_seconds = lava_classify(path, data["spikes"][test], backend, progress=progress)
    start = time.perf_counter()
    _, slayer_pred = evaluate(load_slayer_net(path), data["spikes"], labels, test)
    slayer_seconds = time.perf_counter() - start
    truth = labels[test]
    per_class_acc = {int(c): float((lava_pred[truth == c] == c).mean()) for c in np.unique(truth)}
    return {"model": os.path.basename(path), "model_path": path,
            "model_info": {k: info[k] for k in ("accuracy", "seed", "classes")},
            "samples": int(len(test)), "indices": test, "labels": truth,
            "accuracy": {"old": float((lava_pred == truth).mean()),
                         "old_slayer": float((slayer_pred == truth).mean()),
                         "lava_slayer_agreement": float((lava_pred == slayer_pred).mean()),
                         "per_class": per_class_acc},
            "latency": {"ms_per_sample": 1000 * lava_seconds / len(test), "timesteps": timesteps,
                        "steps_per_sample": slot_length(timesteps, len(info["architecture"]["hidden"]) + 1)},
            "wall_seconds": {"lava": lava_seconds, "slayer": slayer_seconds}}


def main(argv=None):
    """Entry point of python -m lava_replay.run."""
    from lava_replay.data.protocols import load_shd_protocol
    from lava_replay.lava_inference import lava_layer_spikes
    from lava_replay.plots import spike_raster

    args = build_parser().parse_args(argv)
    run_config(args.backend)  # an unavailable backend fails here, before any data is loaded
    if args.samples < 0:
        raise LavaReplayError(f"--samples must be >= 0, got {args.samples}")
    directory = resolve_data_dir(args.data_dir)
    data, protocol = load_shd_protocol(directory, args.protocol, args.timesteps, args.new_class, args.seed)
    result = evaluate_pretrained(data, protocol, args.timesteps, args.backend, args.model, args.samples,
                                 per_class=2 if args.quick else 0, seed=args.seed, progress=True)
    first_sample = data["spikes"][result.pop("indices")[:1]]
    first = [layer[0] for layer in lava_layer_spikes(result["model_path"], first_sample, args.backend)]
    label = int(result.pop("labels")[0])
    report = dict(result, method="pretrained", backend=args.backend, timesteps=args.timesteps,
                  new_classes=protocol.new_classes, seed=args.seed, quick=args.quick,
                  data={"dataset": "SHD", "protocol": protocol.name, "data_dir": os.path.abspath(directory),
                        "fingerprint": data["fingerprint"]})
    os.makedirs(args.out, exist_ok=True)
    atomic_write_json(os.path.join(args.out, "report.json"), report)
    spike_raster(first, f"Lava spikes of a test sample (class {label})", os.path.join(args.out, "raster.png"),
                 names=[f"L{i + 1}" for i in range(len(first) - 1)] + ["out"])
    acc = report["accuracy"]
    print(f"{report['model']} on {report['samples']} test samples of classes {protocol.pretrain_classes}:\n"
          f"  Lava ({args.backend}) {100 * acc['old']:.2f} %, SLAYER {100 * acc['old_slayer']:.2f} %, "
          f"agreement {100 * acc['lava_slayer_agreement']:.1f} %, "
          f"{report['latency']['ms_per_sample']:.0f} ms/sample in Lava\n  report: {args.out}/report.json")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))

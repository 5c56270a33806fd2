"""SpikeDyn Lava speed: steps/s of the network learning from real MNIST, fused layer model vs reference graph.

For `python -m lava_replay.bench spikedyn --speed` and the project's speed bench."""
import time

import numpy as np

from lava_replay import data_dir
from lava_replay.data.mnist import load_mnist
from lava_replay.spikedyn.config import make_config
from lava_replay.spikedyn.network import Schedule, SpikeDynNetwork


def steps_per_second(fused, neurons=400, images=20, seed=0, data_dir_option=None, baseline=False):
    """Lava steps/s while the network (SpikeDyn, or Diehl & Cook with baseline=True, without its weight
    normalisation, which the reference graph lacks) learns from `images` seeded-random MNIST training images,
    after one warm-up image (compilation and start-up excluded)."""
    x_train, _ = load_mnist(data_dir(data_dir_option), "train")
    pick = np.random.default_rng(seed).choice(len(x_train), size=images + 1, replace=False)
    cfg = make_config(neurons=neurons, seed=seed, baseline=baseline, weight_norm=False)
    learn = np.ones(images + 1, np.int32)
    stamps = []
    net = SpikeDynNetwork(cfg, Schedule(x_train[pick], learn, -np.ones(images + 1, np.int32)))
    net.run_blocks([1, images], fused=fused, progress=lambda i: stamps.append(time.perf_counter()))
    return images * cfg.sample_steps / (stamps[1] - stamps[0])


def speed_report(neurons=400, images=20, seed=0, data_dir_option=None):
    """Steps/s of both models for SpikeDyn and the baseline, one after the other, and the fused/reference ratios."""
    report = {"neurons": neurons, "images": images, "seed": seed}
    for variant, baseline in (("spikedyn", False), ("baseline", True)):
        ref = steps_per_second(False, neurons, images, seed, data_dir_option, baseline)
        fused = steps_per_second(True, neurons, images, seed, data_dir_option, baseline)
        report[variant] = {"reference_steps_per_s": round(ref, 1), "fused_steps_per_s": round(fused, 1),
                           "ratio": round(fused / ref, 2)}
    return report

"""One continual-learning run of one network variant in Lava, summarised as report numbers."""
import time
from dataclasses import asdict

import numpy as np

from lava_replay.data.mnist import load_mnist
from lava_replay.spikedyn import cost_model, environment
from lava_replay.spikedyn.network import SpikeDynNetwork, layer_model


def load_data(data_dir):
    """(train images, train labels, test images, test labels) of MNIST, shapes checked."""
    x_tr, y_tr = load_mnist(data_dir, "train")
    x_te, y_te = load_mnist(data_dir, "test")
    environment.check_images(x_tr, y_tr, "MNIST train")
    environment.check_images(x_te, y_te, "MNIST test")
    return x_tr, y_tr, x_te, y_te


def run_experiment(cfg, data, stream, backend="sim", progress=None, fused=True):
    """Train through the tasks of `stream` in Lava (fused: the layer's fused CPU model, else the reference
    graph of Lava processes); return the report dict and the RunResult."""
    x_tr, _, x_te, _ = data
    classes = stream.classes
    plan = environment.build_plan(stream, x_tr, x_te)
    start = time.perf_counter()
    net = SpikeDynNetwork(cfg, plan.schedule)
    result = net.run_blocks(plan.blocks, backend, progress, fused)
    wall = time.perf_counter() - start
    R = environment.accuracy_matrix(result.counts, plan, classes)
    learn = plan.schedule.learn == 1
    train_act, infer_act = (cost_model.Activity(float(result.input_spikes[m].mean()),
                                                float(result.exc_spikes[m].mean()), cfg.sample_steps)
                            for m in (learn, ~learn))
    samples = len(stream.train[classes[0]])
    energy = cost_model.energy_report(cfg.neurons, train_act, infer_act, samples,
                                      baseline=cfg.baseline, pre_triggered=not cfg.reduce_spurious)
    report = {"variant": cfg.label, "config": asdict(cfg), "classes": [int(c) for c in classes],
              "samples_per_task": samples, "calibration_per_class": stream.calibration_size,
              "calibration_set_size_final": int(stream.calibration_size * len(classes)),
              "test_per_class": len(stream.test[classes[0]]),
              "test_split": "validation (held-out training images)" if stream.validation else "test",
              "accuracy_matrix": _json_matrix(R),
              **environment.continual_metrics(R),
              "memory_bits": cost_model.memory_bits(cfg.neurons, cost_model.REFERENCE_BITS, cfg.baseline),
              "weight_bits": cost_model.REFERENCE_BITS, "energy": energy,
              "activity": {"train": asdict(train_act), "inference": asdict(infer_act)},
              "lava": {"layer_model": layer_model(fused, backend).__name__,
                       "steps": result.steps, "run_seconds": round(result.seconds, 2),
                       "steps_per_second": round(result.steps / result.seconds, 1),
                       "wall_seconds_incl_readback": round(wall, 2)}}
    return report, result


def _json_matrix(R):
    """R as nested lists, NaN (task not seen yet) as None."""
    return [[None if np.isnan(v) else round(float(v), 4) for v in row] for row in R]


def evaluate_weights(cfg, weights, theta, data, stream, backend="sim", fused=True):
    """Mean accuracy over all classes of `stream` of given (frozen) weights and thresholds, run in Lava."""
    x_tr, _, x_te, _ = data
    plan = environment.build_plan(stream, x_tr, x_te, train=False)
    net = SpikeDynNetwork(cfg, plan.schedule, weights=weights, theta=theta)
    result = net.run_blocks(plan.blocks, backend, fused=fused)
    return float(np.mean(environment.class_accuracies(result.counts, plan, 0, stream.classes)))

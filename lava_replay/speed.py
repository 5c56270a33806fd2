"""The speed bench: samples per second of the Lava paths on the committed T=40 model and real SHD, in one run.

(a) stock lava-dl netx inference (netx.hdf5.Network, one sample per slot, the whole network as Lava processes),
(b) the project's evaluation (frozen layers, then the output layer, `lanes` samples per slot),
(c) the continual phase per learner, fast path and reference: the gradient learner with `lanes` samples per slot
    and one per slot; the Loihi rule fused in one OS process and as LearningDense + ErrorLIF,
(d) SpikeDyn N=400 steps/s (its own bench function), when available.
Ratios are to (a) and to each path's reference; absolute figures vary between runs on a shared machine.
"""
import time
from dataclasses import replace

import numpy as np

from lava_replay.continual import (DEFAULT_LANES, STRATEGIES, generate_latents, output_counts, run_learning,
                                   training_plan)
from lava_replay.replay.buffer import LatentBuffer


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def bench_speed(data, protocol, model_path, samples=256, train_samples=256, stock_samples=64, lanes=DEFAULT_LANES,
                seed=0, spikedyn=None):
    """Measure every path (module docstring); returns the speed.json dict. spikedyn: optional callable
    (fused: bool) -> steps/s for part (d)."""
    from lava_replay.lava_inference import lava_classify
    from lava_replay.netx_params import read_layers

    rng = np.random.default_rng(seed)
    labels, spikes = data["labels"], data["spikes"]
    T = spikes.shape[2]
    layers = read_layers(model_path)
    frozen, block = layers[:3], layers[3:]
    test = np.sort(rng.permutation(protocol.select("test", labels, protocol.pretrain_classes))[:samples])
    x = spikes[test].astype(bool)
    results = {"model": model_path, "timesteps": T, "lanes": lanes, "samples": int(len(test))}

    _, stock_s = _timed(lambda: lava_classify(model_path, x[:stock_samples]))
    results["stock_netx"] = {"samples": stock_samples, "seconds": stock_s, "samples_per_s": stock_samples / stock_s}

    def evaluate(k):
        latents, _ = generate_latents(frozen, x, T, lanes=k)
        return output_counts(block, latents, lanes=k)[0]
    counts, eval_s = _timed(lambda: evaluate(lanes))
    results["evaluation"] = {"samples": len(x), "seconds": eval_s, "samples_per_s": len(x) / eval_s}

    new_train = protocol.select("train", labels, protocol.new_classes)[:train_samples // 4]
    old_train = protocol.select("train", labels, protocol.pretrain_classes)
    stored = np.sort(rng.permutation(old_train)[:train_samples - len(new_train)])
    strat = replace(STRATEGIES["replay4ncl"], epochs=1, gradient_epochs=1)  # one epoch of the plan, either learner
    buffer = LatentBuffer.from_latents(generate_latents(frozen, spikes[stored], T, lanes=lanes)[0], labels[stored],
                                       1, 3, "model", "sha")
    plan = training_plan(strat.order, len(new_train), labels[new_train], buffer.labels, 1, np.random.default_rng(seed))
    continual = {}
    for learning, k in (("gradient", lanes), ("gradient", None), ("loihi", lanes), ("loihi", None)):
        learned = run_learning(frozen, block, strat, learning, spikes[new_train].astype(bool), labels[new_train],
                               plan, buffer, protocol.new_classes, seed, "sim", k, progress=False)
        name = f"{learning}_{'fast' if k else 'reference'}"
        continual[name] = {"samples": len(plan.sources), "seconds": learned.seconds,
                           "samples_per_s": len(plan.sources) / learned.seconds}
    results["continual"] = continual
    stock = results["stock_netx"]["samples_per_s"]
    results["ratios"] = {
        "evaluation_vs_stock_netx": results["evaluation"]["samples_per_s"] / stock,
    }
    for learning in ("gradient", "loihi"):
        fast, ref = continual[f"{learning}_fast"]["samples_per_s"], continual[f"{learning}_reference"]["samples_per_s"]
        results["ratios"][f"continual_{learning}_fast_vs_stock_netx"] = fast / stock
        results["ratios"][f"continual_{learning}_fast_vs_reference"] = fast / ref
        results["ratios"][f"continual_{learning}_reference_vs_stock_netx"] = ref / stock
    if spikedyn is not None:
        fused, reference = spikedyn(True), spikedyn(False)
        results["spikedyn"] = {"fused_steps_per_s": fused, "reference_steps_per_s": reference,
                               "fused_vs_reference": fused / reference}
    return results


PATHS = (("gradient_fast", "gradient learner, {lanes} lanes per slot, fused loop"),
         ("gradient_reference", "gradient learner, reference (1 per slot)"),
         ("loihi_fast", "Loihi rule, fused loop (1 OS process)"),
         ("loihi_reference", "Loihi rule, reference (LearningDense + ErrorLIF)"))


def markdown(results):
    """speed.json as a markdown table."""
    rows = ["| path | samples/s | × stock netx | × its reference |", "|---|---|---|---|"]
    stock = results["stock_netx"]["samples_per_s"]
    rows.append(f"| (a) stock netx inference, 1 sample per slot | {stock:.1f} | 1 | |")
    ev = results["evaluation"]["samples_per_s"]
    rows.append(f"| (b) evaluation, {results['lanes']} lanes per slot | {ev:.1f} | {ev / stock:.1f} | |")
    c = results["continual"]
    for name, label in PATHS:
        label = label.format(lanes=results["lanes"])
        ref = c[name.split("_")[0] + "_reference"]["samples_per_s"]
        rows.append(f"| (c) continual, {label} | {c[name]['samples_per_s']:.1f} | "
                    f"{c[name]['samples_per_s'] / stock:.1f} | {c[name]['samples_per_s'] / ref:.1f} |")
    if "spikedyn" in results:
        s = results["spikedyn"]
        rows.append(f"| (d) SpikeDyn N=400, steps/s: fused {s['fused_steps_per_s']:.0f}, reference "
                    f"{s['reference_steps_per_s']:.0f} | | | {s['fused_vs_reference']:.1f} |")
    return "\n".join(rows)

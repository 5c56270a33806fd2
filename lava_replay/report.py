"""Report of a continual-learning job: the JSON fields, op counts / energy from the Lava run, and the plots."""
import os
from dataclasses import asdict

import numpy as np

from lava_replay.energy import add_ops, energy_uj, layer_ops


def _network_ops(layers, spikes, timesteps):
    shapes = [layer["weight"].shape for layer in layers]
    recurrent = [layer["weight_rec"] is not None for layer in layers]
    return layer_ops(shapes, recurrent, spikes, timesteps)


def op_counts(result):
    """Mean op counts per sample for inference (evaluation after learning) and for continual training.

    Inference: the whole network on each evaluation sample (spike counts measured by the Lava processes).
    Training: a new-class sample runs the whole network, a replayed latent only the layers above the LR layer;
    every training sample adds one update of each plastic synapse (the Loihi rule applies once per sample; the
    same count is charged to the gradient learner so that methods compare on one model), and the Loihi rule's
    weight average one more every average_every samples of its last epoch (synapse_updates_per_sample).
    """
    layers, lr_layer, plan, learned = result.layers, result.settings.lr_layer, result.plan, result.learned
    T = result.strategy.timesteps
    inference = _network_ops(layers, result.eval_activity.astype(float).mean(axis=0), T)
    spikes = learned.activity.astype(float)
    parts = []
    if plan.from_new.any():
        parts.append((plan.from_new.sum(), _network_ops(layers, spikes[plan.from_new].mean(axis=0), T)))
    replayed = ~plan.from_new
    if replayed.any():
        latent_spikes = result.buffer.latents().sum(axis=(1, 2))
        block_spikes = [latent_spikes[plan.indices[replayed]].mean(), *spikes[replayed, lr_layer + 1:].mean(axis=0)]
        parts.append((replayed.sum(), _network_ops(layers[lr_layer:], block_spikes, T)))
    total = sum(n for n, _ in parts)
    train = add_ops(*[{k: v * n / total for k, v in ops.items()} for n, ops in parts])
    train["synapse_updates"] = synapse_updates_per_sample(layers[lr_layer:], result.strategy,
                                                          result.settings.learning)
    return inference, train


def synapse_updates_per_sample(plastic_layers, strat, learning):
    """Updates of plastic synapses per taught sample: one of each, and with the Loihi rule's weight average
    (average_every N, over the last of E epochs) one more of each every N samples of the last epoch (the tag's
    step), 1 / (N E) per sample of the phase."""
    synapses = sum(np.size(layer[key]) for layer in plastic_layers for key in ("weight", "weight_rec")
                   if layer[key] is not None)
    averaging = 1.0 / (strat.average_every * strat.epochs) if learning != "gradient" and strat.average_every else 0.0
    return float(synapses * (1.0 + averaging))


def execution_path(settings):
    """How the job ran in Lava, in words: the fast CPU paths or the reference graph of named processes."""
    if settings.lanes is None:
        return "reference (graph of named processes, one sample per slot; the Loihi rule as LearningDense + ErrorLIF)"
    learner = (f"gradient learner {settings.lanes} samples per slot" if settings.learning == "gradient"
               else "Loihi rule one sample per slot")
    return (f"fast ({settings.lanes} samples per slot in evaluation and latents; learning loop fused in one OS "
            f"process, {learner})")


def epoch_selection(result):
    """The report's epoch_selection: the rule, the epoch kept (1-based) and, after several epochs, every epoch's
    old / new / all accuracy on the validation split."""
    choice, epochs = result.epoch_choice, result.strategy.epochs_for(result.settings.learning)
    if choice is None:
        return {"rule": result.settings.select_epoch, "epoch": epochs, "validation_samples": 0, "curve": None}
    return {"rule": choice.rule, "epoch": choice.epoch + 1, "validation_samples": choice.validation_samples,
            "curve": choice.curve}


def build_report(result, method, backend, seed, data_info, quick):
    """The report.json dict of a continual job (fields as documented in the README)."""
    strat, settings = result.strategy, result.settings
    inference, training = op_counts(result)
    n_eval = len(result.eval_labels)
    n_train = len(result.plan.sources)
    wall = result.wall_seconds
    buffer = result.buffer
    memory = buffer.memory() if buffer is not None else {"samples": 0, "bits_per_sample": 0, "bits": 0,
                                                         "bytes": 0, "ideal_bytes": 0}
    return {
        "method": method, "learning": settings.learning, "backend": backend, "timesteps": strat.timesteps,
        "lr_layer": settings.lr_layer, "lanes": settings.lanes, "path": execution_path(settings),
        "new_classes": data_info["new_classes"],
        "seed": seed, "quick": quick, "data": data_info, "strategy": asdict(strat),
        "epochs": strat.epochs_for(settings.learning), "eval_split": settings.eval_split,
        "epoch_selection": epoch_selection(result),
        "accuracy": result.accuracy,
        "samples": {"evaluation": n_eval, "continual": n_train,
                    "new_class_train": int(len(result.new_train))},
        "latent_memory": dict(memory, compression_window=strat.window if buffer is not None else None),
        "latency": {"ms_per_sample": 1000 * wall.after / n_eval, "timesteps": strat.timesteps,
                    "steps_per_sample": int(result.slot)},
        "throughput": {"continual_samples_per_s": n_train / wall.continual,
                       "evaluation_samples_per_s": n_eval / wall.after},
        "energy": {"synops_per_sample": inference["synops"],
                   "neuron_updates_per_sample": inference["neuron_updates"],
                   "spikes_per_sample": inference["spikes"],
                   "inference_uJ_per_sample": energy_uj(**inference),
                   "training_synops_per_sample": training["synops"],
                   "training_neuron_updates_per_sample": training["neuron_updates"],
                   "training_synapse_updates_per_sample": training["synapse_updates"],
                   "training_uJ_per_sample": energy_uj(**training),
                   "model": "op counts x Loihi per-op energies (Davies et al., IEEE Micro 2018, Table 2)"},
        "wall_seconds": {"latent_generation": wall.latent_generation, "continual": wall.continual,
                         "epoch_selection": wall.epoch_selection,
                         "evaluation": wall.evaluation, "evaluation_latents": wall.evaluation_latents,
                         "evaluation_before": wall.before, "evaluation_after": wall.after},
    }


def write_plots(report, result, out_dir):
    """accuracy.png (old / new / all before and after), costs.png (memory, latency, energy) and raster.png (a
    replayed latent, when the method replays)."""
    from lava_replay.plots import accuracy_bars, cost_bars, spike_raster

    accuracy_bars(report, os.path.join(out_dir, "accuracy.png"))
    cost_bars([report], os.path.join(out_dir, "costs.png"))
    buffer = result.buffer
    if buffer is not None:
        spike_raster([buffer.latents(0)], f"replayed latent (class {int(buffer.labels[0])}, 1:{buffer.window}, "
                     f"T={buffer.timesteps})", os.path.join(out_dir, "raster.png"), names=["latent"])

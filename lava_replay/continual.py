"""The continual phase in Lava: latents of stored samples, the training schedule, learning and evaluation.

One Lava graph runs the whole job, slot by slot (one sample per slot):
  A  evaluation before learning: eval samples through the FrozenSpikeGenerator (which keeps their latents);
  B  continual learning: new-class samples (FrozenSpikeGenerator; repeats served from its cache) and replayed
     latents (LatentReplaySource) teach the PlasticLearningLayer through the TeacherSource;
  C  evaluation after learning: the cached eval latents again, with the learned weights.
Between A and B the new classes' weight rows are re-initialised and the strategy's threshold and learning rate
are set as Var updates, as a user would do between phases on Loihi.
"""
import os
import time
from dataclasses import dataclass, replace

import numpy as np

from lava_replay.errors import LavaReplayError
from lava_replay.fileio import file_sha256
from lava_replay.lava_session import LavaSession
from lava_replay.learning_rule import delta_rule
from lava_replay.netx_params import read_layers
from lava_replay.replay.buffer import LatentBuffer, replay_indices
from lava_replay.replay.schedule import NEW, training_schedule


@dataclass(frozen=True)
class Strategy:
    """How a method learns: T, latent compression window, schedule order, plastic-layer settings, epochs.

    vth_scale: plastic-layer threshold during and after continual learning, relative to the pretrained one;
    lr_exp / error_gain: the rule's scale 2^lr_exp and the run-time error gain (together the learning rate);
    margin: spikes by which the labelled class's output neuron must out-spike the others (the teacher's margin);
    t_epoch, x1_tau, x1_impulse: learning-epoch length and pre-synaptic trace of the rule.
    """

    name: str
    timesteps: int
    window: int
    order: str
    vth_scale: float
    lr_exp: int
    error_gain: int
    epochs: int
    margin: int
    t_epoch: int = 4
    x1_tau: int = 16
    x1_impulse: int = 4


# Margins: on the validation split the pretrained models' labelled output neuron leads the strongest other one
# by 6 spikes at T=40 and 9 at T=100 (medians, SLAYER cross-check); the margin is T/10. Learning rates and
# thresholds: chosen on validation (README).
STRATEGIES = {
    "naive": Strategy("naive", 40, 1, "new_only", 1.0, -7, 2, 1, 4),
    "spikinglr": Strategy("spikinglr", 100, 2, "new_then_replay_by_class", 1.0, -7, 2, 1, 10),
    "replay4ncl": Strategy("replay4ncl", 40, 1, "interleaved", 1.0, -7, 2, 1, 4),
}


def strategy(name, **overrides):
    """The named strategy with some fields replaced (None values are ignored)."""
    if name not in STRATEGIES:
        raise LavaReplayError(f"unknown method {name!r}; expected one of {', '.join(STRATEGIES)}")
    chosen = replace(STRATEGIES[name], **{k: v for k, v in overrides.items() if v is not None})
    problems = [f"{field} must be >= {low}, got {getattr(chosen, field)}"
                for field, low in (("timesteps", 2), ("window", 1), ("epochs", 1)) if getattr(chosen, field) < low]
    if chosen.vth_scale <= 0:
        problems.append(f"vth_scale must be > 0, got {chosen.vth_scale}")
    if problems:
        raise LavaReplayError(f"invalid settings for {name}: " + "; ".join(problems))
    return chosen


def check_lr_layer(lr_layer, n_hidden):
    """The LR layer must be the last hidden layer: only the output layer learns (see README, 'LR layer')."""
    if not 0 <= lr_layer <= n_hidden:
        raise LavaReplayError(f"--lr-layer must be in 0..{n_hidden} for this network, got {lr_layer}")
    if lr_layer != n_hidden:
        raise LavaReplayError(
            f"--lr-layer {lr_layer} would make hidden recurrent layers learn; the Loihi rule used here (a "
            f"per-output error delta rule) has no error signal for hidden neurons, so only --lr-layer {n_hidden} "
            "(the output layer learns) is supported")


def slot_timing(timesteps):
    """(slot, offset): a power-of-two slot per sample, its spikes at steps offset .. offset+T-1, ending one step
    before the slot's last step (teaching and learning); the leading silence lets pre-synaptic traces decay."""
    from lava_replay.lava_inference import slot_length  # imports Lava: not at module import time

    slot = slot_length(timesteps, 0)
    return slot, slot - timesteps - 1


def generate_latents(frozen_layers, spikes, timesteps, backend="sim", progress=False, chunk_slots=64):
    """Latent spikes (n, neurons, T) and per-sample activity (n, 1 + layers) of samples, computed in Lava by a
    ScheduledSpikeSource -> FrozenSpikeGenerator graph."""
    from tqdm import tqdm

    from processes.frozen_spike_generator.process import FrozenSpikeGenerator
    from processes.scheduled_source.process import ScheduledSpikeSource

    n = len(spikes)
    slot, offset = slot_timing(timesteps)
    source = ScheduledSpikeSource(samples=np.packbits(np.asarray(spikes, bool), axis=-1), steps=timesteps,
                                  schedule=np.arange(n), slot=slot, offset=offset)
    generator = FrozenSpikeGenerator(layers=frozen_layers, timesteps=timesteps, slot=slot, offset=offset,
                                     n_slots=n)
    source.s_out.connect(generator.s_in)
    with LavaSession(generator, backend) as lava:
        for start in tqdm(range(0, n, chunk_slots), desc="latents (Lava)", disable=not progress):
            lava.run(min(chunk_slots, n - start) * slot)
        packed = generator.latents.get().astype(np.uint8)
        activity = generator.activity.get().astype(np.int64)
    return np.unpackbits(packed, axis=-1, count=timesteps).astype(bool), activity


PHASES = ("before", "continual", "after")


@dataclass
class Plan:
    """Per-slot programme of the continual graph (arrays of equal length)."""

    raw_schedule: np.ndarray     # index into the raw inputs for the generator's input source, -1 none
    cached: np.ndarray           # generator: -1 compute, j >= 0 repeat slot j
    replay_schedule: np.ndarray  # replay buffer index, -1 none
    teacher: np.ndarray          # class taught in the slot, -1 none
    phase: np.ndarray            # 0 = A (eval before), 1 = B (learning), 2 = C (eval after)


def build_plan(n_eval, sources, indices, new_labels, replay_labels):
    """The A / B / C slot programme (see the module docstring)."""
    n_train = len(sources)
    raw = [np.arange(n_eval)]
    cached = [np.full(n_eval, -1)]
    first_slot = {}
    train_raw = np.full(n_train, -1)
    train_cached = np.full(n_train, -1)
    teacher = np.full(n_train, -1)
    replay = np.full(n_train, -1)
    for k, (src, idx) in enumerate(zip(sources, indices)):
        slot = n_eval + k
        if src == NEW:
            teacher[k] = new_labels[idx]
            if idx in first_slot:
                train_cached[k] = first_slot[idx]
            else:
                first_slot[idx] = slot
                train_raw[k] = n_eval + idx
        else:
            teacher[k] = replay_labels[idx]
            replay[k] = idx
    raw += [train_raw, np.full(n_eval, -1)]
    cached += [train_cached, np.arange(n_eval)]
    none = np.full(n_eval, -1)
    return Plan(np.concatenate(raw), np.concatenate(cached), np.concatenate([none, replay, none]),
                np.concatenate([none, teacher, none]),
                np.concatenate([np.zeros(n_eval, int), np.ones(n_train, int), np.full(n_eval, 2)]))


def run_graph(layers, lr_layer, strat, raw_inputs, plan, buffer, new_classes, seed, backend, progress,
              chunk_slots=64):
    """Build and run the continual graph; returns per-slot output counts, generator activity and seconds per
    phase."""
    from tqdm import tqdm

    from processes.frozen_spike_generator.process import FrozenSpikeGenerator
    from processes.latent_replay_source.process import LatentReplaySource
    from processes.plastic_learning_layer.process import PlasticLearningLayer
    from processes.scheduled_source.process import ScheduledSpikeSource
    from processes.teacher_source.process import TeacherSource

    T = strat.timesteps
    slot, offset = slot_timing(T)
    n_slots = len(plan.phase)
    frozen, plastic = layers[:lr_layer], layers[lr_layer]
    source = ScheduledSpikeSource(samples=np.packbits(raw_inputs, axis=-1), steps=T, schedule=plan.raw_schedule,
                                  slot=slot, offset=offset)
    generator = FrozenSpikeGenerator(layers=frozen, timesteps=T, slot=slot, offset=offset, cached=plan.cached)
    rule = delta_rule(strat.lr_exp, slot, strat.t_epoch, strat.x1_tau, strat.x1_impulse, seed)
    layer = PlasticLearningLayer(weights=plastic["weight"], vth=plastic["vth"], decay_u=plastic["decay_u"],
                                 decay_v=plastic["decay_v"], learning_rule=rule, timesteps=T, slot=slot,
                                 offset=offset, n_slots=n_slots, error_gain=strat.error_gain)
    teacher = TeacherSource(labels=plan.teacher, n_classes=plastic["weight"].shape[0], margin=strat.margin,
                            slot=slot, teach_step=slot - 1)
    source.s_out.connect(generator.s_in)
    generator.s_out.connect(layer.s_in)
    teacher.s_out.connect(layer.target_in)
    if buffer is not None:
        replay = LatentReplaySource(samples=buffer.packed, steps=T, window=buffer.window,
                                    schedule=plan.replay_schedule, slot=slot, offset=offset)
        replay.s_out.connect(layer.s_in)
    seconds = {}
    with LavaSession(layer, backend) as lava:
        for phase, name in enumerate(PHASES):
            if phase == 1:
                start_learning(layer, plastic, strat, new_classes)
            n = int((plan.phase == phase).sum())
            start = time.perf_counter()
            for done in tqdm(range(0, n, chunk_slots), desc=f"{name} (Lava)", disable=not progress):
                lava.run(min(chunk_slots, n - done) * slot)
            seconds[name] = time.perf_counter() - start
        counts = layer.counts.get().astype(np.int64)
        activity = generator.activity.get().astype(np.int64)
    return {"counts": counts, "activity": activity, "seconds": seconds, "slot": slot}


def start_learning(layer, plastic, strat, new_classes):
    """Var updates between evaluation and learning: new classes' weight rows to 0, the strategy's threshold and
    error gain."""
    weights = np.array(plastic["weight"], dtype=np.int64)
    weights[list(new_classes)] = 0
    layer.weights.set(weights)
    layer.vth.set(np.array([round(plastic["vth"] * strat.vth_scale)]))
    layer.error_gain.set(np.array([strat.error_gain]))


def replay_buffer(layers, lr_layer, strat, data, protocol, replay_per_class, rng, model_path, backend, progress):
    """Latents of up to replay_per_class training samples of each old class, made in Lava and compressed."""
    labels = data["labels"]
    stored = replay_indices(labels, protocol.select("train", labels, protocol.pretrain_classes),
                            replay_per_class, rng)
    latents, _ = generate_latents(layers[:lr_layer], data["spikes"][stored], strat.timesteps, backend, progress)
    return LatentBuffer.from_latents(latents, labels[stored], strat.window, lr_layer, os.path.basename(model_path),
                                     file_sha256(model_path))


def continual_job(model_path, data, protocol, strat, replay_per_class=50, seed=0, backend="sim", lr_layer=3,
                  eval_split="test", eval_per_class=0, max_new=0, buffer=None, progress=True):
    """The whole continual step of a strategy in Lava; returns measured results (see run.py for the report).

    buffer: a LatentBuffer to replay (default: made here from replay_per_class samples per old class); the
    naive strategy replays nothing. eval_per_class / max_new: subsets of the evaluation samples (per class) and
    of the new-class training samples (0: all).
    """
    from lava_replay.data.protocols import per_class_subset
    from lava_replay.metrics import accuracy_report, predictions

    rng = np.random.default_rng(seed)
    layers = read_layers(model_path)
    check_lr_layer(lr_layer, len(layers) - 1)
    labels, spikes = data["labels"], data["spikes"]
    if spikes.shape[2] != strat.timesteps:
        raise LavaReplayError(f"data has T={spikes.shape[2]}, strategy {strat.name} runs at T={strat.timesteps}")
    wall = {}
    start = time.perf_counter()
    if strat.order == "new_only":
        buffer = None
    elif buffer is None:
        buffer = replay_buffer(layers, lr_layer, strat, data, protocol, replay_per_class, rng, model_path,
                               backend, progress)
    elif len(buffer.labels) == 0:
        raise LavaReplayError(f"the replay buffer is empty; {strat.name} needs stored latents to replay")
    else:
        buffer.check_fits(file_sha256(model_path), layers[lr_layer]["weight"].shape[1], strat.timesteps,
                          strat.window)
    wall["latent_generation"] = time.perf_counter() - start
    new_train = protocol.select("train", labels, protocol.new_classes)
    if max_new:
        new_train = np.sort(rng.permutation(new_train)[:max_new])
    eval_idx = protocol.select(eval_split, labels, protocol.pretrain_classes + protocol.new_classes)
    if eval_per_class:
        eval_idx = per_class_subset(eval_idx, labels, eval_per_class, rng)
    replay_labels = buffer.labels if buffer is not None else np.zeros(0, np.int64)
    sources, indices = training_schedule(strat.order, len(new_train), replay_labels, strat.epochs, rng)
    plan = build_plan(len(eval_idx), sources, indices, labels[new_train], replay_labels)
    raw = np.concatenate([spikes[eval_idx], spikes[new_train]]).astype(bool)
    out = run_graph(layers, lr_layer, strat, raw, plan, buffer, protocol.new_classes, seed, backend, progress)
    wall.update(out["seconds"])
    pred = predictions(out["counts"])
    accuracy = accuracy_report(pred[plan.phase == 0], pred[plan.phase == 2], labels[eval_idx],
                               protocol.pretrain_classes, protocol.new_classes)
    return {"strategy": strat, "plan": plan, "buffer": buffer, "accuracy": accuracy, "counts": out["counts"],
            "activity": out["activity"], "slot": out["slot"], "wall_seconds": wall, "layers": layers,
            "lr_layer": lr_layer, "new_train": new_train}

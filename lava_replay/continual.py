"""The continual phase in Lava: latents of stored samples, the training schedule, learning and evaluation.

A job runs these Lava graphs, one after the other:
  latents     the FrozenSpikeGenerator turns evaluation samples (and the replay buffer's samples) into latents,
              `lanes` samples side by side in each slot;
  before      evaluation before learning: the layers above the LR layer, frozen, on the evaluation latents
              (a FrozenSpikeGenerator of those layers, `lanes` per slot);
  continual   learning: new-class samples (spike_source -> FrozenSpikeGenerator) and replayed latents
              (LatentReplaySource) teach the PlasticLearningLayer through the TeacherSource; the new classes'
              weight rows are re-initialised and the strategy's threshold and learning rate set as Var updates
              before it starts. The gradient learner takes `lanes` samples per slot (its minibatches); the Loihi
              rule learns one sample per slot; the weights are read after every epoch;
  epochs      with --select-epoch best-val, or when evaluating on the validation split: every epoch's weights on
              the validation split, side by side (lava_replay.epoch_selection), and the epoch kept: the best
              there ('best-val') or the last (the default);
  after       evaluation with the kept weights and the strategy's threshold, as `before`.
"""
import os
import time
from dataclasses import dataclass, replace

import numpy as np
from tqdm import tqdm

from lava_replay.backends import check_learning
from lava_replay.epoch_selection import EpochChoice, accuracy_curve, best_epoch, check_selection, epoch_output_counts
from lava_replay.data.shd import is_graded
from lava_replay.errors import LavaReplayError, process_arguments
from lava_replay.fileio import file_sha256
from lava_replay.imprint import imprinted_rows
from lava_replay.lava_session import LavaSession
from lava_replay.learning_rule import delta_rule
from lava_replay.netx_params import read_layers
from lava_replay.replay.buffer import LatentBuffer, replay_indices
from lava_replay.replay.compression import as_stored
from lava_replay.replay.schedule import NEW, ORDERS, training_schedule
from processes.count_packing import COUNT_BITS, unpack_counts

DEFAULT_LANES = 64
DEFAULT_REPLAY_PER_CLASS = 128  # two minibatches per old class, in SpikingLR's 64-256; chosen on validation
LR_SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class Strategy:
    """How a method learns: T, latent compression window, schedule order, plastic-layer settings, epochs.

    vth_scale: plastic-layer threshold during and after continual learning, relative to the pretrained one.
    Loihi rule: lr_exp / error_gain (the rule's scale 2^lr_exp and the run-time error gain: together the
    learning rate), gain_decay (the error gain is multiplied by it after every epoch, with Var.set, never below
    1), old_class_gain (the old classes' rows' error gain relative to the new classes': 0 leaves them as
    pretrained), error_rule (the neurons' count error: 'strongest_rival', 'all_rivals' or 'softmax', see ErrorLIF),
    margin (spikes by which the labelled class's neuron must out-spike the others), epochs, t_epoch / x1_tau /
    x1_impulse (learning-epoch length and pre-synaptic trace), loihi_order (the rule's schedule order where it
    differs from the method's; "" = the method's order; an explicit order override sets both), average_every
    (0: the last weights are kept; N > 0: over the last epoch the synaptic tag keeps a moving average of the
    weights, starting at the weights the epoch starts with and stepped by 1/128 of its gap on every N-th taught
    sample, and the averaged weights are kept), imprint (0: the new classes' rows start at 0; > 0: they start
    imprinted from the latents, this many times as long as the old classes' rows, lava_replay.imprint).
    Gradient learner: learning_rate (Adamax step), lr_schedule ('constant', or 'cosine': the step annealed
    towards 0 along a half cosine over the epochs, set with Var.set before each), old_class_lr_scale (the old
    classes' weight rows learn at learning_rate times this), gradient_epochs, batch (taught samples per update),
    loss_scale (the counts' scale in the cross-entropy, as in pretraining).
    """

    name: str
    timesteps: int
    window: int
    order: str
    vth_scale: float = 1.0
    lr_exp: int = -7
    error_gain: int = 2
    gain_decay: float = 1.0
    old_class_gain: float = 1.0
    error_rule: str = "strongest_rival"
    epochs: int = 1
    margin: int = 4
    t_epoch: int = 4
    x1_tau: int = 16
    x1_impulse: int = 4
    loihi_order: str = ""
    average_every: int = 0
    imprint: float = 0.0
    learning_rate: float = 0.002
    lr_schedule: str = "constant"
    old_class_lr_scale: float = 1.0
    gradient_epochs: int = 20
    batch: int = 64
    loss_scale: float = 0.5

    def epochs_for(self, learning):
        """Epochs of the continual phase with this learner."""
        return self.gradient_epochs if learning == "gradient" else self.epochs

    def order_for(self, learning):
        """The schedule order of the continual phase with this learner."""
        return self.loihi_order if learning != "gradient" and self.loihi_order else self.order


# Margins: on the validation split the binary models' labelled output neuron led the strongest other one by 6
# spikes at T=40 and 9 at T=100 (medians, SLAYER cross-check), hence T/10 at first; Replay4NCL's 8 and SpikingLR's
# 6 were chosen on validation with the graded models. Learning rates, thresholds, the gradient learner's epochs
# (SpikingLR 140, Replay4NCL 60) and the Loihi rule's schedule: SpikingLR 3 epochs, error gain 2 halved after each,
# in the interleaved order (every new-class sample every epoch), with a pre-synaptic trace of time constant 64 and
# impulse 2 (the rule reads the trace at the end of a sample: at T=100 the default 16 saw only its last steps);
# Replay4NCL, with 128 latents per old class, 4 epochs at half the pre-synaptic impulse, error gain 4 halved after
# each (impulse x gain 8, 4, 2, 2 per epoch; it was 8, 4, 4); both with the new class's row imprinted from the
# latents (1.2 times the old rows' length) and the only row that learns (old-class gain 0: the rule's updates of the
# old rows cost more than they gave), and the weights averaged over the last epoch in the synaptic tag (every 8th
# sample): chosen on validation (docs/tuning.md).
STRATEGIES = {
    "naive": Strategy(name="naive", timesteps=40, window=1, order="new_only"),
    "spikinglr": Strategy(name="spikinglr", timesteps=100, window=2, order="new_then_replay_by_class", margin=6,
                          gradient_epochs=140, epochs=3, gain_decay=0.5, loihi_order="interleaved", x1_tau=64,
                          x1_impulse=2, average_every=8, imprint=1.2, old_class_gain=0.0),
    "replay4ncl": Strategy(name="replay4ncl", timesteps=40, window=1, order="interleaved", gradient_epochs=60,
                           epochs=4, error_gain=4, x1_impulse=2, gain_decay=0.5, margin=8, average_every=8,
                           imprint=1.2, old_class_gain=0.0),
}


def strategy(name, **overrides):
    """The named strategy with some fields replaced (None values are ignored)."""
    if name not in STRATEGIES:
        raise LavaReplayError(f"unknown method {name!r}; expected one of {', '.join(STRATEGIES)}")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if "order" in overrides:
        overrides.setdefault("loihi_order", "")  # an explicit order is every learner's
    chosen = replace(STRATEGIES[name], **overrides)
    problems = [f"{field} must be >= {low}, got {getattr(chosen, field)}"
                for field, low in (("timesteps", 2), ("window", 1), ("epochs", 1), ("gradient_epochs", 1),
                                   ("batch", 1), ("old_class_lr_scale", 0), ("average_every", 0),
                                   ("imprint", 0), ("old_class_gain", 0))
                if getattr(chosen, field) < low]
    problems += [f"{field} must be > 0, got {getattr(chosen, field)}"
                 for field in ("vth_scale", "learning_rate", "loss_scale", "gain_decay")
                 if not getattr(chosen, field) > 0]
    if chosen.loihi_order and chosen.loihi_order not in ORDERS:
        problems.append(f"loihi_order must be one of {', '.join(ORDERS)} or empty, got {chosen.loihi_order!r}")
    if chosen.lr_schedule not in LR_SCHEDULES:
        problems.append(f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}, got {chosen.lr_schedule!r}")
    if problems:
        raise LavaReplayError(f"invalid settings for {name}: " + "; ".join(problems))
    return chosen


def check_lr_layer(lr_layer, n_hidden, learning="gradient"):
    """The LR layer the learner can train: 1..n_hidden for the gradient learner (every layer above it learns),
    only n_hidden (the output layer alone) for the Loihi rule (see README, 'LR layer')."""
    if not 0 <= lr_layer <= n_hidden:
        raise LavaReplayError(f"--lr-layer must be in 0..{n_hidden} for this network, got {lr_layer}")
    if lr_layer == 0:
        raise LavaReplayError("--lr-layer 0 would replay raw input spikes (no frozen layer makes latents); "
                              f"use 1..{n_hidden}")
    if lr_layer != n_hidden and learning != "gradient":
        raise LavaReplayError(
            f"--lr-layer {lr_layer} makes hidden recurrent layers learn, which only --learning gradient does; "
            f"the Loihi rule (a per-output error rule) trains the output layer alone: --lr-layer {n_hidden}")


def slot_timing(timesteps):
    """(slot, offset): a power-of-two slot per sample, its spikes at steps offset .. offset+T-1, ending one step
    before the slot's last step (teaching and learning); the leading silence lets pre-synaptic traces decay."""
    from lava_replay.lava_inference import slot_length  # imports Lava: not at module import time

    slot = slot_length(timesteps, 0)
    return slot, slot - timesteps - 1


def lane_schedule(indices, lanes):
    """indices laid out `lanes` per slot, (slots, lanes), the last slot padded with -1 (silent lanes)."""
    indices = np.asarray(indices, np.int64)
    slots = -(-len(indices) // lanes)
    laid = np.full(slots * lanes, -1, np.int64)
    laid[:len(indices)] = indices
    return laid.reshape(slots, lanes)


def epoch_slot_bounds(n_samples, epochs, lanes):
    """The slot after which each of `epochs` equal epochs of n_samples ends, samples laid `lanes` per slot (as
    lane_schedule). An epoch whose last sample shares a slot with the next epoch's first ends before that slot:
    the weights read there hold no learning from the next epoch's samples (the gradient learner steps once per
    `batch` taught samples, a full slot by default). The last epoch ends after the last slot."""
    if epochs < 1 or n_samples % epochs:
        raise LavaReplayError(f"{n_samples} samples do not split into {epochs} equal epochs")
    per_epoch = n_samples // epochs
    return [epoch * per_epoch // lanes for epoch in range(1, epochs)] + [-(-n_samples // lanes)]


def spike_source(spikes, timesteps, schedule, slot, offset):
    """(source process, bits per spike) sending samples (n, channels, T) by a schedule: binary spikes bit-packed
    in a ScheduledSpikeSource, or where a value exceeds 1 (graded input: events per bin) a GradedSpikeSource."""
    from processes.scheduled_source.process import GradedSpikeSource, ScheduledSpikeSource

    spikes = np.asarray(spikes)
    if is_graded(spikes):
        return GradedSpikeSource(samples=spikes, steps=timesteps, schedule=schedule, slot=slot, offset=offset), 8
    samples = np.packbits(spikes.astype(bool), axis=-1)
    return ScheduledSpikeSource(samples=samples, steps=timesteps, schedule=schedule, slot=slot, offset=offset), 1


def run_frozen(layers, spikes, timesteps, backend="sim", lanes=DEFAULT_LANES, progress=False, desc="Lava",
               chunk_slots=64, counts_only=False):
    """Last-layer spikes (n, neurons, T), or with counts_only their counts (n, neurons), and per-sample activity
    (n, 1 + layers) of samples (n, inputs, T), binary or graded, through frozen layers, in Lava: spike_source ->
    FrozenSpikeGenerator, `lanes` samples side by side per slot (lanes=None: one per slot, the reference)."""
    from processes.frozen_spike_generator.process import FrozenSpikeGenerator

    n = len(spikes)
    slot, offset = slot_timing(timesteps)
    schedule = np.arange(n) if lanes is None else lane_schedule(np.arange(n), lanes)
    n_slots = len(schedule)
    with process_arguments():
        source, input_bits = spike_source(spikes, timesteps, schedule, slot, offset)
        generator = FrozenSpikeGenerator(layers=layers, timesteps=timesteps, slot=slot, offset=offset,
                                         n_slots=n_slots, lanes=lanes, input_bits=input_bits)
    source.s_out.connect(generator.s_in)
    with LavaSession(generator, backend) as lava:
        for start in tqdm(range(0, n_slots, chunk_slots), desc=desc, disable=not progress):
            lava.run(min(chunk_slots, n_slots - start) * slot)
        recorded = (generator.counts if counts_only else generator.latents).get()
        activity = generator.activity.get().astype(np.int64)
    activity = activity.reshape(-1, activity.shape[-1])[:n]
    if counts_only:
        counts = unpack_counts(recorded, layers[-1]["weight"].shape[0])
        return counts.reshape(-1, counts.shape[-1])[:n], activity
    packed = recorded.astype(np.uint8).reshape((-1,) + recorded.shape[-2:])[:n]
    return np.unpackbits(packed, axis=-1, count=timesteps).astype(bool), activity


def generate_latents(frozen_layers, spikes, timesteps, backend="sim", progress=False, lanes=DEFAULT_LANES):
    """Latent spikes (n, neurons, T) and per-sample activity (n, 1 + layers) of samples, made in Lava (run_frozen)."""
    return run_frozen(frozen_layers, spikes, timesteps, backend, lanes, progress, "latents (Lava)")


def output_counts(block, latents, backend="sim", lanes=DEFAULT_LANES, vth=None, progress=False, desc="evaluation"):
    """Output spike counts (n, classes) and per-sample spikes of each layer (n, layers) of the layers above the LR
    layer (`block`, output last), frozen with their current weights, on latents (n, neurons, T), in Lava; vth:
    the output layer's threshold (default its own)."""
    output = dict(block[-1], vth=block[-1]["vth"] if vth is None else vth)
    T = latents.shape[2]
    read_counts = T < 2 ** COUNT_BITS  # the packed counts saturate at 255 spikes; longer samples read the spikes
    spikes, activity = run_frozen(list(block[:-1]) + [output], latents, T, backend, lanes, progress,
                                  f"{desc} (Lava)", counts_only=read_counts)
    return (spikes if read_counts else spikes.sum(axis=-1)), activity[:, 1:]


@dataclass
class TrainingPlan:
    """The continual phase's samples in order: per sample its source (NEW / REPLAY), index and taught class."""

    sources: np.ndarray
    indices: np.ndarray
    labels: np.ndarray

    @property
    def from_new(self):
        """Mask of the samples that are new-class inputs (through the FrozenSpikeGenerator)."""
        return self.sources == NEW


def training_plan(order, n_new, new_labels, replay_labels, epochs, rng):
    """The schedule of `order` (replay.schedule) with the class each sample teaches."""
    sources, indices = training_schedule(order, n_new, replay_labels, epochs, rng)
    new = sources == NEW
    labels = np.zeros(len(sources), np.int64)
    labels[new] = np.asarray(new_labels)[indices[new]]
    labels[~new] = np.asarray(replay_labels)[indices[~new]]
    return TrainingPlan(sources, indices, labels)


@dataclass
class Learned:
    """What the continual graph gives back: the learned layers above the LR layer (output last), per-sample output
    counts and spikes of every layer (input first; a replayed sample has no input or frozen-layer spikes), time,
    and the layers as they were after each epoch, or after the last alone (the last is `block`)."""

    block: list
    counts: np.ndarray
    activity: np.ndarray
    seconds: float
    epoch_blocks: list

    @property
    def weights(self):
        """The output layer's learned weights."""
        return self.block[-1]["weight"]


def run_learning(frozen, block, strat, learning, new_inputs, new_labels, plan, buffer, new_classes, seed, backend,
                 lanes, progress, chunk_slots=64, every_epoch=False):
    """Build and run the continual graph (module docstring) on the new-class samples new_inputs (their classes
    new_labels) and the buffer; returns what it learned (Learned), with the weights of every epoch when every_epoch
    is set (else of the last one only). With the Loihi rule and strat.imprint > 0 the new classes' rows start
    imprinted (new_class_rows).

    Default: the FrozenSpikeGenerator makes the new-class samples' latents first, `lanes` per slot, and one
    LatentLearningLoop learns from them and the replayed latents, its sources, teacher and learner fused in one
    OS process: the gradient learner one minibatch of `lanes` samples per slot, the Loihi rule one sample per
    slot. lanes=None, the reference: the graph of named processes, one sample per slot, with the new-class
    samples computed by a FrozenSpikeGenerator in the graph (served from its cache when they come again), a
    LatentReplaySource, the TeacherSource and the PlasticLearningLayer (the Loihi rule as LearningDense +
    ErrorLIF).
    """
    from processes.learning_loop.process import LatentLearningLoop

    T = strat.timesteps
    slot, offset = slot_timing(T)
    n = len(plan.sources)
    start = time.perf_counter()
    reference = lanes is None
    new_schedule = np.where(plan.from_new, plan.indices, -1)
    replay_schedule = np.where(plan.from_new, -1, plan.indices)
    imprinting = learning != "gradient" and strat.imprint > 0
    new_rows = None
    if not reference or imprinting:  # the reference graph makes its own; an imprint needs them before it is built
        new_latents, new_activity = generate_latents(frozen, new_inputs, T, backend, lanes=lanes or DEFAULT_LANES)
    if imprinting:
        new_rows = new_class_rows(strat, block, new_classes, new_latents, new_labels, buffer)
    if reference:
        teach = plan.labels
        with process_arguments():
            generator = new_sample_generator(frozen, new_inputs, plan, T)
            layer = learning_graph(layer_arguments(block, strat, new_classes, seed, len(teach), new_rows=new_rows),
                                   strat.margin, teach, generator, buffer, replay_schedule)
    else:
        slot_lanes = lanes if learning == "gradient" else None
        per_slot = (lambda indices: lane_schedule(indices, slot_lanes)) if slot_lanes else np.asarray
        teach = per_slot(plan.labels)
        packed_new = np.packbits(new_latents, axis=-1)
        stored = buffer.packed if buffer is not None else packed_new[:0]  # nothing to replay
        with process_arguments():
            layer = LatentLearningLoop(new_samples=packed_new,
                                       new_schedule=per_slot(new_schedule), replay_samples=stored,
                                       replay_schedule=per_slot(replay_schedule),
                                       window=buffer.window if buffer is not None else 1, labels=teach,
                                       margin=strat.margin,
                                       **layer_arguments(block, strat, new_classes, seed, len(teach), slot_lanes,
                                                         new_rows))
        generator = None
    rates = row_learning_rates(block[-1], strat, new_classes)
    n_epochs = strat.epochs_for(learning)
    bounds = epoch_slot_bounds(n, n_epochs, teach.shape[1] if teach.ndim == 2 else 1)  # (slots, lanes) or (slots,)
    epoch_blocks = []
    averaged = learning != "gradient" and strat.average_every > 0  # the Loihi rule's moving average is kept
    with LavaSession(layer, backend, learning=learning, reference=reference) as lava:
        for epoch, (first, end) in enumerate(zip([0] + bounds[:-1], bounds)):
            if epoch and strat.gain_decay != 1.0:
                layer.error_gain.set(row_gains(strat, epoch, block[-1], new_classes))
            if epoch and averaged and epoch == n_epochs - 1:  # the average starts with the last epoch
                layer.weight_average.set(layer.weights.get())
                layer.average_every.set(np.array([strat.average_every]))
            if epoch and learning == "gradient" and strat.lr_schedule != "constant":
                layer.learning_rate.set(rates * epoch_lr_factor(strat, epoch, n_epochs))
            for done in tqdm(range(first, end, chunk_slots), desc=f"continual, {learning}, epoch {epoch + 1}",
                             disable=not progress, leave=False):
                lava.run(min(chunk_slots, end - done) * slot)
            if every_epoch or epoch == n_epochs - 1:
                epoch_blocks.append(read_block(layer, block, averaged and epoch == n_epochs - 1))
        counts = layer.counts.get().astype(np.int64)
        hidden_activity = layer.hidden_activity.get().astype(np.int64) if len(block) > 1 else None
        if generator is not None:
            activity = generator.activity.get().astype(np.int64)
    seconds = time.perf_counter() - start
    counts = counts.reshape(-1, counts.shape[-1])[:n]
    if generator is None:
        activity = new_activity[np.where(plan.from_new, plan.indices, 0)]
    activity[~plan.from_new] = 0  # replayed latents do not pass the generator
    if hidden_activity is not None:
        activity = np.column_stack([activity, hidden_activity.reshape(-1, len(block) - 1)[:n]])
    activity = np.column_stack([activity, counts.sum(axis=1)])
    return Learned(epoch_blocks[-1], counts, activity, seconds, epoch_blocks)


def read_block(layer, block, averaged=False):
    """The layers above the LR layer with the weights the running plastic `layer` holds now (Var.get): its
    weights, or with `averaged` (the Loihi rule's) their moving average."""
    weights = (layer.weight_average if averaged else layer.weights).get().astype(np.int32)
    hidden_weights = layer.hidden_weights.get().astype(np.int32) if len(block) > 1 else np.zeros(0, np.int32)
    return learned_block(block, weights, hidden_weights)


def learned_block(block, weights, hidden_weights):
    """The layers above the LR layer with the learned weights: the output's, and the hidden layers' (packed)."""
    from processes.plastic_learning_layer.process import unpack_hidden

    hidden = [dict(layer, weight=w.copy(), weight_rec=None if r is None else r.copy())
              for layer, (w, r) in zip(block[:-1], unpack_hidden(hidden_weights, block[:-1]))]
    return hidden + [dict(block[-1], weight=weights)]


def new_sample_generator(frozen, new_inputs, plan, T):
    """The reference path's spike_source -> FrozenSpikeGenerator for the new-class samples of a plan
    (one per slot; a sample seen before is served from the generator's cache of its first slot)."""
    from processes.frozen_spike_generator.process import FrozenSpikeGenerator

    slot, offset = slot_timing(T)
    n = len(plan.sources)
    new_schedule = np.where(plan.from_new, plan.indices, -1)
    first = {}
    cached = np.full(n, -1)
    for k in np.flatnonzero(plan.from_new):
        if plan.indices[k] in first:
            cached[k] = first[plan.indices[k]]
            new_schedule[k] = -1
        else:
            first[plan.indices[k]] = k
    source, input_bits = spike_source(new_inputs, T, new_schedule, slot, offset)
    generator = FrozenSpikeGenerator(layers=frozen, timesteps=T, slot=slot, offset=offset, cached=cached,
                                     n_slots=n, input_bits=input_bits)
    source.s_out.connect(generator.s_in)
    return generator


def layer_arguments(block, strat, new_classes, seed, n_slots, lanes=None, new_rows=None):
    """The PlasticLearningLayer's arguments for a strategy: the pretrained layers above the LR layer (output last,
    the layers below it `hidden`), the output's new-class rows re-initialised (to new_rows where given), the
    strategy's threshold, rule and learning rates."""
    T = strat.timesteps
    slot, offset = slot_timing(T)
    plastic = block[-1]
    return dict(weights=initial_weights(plastic, new_classes, new_rows), vth=learning_vth(plastic, strat),
                decay_u=plastic["decay_u"], decay_v=plastic["decay_v"],
                learning_rule=delta_rule(strat.lr_exp, slot, strat.t_epoch, strat.x1_tau, strat.x1_impulse, seed,
                                         average=strat.average_every > 0),
                timesteps=T, slot=slot, offset=offset, n_slots=n_slots,
                error_gain=row_gains(strat, 0, plastic, new_classes),
                learning_rate=row_learning_rates(plastic, strat, new_classes), batch=strat.batch,
                loss_scale=strat.loss_scale, lanes=lanes, error_rule=strat.error_rule, hidden=list(block[:-1]),
                # the average covers the last epoch: from the start of a one-epoch run; else run_learning starts it
                # with Var.set (not possible before the first run)
                average_every=strat.average_every if strat.epochs == 1 else 0)


def learning_graph(layer_args, margin, teach, new_source, buffer, replay_schedule):
    """The reference graph: a PlasticLearningLayer (layer_args) taught by a TeacherSource (labels `teach`, one
    per slot), fed by `new_source` (its s_out) and, when there is a buffer, a LatentReplaySource; returns the
    layer."""
    from processes.latent_replay_source.process import LatentReplaySource
    from processes.plastic_learning_layer.process import PlasticLearningLayer
    from processes.teacher_source.process import TeacherSource

    T, slot, offset = layer_args["timesteps"], layer_args["slot"], layer_args["offset"]
    layer = PlasticLearningLayer(**layer_args)
    teacher = TeacherSource(labels=teach, n_classes=layer_args["weights"].shape[0], margin=margin, slot=slot)
    new_source.s_out.connect(layer.s_in)
    teacher.s_out.connect(layer.target_in)
    if buffer is not None:
        replay = LatentReplaySource(samples=buffer.packed, steps=T, window=buffer.window, schedule=replay_schedule,
                                    slot=slot, offset=offset)
        replay.s_out.connect(layer.s_in)
    return layer


def epoch_gain(strat, epoch):
    """The Loihi rule's error gain in epoch `epoch` (0-based): error_gain * gain_decay^epoch, at least 1."""
    return max(1, round(strat.error_gain * strat.gain_decay ** epoch))


def row_gains(strat, epoch, plastic, new_classes):
    """The Loihi rule's error gain per output row in epoch `epoch`: epoch_gain for the new classes' rows, that times
    old_class_gain (rounded; 0 freezes them) for the old ones."""
    gain = epoch_gain(strat, epoch)
    return per_row(plastic, new_classes, gain, round(gain * strat.old_class_gain)).astype(np.int32)


def per_row(plastic, new_classes, new, old):
    """One value per output row of the plastic layer: `new` for the new classes' rows, `old` for the others."""
    values = np.full(plastic["weight"].shape[0], old)
    values[list(new_classes)] = new
    return values


def epoch_lr_factor(strat, epoch, n_epochs):
    """The gradient learner's step in epoch `epoch` (0-based) of n_epochs, relative to learning_rate: 1 throughout
    ('constant'), or (1 + cos(pi * epoch / n_epochs)) / 2 ('cosine')."""
    if strat.lr_schedule == "cosine":
        return (1.0 + np.cos(np.pi * epoch / n_epochs)) / 2.0
    return 1.0


def initial_weights(plastic, new_classes, new_rows=None):
    """The learning layer's weights at the start of the continual phase: the pretrained ones with the new classes'
    rows at 0 (SpikingLR re-initialises them near 0) or, where given, at new_rows."""
    weights = np.array(plastic["weight"], dtype=np.int32)
    weights[list(new_classes)] = 0 if new_rows is None else new_rows
    return weights


def new_class_rows(strat, block, new_classes, new_latents, new_labels, buffer):
    """The new classes' starting rows imprinted (lava_replay.imprint, strat.imprint times the old rows' length)
    from the new-class latents and the buffer's, both as the buffer stores them."""
    if buffer is None:
        raise LavaReplayError(f"{strat.name} replays nothing, so it cannot imprint (the old classes' latents are "
                              "the buffer's); set imprint to 0")
    counts = np.concatenate([as_stored(new_latents, buffer.window).sum(axis=-1), buffer.latents().sum(axis=-1)])
    labels = np.concatenate([new_labels, buffer.labels])
    plastic = block[-1]
    old_rows = plastic["weight"][per_row(plastic, new_classes, new=False, old=True)]
    return imprinted_rows(counts, labels, new_classes, old_rows, strat.imprint)


def row_learning_rates(plastic, strat, new_classes):
    """The gradient learner's Adamax step per output neuron: learning_rate for the new classes' rows,
    learning_rate * old_class_lr_scale for the old ones."""
    return per_row(plastic, new_classes, strat.learning_rate, strat.learning_rate * strat.old_class_lr_scale)


def learning_vth(plastic, strat):
    """The strategy's threshold of the learning layer (vThMant units)."""
    return round(plastic["vth"] * strat.vth_scale)


def replay_buffer(layers, lr_layer, strat, data, protocol, replay_per_class, rng, model_path, backend, lanes,
                  progress):
    """Latents of up to replay_per_class training samples of each old class, made in Lava and compressed."""
    labels = data["labels"]
    stored = replay_indices(labels, protocol.select("train", labels, protocol.pretrain_classes),
                            replay_per_class, rng)
    latents, _ = generate_latents(layers[:lr_layer], data["spikes"][stored], strat.timesteps, backend, progress,
                                  lanes)
    return LatentBuffer.from_latents(latents, labels[stored], strat.window, lr_layer, os.path.basename(model_path),
                                     file_sha256(model_path))


@dataclass
class JobSettings:
    """What a continual job runs: learner, LR layer, buffer size, evaluation split and subsets, lanes, seed, and
    which epoch's weights it keeps ('best-val': the best on the validation split; 'last')."""

    learning: str = "gradient"
    lr_layer: int = 3
    replay_per_class: int = DEFAULT_REPLAY_PER_CLASS
    seed: int = 0
    backend: str = "sim"
    eval_split: str = "test"
    eval_per_class: int = 0
    max_new: int = 0
    lanes: int = DEFAULT_LANES
    progress: bool = True
    select_epoch: str = "last"


@dataclass
class WallSeconds:
    """Wall-clock seconds of a job's phases."""

    latent_generation: float = 0.0
    evaluation_latents: float = 0.0
    before: float = 0.0
    continual: float = 0.0
    epoch_selection: float = 0.0
    after: float = 0.0

    @property
    def evaluation(self):
        """Everything spent on evaluation: its latents, before and after."""
        return self.evaluation_latents + self.before + self.after


@dataclass
class ContinualResult:
    """Measured results of a continual job (report.build_report turns them into report.json)."""

    strategy: Strategy
    settings: JobSettings
    buffer: LatentBuffer
    accuracy: dict
    eval_labels: np.ndarray
    eval_activity: np.ndarray
    counts_before: np.ndarray
    counts_after: np.ndarray
    plan: TrainingPlan
    learned: Learned
    layers: list
    new_train: np.ndarray
    slot: int
    wall_seconds: WallSeconds
    epoch_choice: EpochChoice


def job_buffer(strat, s, layers, data, protocol, model_path, rng, buffer=None):
    """The latents a job replays: None for new_only, else `buffer` (checked to fit the model) or one made from
    s.replay_per_class samples per old class."""
    if strat.order == "new_only":
        return None
    if buffer is None:
        return replay_buffer(layers, s.lr_layer, strat, data, protocol, s.replay_per_class, rng, model_path,
                             s.backend, s.lanes, s.progress)
    if len(buffer.labels) == 0:
        raise LavaReplayError(f"the replay buffer is empty; {strat.name} needs stored latents to replay")
    buffer.check_fits(file_sha256(model_path), layers[s.lr_layer]["weight"].shape[1], strat.timesteps,
                      strat.window)
    return buffer


def evaluation_samples(s, labels, protocol, rng, split=None):
    """Indices of the evaluation samples: the split `split` (default s.eval_split) of all classes, s.eval_per_class
    per class."""
    from lava_replay.data.protocols import per_class_subset

    eval_idx = protocol.select(split or s.eval_split, labels, protocol.pretrain_classes + protocol.new_classes)
    return per_class_subset(eval_idx, labels, s.eval_per_class, rng) if s.eval_per_class else eval_idx


def choose_epoch(s, learned, vth, frozen, data, protocol, rng, eval_idx, eval_latents):
    """Every epoch's layers on the validation split (its latents made here, or the evaluation's when the job
    evaluates on it) and the epoch s.select_epoch keeps (EpochChoice); None when the learner kept one epoch's
    weights (a single epoch, or the last one kept on a job evaluated on test, where no curve is needed)."""
    if len(learned.epoch_blocks) < 2:
        return None
    labels, timesteps = data["labels"], eval_latents.shape[2]
    if s.eval_split == "val":
        val_idx, val_latents = eval_idx, eval_latents
    else:
        val_idx = evaluation_samples(s, labels, protocol, rng, "val")
        val_latents, _ = generate_latents(frozen, data["spikes"][val_idx], timesteps, s.backend, s.progress,
                                          s.lanes)
    counts = epoch_output_counts(learned.epoch_blocks, val_latents, vth, s.backend, s.lanes, s.progress)
    curve = accuracy_curve(counts, labels[val_idx], protocol.pretrain_classes, protocol.new_classes)
    epoch = best_epoch(curve) if s.select_epoch == "best-val" else len(counts) - 1
    return EpochChoice(s.select_epoch, epoch, curve, len(val_idx))


def timed(function, *args, **kwargs):
    """(function(*args, **kwargs), seconds it took)."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def continual_job(model_path, data, protocol, strat, settings=None, buffer=None):
    """The whole continual step of a strategy in Lava (module docstring): buffer, plan, learning, evaluation
    before and after; returns a ContinualResult.

    buffer: a LatentBuffer to replay (default: made here from settings.replay_per_class samples per old class);
    the naive strategy replays nothing.
    """
    from lava_replay.metrics import accuracy_report, predictions

    s = settings or JobSettings()
    check_learning(s.learning, s.backend)
    check_selection(s.select_epoch, s.eval_split)
    rng = np.random.default_rng(s.seed)
    layers = read_layers(model_path)
    check_lr_layer(s.lr_layer, len(layers) - 1, s.learning)
    if any(layer["delay"] is not None for layer in layers[s.lr_layer:-1]):
        raise LavaReplayError(f"{model_path} has axonal delays in the layers above --lr-layer {s.lr_layer}, and the "
                              f"learning layer has no delay lines: use --lr-layer {len(layers) - 1}")
    labels, spikes = data["labels"], data["spikes"]
    if spikes.shape[2] != strat.timesteps:
        raise LavaReplayError(f"data has T={spikes.shape[2]}, strategy {strat.name} runs at T={strat.timesteps}")
    frozen, block = layers[:s.lr_layer], layers[s.lr_layer:]
    wall = WallSeconds()
    buffer, wall.latent_generation = timed(job_buffer, strat, s, layers, data, protocol, model_path, rng, buffer)
    new_train = protocol.select("train", labels, protocol.new_classes)
    if s.max_new:
        new_train = np.sort(rng.permutation(new_train)[:s.max_new])
    eval_idx = evaluation_samples(s, labels, protocol, rng)
    (eval_latents, eval_activity), wall.evaluation_latents = timed(
        generate_latents, frozen, spikes[eval_idx], strat.timesteps, s.backend, s.progress, s.lanes)
    (before, _), wall.before = timed(output_counts, block, eval_latents, s.backend, s.lanes, progress=s.progress,
                                     desc="before")
    replay_labels = buffer.labels if buffer is not None else np.zeros(0, np.int64)
    plan = training_plan(strat.order_for(s.learning), len(new_train), labels[new_train], replay_labels,
                         strat.epochs_for(s.learning), rng)
    learned = run_learning(frozen, block, strat, s.learning, spikes[new_train], labels[new_train], plan, buffer,
                           protocol.new_classes, s.seed, s.backend, s.lanes, s.progress,
                           every_epoch=s.select_epoch == "best-val" or s.eval_split == "val")
    wall.continual = learned.seconds
    vth = learning_vth(block[-1], strat)
    choice, wall.epoch_selection = timed(choose_epoch, s, learned, vth, frozen, data, protocol, rng, eval_idx,
                                         eval_latents)
    if choice is not None:
        learned = replace(learned, block=learned.epoch_blocks[choice.epoch])
    (after, block_activity), wall.after = timed(output_counts, learned.block, eval_latents, s.backend, s.lanes,
                                                vth=vth, progress=s.progress, desc="after")
    accuracy = accuracy_report(predictions(before), predictions(after), labels[eval_idx],
                               protocol.pretrain_classes, protocol.new_classes)
    slot, _ = slot_timing(strat.timesteps)
    eval_activity = np.column_stack([eval_activity, block_activity])  # input, then every layer's spikes
    return ContinualResult(strat, s, buffer, accuracy, labels[eval_idx], eval_activity, before, after, plan,
                           learned, layers, new_train, slot, wall, choice)

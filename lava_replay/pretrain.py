"""SLAYER pretraining on the pretraining classes of a protocol, with checkpoints, resume and netx export.

    python -m lava_replay.pretrain --timesteps 100 --epochs 40          # models/shd19_T100_new0.net (+ .json)
    python -m lava_replay.pretrain --timesteps 40 --quick               # a few minutes, small subset
    python -m lava_replay.pretrain --timesteps 40 --distill-from shd19_T100_new0 --distill-weight 0.5
    python -m lava_replay.pretrain --timesteps 40 --val-speakers 3 7    # validate on unseen speakers

An existing model of the same name is only replaced with --overwrite. Models in ./models are found by name by
run and bench before the ones shipped with the package (lava_replay/netx_models).
"""
import argparse
import os
import shlex
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from lava_replay import data_dir as resolve_data_dir
from lava_replay.cli import run_cli
from lava_replay.errors import LavaReplayError
from lava_replay.export import (USER_MODEL_DIR, default_model_name, export_model, graded_input, load_model_info,
                                load_slayer_net, model_path)
from lava_replay.decay_gradient import DECAY_SCALE
from lava_replay.fileio import atomic_write_with
from lava_replay.options import above_zero, at_least, output_folder
from lava_replay.model import MAX_AXON_DELAY, REFERENCE_TIMESTEPS, ModelConfig, SpikingNet, predict


@dataclass
class TrainConfig:
    """Optimisation settings: Adam with a cosine learning-rate schedule, cross-entropy on output spike counts.

    distill_weight > 0 mixes in a teacher's soft targets (knowledge distillation at distill_temperature);
    input_dropout deletes each input spike with that probability, time_stretch and channel_stretch warp each
    sample's time and channel axes, channel_jitter moves each spike by its own few channels, channel_mask
    silences a random band of channels, speaker_mix mixes a sample with the same class said by another speaker
    (augmentation; see `augment`, `stretch`, `jitter`, `mask_channels` and `SpeakerMixer`). label_smoothing moves
    that much of the cross-entropy's target from the true class evenly onto all classes. decay_lr is Adam's
    rate for a network's learned decays (ModelConfig.learn_decays), per step in units of the decay (0..1);
    delay_lr is its rate for the learned axonal delays (ModelConfig.axon_delay), in steps.
    """
    epochs: int = 40
    lr: float = 0.003
    batch_size: int = 64
    logit_scale: float = 0.5
    channel_shift: int = 15
    time_shift: float = 0.05
    input_dropout: float = 0.0
    time_stretch: float = 0.0
    channel_stretch: float = 0.0
    channel_jitter: int = 0
    channel_mask: int = 0
    speaker_mix: float = 0.0
    label_smoothing: float = 0.0
    distill_weight: float = 0.0
    distill_temperature: float = 1.0
    decay_lr: float = 0.001
    delay_lr: float = 0.3
    seed: int = 0


AUGMENTATION_OPTIONS = ("channel_shift", "time_shift", "input_dropout", "time_stretch", "channel_stretch",
                        "channel_jitter", "channel_mask", "speaker_mix")  # TrainConfig fields, same-named options


def _batches(indices, batch_size, rng=None):
    order = rng.permutation(indices) if rng is not None else indices
    for start in range(0, len(order), batch_size):
        yield order[start:start + batch_size]


def move_spikes(x, where, to_c, to_t):
    """x (B, channels, T) with the spikes at `where` (sample, channel, step index tensors) moved to channels to_c
    and steps to_t; spikes that land in one bin add up, those moved past the edges are dropped."""
    i, c, t = where
    keep = (to_c >= 0) & (to_c < x.shape[1]) & (to_t >= 0) & (to_t < x.shape[2])
    out = torch.zeros_like(x)
    out.index_put_((i[keep], to_c[keep], to_t[keep]), x[i, c, t][keep], accumulate=True)
    return out


def stretch(x, rng, time_stretch, channel_stretch):
    """Warp each sample (B, channels, T) as another speaker would say it: every spike moves from step t to
    round(t * b) and from channel c to round(m + (c - m) * a), m the middle channel, with b and a drawn per
    sample from [1 - time_stretch, 1 + time_stretch] and [1 - channel_stretch, 1 + channel_stretch] (speaking
    rate, spread of the spectrum). Spikes that land in one bin add up; those moved past the edges are dropped."""
    n_ch = x.shape[1]
    a = torch.from_numpy(rng.uniform(1 - channel_stretch, 1 + channel_stretch, x.shape[0]))
    b = torch.from_numpy(rng.uniform(1 - time_stretch, 1 + time_stretch, x.shape[0]))
    i, c, t = torch.nonzero(x, as_tuple=True)
    middle = (n_ch - 1) / 2
    to_c = torch.round(middle + (c - middle) * a[i]).long()
    to_t = torch.round(t * b[i]).long()
    return move_spikes(x, (i, c, t), to_c, to_t)


def jitter(x, rng, channels):
    """Move every spike of x (B, channels, T) by its own random number of channels, uniform in [-channels,
    channels] (a blur of the spectrum: no fine channel position to memorise). Spikes that land in one bin add
    up; those moved past the edges are dropped."""
    i, c, t = torch.nonzero(x, as_tuple=True)
    return move_spikes(x, (i, c, t), c + torch.from_numpy(rng.integers(-channels, channels + 1, len(c))), t)


def mask_channels(x, rng, width):
    """x (B, channels, T) with, in each sample, one band of w adjacent channels silenced, w drawn from 0..width
    and the band's position uniformly (frequency masking: no single band of the spectrum can be relied on)."""
    n_ch = x.shape[1]
    w = rng.integers(0, min(width, n_ch) + 1, x.shape[0])
    start = rng.integers(0, n_ch - w + 1)
    c = np.arange(n_ch)
    silenced = (c >= start[:, None]) & (c < (start + w)[:, None])
    return x * torch.from_numpy(~silenced).to(x.dtype)[:, :, None]


def shift(sample, channels, steps):
    """One sample (channels, T) moved by `channels` and `steps` (either sign), zero-filled."""
    n_ch, n_t = sample.shape
    out = torch.zeros_like(sample)
    c, t = channels, steps
    out[max(0, c):n_ch - max(0, -c), max(0, t):n_t - max(0, -t)] = \
        sample[max(0, -c):n_ch - max(0, c), max(0, -t):n_t - max(0, t)]
    return out


def mean_time(sample, steps):
    """Mean spike time (in steps) of one sample (channels, T); 0 for an empty one."""
    per_step = sample.sum(0)
    total = per_step.sum()
    return (per_step * steps).sum() / total if total > 0 else torch.zeros(())


class SpeakerMixer:
    """Mixes training samples with the same class said by another speaker (a voice between the two).

    With probability `probability` a sample x is paired with a random training sample y of its class from
    another speaker; y is moved in time so that its mean spike time matches x's, and every (channel, step) bin
    is taken from x with probability lam and from the moved y otherwise, lam drawn per pair from U(0, 1). The
    label stays. Samples of a class no other speaker said are left as they are.
    """

    def __init__(self, spikes, labels, speakers, train_idx, probability):
        self.spikes, self.probability = spikes, probability
        self.labels, self.speakers = labels, speakers
        train_idx = np.asarray(train_idx)
        said = set(zip(labels[train_idx].tolist(), speakers[train_idx].tolist()))
        self.partners = {(c, s): train_idx[(labels[train_idx] == c) & (speakers[train_idx] != s)] for c, s in said}

    def partner(self, index, rng):
        """A random training sample of index's class from another speaker, or None."""
        pool = self.partners[int(self.labels[index]), int(self.speakers[index])]
        return int(rng.choice(pool)) if len(pool) else None

    def __call__(self, x, batch, rng):
        """x: the batch's samples (B, channels, T), rows following `batch` (training indices into spikes)."""
        x = x.clone()
        steps = torch.arange(x.shape[2], dtype=x.dtype)
        for row, index in enumerate(batch):
            if rng.random() >= self.probability:
                continue
            other = self.partner(index, rng)
            if other is None:
                continue
            y = torch.from_numpy(self.spikes[other].astype(np.float32))
            moved = int(round(float(mean_time(x[row], steps) - mean_time(y, steps))))
            y = shift(y, 0, moved)
            keep = torch.from_numpy(rng.random(x.shape[1:]) < rng.uniform()).to(x.dtype)
            x[row] = keep * x[row] + (1 - keep) * y
        return x


def augment(x, rng, cfg: TrainConfig):
    """Delete each input spike with probability cfg.input_dropout, warp each sample (`stretch`) where a stretch
    is given, move each spike by up to cfg.channel_jitter channels (`jitter`), silence a band of up to
    cfg.channel_mask channels (`mask_channels`), then shift each sample
    (B, channels, T) by a random number of channels (up to cfg.channel_shift) and of steps (up to cfg.time_shift
    of T), zero-filled."""
    if cfg.input_dropout > 0:
        x = x * torch.from_numpy(rng.random(x.shape) >= cfg.input_dropout).to(x.dtype)
    if cfg.time_stretch > 0 or cfg.channel_stretch > 0:
        x = stretch(x, rng, cfg.time_stretch, cfg.channel_stretch)
    if cfg.channel_jitter > 0:
        x = jitter(x, rng, cfg.channel_jitter)
    if cfg.channel_mask > 0:
        x = mask_channels(x, rng, cfg.channel_mask)
    channel_shift = cfg.channel_shift
    if channel_shift <= 0 and cfg.time_shift <= 0:
        return x
    out = torch.zeros_like(x)
    max_t = int(round(cfg.time_shift * x.shape[2]))
    for i in range(x.shape[0]):
        dc = int(rng.integers(-channel_shift, channel_shift + 1)) if channel_shift > 0 else 0
        dt = int(rng.integers(-max_t, max_t + 1)) if max_t > 0 else 0
        out[i] = shift(x[i], dc, dt)
    return out


def distillation_loss(logits, labels, teacher_logits, weight, temperature, label_smoothing=0.0):
    """(1 - weight) * cross-entropy + weight * T^2 * KL(teacher || student), both softened at temperature T; the
    cross-entropy's targets are smoothed by label_smoothing."""
    loss = torch.nn.functional.cross_entropy(logits, labels, label_smoothing=label_smoothing)
    if weight <= 0:
        return loss
    soft = torch.nn.functional.log_softmax(teacher_logits / temperature, -1)
    kl = torch.nn.functional.kl_div(torch.nn.functional.log_softmax(logits / temperature, -1), soft,
                                    log_target=True, reduction="batchmean")
    return (1 - weight) * loss + weight * temperature ** 2 * kl


def train_step(net, optimizer, x, y, cfg: TrainConfig, teacher_logits=None):
    """One optimisation step on a batch: cross-entropy of the output spike counts x cfg.logit_scale (targets
    smoothed by cfg.label_smoothing; plus distillation towards teacher_logits when given, at cfg's distillation
    weight and temperature). Returns the output and the loss."""
    out = net(x)
    weight = cfg.distill_weight if teacher_logits is not None else 0.0
    loss = distillation_loss(out.sum(-1) * cfg.logit_scale, y, teacher_logits, weight, cfg.distill_temperature,
                             cfg.label_smoothing)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return out, loss


def evaluate(net, spikes, labels, indices, batch_size=256):
    """SLAYER accuracy and predictions on the samples `indices` (eval mode, no dropout)."""
    net.eval()
    preds = []
    with torch.no_grad():
        for batch in _batches(indices, batch_size):
            preds.append(predict(net(torch.from_numpy(spikes[batch].astype(np.float32)))).numpy())
    preds = np.concatenate(preds) if preds else np.zeros(0, dtype=np.int64)
    accuracy = float((preds == labels[indices]).mean()) if len(indices) else float("nan")
    return accuracy, preds


def teacher_logits(teacher, spikes, indices, logit_scale, batch_size=256):
    """A teacher's logits on `indices` (rows follow indices): its output spike counts x logit_scale, the scale it
    was trained at, so that softmax(logits) is its own class distribution (a model of any T)."""
    teacher.eval()
    rows = []
    with torch.no_grad():
        for batch in _batches(indices, batch_size):
            counts = teacher(torch.from_numpy(spikes[batch].astype(np.float32))).sum(-1)
            rows.append(counts * logit_scale)
    return torch.cat(rows)


def train(net, spikes, labels, train_idx, val_idx, cfg: TrainConfig, checkpoint=None, resume=False,
          progress=True, soft_targets=None, speakers=None):
    """Train net in place; keep the weights of the best validation epoch. Returns the per-epoch history.

    soft_targets: teacher logits per sample, a (len(spikes), n_outputs) tensor (rows outside train_idx unused),
    needed when cfg.distill_weight > 0. speakers: the speaker of every sample, needed when cfg.speaker_mix > 0.
    """
    from tqdm import tqdm

    if len(train_idx) == 0:
        raise LavaReplayError("no training samples: check --new-class and the data directory")
    if cfg.distill_weight > 0 and soft_targets is None:
        raise LavaReplayError("--distill-weight > 0 needs a teacher: give --distill-from")
    if cfg.speaker_mix > 0 and speakers is None:
        raise LavaReplayError("--speaker-mix needs the speaker of every sample (SHD's extra/speaker)")
    mixer = SpeakerMixer(spikes, labels, speakers, train_idx, cfg.speaker_mix) if cfg.speaker_mix > 0 else None
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    decays, delays = net.decay_parameters(), net.delay_parameters()
    learned = {id(p) for p in decays + delays}
    groups = [{"params": [p for p in net.parameters() if id(p) not in learned], "lr": cfg.lr}]
    if decays:  # SLAYER holds decays x 4096
        groups.append({"params": decays, "lr": cfg.decay_lr * DECAY_SCALE})
    if delays:
        groups.append({"params": delays, "lr": cfg.delay_lr})
    optimizer = torch.optim.Adam(groups)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, cfg.epochs))
    state = {"epoch": 0, "history": [], "best": None, "best_val": -1.0}
    if resume and checkpoint and os.path.exists(checkpoint):
        saved = torch.load(checkpoint)
        if saved["train_config"] != asdict(cfg) or saved["model_config"] != net.cfg.to_dict():
            raise LavaReplayError(f"checkpoint {checkpoint} was made with other settings; "
                                  "delete it or rerun without --resume")
        net.load_weights(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        rng.bit_generator.state = saved["rng"]
        torch.set_rng_state(saved["torch_rng"])
        state = {k: saved[k] for k in state}
    for epoch in range(state["epoch"], cfg.epochs):
        start = time.time()
        net.train()
        correct, seen = 0, 0
        batches = list(_batches(train_idx, cfg.batch_size, rng))
        bar = tqdm(batches, desc=f"epoch {epoch + 1}/{cfg.epochs}", disable=not progress, leave=False)
        for batch in bar:
            x = torch.from_numpy(spikes[batch].astype(np.float32))
            if mixer is not None:
                x = mixer(x, batch, rng)
            x = augment(x, rng, cfg)
            y = torch.from_numpy(labels[batch])
            soft = soft_targets[batch] if soft_targets is not None else None
            out, loss = train_step(net, optimizer, x, y, cfg, soft)
            correct += int((predict(out) == y).sum())
            seen += len(batch)
            bar.set_postfix(loss=f"{loss.item():.3f}", acc=f"{correct / seen:.3f}")
        schedule.step()
        seconds = time.time() - start
        val_acc, _ = evaluate(net, spikes, labels, val_idx)
        state["history"].append({"epoch": epoch + 1, "train_accuracy": correct / seen,
                                 "val_accuracy": val_acc, "seconds": seconds})
        if val_acc > state["best_val"]:
            state["best_val"] = val_acc
            state["best"] = net.weights()
        state["epoch"] = epoch + 1
        if progress:
            print(f"epoch {epoch + 1}: train {correct / seen:.3f} val {val_acc:.3f} ({seconds:.0f} s)", flush=True)
        if checkpoint:
            snapshot = dict(state, model=net.weights(), optimizer=optimizer.state_dict(),
                            schedule=schedule.state_dict(), rng=rng.bit_generator.state,
                            torch_rng=torch.get_rng_state(), train_config=asdict(cfg),
                            model_config=net.cfg.to_dict())
            atomic_write_with(checkpoint, lambda tmp, snap=snapshot: torch.save(snap, tmp), ".pt")
    if state["best"] is not None:
        net.load_weights(state["best"])
    return state["history"]


def pretrain(data, protocol, timesteps, model_cfg, train_cfg, name=None, model_dir=USER_MODEL_DIR,
             checkpoint_dir="checkpoints", resume=False, progress=True, init_from=None, distill_from=None,
             teacher_data=None, overwrite=False):
    """Pretrain on protocol.pretrain_classes, test on their test samples, export; returns (net, sidecar).

    With init_from (a .net path) training starts from that model's weights (a warm restart of the schedule) in
    model_cfg's neurons; the model may come from another T (e.g. T=100 weights fine-tuned at T=40). With
    distill_from (a .net path) and teacher_data (the same samples binned at the teacher's T) the teacher's soft
    targets are distilled (train_cfg.distill_weight). An existing model of this name is an error unless overwrite.
    When protocol.val_speakers is set, the test accuracy is also reported on those (unseen) speakers alone.
    """
    spikes, labels = data["spikes"], data["labels"]
    if spikes.shape[1] != model_cfg.n_inputs or spikes.shape[2] != timesteps:
        raise LavaReplayError(f"data shaped {spikes.shape[1:]} does not fit a {model_cfg.n_inputs}-input "
                              f"model at T={timesteps}")
    classes = protocol.pretrain_classes
    train_idx = protocol.select("train", labels, classes)
    val_idx = protocol.select("val", labels, classes)
    test_idx = protocol.select("test", labels, classes)
    name = name or default_model_name(timesteps, classes, protocol.val_speakers)
    if os.path.exists(model_path(name, model_dir)) and not overwrite:
        raise LavaReplayError(f"{model_path(name, model_dir)} exists; give another --name or --overwrite")
    soft_targets = None
    if distill_from:
        teacher_info = load_model_info(distill_from, architecture=model_cfg, classes=classes)
        if teacher_data is None or teacher_data["fingerprint"] != data["fingerprint"] \
                or not np.array_equal(teacher_data["labels"], labels):
            raise LavaReplayError(f"--distill-from {distill_from}: the teacher needs the same samples binned at "
                                  f"its T={teacher_info['timesteps']}")
        soft_targets = torch.zeros(len(labels), model_cfg.n_outputs)
        soft_targets[train_idx] = teacher_logits(load_slayer_net(distill_from), teacher_data["spikes"], train_idx,
                                                 train_cfg.logit_scale)
    checkpoint = None
    if checkpoint_dir:
        os.makedirs(checkpoint_dir, exist_ok=True)
        checkpoint = os.path.join(checkpoint_dir, f"{name}.pt")
    torch.manual_seed(train_cfg.seed)
    start = None
    if init_from:
        start = load_model_info(init_from, architecture=model_cfg, classes=classes)
        net = load_slayer_net(init_from, model_cfg)
    else:
        net = SpikingNet(model_cfg)
    history = train(net, spikes, labels, train_idx, val_idx, train_cfg, checkpoint, resume, progress,
                    soft_targets, data.get("speakers"))
    val_acc = max(h["val_accuracy"] for h in history)  # train() leaves net with the best validation epoch
    test_acc, test_pred = evaluate(net, spikes, labels, test_idx)
    accuracy = {"val": val_acc, "test": test_acc}
    if protocol.val_speakers:
        unseen = np.isin(data["speakers"][test_idx], protocol.val_speakers)
        accuracy["test_unseen_speakers"] = float((test_pred == labels[test_idx])[unseen].mean())
        accuracy["test_seen_speakers"] = float((test_pred == labels[test_idx])[~unseen].mean())
    meta = {"classes": classes, "timesteps": timesteps, "seed": train_cfg.seed, "protocol": protocol.name,
            "val_speakers": list(protocol.val_speakers), "data_fingerprint": data["fingerprint"],
            "train_config": asdict(train_cfg), "accuracy": accuracy,
            "samples": {"train": len(train_idx), "val": len(val_idx), "test": len(test_idx)}, "history": history}
    if start:
        meta["init_from"] = {key: start[key] for key in ("accuracy", "timesteps", "train_config", "history",
                                                         "init_from") if key in start}
        meta["init_from"]["file"] = os.path.basename(init_from)
    if distill_from:
        meta["distill_from"] = {"file": os.path.basename(distill_from), "timesteps": teacher_info["timesteps"],
                                "accuracy": teacher_info["accuracy"]}
    sidecar = export_model(net, model_path(name, model_dir), meta)
    return net, sidecar


def build_parser():
    """Command-line options of the pretraining tool."""
    p = argparse.ArgumentParser(prog="python -m lava_replay.pretrain", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--timesteps", type=int, default=100, help="time bins over 1.4 s (default 100)")
    p.add_argument("--protocol", default="spikinglr", help="spikinglr | official | multistep")
    p.add_argument("--new-class", type=int, nargs="+", default=[0], help="classes held out of pretraining")
    p.add_argument("--data-dir", default=None, help="data directory (default $LAVA_REPLAY_DATA or ./data)")
    p.add_argument("--hidden", type=int, nargs="+", default=list(ModelConfig.hidden), help="hidden layer sizes")
    p.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    p.add_argument("--dropout", type=float, default=ModelConfig.dropout, help="dropout of hidden spikes")
    p.add_argument("--current-decay", type=float, default=None,
                   help=f"CUBA current decay per time step, in (0, 1) (default {ModelConfig.current_decay} at "
                        f"T={REFERENCE_TIMESTEPS}, time-matched at other T: 1 - (1 - d)^({REFERENCE_TIMESTEPS} / T))")
    p.add_argument("--voltage-decay", type=float, default=None,
                   help=f"CUBA voltage decay per time step, in (0, 1) (default {ModelConfig.voltage_decay} at "
                        f"T={REFERENCE_TIMESTEPS}, time-matched at other T)")
    p.add_argument("--full-bptt", action="store_true",
                   help="pass the gradient back through the recurrent neurons' current and voltage (full "
                        "backpropagation through time; SLAYER's recurrent block stops it at each step)")
    p.add_argument("--learn-decays", action="store_true",
                   help="learn the hidden neurons' decays, one per neuron (heterogeneous time constants)")
    p.add_argument("--decay-spread", type=float, default=ModelConfig.decay_spread,
                   help="give every hidden neuron its own decays, uniform within this fraction of "
                        "--current-decay / --voltage-decay (heterogeneous time constants; default 0: all equal)")
    p.add_argument("--decay-lr", type=float, default=TrainConfig.decay_lr,
                   help="with --learn-decays: Adam's rate for the decays, per step (the decays lie in 0..1)")
    p.add_argument("--axon-delays", type=int, default=ModelConfig.axon_delay, metavar="MAX",
                   help="learn an axonal delay of 0..MAX steps for every hidden neuron (0: none; at most "
                        f"{MAX_AXON_DELAY})")
    p.add_argument("--delay-lr", type=float, default=TrainConfig.delay_lr,
                   help="with --axon-delays: Adam's rate for the delays, in steps")
    p.add_argument("--graded-input", action="store_true",
                   help="input: how many events each channel had in a time bin (graded spikes, as tonic's ToFrame "
                        "counts them) instead of one binary spike per bin")
    p.add_argument("--channel-shift", type=int, default=TrainConfig.channel_shift,
                   help="augmentation: random channel shift up to this many channels")
    p.add_argument("--time-shift", type=float, default=TrainConfig.time_shift,
                   help="augmentation: random time shift up to this fraction of T")
    p.add_argument("--input-dropout", type=float, default=TrainConfig.input_dropout,
                   help="augmentation: delete each input spike with this probability")
    p.add_argument("--time-stretch", type=float, default=TrainConfig.time_stretch,
                   help="augmentation: stretch each sample in time by a random factor in [1 - this, 1 + this]")
    p.add_argument("--channel-stretch", type=float, default=TrainConfig.channel_stretch,
                   help="augmentation: stretch each sample's channels about the middle one by a random factor in "
                        "[1 - this, 1 + this]")
    p.add_argument("--channel-jitter", type=int, default=TrainConfig.channel_jitter,
                   help="augmentation: move every input spike by its own random number of channels, up to this many")
    p.add_argument("--channel-mask", type=int, default=TrainConfig.channel_mask,
                   help="augmentation: silence a random band of up to this many adjacent channels in each sample")
    p.add_argument("--speaker-mix", type=float, default=TrainConfig.speaker_mix,
                   help="augmentation: with this probability mix a sample with the same digit said by another "
                        "speaker (each time bin from one of the two)")
    p.add_argument("--label-smoothing", type=float, default=TrainConfig.label_smoothing,
                   help="move this fraction of the cross-entropy's target from the true class evenly onto all "
                        "classes (regularisation; default 0)")
    p.add_argument("--lr", type=float, default=TrainConfig.lr)
    p.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--name", default=None,
                   help="model name, written as <model-dir>/<name>.net (default e.g. shd19_T100_new0)")
    p.add_argument("--model-dir", default=USER_MODEL_DIR,
                   help="where the model is written (default: ./models; --init-from / --distill-from names are "
                        "looked up there, then among the shipped models)")
    p.add_argument("--checkpoint-dir", default="checkpoints")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint of this model name")
    p.add_argument("--init-from", default=None, help="start from this exported model (name or .net path)")
    p.add_argument("--distill-from", default=None,
                   help="teacher model (name or .net path, any T) whose output counts are distilled")
    p.add_argument("--distill-weight", type=float, default=0.5, help="weight of the distillation loss (0..1]")
    p.add_argument("--distill-temperature", type=float, default=TrainConfig.distill_temperature)
    p.add_argument("--val-speakers", type=int, nargs="+", default=[],
                   help="validate on these speakers' samples (never trained on) instead of a random split")
    p.add_argument("--overwrite", action="store_true", help="replace an existing model of the same name")
    p.add_argument("--quick", action="store_true", help="small: 30 samples per class, 3 epochs")
    return p


def quick_subset(protocol, labels, per_class=30, seed=0):
    """Shrink a protocol's train/val/test to at most per_class (train) and per_class/3 (val, test) per class."""
    from lava_replay.data.protocols import per_class_subset

    rng = np.random.default_rng(seed)
    protocol.train = per_class_subset(protocol.train, labels, per_class, rng)
    protocol.val = per_class_subset(protocol.val, labels, max(1, per_class // 3), rng)
    protocol.test = per_class_subset(protocol.test, labels, max(1, per_class // 3), rng)
    return protocol


def check_options(args):
    """Check every option (and make the output folders) before any data is read; returns the pretraining classes."""
    from lava_replay.data.protocols import pretrain_classes

    for option in ("timesteps", "epochs", "batch_size", "hidden"):
        at_least("--" + option.replace("_", "-"), getattr(args, option))
    at_least("--channel-shift", args.channel_shift, 0)
    at_least("--channel-jitter", args.channel_jitter, 0)
    at_least("--channel-mask", args.channel_mask, 0)
    at_least("--threads", args.threads, 0)
    above_zero("--lr", args.lr)
    above_zero("--decay-lr", args.decay_lr)
    above_zero("--delay-lr", args.delay_lr)
    if not 0 <= args.axon_delays <= MAX_AXON_DELAY:
        raise LavaReplayError(f"--axon-delays must be in 0..{MAX_AXON_DELAY} (steps; Loihi 2's longest), "
                              f"got {args.axon_delays}")
    if args.learn_decays and not args.full_bptt:
        raise LavaReplayError("--learn-decays needs --full-bptt: SLAYER's own recurrent block gives the decays no "
                              "gradient")
    for option in ("current_decay", "voltage_decay"):
        value = getattr(args, option)
        if value is not None and not 0 < value < 1:
            raise LavaReplayError(f"--{option.replace('_', '-')} must be in (0, 1), got {value}")
    for option in ("dropout", "input_dropout", "time_shift", "time_stretch", "channel_stretch", "decay_spread",
                   "label_smoothing"):
        if not 0 <= getattr(args, option) < 1:
            raise LavaReplayError(f"--{option.replace('_', '-')} must be in [0, 1), got {getattr(args, option)}")
    if not 0 <= args.speaker_mix <= 1:
        raise LavaReplayError(f"--speaker-mix must be in [0, 1], got {args.speaker_mix}")
    if args.distill_from and not (0 < args.distill_weight <= 1 and args.distill_temperature > 0):
        raise LavaReplayError(f"--distill-weight must be in (0, 1] and --distill-temperature > 0, got "
                              f"{args.distill_weight} and {args.distill_temperature}")
    classes = pretrain_classes(args.protocol, args.new_class)
    if args.init_from:
        try:
            load_model_info(source_model(args.init_from, args.model_dir), classes=classes,
                            architecture=ModelConfig(hidden=tuple(args.hidden)))
        except LavaReplayError as exc:
            raise LavaReplayError(f"--init-from {args.init_from}: {exc}") from exc
    output_folder(args.model_dir, "--model-dir")
    if args.checkpoint_dir:
        output_folder(args.checkpoint_dir, "--checkpoint-dir")
    return classes


def model_config(args):
    """The ModelConfig of the parsed options (decays not given: time-matched to --timesteps)."""
    return ModelConfig.at_timesteps(args.timesteps, hidden=tuple(args.hidden), dropout=args.dropout,
                                    current_decay=args.current_decay, voltage_decay=args.voltage_decay,
                                    graded_input=args.graded_input, full_bptt=args.full_bptt,
                                    learn_decays=args.learn_decays, decay_spread=args.decay_spread,
                                    axon_delay=args.axon_delays)


def source_model(name, model_dir):
    """The .net of a model to start from or distil: in model_dir when it is there, else as model_path finds it."""
    path = model_path(name, model_dir)
    return path if os.path.exists(path) else model_path(name)


def interrupted_note(checkpoint, started, argv):
    """What a Ctrl-C leaves: the last checkpoint written since `started` and the command that resumes from it."""
    if checkpoint and os.path.exists(checkpoint) and (os.path.getmtime(checkpoint) >= started or "--resume" in argv):
        epoch = torch.load(checkpoint)["epoch"]
        command = shlex.join(["python", "-m", "lava_replay.pretrain"] + [a for a in argv if a != "--resume"]
                             + ["--resume"])
        return f"last checkpoint {checkpoint} (after epoch {epoch}); resume with: {command}"
    return "no epoch was finished, no checkpoint written"


def main(argv=None):
    """Entry point of python -m lava_replay.pretrain."""
    from lava_replay.data.protocols import load_shd_protocol

    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    classes = check_options(args)
    if args.threads:
        torch.set_num_threads(args.threads)
    data_dir = resolve_data_dir(args.data_dir)
    data, protocol = load_shd_protocol(data_dir, args.protocol, args.timesteps, args.new_class, args.seed,
                                       val_speakers=args.val_speakers, graded=args.graded_input)
    distill_from, teacher_data = None, None
    if args.distill_from:
        distill_from = source_model(args.distill_from, args.model_dir)
        teacher = load_model_info(distill_from)
        same = (teacher["timesteps"], graded_input(teacher)) == (args.timesteps, args.graded_input)
        teacher_data = data if same else load_shd_protocol(data_dir, args.protocol, teacher["timesteps"],
                                                           args.new_class, args.seed, graded=graded_input(teacher))[0]
    epochs = args.epochs
    if args.quick:
        protocol = quick_subset(protocol, data["labels"], seed=args.seed)
        epochs = min(epochs, 3)
    model_cfg = model_config(args)
    init_from = source_model(args.init_from, args.model_dir) if args.init_from else None
    train_cfg = TrainConfig(epochs=epochs, lr=args.lr, batch_size=args.batch_size, seed=args.seed,
                            distill_weight=args.distill_weight if distill_from else 0.0,
                            distill_temperature=args.distill_temperature, decay_lr=args.decay_lr,
                            delay_lr=args.delay_lr, label_smoothing=args.label_smoothing,
                            **{option: getattr(args, option) for option in AUGMENTATION_OPTIONS})
    name = args.name or default_model_name(args.timesteps, classes, protocol.val_speakers)
    started = time.time()
    try:
        _, sidecar = pretrain(data, protocol, args.timesteps, model_cfg, train_cfg, name, args.model_dir,
                              args.checkpoint_dir, args.resume, init_from=init_from, distill_from=distill_from,
                              teacher_data=teacher_data, overwrite=args.overwrite)
    except KeyboardInterrupt:
        checkpoint = os.path.join(args.checkpoint_dir, f"{name}.pt") if args.checkpoint_dir else None
        raise KeyboardInterrupt(interrupted_note(checkpoint, started, argv)) from None
    acc = sidecar["accuracy"]
    print(f"test accuracy on the {len(sidecar['classes'])} pretraining classes: "
          f"{100 * acc['test']:.2f} % (val {100 * acc['val']:.2f} %)")
    if "test_unseen_speakers" in acc:
        print(f"test accuracy on the held-out speakers {sidecar['val_speakers']}: "
              f"{100 * acc['test_unseen_speakers']:.2f} %, on the others {100 * acc['test_seen_speakers']:.2f} %")
    return 0


def cli():
    """The console script lava-replay-pretrain: main with one-line errors and exit codes."""
    sys.exit(run_cli(main))


if __name__ == "__main__":
    cli()

"""Export a trained SpikingNet to <model-dir>/<name>.net with a JSON sidecar, find models, and check a .net before
use."""
import copy
import json
import os

import numpy as np

from lava_replay.data.shd import is_graded
from lava_replay.errors import LavaReplayError
from lava_replay.fileio import atomic_write_json, atomic_write_with, file_sha256
from lava_replay.model import ModelConfig

SHIPPED_MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netx_models")  # package data
USER_MODEL_DIR = "models"  # where pretrain writes by default (git-ignored)
WEIGHT_RANGE = (-256, 254)  # SLAYER's 8-bit weights as a .net stores them (netx clips to this range)


def model_path(name, model_dir=None):
    """Path of the .net file of a model: a path ending in .net as it is; else <name>.net in model_dir, or, without
    one, in ./models (what pretrain writes) when it is there and else among the models shipped with the package."""
    if name.endswith(".net"):
        return name
    if model_dir:
        return os.path.join(model_dir, f"{name}.net")
    user = os.path.join(USER_MODEL_DIR, f"{name}.net")
    return user if os.path.exists(user) else os.path.join(SHIPPED_MODEL_DIR, f"{name}.net")


def available_models():
    """Names of the models in ./models and shipped with the package."""
    folders = [d for d in (USER_MODEL_DIR, SHIPPED_MODEL_DIR) if os.path.isdir(d)]
    return sorted({n[:-len(".net")] for d in folders for n in os.listdir(d) if n.endswith(".net")})


def sidecar_path(net_path):
    """The JSON sidecar beside a .net file."""
    return net_path[:-len(".net")] + ".json"


def default_model_name(timesteps, pretrain_classes, val_speakers=()):
    """Name of the model pretrained on these classes at T steps, e.g. shd19_T100_new0; a model validated on
    held-out speakers gets their numbers, e.g. shd19_T40_new0_spk3-7."""
    missing = sorted(set(range(20)) - set(pretrain_classes))
    suffix = "new" + "-".join(map(str, missing)) if missing else "all"
    speakers = "_spk" + "-".join(map(str, sorted(val_speakers))) if val_speakers else ""
    return f"shd{len(pretrain_classes)}_T{timesteps}_{suffix}{speakers}"


def export_model(net, path, meta):
    """Write net as a netx .net (HDF5) and its sidecar atomically; meta must hold classes, timesteps, ..."""
    required = {"classes", "timesteps", "seed", "data_fingerprint", "accuracy"}
    if not required <= set(meta):
        raise LavaReplayError(f"export metadata lacks {sorted(required - set(meta))}")
    exported = copy.deepcopy(net)  # SLAYER's export removes weight norm from the module it exports
    atomic_write_with(path, exported.export_hdf5, suffix=".net")
    sidecar = dict(meta, architecture=net.cfg.to_dict(), format="lava-replay-netx-1", net_sha256=file_sha256(path),
                   neuron={"threshold": net.cfg.threshold, "current_decay": net.cfg.current_decay,
                           "voltage_decay": net.cfg.voltage_decay, "vThMant": int(net.cfg.threshold * 64),
                           "iDecay": round(net.cfg.current_decay * 4096),
                           "vDecay": round(net.cfg.voltage_decay * 4096)})
    atomic_write_json(sidecar_path(path), sidecar)
    return sidecar


def layer_shapes(net_path):
    """(type, inputs, outputs) of every layer in a .net file; a clear error when the file is not one."""
    import h5py

    try:
        with h5py.File(net_path, "r") as h:
            layers = h["layer"]
            keys = sorted(layers, key=int)
            return [(layers[k]["type"][0].decode(), int(layers[k]["inFeatures"][()]),
                     int(layers[k]["outFeatures"][()])) for k in keys]
    except (OSError, KeyError, ValueError, IndexError) as exc:
        raise LavaReplayError(f"{net_path} is not a readable netx network file ({exc}); "
                              "re-export it with python -m lava_replay.pretrain") from exc


def check_weights(net_path):
    """LavaReplayError unless every weight in the .net is finite and within WEIGHT_RANGE."""
    import h5py
    import numpy as np

    low, high = WEIGHT_RANGE
    with h5py.File(net_path, "r") as h:
        for k in sorted(h["layer"], key=int):
            for key in ("weight", "weight_rec"):
                if key not in h["layer"][k]:
                    continue
                weights = h["layer"][k][key][()]
                if not np.isfinite(weights).all():
                    raise LavaReplayError(f"{net_path}: layer {k} {key} holds NaN or infinite values; the file is "
                                          "corrupt, re-export it with python -m lava_replay.pretrain")
                if weights.min() < low or weights.max() > high:
                    raise LavaReplayError(f"{net_path}: layer {k} {key} holds weights in {weights.min():g}.."
                                          f"{weights.max():g}; expected 8-bit netx weights in {low}..{high}")


def load_model_info(net_path, timesteps=None, architecture=None, classes=None):
    """Sidecar of a .net after checking that the file is sound and matches the requested T/architecture/classes."""
    if not os.path.exists(net_path):
        raise LavaReplayError(f"model file {net_path} not found")
    side = sidecar_path(net_path)
    try:
        with open(side) as f:
            info = json.load(f)
    except (OSError, json.JSONDecodeError) as exc:
        raise LavaReplayError(f"sidecar {side} of {net_path} is missing or not JSON ({exc})") from exc
    if "net_sha256" not in info:
        raise LavaReplayError(f"sidecar {side} lacks the SHA-256 of {net_path} (net_sha256), so the file cannot be "
                              "checked; re-export it with python -m lava_replay.pretrain")
    if file_sha256(net_path) != info["net_sha256"]:
        raise LavaReplayError(f"{net_path} does not match the SHA-256 in its sidecar {side}: the file is corrupt or "
                              "was changed after export; restore it or re-export it with "
                              "python -m lava_replay.pretrain")
    cfg = ModelConfig.from_dict(info["architecture"])
    sizes = cfg.layer_sizes()
    expected = [("dense_rec" if cfg.recurrent else "dense", a, b) for a, b in zip(sizes[:-2], sizes[1:-1])]
    expected.append(("dense", sizes[-2], sizes[-1]))
    found = layer_shapes(net_path)
    if found != expected:
        raise LavaReplayError(f"{net_path} holds layers {found} but its sidecar describes {expected}")
    check_weights(net_path)
    if timesteps is not None and info["timesteps"] != timesteps:
        raise LavaReplayError(f"{net_path} was trained at T={info['timesteps']}, but T={timesteps} was requested")
    if architecture is not None and cfg.layer_sizes() != architecture.layer_sizes():
        raise LavaReplayError(f"{net_path} has layers {cfg.layer_sizes()}, but {architecture.layer_sizes()} "
                              "was requested")
    if classes is not None and sorted(info["classes"]) != sorted(classes):
        raise LavaReplayError(f"{net_path} was pretrained on classes {info['classes']}, but "
                              f"{sorted(classes)} were requested")
    return info


def load_slayer_net(net_path, config=None):
    """A SpikingNet (SLAYER) holding exactly the weights (and per-neuron decays, axonal delays) of an exported
    .net, for cross-checks and fine-tuning; config: the ModelConfig to build it with (same layer sizes; default the
    model's own)."""
    import h5py
    import torch

    from lava_replay.model import SpikingNet

    info = load_model_info(net_path)
    net = SpikingNet(config or ModelConfig.from_dict(info["architecture"]))
    with h5py.File(net_path, "r") as h, torch.no_grad():
        for i, block in enumerate(net.blocks):
            group = h["layer"][str(i)]
            synapse = block.input_synapse if hasattr(block, "input_synapse") else block.synapse
            synapse.weight.copy_(torch.from_numpy(group["weight"][()] / 64.0).reshape(synapse.weight.shape))
            if "weight_rec" in group:
                rec = block.recurrent_synapse
                rec.weight.copy_(torch.from_numpy(group["weight_rec"][()] / 64.0).reshape(rec.weight.shape))
            for name, key in (("current_decay", "iDecay"), ("voltage_decay", "vDecay")):
                stored, decay = group["neuron"][key][()], getattr(block.neuron, name)
                if np.ndim(stored) and decay.numel() > 1:  # per-neuron decays (ModelConfig.per_neuron_decays)
                    decay.copy_(torch.from_numpy(stored.astype(np.float32)))
            if block.delay is not None:  # whole steps, as exported (ModelConfig.axon_delay)
                block.delay.delay.copy_(torch.from_numpy(group["delay"][()].astype(np.float32)))
    net.eval()
    return net


def graded_input(info):
    """Whether a model (its sidecar) reads graded input: events per time bin instead of binary spikes."""
    return ModelConfig.from_dict(info["architecture"]).graded_input


def model_input(spikes, info, path):
    """Binned samples as a model (its sidecar `info`, its file `path`) reads them: graded data made binary for a
    binary model, other data as it is; binary data for a graded model is an error (the events per bin are gone)."""
    if not graded_input(info):
        return np.minimum(spikes, 1) if is_graded(spikes) else spikes
    if not is_graded(spikes):
        raise LavaReplayError(f"{path} reads graded input (events per time bin), but the samples given are binary; "
                              "load them with graded=True (load_shd_protocol)")
    return spikes


def pretrained_model(timesteps, pretrain_classes, model=None):
    """(path, sidecar) of the model for these pretraining classes and T (or of `model`, checked to match)."""
    path = model_path(model or default_model_name(timesteps, pretrain_classes))
    try:
        return path, load_model_info(path, timesteps=timesteps, classes=pretrain_classes)
    except LavaReplayError as exc:
        if model:
            raise LavaReplayError(f"--model {model}: {exc}; expected a .net path or the name of a model in "
                                  f"{USER_MODEL_DIR}/ or shipped with lava-replay "
                                  f"({', '.join(available_models())})") from exc
        missing = sorted(set(range(20)) - set(pretrain_classes))
        raise LavaReplayError(
            f"{exc}. To make it: python -m lava_replay.pretrain --timesteps {timesteps} "
            f"--new-class {' '.join(map(str, missing))}") from exc

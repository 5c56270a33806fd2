"""Run an exported netx network in Lava (fixed point) over many samples and collect every layer's spikes."""
import numpy as np

from lava_replay.data.shd import is_graded
from lava_replay.errors import LavaReplayError
from lava_replay.export import layer_shapes
from lava_replay.lava_session import LavaSession
from lava_replay.netx_params import read_layers
from processes.slot_reset_lif.models import MODEL_MAP


def slot_length(timesteps, n_layers):
    """Steps given to each sample: the next power of two >= T + one step per layer (Loihi 2 reset intervals)."""
    need = timesteps + n_layers + 1
    return 1 << (need - 1).bit_length()


def _run_chunk(net_path, spikes, slot, backend, layers, graded):
    from lava.lib.dl import netx
    from lava.proc import io

    n, n_in, timesteps = spikes.shape
    net = netx.hdf5.Network(net_config=net_path, reset_interval=slot, input_message_bits=8 if graded else 0)
    if net.inp.shape[0] != n_in:
        raise LavaReplayError(f"{net_path} expects {net.inp.shape[0]} input channels, the data has {n_in}")
    chosen = range(len(net.layers)) if layers is None else [i % len(net.layers) for i in layers]
    total = n * slot + len(net.layers) + 1
    stream = np.zeros((n_in, total), dtype=np.int32)
    for k in range(n):
        stream[:, k * slot:k * slot + timesteps] = spikes[k]
    source = io.source.RingBuffer(data=stream)
    source.s_out.connect(net.inp)
    sinks = {}
    for i in chosen:
        sinks[i] = io.sink.RingBuffer(shape=net.layers[i].out.shape, buffer=total)
        net.layers[i].out.connect(sinks[i].a_in)
    with LavaSession(net, backend, MODEL_MAP) as lava:
        lava.run(total)
        recorded = {i: sink.data.get() for i, sink in sinks.items()}
    # sample k's input step 0 is sent at global step k*slot+1; SLAYER's one-step delay_shift per block is
    # exactly Lava's Dense delay, so every layer's SLAYER step t is column k*slot+t of its sink
    start = np.arange(n)[:, None] * slot + np.arange(timesteps)[None, :]
    return [rec[:, start].transpose(1, 0, 2).astype(np.uint8) for rec in recorded.values()]


def lava_layer_spikes(net_path, spikes, backend="sim", layers=None, chunk=64, progress=False):
    """Spikes of a netx network's layers on samples (n, n_in, T), aligned with SLAYER's forward output. Samples
    with values above 1 (events per bin) are sent as graded spikes (8-bit payloads, netx's input_message_bits).

    Samples are laid back to back in power-of-two slots; every layer's neurons are held reset at the start of
    each slot (netx's LIFReset phases with the model of processes.slot_reset_lif). `layers` picks layer indices (default
    all; -1 is the output). Samples run in chunks of `chunk`, one Lava network each, which keeps the sinks'
    read-back short. Returns one (n, n_neurons, T) uint8 array per chosen layer; index t holds what SLAYER's
    (delay-shifted) output holds at step t.
    """
    from tqdm import tqdm

    spikes = np.asarray(spikes)
    if spikes.ndim != 3 or len(spikes) == 0:
        raise LavaReplayError(f"expected spikes shaped (samples > 0, channels, T), got {spikes.shape}")
    if chunk < 1:
        raise LavaReplayError(f"chunk must be >= 1, got {chunk}")
    if any(layer["delay"] is not None for layer in read_layers(net_path)):
        raise LavaReplayError(f"{net_path} has axonal delays, which stock netx runs wrongly: its RecurrentDense "
                              "delays the recurrent synapses as much as the forward ones (docs/lava-notes.md); the "
                              "fused FrozenSpikeGenerator runs them (continual.run_frozen)")
    slot = slot_length(spikes.shape[2], len(layer_shapes(net_path)))
    graded = is_graded(spikes)
    parts = [_run_chunk(net_path, spikes[k:k + chunk], slot, backend, layers, graded)
             for k in tqdm(range(0, len(spikes), chunk), desc="Lava", disable=not progress)]
    return [np.concatenate(per_layer) for per_layer in zip(*parts)]


def lava_classify(net_path, spikes, backend="sim", progress=False):
    """Lava predictions (most output spikes) and the seconds they took (compile included)."""
    import time

    start = time.perf_counter()
    output, = lava_layer_spikes(net_path, spikes, backend, layers=[-1], progress=progress)
    seconds = time.perf_counter() - start
    return output.sum(-1).argmax(-1), seconds


def evaluate_pretrained(data, protocol, timesteps, backend="sim", model=None, samples=0, per_class=0, seed=0,
                        progress=False):
    """Lava and SLAYER accuracy of the pretrained model on the pretraining classes' test samples (a dict)."""
    import os
    import time

    from lava_replay.data.protocols import per_class_subset
    from lava_replay.export import load_slayer_net, model_input, pretrained_model
    from lava_replay.pretrain import evaluate

    path, info = pretrained_model(timesteps, protocol.pretrain_classes, model)
    spikes = model_input(data["spikes"], info, path)
    labels = data["labels"]
    test = protocol.select("test", labels, protocol.pretrain_classes)
    if per_class:
        test = per_class_subset(test, labels, per_class, np.random.default_rng(seed))
    if samples:
        test = np.sort(np.random.default_rng(seed).permutation(test)[:samples])
    lava_pred, lava_seconds = lava_classify(path, spikes[test], backend, progress=progress)
    start = time.perf_counter()
    _, slayer_pred = evaluate(load_slayer_net(path), spikes, labels, test)
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

"""Run an exported netx network in Lava (fixed point) over many samples and collect every layer's spikes."""
import numpy as np

from lava_replay.backends import run_config
from lava_replay.errors import LavaReplayError
from lava_replay.slot_reset import MODEL_MAP


def slot_length(timesteps, n_layers):
    """Steps given to each sample: the next power of two >= T + one step per layer (Loihi 2 reset intervals)."""
    need = timesteps + n_layers + 1
    return 1 << (need - 1).bit_length()


def lava_layer_spikes(net_path, spikes, backend="sim"):
    """Per-layer spikes of a netx network on samples (n, n_in, T), aligned with SLAYER's forward output.

    Samples are laid back to back in power-of-two slots; netx resets every layer's neurons at the slot
    boundary (LIFReset with the phases and model of lava_replay.slot_reset). Returns a list with one (n, n_neurons, T) uint8 array per
    layer, where index t is what SLAYER's (delay-shifted) output holds at step t.
    """
    from lava.lib.dl import netx
    from lava.magma.core.run_conditions import RunSteps
    from lava.proc import io

    spikes = np.asarray(spikes)
    if spikes.ndim != 3:
        raise LavaReplayError(f"expected spikes shaped (samples, channels, T), got {spikes.shape}")
    n, n_in, timesteps = spikes.shape
    probe = netx.hdf5.Network(net_config=net_path)
    n_layers = len(probe.layers)
    slot = slot_length(timesteps, n_layers)
    net = netx.hdf5.Network(net_config=net_path, reset_interval=slot)
    if net.inp.shape[0] != n_in:
        raise LavaReplayError(f"{net_path} expects {net.inp.shape[0]} input channels, the data has {n_in}")
    total = n * slot + n_layers + 1
    stream = np.zeros((n_in, total), dtype=np.int32)
    for k in range(n):
        stream[:, k * slot:k * slot + timesteps] = spikes[k]
    source = io.source.RingBuffer(data=stream)
    sinks = [io.sink.RingBuffer(shape=layer.out.shape, buffer=total) for layer in net.layers]
    source.s_out.connect(net.inp)
    for layer, sink in zip(net.layers, sinks):
        layer.out.connect(sink.a_in)
    try:
        net.run(condition=RunSteps(num_steps=total), run_cfg=run_config(backend, MODEL_MAP))
        recorded = [sink.data.get() for sink in sinks]
    finally:
        net.stop()
    out = []
    for i, rec in enumerate(recorded):
        # sample k's input step 0 is sent at global step k*slot+1; SLAYER's one-step delay_shift per block is
        # exactly Lava's Dense delay, so every layer's SLAYER step t is column k*slot+t of its sink
        start = np.arange(n)[:, None] * slot + np.arange(timesteps)[None, :]
        layer = rec[:, start].transpose(1, 0, 2).astype(np.uint8)
        # layer i is reset at step i of its slot (netx's phase): what it emitted before is the previous sample's
        # tail; SLAYER's delay shifts make steps 0..i of layer i structurally silent, so drop it
        layer[:, :, :i] = 0
        out.append(layer)
    return out


def lava_classify(net_path, spikes, backend="sim"):
    """Lava predictions (most output spikes) and timing: (predictions, per-layer spikes, seconds incl. compile)."""
    import time

    start = time.perf_counter()
    layers = lava_layer_spikes(net_path, spikes, backend)
    seconds = time.perf_counter() - start
    return layers[-1].sum(-1).argmax(-1), layers, seconds

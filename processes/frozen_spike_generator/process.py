"""FrozenSpikeGenerator: the frozen layers below the latent-replay layer, fused into one Lava process."""
import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from lava_replay.errors import LavaReplayError


class FrozenSpikeGenerator(AbstractProcess):
    """Input spikes in, latent spikes out: the netx network's first layers (lava_replay.netx_params.read_layers).

    Every slot of `slot` steps holds one sample whose input arrives from step `offset` of the slot on; the
    neurons start each sample from rest, so samples are independent. The latent sent at slot step offset + t
    is SLAYER's (delay-shifted) output at step t of the last frozen layer. The latents sent in each slot are also
    kept, bit-packed, in the Var `latents` (slots, neurons, ceil(timesteps / 8)), and frozen work is done once:
    where `cached[k]` = j >= 0, slot k sends again what slot j computed, without running the layers (its input
    is ignored). The Var `activity` (slots, 1 + layers) counts each slot's input spikes and each layer's spikes
    (for the op-count energy model; a cached slot repeats its source's counts). n_slots: slots to record
    (default: len(cached)).

    lanes: run that many samples side by side in each slot (independent copies of the layers, shared weights;
    on Loihi, copies of the network on other cores); s_in, s_out, `latents` and `activity` then get a lane axis
    after the slot axis: s_in (lanes, inputs), latents (slots, lanes, neurons, bytes).
    """

    def __init__(self, *, layers, timesteps, slot, offset=0, cached=None, n_slots=None, lanes=None, name=None):
        if not layers:
            raise LavaReplayError("the frozen part needs at least one layer (latent-replay layer >= 1)")
        for i, (below, above) in enumerate(zip(layers[:-1], layers[1:])):
            if above["weight"].shape[1] != below["weight"].shape[0]:
                raise LavaReplayError(f"frozen layers {i} and {i + 1} do not chain: "
                                      f"{below['weight'].shape} then {above['weight'].shape}")
        if offset < 0 or offset + timesteps > slot:
            raise LavaReplayError(f"a slot of {slot} steps cannot hold {timesteps} steps after offset {offset}")
        cached = np.full(n_slots or 1, -1) if cached is None else np.asarray(cached, dtype=np.int64)
        n_slots = n_slots or len(cached)
        if ((cached >= 0) & (cached >= np.arange(len(cached)))).any():
            raise LavaReplayError("a cached slot can only repeat an earlier slot")
        if len(cached) and cached.max() >= n_slots:
            raise LavaReplayError(f"cached slots refer past the {n_slots} recorded slots")
        if lanes is not None and lanes < 1:
            raise LavaReplayError(f"lanes must be >= 1, got {lanes}")
        super().__init__(layers=layers, timesteps=timesteps, slot=slot, offset=offset, cached=cached, name=name)
        n_out = layers[-1]["weight"].shape[0]
        lane = () if lanes is None else (lanes,)
        shape = (n_slots,) + lane + (n_out, -(-timesteps // 8))
        activity = (n_slots,) + lane + (1 + len(layers),)
        self.s_in = InPort(shape=lane + (layers[0]["weight"].shape[1],))
        self.s_out = OutPort(shape=lane + (n_out,))
        self.latents = Var(shape=shape, init=np.zeros(shape, np.int32))
        self.activity = Var(shape=activity, init=np.zeros(activity, np.int32))

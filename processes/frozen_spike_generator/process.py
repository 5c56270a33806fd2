"""FrozenSpikeGenerator: the frozen layers below the latent-replay layer, fused into one Lava process."""
import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from processes.count_packing import packed_width


class FrozenSpikeGenerator(AbstractProcess):
    """The frozen layers below the latent-replay layer, fused: input spikes in, latent spikes out.

    Each layer l is a fixed-point CUBA LIF population (processes.fixed_point), optionally recurrent:

        a_l[t] = W_l d_{l-1}[t-1] + R_l s_l[t-1]
        u_l[t], v_l[t], s_l[t] = cuba_step(u_l[t-1], v_l[t-1], a_l[t], decay_u_l, decay_v_l, vth_l)
        d_l[t]_n = s_l[t - delay_l,n]          (0 before the sample's first step)

    with d_0 = s_0 the input and delay_l the layer's axonal delays (0 where it has none): a delayed spike
    reaches the next layer (and the latents), never the layer's own recurrent synapses. Every slot of `slot` steps
    holds one sample whose input arrives from step `offset` of the slot on; all states are reset at the start of a
    slot, so samples are independent, and the latent sent at slot step offset + t is SLAYER's (delay-shifted)
    output at step t of the last layer. Where cached[k] = j >= 0, slot k sends again what slot j computed, without
    running the layers (its input is ignored).

    Parameters
    ----------
    layers : list of dict
        Per layer: "weight" (out, in) int (w * 64, netx's fixed point), "weight_rec" (out, out) int or None,
        "vth" (vThMant), "decay_u", "decay_v" (12-bit), and optionally "delay": (out,) int, the axonal delay of
        each neuron's output in steps (None or absent: none).
    timesteps : int
        Steps of a sample.
    slot, offset : int
        Steps per slot, and the slot step at which a sample's input starts (offset + timesteps <= slot).
    cached : array of int, optional
        Per slot: an earlier slot whose latents to send again, or -1 (compute).
    n_slots : int, optional
        Slots whose latents and activity are recorded (default len(cached)).
    lanes : int, optional
        Samples side by side per slot (independent copies of the layers with shared weights; on Loihi, copies
        on other cores). Ports and Vars then get a lane axis after the slot axis.
    input_bits : int, optional
        Bits of an input spike: 1 (binary, the default) or up to 8 (graded spikes, e.g. GradedSpikeSource's
        event counts; s_0 is then the spike's value).

    Ports
    -----
    s_in : InPort (inputs,) or (lanes, inputs)
        Input spikes, binary or graded.
    s_out : OutPort (neurons,) or (lanes, neurons)
        Latent spikes (the last layer's).

    Vars
    ----
    latents : (slots[, lanes], neurons, ceil(timesteps / 8))
        The latents sent in each slot, bit-packed along time.
    activity : (slots[, lanes], 1 + layers)
        Input spikes (a graded one counts once: one message) and each layer's spikes per slot (for the op-count
        energy model; a cached slot repeats its source's counts).
    counts : (slots[, lanes], ceil(neurons / 6)) int64
        The last layer's spikes per neuron in each slot, saturated at 255 and packed six to a word
        (processes.count_packing.unpack_counts): what an evaluation reads, 25 times fewer values than the
        latents for 20 neurons at T=40 (Lava's Var.get sends one value at a time).
    """

    def __init__(self, *, layers, timesteps, slot, offset=0, cached=None, n_slots=None, lanes=None, input_bits=1,
                 name=None):
        if not layers:
            raise ValueError("the frozen part needs at least one layer (latent-replay layer >= 1)")
        for i, (below, above) in enumerate(zip(layers[:-1], layers[1:])):
            if above["weight"].shape[1] != below["weight"].shape[0]:
                raise ValueError(f"frozen layers {i} and {i + 1} do not chain: "
                                 f"{below['weight'].shape} then {above['weight'].shape}")
        for i, layer in enumerate(layers):
            delay = layer.get("delay")
            if delay is not None and (np.shape(delay) != layer["weight"].shape[:1] or np.min(delay) < 0):
                raise ValueError(f"frozen layer {i}: axonal delays must be {layer['weight'].shape[:1]} steps >= 0, "
                                 f"got shape {np.shape(delay)}")
        if offset < 0 or offset + timesteps > slot:
            raise ValueError(f"a slot of {slot} steps cannot hold {timesteps} steps after offset {offset}")
        cached = np.full(n_slots or 1, -1) if cached is None else np.asarray(cached, dtype=np.int64)
        n_slots = n_slots or len(cached)
        if ((cached >= 0) & (cached >= np.arange(len(cached)))).any():
            raise ValueError("a cached slot can only repeat an earlier slot")
        if len(cached) and cached.max() >= n_slots:
            raise ValueError(f"cached slots refer past the {n_slots} recorded slots")
        if lanes is not None and lanes < 1:
            raise ValueError(f"lanes must be >= 1, got {lanes}")
        if not 1 <= input_bits <= 8:
            raise ValueError(f"input spikes carry 1 to 8 bits, got input_bits={input_bits}")
        super().__init__(layers=layers, timesteps=timesteps, slot=slot, offset=offset, cached=cached,
                         input_bits=input_bits, name=name)
        n_out = layers[-1]["weight"].shape[0]
        lane = () if lanes is None else (lanes,)
        shape = (n_slots,) + lane + (n_out, -(-timesteps // 8))
        activity = (n_slots,) + lane + (1 + len(layers),)
        self.s_in = InPort(shape=lane + (layers[0]["weight"].shape[1],))
        self.s_out = OutPort(shape=lane + (n_out,))
        self.latents = Var(shape=shape, init=np.zeros(shape, np.int32))
        self.activity = Var(shape=activity, init=np.zeros(activity, np.int32))
        counts = (n_slots,) + lane + (packed_width(n_out),)
        self.counts = Var(shape=counts, init=np.zeros(counts, np.int64))

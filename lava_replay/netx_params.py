"""The fixed-point parameters of an exported netx (.net) network, as Lava's netx loader would set them."""
import h5py
import numpy as np

from lava_replay.errors import LavaReplayError


def read_layers(net_path):
    """Per layer: integer weights (w*64), recurrent weights or None, vth (vThMant), current/voltage decays, and
    the axonal delays of its neurons' outputs in steps (None where the layer has none; ModelConfig.axon_delay).

    The weights are what Lava's fixed-point Dense applies after netx's exact exponent shift, so a model that
    uses them with weight exponent 0 reproduces netx bit for bit. Decays are the effective 12-bit constants
    (netx's du = iDecay - 1 plus the LIF model's offset of 1): an int, or one int per neuron where the layer
    has its own per neuron (ModelConfig.per_neuron_decays).
    """
    try:
        with h5py.File(net_path, "r") as h:
            layers = []
            for i in range(len(h["layer"])):
                group = h["layer"][str(i)]
                neuron = group["neuron"]
                layers.append({
                    "weight": np.rint(group["weight"][()]).astype(np.int32),
                    "weight_rec": (np.rint(group["weight_rec"][()]).astype(np.int32)
                                   if "weight_rec" in group else None),
                    "vth": int(neuron["vThMant"][()]),
                    "decay_u": _decay(neuron["iDecay"][()]),
                    "decay_v": _decay(neuron["vDecay"][()]),
                    "delay": np.asarray(group["delay"][()], np.int64) if "delay" in group else None,
                })
    except (OSError, KeyError) as exc:
        raise LavaReplayError(f"cannot read the layers of {net_path}: {exc}") from exc
    return layers


def _decay(value):
    """A layer's 12-bit decay as stored: an int when shared, an int64 array when per neuron."""
    return int(value) if np.ndim(value) == 0 else np.asarray(value, dtype=np.int64)

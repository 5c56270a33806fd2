"""The fixed-point parameters of an exported netx (.net) network, as Lava's netx loader would set them."""
import h5py
import numpy as np

from lava_replay.errors import LavaReplayError


def read_layers(net_path):
    """Per layer: integer weights (w*64), recurrent weights or None, vth (vThMant), current/voltage decays.

    The weights are what Lava's fixed-point Dense applies after netx's exact exponent shift, so a model that
    uses them with weight exponent 0 reproduces netx bit for bit. Decays are the effective 12-bit constants
    (netx's du = iDecay - 1 plus the LIF model's offset of 1).
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
                    "decay_u": int(neuron["iDecay"][()]),
                    "decay_v": int(neuron["vDecay"][()]),
                })
    except (OSError, KeyError) as exc:
        raise LavaReplayError(f"cannot read the layers of {net_path}: {exc}") from exc
    return layers


def cuba_integrate(u, v, a_in, decay_u, decay_v):
    """Sub-threshold step of Loihi's fixed-point CUBA LIF (as lava's PyLifModelBitAcc); returns (u, v) before the
    threshold test.

    u, v are int32 arrays (24-bit state, 12-bit decays, input MSB-aligned by 6 bits).
    """
    limit = 1 << 23
    u = np.int64(u) * (4096 - decay_u)
    u = np.sign(u) * (np.abs(u) >> 12) + (np.asarray(a_in, np.int64) << 6)
    u = np.where(u > limit, u - 2 * limit, u)
    u = np.where(u <= -limit, u + 2 * limit, u)
    v = np.int64(v) * (4096 - decay_v)
    v = np.clip(np.sign(v) * (np.abs(v) >> 12) + u, -limit + 1, limit - 1)
    return u, v


def cuba_step(u, v, a_in, decay_u, decay_v, vth):
    """One step of Loihi's fixed-point CUBA LIF: cuba_integrate, spikes where v > vth << 6, spiking v reset to 0;
    returns (u, v, spikes) with u, v int32."""
    u, v = cuba_integrate(u, v, a_in, decay_u, decay_v)
    spikes = v > (np.int64(vth) << 6)
    v = np.where(spikes, 0, v)
    return u.astype(np.int32), v.astype(np.int32), spikes

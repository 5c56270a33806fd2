"""Loihi's fixed-point CUBA LIF neuron as numpy arithmetic, shared by the models that fuse several layers.

State u, v: 24-bit signed integers (int32 arrays). Decays: 12-bit constants, the effective ones of Lava's
PyLifModelBitAcc (netx's iDecay / vDecay). Input: integer synaptic drive, MSB-aligned by 6 bits. Per step:

    u[t] = wrap24(u[t-1] * (4096 - decay_u) >> 12 + (a_in[t] << 6))
    v[t] = clip24(v[t-1] * (4096 - decay_v) >> 12 + u[t])
    s[t] = v[t] > vth << 6;   v[t] = 0 where s[t]

(>> 12 rounds towards zero, as Loihi does on the magnitude.)
"""
import numpy as np


def cuba_integrate(u, v, a_in, decay_u, decay_v):
    """Sub-threshold step: (u, v) of the equations above before the threshold test, as int64 arrays."""
    limit = 1 << 23
    u = np.int64(u) * (4096 - decay_u)
    u = np.sign(u) * (np.abs(u) >> 12) + (np.asarray(a_in, np.int64) << 6)
    u = np.where(u > limit, u - 2 * limit, u)
    u = np.where(u <= -limit, u + 2 * limit, u)
    v = np.int64(v) * (4096 - decay_v)
    v = np.clip(np.sign(v) * (np.abs(v) >> 12) + u, -limit + 1, limit - 1)
    return u, v


def cuba_step(u, v, a_in, decay_u, decay_v, vth):
    """One full step: cuba_integrate, spikes where v > vth << 6, spiking v reset to 0; (u, v, spikes), u, v int32."""
    u, v = cuba_integrate(u, v, a_in, decay_u, decay_v)
    spikes = v > (np.int64(vth) << 6)
    v = np.where(spikes, 0, v)
    return u.astype(np.int32), v.astype(np.int32), spikes

"""Loihi's fixed-point CUBA LIF neuron as numpy arithmetic, shared by the models that fuse several layers.

State u, v: 24-bit signed integers (int32 arrays). Decays: 12-bit constants, the effective ones of Lava's
PyLifModelBitAcc (netx's iDecay / vDecay). Input: integer synaptic drive, MSB-aligned by 6 bits. Per step:

    u[t] = wrap24(u[t-1] * (4096 - decay_u) >> 12 + (a_in[t] << 6))
    v[t] = clip24(v[t-1] * (4096 - decay_v) >> 12 + u[t])
    s[t] = v[t] > vth << 6;   v[t] = 0 where s[t]

(>> 12 rounds towards zero, as Loihi does on the magnitude.)
"""
import numpy as np

STATE_LIMIT = 1 << 23  # u wraps into [-2^23 + 1, 2^23]; v is clipped to [-(2^23 - 1), 2^23 - 1]


def cuba_integrate(u, v, a_in, decay_u, decay_v):
    """Sub-threshold step: (u, v) of the equations above before the threshold test, as int64 arrays."""
    limit = STATE_LIMIT
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
    return _fire(u, v, vth)


def _fire(u, v_pre, vth):
    """(u, v, spikes) after the threshold test of v_pre: u, v as int32, spiking v reset to 0."""
    spikes = v_pre > (np.int64(vth) << 6)
    return u.astype(np.int32), np.where(spikes, 0, v_pre).astype(np.int32), spikes


def product_matrix(weight, largest_input=1):
    """W^T as float32 for exact float products s @ W^T (the simulator's fastest): every sum stays below 2^24 when
    each row's |w| summed, times the largest input value, does; float64 where it does not (e.g. graded input)."""
    weight = np.asarray(weight)
    bound = np.abs(weight).sum(axis=1).max(initial=0) * largest_input
    return weight.T.astype(np.float32 if bound < 2 ** 24 else np.float64)


def cuba_layers_step(previous, matrices, states, neurons, feed=None):
    """One step of stacked CUBA layers, each delaying by one step: layer l integrates
    a_l = feed[l] @ W_l^T + previous[l+1] @ R_l^T, with previous = [input, each layer's spikes] of the last step
    and feed = previous unless given (feed: what the layers' forward synapses see, e.g. axonal delays' output).

    matrices: per layer (W^T, R^T or None) as product_matrix gives them (float, every sum exact); states: per
    layer (u, v); neurons: per layer (vth, decay_u, decay_v). Returns per layer the new states, v before the
    threshold test (int64) and the spikes.
    """
    feed = previous if feed is None else feed
    new_states, v_pre, spikes = [], [], []
    for layer, ((w_t, r_t), (u, v), (vth, decay_u, decay_v)) in enumerate(zip(matrices, states, neurons)):
        a_in = feed[layer] @ w_t
        if r_t is not None:
            a_in += previous[layer + 1] @ r_t
        u, v = cuba_integrate(u, v, a_in.astype(np.int64), decay_u, decay_v)
        u, v_next, s = _fire(u, v, vth)
        new_states.append((u, v_next))
        v_pre.append(v)
        spikes.append(s)
    return new_states, v_pre, spikes


class AxonDelayLine:
    """Per-neuron axonal delays of a layer's spikes: at step t, neuron n's output is its spike of step t - delay[n]
    (none before the sample's first step). A ring of max(delay) + 1 steps, made anew for every sample."""

    def __init__(self, delay, lanes=()):
        self.delay = np.asarray(delay, np.int64)
        self.ring = np.zeros(tuple(lanes) + (len(self.delay), int(self.delay.max(initial=0)) + 1), bool)
        self.neurons = np.arange(len(self.delay))

    def step(self, spikes, t):
        """Store the spikes of step t (lanes..., neurons); return the delayed spikes of step t."""
        width = self.ring.shape[-1]
        self.ring[..., t % width] = spikes
        return self.ring[..., self.neurons, (t - self.delay) % width]

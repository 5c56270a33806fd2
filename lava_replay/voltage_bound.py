"""Loihi's 24-bit voltage bound in SLAYER's CUBA neuron, so that SLAYER gives the chip's (and Lava's) spikes.

lava-dl's CUBA neuron computes its state in Loihi's integers (x s_scale = 4096: the same integers as Lava's
fixed-point LIF), but it does not bound them. Loihi saturates the membrane voltage at +-(2^23 - 1):

    v[t] = clip(v[t-1] * (4096 - decay_v) >> 12 + u[t], -(2^23 - 1), 2^23 - 1)

A neuron under strong inhibition for many steps (graded input, slow voltage decay) reaches the bound on the
chip and keeps sinking in SLAYER; it then recovers sooner on the chip than in SLAYER, and the spikes differ.
`install` replaces lava-dl's CPU leaky-integrator loop by one that clips the voltage there (the current, which
Loihi wraps instead, is left as it is: it stays far below 2^23 in these networks). Spikes below the bound are
unchanged; gradients pass through the bound unchanged.
"""
import torch

from processes.fixed_point import STATE_LIMIT

VOLTAGE_LIMIT = STATE_LIMIT - 1


def bounded_leaky_integrator(input, decay, state, threshold, w_scale, dtype=torch.int32):
    """lava-dl's leaky integrator forward pass (same signature and integer arithmetic) with the voltage clipped
    at +-VOLTAGE_LIMIT; a call with threshold <= 0 is a current (no reset, no bound)."""
    from lava.lib.dl.slayer.utils.int_utils import right_shift_to_zero

    level = (state * w_scale).clone().detach().to(dtype).to(input.device)
    keep = (1 << 12) - decay.clone().detach().to(dtype).to(input.device)
    threshold = threshold * w_scale
    output = torch.zeros_like(input)
    voltage = threshold > 0
    for t in range(input.shape[-1]):
        level = right_shift_to_zero(level * keep, 12) + (w_scale * input[..., t]).to(dtype)
        if voltage:
            level = level.clamp(-VOLTAGE_LIMIT, VOLTAGE_LIMIT)
        output[..., t] = level / w_scale
        if voltage:
            level = level * (level < threshold)  # reset where it spiked
    return output


def install():
    """Make every SLAYER CUBA neuron (CPU path) bound its voltage as Loihi does; idempotent."""
    from lava.lib.dl.slayer.neuron.dynamics import leaky_integrator

    leaky_integrator._li_dynamics_fwd = bounded_leaky_integrator

"""The gradient of SLAYER's CUBA decays, corrected, so that learned decays move the way that lowers the loss.

lava-dl's leaky integrator computes y[t] = (1 - d / 4096) y[t-1] + x[t] with the decay d in 12-bit units. Its
backward pass returns sum_t g[t] y[t-1] for d, where g[t] is the loss gradient reaching y[t] (through the
later steps too). The gradient of y[t] with respect to d is -y[t-1] / 4096, so lava-dl's value has the wrong
sign and is 4096 times too large: with `requires_grad=True` its decays climb the loss (lava-dl issue #383).
`install` wraps lava-dl's CPU backward and returns -grad_decay / 4096; the input gradient is unchanged.
"""
DECAY_SCALE = 1 << 12


def install():
    """Make lava-dl's CPU leaky-integrator backward return the true decay gradient; idempotent."""
    from lava.lib.dl.slayer.neuron.dynamics import leaky_integrator

    original = getattr(leaky_integrator._li_dynamics_bwd, "lava_dl_original", leaky_integrator._li_dynamics_bwd)

    def corrected_backward(grad_output, output, decay):
        grad_input, grad_decay = original(grad_output, output, decay)
        return grad_input, -grad_decay / DECAY_SCALE

    corrected_backward.lava_dl_original = original
    leaky_integrator._li_dynamics_bwd = corrected_backward

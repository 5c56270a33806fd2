"""A SLAYER recurrent CUBA block whose gradient flows back through the neurons' states (full BPTT).

lava-dl's recurrent blocks run their neurons one step at a time and keep the state between steps detached, so
the surrogate gradient of a hidden layer reaches only the same step's input: nothing flows back through the
leaky current and voltage, and decays marked `requires_grad` get no gradient at all (docs/lava-notes.md).
`FullBpttRecurrent` computes the same spikes, in the same integers (x 4096, the 24-bit voltage bound), and
lets the gradient run through the states:

    u[t] = u[t-1] * (4096 - decay_u) >> 12 + 4096 (W x[t] + R s[t-1])
    v[t] = clip(v[t-1] * (1 - s[t-1]) * (4096 - decay_v) >> 12 + u[t], +-(2^23 - 1))
    s[t] = v[t] >= 4096 * threshold

The forward pass keeps the exact integers (rounding, bound and reset enter as constants); the backward pass
sees the linear recurrence, without the reset (as SLAYER's CUBA neuron does), and SLAYER's surrogate spike
gradient. The decays may be per neuron and learned.
"""
import torch
from lava.lib.dl.slayer.axon.delay import delay
from lava.lib.dl.slayer.block.cuba import Recurrent
from lava.lib.dl.slayer.neuron.cuba import SCALE_RHO_MULT, TAU_RHO_MULT
from lava.lib.dl.slayer.spike.spike import Spike
from lava.lib.dl.slayer.utils import quantize

from lava_replay.decay_gradient import DECAY_SCALE
from lava_replay.voltage_bound import VOLTAGE_LIMIT


def _leak(level, keep):
    """level * keep >> 12 rounded toward zero (as SLAYER and Loihi do), with the gradient of level * keep / 4096."""
    scaled = level * keep / DECAY_SCALE
    return scaled + (torch.trunc(scaled) - scaled).detach()


class FullBpttRecurrent(Recurrent):
    """slayer.block.cuba.Recurrent with its neuron's states in the autograd graph (same arguments, same spikes)."""

    def forward(self, x):
        neuron = self.neuron
        if neuron.shape is None:  # let SLAYER size the neuron (and draw per-neuron decays) once
            with torch.no_grad():
                neuron.dynamics(torch.zeros(1, self.input_synapse.out_channels, 1))
        scale = neuron.s_scale
        z = self.input_synapse(x).double() * scale
        recurrent_t = self.recurrent_synapse.pre_hook_fx(
            self.recurrent_synapse.weight.reshape(self.recurrent_synapse.weight.shape[:2])).double().T * scale
        if neuron.requires_grad:
            neuron.clamp()
        keep_u = DECAY_SCALE - quantize(neuron.current_decay).double()
        keep_v = DECAY_SCALE - quantize(neuron.voltage_decay).double()
        threshold = neuron.threshold + neuron.threshold_eps
        u = torch.zeros(z.shape[:-1], dtype=torch.float64)
        v = torch.zeros_like(u)
        s = torch.zeros(z.shape[:-1])
        spikes = []
        for t in range(z.shape[-1]):
            u = _leak(u, keep_u) + z[..., t] + s.double() @ recurrent_t
            v = _leak(v, keep_v) + u
            v = v + (v.clamp(-VOLTAGE_LIMIT, VOLTAGE_LIMIT) - v).detach()
            s = Spike.apply((v / scale).float().unsqueeze(-1), threshold, neuron.tau_rho * TAU_RHO_MULT,
                            neuron.scale_rho * SCALE_RHO_MULT, False, 0, 1)
            v = v - (v * s[..., 0].double()).detach()  # reset where it spiked, not differentiated
            if neuron.drop is not None:
                s = neuron.drop(s)
            s = s[..., 0]
            spikes.append(s)
        out = torch.stack(spikes, dim=-1)
        out = delay(out, 1) if self.delay_shift else out
        return out if self.delay is None else self.delay(out)

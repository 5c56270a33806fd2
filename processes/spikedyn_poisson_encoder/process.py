"""The Poisson encoder Process: a schedule of images, each shown for `present_steps` then `rest` silent steps."""
import numpy as np

from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

PROB_BITS = 16  # spike probabilities are fixed-point integers in units of 2**-16 per step


class SpikeDynPoissonEncoder(AbstractProcess):
    """Rate-codes a sequence of images as Poisson spike trains (one step = 1 ms).

        P(s_i[t] = 1) = images[k, i] / 255 * max_rate_hz / 1000   for the first present_steps of window k
        s[t] = 0                                                  for the rest of the sample_steps window

    (probabilities in fixed point, units of 2^-PROB_BITS; the random stream is fixed by `seed`).

    Parameters
    ----------
    images : array (n, pixels), 0..255
    present_steps, sample_steps : int
        Steps an image is shown, steps per image window.
    max_rate_hz : float
        Rate of a pixel of 255.
    seed : int

    Ports
    -----
    s_out : OutPort (pixels,)

    Vars
    ----
    prob : (n, pixels)
        Spike probabilities per step.
    spike_count : (n,)
        Spikes sent per image (for the energy model).
    """

    def __init__(self, *, name=None, **parameters):
        params, initial = encoder_parameters(**parameters)
        super().__init__(name=name, **params)
        self.s_out = OutPort(shape=(params["size"],))
        for var, init in initial.items():
            setattr(self, var, Var(shape=init.shape, init=init))


def encoder_parameters(*, images, present_steps, sample_steps, max_rate_hz=63.75, seed=0):
    """(proc params, {Var: initial value}) of a SpikeDynPoissonEncoder."""
    images = np.asarray(images)
    n, size = images.shape
    prob = images.astype(np.float64) / 255.0 * max_rate_hz / 1000.0
    params = dict(present_steps=int(present_steps), sample_steps=int(sample_steps), seed=int(seed), size=size)
    initial = {"prob": np.round(prob * 2 ** PROB_BITS).astype(np.int32),
               "spike_count": np.zeros(n, dtype=np.int32)}
    return params, initial

"""PlasticLearningLayer: learning synapses + error-driven LIF neurons above the latent-replay layer.

The synapses are Lava's LearningDense with a Loihi 3-factor rule (lava_replay.learning_rule): once per sample,
at the end of its slot, dw = lr * x1 * (y2 - y3), where x1 is the pre-synaptic trace and y2 / y3 are the
positive / negative parts of the post-synaptic error that the neurons send: a margin rule on spike counts
(a multi-class perceptron with margin): the labelled class's neuron must out-spike every other output neuron by
the teacher's margin; if it does not, it is pushed up by its shortfall and its strongest rival down by the same.
Samples classified with the margin change nothing, so the pretrained weights are left alone.
The threshold (Var `vth`) and the learning rate (Var `error_gain`, which scales the error the neuron sends, so
every weight change scales with it) can be changed between runs. The rule's own scale 2^lr_exp is fixed when
the layer is built: in lava-nc 0.10, Var.set on LearningDense's rule string `dw` never returns (a str Var).
"""
import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.proc.lif.process import LearningLIF

from lava_replay.errors import LavaReplayError


class ErrorLIF(LearningLIF):
    """CUBA LIF neurons that count their spikes per slot and send the count error as y2 / y3 to their synapses.

    Each slot: held at rest (input dropped) through step `offset`; spikes counted from step offset+1 to
    offset+timesteps-1; at the last step of the slot the teacher's graded input (labelled: 1 + margin m,
    competitor: 64, 0 = none) gives the labelled neuron L the error e = max(c_R + m - c_L, 0), where R is the
    competitor with the most spikes, and R (if it spiked) the error -e, sent as y2 = min(gain * e, 127)+ and
    y3 = min(-gain * e, 127)+ (gain: the Var `error_gain`). The population computes this together (a neuron
    needs the labelled neuron's count): on Loihi 2 that comparison would run on an embedded core. The counts of every slot are kept in the Var `counts` (slots, neurons).
    """

    def __init__(self, *, shape, du, dv, vth, learning_rule, timesteps, slot, offset, n_slots, error_gain,
                 name=None):
        super().__init__(shape=shape, du=du, dv=dv, vth=vth, learning_rule=learning_rule, name=name,
                         timesteps=timesteps, slot=slot, offset=offset)
        self.error_gain = Var(shape=(1,), init=np.array([error_gain]))
        self.counts = Var(shape=(n_slots,) + tuple(shape), init=np.zeros((n_slots,) + tuple(shape), np.int32))


class PlasticLearningLayer(AbstractProcess):
    """The learning layer(s) above the LR layer: LearningDense(weights) -> ErrorLIF, taught by `target_in`.

    Ports: s_in (latent spikes), target_in (TeacherSource), s_out (output spikes). Vars (aliases of the inner
    processes'): weights, vth (threshold, vThMant units), error_gain (the learning rate's run-time factor),
    counts (output spike counts per slot).
    """

    def __init__(self, *, weights, vth, decay_u, decay_v, learning_rule, timesteps, slot, offset, n_slots,
                 error_gain=4, name=None):
        weights = np.asarray(weights)
        if weights.ndim != 2:
            raise LavaReplayError(f"plastic weights must be a matrix (outputs, inputs), got shape {weights.shape}")
        if offset + timesteps >= slot:
            raise LavaReplayError(f"a slot of {slot} steps leaves no teaching step after offset {offset} + "
                                  f"T={timesteps}")
        super().__init__(weights=weights, vth=vth, decay_u=decay_u, decay_v=decay_v, learning_rule=learning_rule,
                         timesteps=timesteps, slot=slot, offset=offset, n_slots=n_slots, error_gain=error_gain,
                         name=name)
        n_out, n_in = weights.shape
        self.s_in = InPort(shape=(n_in,))
        self.target_in = InPort(shape=(n_out,))
        self.s_out = OutPort(shape=(n_out,))
        self.weights = Var(shape=weights.shape, init=weights)
        self.vth = Var(shape=(1,), init=np.array([vth]))
        self.error_gain = Var(shape=(1,), init=np.array([error_gain]))
        self.counts = Var(shape=(n_slots, n_out), init=np.zeros((n_slots, n_out), np.int32))

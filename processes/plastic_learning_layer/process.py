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
    y3 = min(-gain * e, 127)+ (gain: the Var `error_gain`). With all_rivals every competitor c that spiked and
    falls inside the margin gets -max(c_c + m - c_L, 0) instead (margin_error). The population computes this
    together (a neuron needs the labelled neuron's count): on Loihi 2 that comparison would run on an embedded
    core. The counts of every slot are kept in the Var `counts` (slots, neurons).
    """

    def __init__(self, *, shape, du, dv, vth, learning_rule, timesteps, slot, offset, n_slots, error_gain,
                 all_rivals=False, name=None):
        super().__init__(shape=shape, du=du, dv=dv, vth=vth, learning_rule=learning_rule, name=name,
                         timesteps=timesteps, slot=slot, offset=offset, all_rivals=all_rivals)
        self.error_gain = Var(shape=(1,), init=np.array([error_gain]))
        self.counts = Var(shape=(n_slots,) + tuple(shape), init=np.zeros((n_slots,) + tuple(shape), np.int32))


class PlasticLearningLayer(AbstractProcess):
    """The learning layer above the LR layer: synapses (weights) -> CUBA neurons, taught by `target_in`.

    Dynamics per step t of a slot (a_in: the synaptic input, one step after the latent spikes x):
        u[t] = (1 - decay_u / 4096) u[t-1] + W x[t-1]
        v[t] = (1 - decay_v / 4096) v[t-1] + u[t];   s[t] = v[t] > vth;   v[t] = 0 where s[t]
    with u = v = 0 through slot step `offset`; spike counts c over the slot's T steps are the class scores.
    At the slot's last step the teacher's payload (TeacherSource) names the labelled class, and the layer learns
    according to its model:
      - fixed_pt (SubProcessModel: LearningDense + ErrorLIF): the Loihi 3-factor margin rule, once per sample,
        dW = 2^lr_exp * error_gain * x1 * (y2 - y3) (see ErrorLIF);
      - floating_pt (PyGradientLearningModel): the papers' learning, surrogate-gradient BPTT of the
        cross-entropy of loss_scale * c through the dynamics above, Adamax on float shadow weights every
        `batch` taught samples, forward pass in the same fixed point.

    Parameters: weights (outputs, inputs) integer (w * 64), vth (vThMant units), decay_u / decay_v (12-bit),
    learning_rule (the fixed_pt model's Loihi3FLearningRule), timesteps, slot, offset, n_slots (slots whose
    counts are kept), error_gain, all_rivals (fixed_pt: every competitor that beats the margin learns, not only the
    strongest), learning_rate (scalar or per output neuron), batch, loss_scale; lanes: samples side by side per slot
    (floating_pt only; ports and counts then get a lane axis).
    Ports: s_in (latent spikes), target_in (teacher payloads), s_out (output spikes).
    Vars: weights, vth, error_gain (fixed_pt learning-rate factor), learning_rate (floating_pt Adamax step, per
    output neuron: its weight row's step),
    counts (output spike counts per slot).
    """

    def __init__(self, *, weights, vth, decay_u, decay_v, learning_rule, timesteps, slot, offset, n_slots,
                 error_gain=4, learning_rate=0.002, batch=64, loss_scale=0.5, lanes=None, all_rivals=False,
                 name=None):
        weights = np.asarray(weights)
        if weights.ndim != 2:
            raise LavaReplayError(f"plastic weights must be a matrix (outputs, inputs), got shape {weights.shape}")
        if offset + timesteps >= slot:
            raise LavaReplayError(f"a slot of {slot} steps leaves no teaching step after offset {offset} + "
                                  f"T={timesteps}")
        if batch < 1 or (lanes is not None and lanes < 1):
            raise LavaReplayError(f"batch and lanes must be >= 1, got {batch} and {lanes}")
        super().__init__(weights=weights, vth=vth, decay_u=decay_u, decay_v=decay_v, learning_rule=learning_rule,
                         timesteps=timesteps, slot=slot, offset=offset, n_slots=n_slots, error_gain=error_gain,
                         batch=batch, loss_scale=loss_scale, lanes=lanes, all_rivals=all_rivals, name=name)
        n_out, n_in = weights.shape
        lane = () if lanes is None else (lanes,)
        self.s_in = InPort(shape=lane + (n_in,))
        self.target_in = InPort(shape=lane + (n_out,))
        self.s_out = OutPort(shape=lane + (n_out,))
        self.weights = Var(shape=weights.shape, init=weights)
        self.vth = Var(shape=(1,), init=np.array([vth]))
        self.error_gain = Var(shape=(1,), init=np.array([error_gain]))
        self.learning_rate = Var(shape=(n_out,), init=np.broadcast_to(np.asarray(learning_rate, np.float64),
                                                                      (n_out,)).copy())
        self.counts = Var(shape=(n_slots,) + lane + (n_out,), init=np.zeros((n_slots,) + lane + (n_out,), np.int32))

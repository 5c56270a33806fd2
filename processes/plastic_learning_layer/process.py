"""PlasticLearningLayer: the learning layer above the latent-replay layer, and ErrorLIF, its Loihi-rule neurons.

The threshold (Var `vth`) and the learning rates (Vars `error_gain`, `learning_rate`) are run-time Vars. The Loihi
rule's own scale 2^lr_exp is fixed when the layer is built: in lava-nc 0.10, Var.set on LearningDense's rule
string `dw` never returns (a str Var).
"""
import numpy as np
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.proc.lif.process import LearningLIF


ERROR_RULES = ("strongest_rival", "all_rivals", "softmax")
AVERAGE_Y1 = 32  # y1 of an averaging step: with the rule's 2^-7 * y1 * (w - t), exactly (w - t) / 128 in fixed point


def check_error_rule(rule):
    """ValueError unless `rule` is one of ERROR_RULES."""
    if rule not in ERROR_RULES:
        raise ValueError(f"unknown error rule {rule!r}; expected one of {', '.join(ERROR_RULES)}")


def check_layer_arguments(weights, timesteps, slot, offset, batch, lanes, error_rule, hidden=()):
    """The weights as an array, after checking a plastic layer's arguments fit together; else ValueError."""
    check_error_rule(error_rule)
    weights = np.asarray(weights)
    if weights.ndim != 2:
        raise ValueError(f"plastic weights must be a matrix (outputs, inputs), got shape {weights.shape}")
    sizes = [np.shape(layer["weight"]) for layer in hidden] + [weights.shape]
    for i, (below, above) in enumerate(zip(sizes[:-1], sizes[1:])):
        if above[1] != below[0]:
            raise ValueError(f"plastic layers {i} and {i + 1} do not chain: {below} then {above}")
    for i, layer in enumerate(hidden):
        recurrent = layer["weight_rec"]
        if recurrent is not None and np.shape(recurrent) != (sizes[i][0],) * 2:
            raise ValueError(f"hidden plastic layer {i}: recurrent weights must be {(sizes[i][0],) * 2}, "
                             f"got {np.shape(recurrent)}")
        if layer.get("delay") is not None:
            raise ValueError(f"hidden plastic layer {i} has axonal delays, and the plastic layer has no delay lines")
    if offset + timesteps >= slot:
        raise ValueError(f"a slot of {slot} steps leaves no teaching step after offset {offset} + T={timesteps}")
    if batch < 1 or (lanes is not None and lanes < 1):
        raise ValueError(f"batch and lanes must be >= 1, got {batch} and {lanes}")
    return weights


def pack_hidden(hidden):
    """The hidden plastic layers' weights as one int32 vector (the layout of the Var hidden_weights: pack_pairs)."""
    return pack_pairs([(layer["weight"], layer["weight_rec"]) for layer in hidden]).astype(np.int32)


def pack_pairs(pairs, samples=()):
    """Per layer its forward matrix then its recurrent one (if not None), each flattened row by row, concatenated
    along the last axis; the matrices may carry leading `samples` axes (e.g. per-sample gradients)."""
    parts = [np.reshape(m, tuple(samples) + (-1,)) for pair in pairs for m in pair if m is not None]
    return np.concatenate(parts, axis=-1) if parts else np.zeros(tuple(samples) + (0,))


def unpack_hidden(flat, hidden):
    """[(forward, recurrent or None)] per hidden layer: views of `flat` (pack_hidden's layout) shaped as the
    layers of `hidden`."""
    matrices, start = [], 0
    for layer in hidden:
        pair = []
        for m in (layer["weight"], layer["weight_rec"]):
            if m is None:
                pair.append(None)
                continue
            size = int(np.prod(np.shape(m)))
            pair.append(flat[start:start + size].reshape(np.shape(m)))
            start += size
        matrices.append(tuple(pair))
    return matrices


def per_neuron(name, value, n_out, dtype):
    """`value` for each of n_out neurons: one value for all, or one per neuron (ValueError naming `name` otherwise)."""
    values = np.asarray(value, dtype)
    if values.ndim > 1 or values.size not in (1, n_out):
        raise ValueError(f"{name} must be one value or one per output neuron ({n_out}), got shape {values.shape}")
    return np.broadcast_to(values.ravel(), (n_out,)).copy()


def learner_vars(weights, vth, error_gain, learning_rate, n_slots, lanes, hidden=(), average_every=0):
    """{Var name: initial value} of a plastic layer's Vars (PlasticLearningLayer's, and LatentLearningLoop's
    aliases of them)."""
    n_out = weights.shape[0]
    per_slot = (n_slots,) + (() if lanes is None else (lanes,))
    return {"weights": weights, "vth": np.array([vth]),
            "error_gain": per_neuron("error_gain", error_gain, n_out, np.int32),
            "weight_average": weights.copy(), "average_every": np.array([average_every]),
            "learning_rate": per_neuron("learning_rate", learning_rate, n_out, np.float64),
            "counts": np.zeros(per_slot + (n_out,), np.int32), "hidden_weights": pack_hidden(hidden),
            "hidden_activity": np.zeros(per_slot + (len(hidden),), np.int32)}


class ErrorLIF(LearningLIF):
    """CUBA LIF neurons that count their spikes per slot and send their count error to their synapses (y2, y3).

    Per step: held at rest (u = v = 0, input dropped) through slot step `offset`, then LIF dynamics; spikes are
    counted over the sample, c_i. At the teaching step (processes.slot_clock) the teacher's payload names the
    labelled neuron L and margin m (processes.teacher_source) and, with s_j = max(c_j + m - c_L, 0) for each
    competitor j:

        'strongest_rival'  e_L = max_j s_j;  e_R = -s_R for the strongest competitor R, unless it stayed
                           silent;  e = 0 elsewhere
        'all_rivals'       the same, with e_j = -s_j for every competitor j that spiked and has s_j > 0
        'softmax'          e_i = round(8 (onehot(L)_i - softmax(0.5 c)_i)) for every neuron i (the cross-entropy
                           error of pretraining's loss, graded over all outputs)
        y2 = min(g * e, 127)+,   y3 = min(-g * e, 127)+     (g: each neuron's error_gain)
        y1 = 32 (AVERAGE_Y1) on every average_every-th taught slot (counted from the first), 0 otherwise and when
             average_every = 0: the synapses' tag then steps its moving average of the weights
             (lava_replay.learning_rule.weight_average_string)

    The population computes this together (a neuron needs the labelled neuron's count); on Loihi 2 the
    comparison would run on an embedded core.

    Parameters (LearningLIF's shape, du, dv, vth, learning_rule, and)
    ----------
    timesteps, slot, offset : int
        Sample steps, steps per slot, slot step at which the sample starts.
    n_slots : int
        Slots whose counts are kept.
    error_gain : int or int array (neurons,)
        Scale of the error sent (the rule's learning-rate factor), for all neurons or per neuron (0: a neuron
        whose synapses do not learn).
    error_rule : str
        'strongest_rival' (default), 'all_rivals' or 'softmax', as above.
    average_every : int
        Taught slots per step of the weights' moving average (0: none).

    Vars (LearningLIF's, and)
    ----
    error_gain : (neurons,)
    average_every : (1,)
    counts : (n_slots, neurons)
        Spike counts per slot.
    """

    def __init__(self, *, shape, du, dv, vth, learning_rule, timesteps, slot, offset, n_slots, error_gain,
                 error_rule="strongest_rival", average_every=0, name=None):
        check_error_rule(error_rule)
        super().__init__(shape=shape, du=du, dv=dv, vth=vth, learning_rule=learning_rule, name=name,
                         timesteps=timesteps, slot=slot, offset=offset, error_rule=error_rule)
        gains = per_neuron("error_gain", error_gain, int(np.prod(shape)), np.int32)
        self.error_gain = Var(shape=gains.shape, init=gains)
        self.average_every = Var(shape=(1,), init=np.array([average_every]))
        self.counts = Var(shape=(n_slots,) + tuple(shape), init=np.zeros((n_slots,) + tuple(shape), np.int32))


class PlasticLearningLayer(AbstractProcess):
    """Learning synapses and CUBA LIF neurons above the latent-replay layer, taught by a TeacherSource.

    Dynamics per step t of a slot (x: latent spikes; the synapses delay by one step):

        u[t] = (1 - decay_u / 4096) u[t-1] + W x[t-1]
        v[t] = (1 - decay_v / 4096) v[t-1] + u[t];   s[t] = v[t] > vth;   v[t] = 0 where s[t]

    in Loihi's fixed point (processes.fixed_point), with u = v = 0 through slot step `offset`. With `hidden`
    layers (gradient learner only), x first passes them, each a CUBA LIF population as FrozenSpikeGenerator's:

        a_l[t] = W_l h_{l-1}[t-1] + R_l h_l[t-1]     (h_0 = x; the output layer integrates the last h)

    The spike counts c over the slot's sample are the class scores. At the slot's teaching step the teacher's
    payload names the labelled class, and the layer learns according to its model:

      - 'fixed_pt' (SubProcessModel: LearningDense -> ErrorLIF) and 'fused' (the same in one OS process): the
        Loihi 3-factor margin rule once per sample, dW = 2^lr_exp * x1 * (y2 - y3), x1 the pre-synaptic trace
        and y2 - y3 the neurons' error (ErrorLIF); with average_every > 0 (and a rule with the tag's dt,
        learning_rule.delta_rule(average=True)) the synaptic tag A also follows the weights,
        A <- A + (W - A) / 128 on every average_every-th taught sample (the averaged perceptron's weights);
      - 'floating_pt' (the papers' learning): surrogate-gradient BPTT of the cross-entropy of loss_scale * c
        through the dynamics above, Adamax (step learning_rate per output row) on float shadow weights after
        every `batch` taught samples, weights rounded back to the 8-bit grid; forward pass in the same fixed point.
        Hidden layers learn with the output layer (BPTT through their recurrence too), at the smallest row rate.

    Parameters
    ----------
    weights : int array (outputs, inputs)
        w * 64 (netx's fixed point), 8-bit.
    vth : int
        Threshold (vThMant).
    decay_u, decay_v : int
        12-bit decays.
    learning_rule : Loihi3FLearningRule
        The Loihi models' rule.
    timesteps, slot, offset : int
        Sample steps, steps per slot, slot step at which the sample starts (offset + timesteps < slot).
    n_slots : int
        Slots whose counts are kept.
    error_gain : int or int array (outputs,)
        Loihi rule: scale of the error, so of every weight change, for all output rows or per row.
    learning_rate : float or array (outputs,)
        Gradient learner: Adamax step per output row.
    batch : int
        Gradient learner: taught samples per update.
    loss_scale : float
        Gradient learner: scale of the counts in the loss (pretraining's).
    lanes : int, optional
        Gradient learner: samples side by side per slot (ports and counts get a lane axis).
    error_rule : str
        Loihi rule: the neurons' count error, 'strongest_rival', 'all_rivals' or 'softmax' (ErrorLIF).
    average_every : int
        Loihi rule: taught samples per step of the weights' moving average (0: none; ErrorLIF).
    hidden : list of dict, optional
        Gradient learner: plastic layers between the latents and the output layer, each as FrozenSpikeGenerator's
        layers ("weight", "weight_rec" or None, "vth", "decay_u", "decay_v"); their thresholds stay.

    Ports
    -----
    s_in : InPort (inputs,) or (lanes, inputs)
        Latent spikes.
    target_in : InPort (outputs,) or (lanes, outputs)
        Teacher payloads.
    s_out : OutPort (outputs,) or (lanes, outputs)
        Output spikes.

    Vars
    ----
    weights : (outputs, inputs)
    vth : (1,)
    error_gain : (outputs,)
    weight_average : (outputs, inputs)
        Loihi rule: the moving average of the weights (the synaptic tag), starting at the weights.
    average_every : (1,)
    learning_rate : (outputs,)
    counts : (n_slots[, lanes], outputs)
        Output spike counts per slot.
    hidden_weights : (hidden synapses,)
        The hidden layers' weights, packed (pack_hidden; empty without hidden layers).
    hidden_activity : (n_slots[, lanes], hidden layers)
        Spikes of each hidden layer per slot.
    """

    def __init__(self, *, weights, vth, decay_u, decay_v, learning_rule, timesteps, slot, offset, n_slots,
                 error_gain=4, learning_rate=0.002, batch=64, loss_scale=0.5, lanes=None,
                 error_rule="strongest_rival", hidden=(), average_every=0, name=None):
        hidden = list(hidden)
        weights = check_layer_arguments(weights, timesteps, slot, offset, batch, lanes, error_rule, hidden)
        super().__init__(weights=weights, vth=vth, decay_u=decay_u, decay_v=decay_v, learning_rule=learning_rule,
                         timesteps=timesteps, slot=slot, offset=offset, n_slots=n_slots, error_gain=error_gain,
                         batch=batch, loss_scale=loss_scale, lanes=lanes, error_rule=error_rule, hidden=hidden,
                         average_every=average_every, name=name)
        n_out = weights.shape[0]
        n_in = (hidden[0]["weight"] if hidden else weights).shape[1]
        lane = () if lanes is None else (lanes,)
        self.s_in = InPort(shape=lane + (n_in,))
        self.target_in = InPort(shape=lane + (n_out,))
        self.s_out = OutPort(shape=lane + (n_out,))
        for var, init in learner_vars(weights, vth, error_gain, learning_rate, n_slots, lanes, hidden,
                                      average_every).items():
            setattr(self, var, Var(shape=init.shape, init=init))

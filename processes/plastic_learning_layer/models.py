"""Models of the plastic learning layer: ErrorLIF (fixed point), the Loihi-rule composition (fixed_pt) and the
gradient learner (floating_pt)."""
import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.neuron import LearningNeuronModelFixed
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.magma.core.learning.constants import GradedSpikeCfg
from lava.magma.core.model.py.connection import LearningConnectionModelBitApproximate
from lava.proc.dense.process import LearningDense
from lava.utils.weightutils import SignMode

from processes.fixed_point import cuba_layers_step, cuba_step
from processes.plastic_learning_layer.process import (AVERAGE_Y1, ErrorLIF, PlasticLearningLayer, pack_hidden,
                                                     pack_pairs, unpack_hidden)
from processes.teacher_source.process import COMPETITOR, decode_payloads
from processes.slot_clock import check_teaching_step, slot_position, teaching_step


def margin_error(count, target, all_rivals=False):
    """Count error of the margin rule (see ErrorLIF) from the teacher's payloads; zeros without a teacher.

    Each competitor c falls short by s_c = max(c_c + m - c_L, 0). The labelled neuron L gets +max_c s_c; the
    strongest competitor (all_rivals=False) or every competitor with s_c > 0 (all_rivals=True) gets -s_c, unless
    it is silent (a silent rival cannot win: its weights are left alone).
    """
    error = np.zeros(count.shape, np.int32)
    label, margin = decode_payloads(target)
    if label < 0:
        return error
    k = int(label)
    rivals = np.flatnonzero(target >= COMPETITOR)
    shortfall = np.maximum(count[rivals] + margin - count[k], 0)
    error[k] = shortfall.max()
    punished = (shortfall > 0) if all_rivals else (np.arange(len(rivals)) == count[rivals].argmax())
    punished &= count[rivals] > 0
    error[rivals[punished]] = -shortfall[punished]
    return error


SOFTMAX_LOGIT_SCALE = 0.5   # counts -> logits, as in pretraining (TrainConfig.logit_scale)
SOFTMAX_ERROR_SCALE = 8     # onehot - softmax (in [-1, 1]) -> integer error before the gain


def softmax_error(count, target):
    """Count error of the softmax rule (see ErrorLIF): round(8 * (onehot(L) - softmax(0.5 * c))) for every
    output neuron; zeros without a teacher."""
    label, _ = decode_payloads(target)
    if label < 0:
        return np.zeros(count.shape, np.int32)
    logits = SOFTMAX_LOGIT_SCALE * count
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return np.rint(SOFTMAX_ERROR_SCALE * ((np.arange(len(count)) == label) - p)).astype(np.int32)


def output_error(count, target, rule):
    """The count error of an error rule: 'strongest_rival' / 'all_rivals' (margin_error) or 'softmax'."""
    if rule == "softmax":
        return softmax_error(count, target)
    return margin_error(count, target, all_rivals=rule == "all_rivals")


def error_neuron_step(model, a_in, target, decay_u, decay_v):
    """One step of ErrorLIF's dynamics on a model with u, v, count, counts, vth, error_gain, error_rule,
    average_every, taught (taught slots so far) and slot timing: held at rest through the slot's offset, spikes
    counted over the sample, the count error and the averaging gate sent at the slot's last step.
    Returns (spikes, y1, y2, y3)."""
    slot_index, phase = slot_position(model.time_step, model.slot)
    if phase <= model.offset:
        model.u[:] = 0
        model.v[:] = 0
        a_in = np.zeros_like(a_in)
        model.count[:] = 0
    u, v, spikes = cuba_step(model.u, model.v, a_in, decay_u, decay_v, int(model.vth[0]))
    model.u[:] = u
    model.v[:] = v
    if phase < model.offset + model.timesteps:
        model.count += spikes
    y1 = y2 = y3 = np.zeros(model.count.shape, np.int32)
    check_teaching_step(target, phase, model.slot)
    if phase == teaching_step(model.slot):
        if slot_index < len(model.counts):
            model.counts[slot_index] = model.count
        error = model.error_gain * output_error(model.count, target, model.error_rule)
        y2 = np.clip(error, 0, 127).astype(np.int32)
        y3 = np.clip(-error, 0, 127).astype(np.int32)
        if decode_payloads(target)[0] >= 0:
            every = int(model.average_every[0])
            if every > 0 and model.taught % every == 0:
                y1 = np.full(model.count.shape, AVERAGE_Y1, np.int32)
            model.taught += 1
    return spikes, y1, y2, y3


@implements(proc=ErrorLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyErrorLifModel(LearningNeuronModelFixed, PyLoihiProcessModel):
    """Bit-accurate CUBA dynamics (as netx's LIF), slot resets, spike counting and the count error as y2 / y3.

    vth and error_gain are ndarray Vars read every step, so a Var set between runs takes effect (the stock
    fixed-point LIF caches vth << 6 once; lava-reference §3.7).
    """

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    du: int = LavaPyType(int, np.uint16, precision=12)
    dv: int = LavaPyType(int, np.uint16, precision=12)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=3)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=17)
    counts: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    error_gain: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    average_every: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.timesteps = proc_params["timesteps"]
        self.slot = proc_params["slot"]
        self.offset = proc_params["offset"]
        self.error_rule = proc_params["error_rule"]
        shape = proc_params["shape"]
        self.count = np.zeros(shape, np.int32)
        self.no_spikes = np.zeros(shape, bool)
        self.taught = 0

    def run_spk(self):
        a_in = self.a_in.recv()
        target = self.a_third_factor_in.recv()
        spikes, self.y1, self.y2, self.y3 = error_neuron_step(self, a_in, target, int(self.du) + 1, int(self.dv))
        self.s_out.send(spikes)
        self.s_out_bap.send(self.no_spikes)
        self.s_out_y1.send(self.y1)
        self.s_out_y2.send(self.y2)
        self.s_out_y3.send(self.y3)


@implements(proc=PlasticLearningLayer, protocol=LoihiProtocol)
class SubPlasticLearningLayerModel(AbstractSubProcessModel):
    """LearningDense (weights as given, exponent 0, 8-bit) feeding ErrorLIF; the teacher drives the third factor."""

    def __init__(self, proc):
        p = proc.proc_params
        one_sample_per_slot(p)
        n_out, n_in = p["weights"].shape
        rule = p["learning_rule"]
        self.synapse = LearningDense(weights=p["weights"], learning_rule=rule, num_weight_bits=8, weight_exp=0,
                                     tag_1=p["weights"].copy())
        self.neuron = ErrorLIF(shape=(n_out,), du=p["decay_u"] - 1, dv=p["decay_v"], vth=np.array([p["vth"]]),
                               learning_rule=rule, timesteps=p["timesteps"], slot=p["slot"],
                               offset=p["offset"], n_slots=proc.counts.shape[0], error_gain=p["error_gain"],
                               error_rule=p["error_rule"], average_every=p["average_every"])
        proc.in_ports.s_in.connect(self.synapse.s_in)
        self.synapse.a_out.connect(self.neuron.a_in)
        proc.in_ports.target_in.connect(self.neuron.a_third_factor_in)
        self.neuron.s_out.connect(proc.out_ports.s_out)
        self.neuron.s_out_bap.connect(self.synapse.s_in_bap)
        self.neuron.s_out_y1.connect(self.synapse.s_in_y1)
        self.neuron.s_out_y2.connect(self.synapse.s_in_y2)
        self.neuron.s_out_y3.connect(self.synapse.s_in_y3)
        proc.vars.weights.alias(self.synapse.weights)
        proc.vars.vth.alias(self.neuron.vth)
        proc.vars.error_gain.alias(self.neuron.error_gain)
        proc.vars.counts.alias(self.neuron.counts)
        proc.vars.weight_average.alias(self.synapse.tag_1)
        proc.vars.average_every.alias(self.neuron.average_every)


def one_sample_per_slot(proc_params):
    """ValueError for the Loihi rule's models when the layer was built with lanes or hidden layers."""
    if proc_params["hidden"]:
        raise ValueError("the Loihi rule trains the output layer only: PlasticLearningLayer with hidden layers "
                         "needs the floating_pt (gradient) model")
    if proc_params["lanes"] is not None:
        raise ValueError("the Loihi rule learns one sample at a time: PlasticLearningLayer with lanes needs the "
                         "floating_pt (gradient) model")


def quantize_weights(w):
    """Float weights (SLAYER units) -> the 8-bit integer weights netx exports: even integers w * 64 in
    [-256, 254] (lava-dl's quantize_8bit)."""
    return np.clip(2 * np.round(w * 32), -256, 254).astype(np.int32)


def count_loss_gradients(inputs, v_pre, spikes, labels, neurons, forward, recurrent, loss_scale):
    """Surrogate gradients of each sample's cross-entropy(loss_scale * output counts, label) w.r.t. every plastic
    layer's weights, in SLAYER units, by backpropagation through time of the CUBA dynamics (PlasticLearningLayer).

    inputs (samples, steps, n_in): the latents each step integrated; per layer l, bottom to top with the output
    layer last: v_pre[l] and spikes[l] (samples, steps, n_l), the voltage before the threshold test (fixed point)
    and the spikes; neurons[l] = (vth, decay_u, decay_v); forward[l] (n_l, n_{l-1}) and recurrent[l] (n_l, n_l)
    or None, the weights in SLAYER units (w / 64). labels (samples,). With c = sum_t s_out[t],
    g = loss_scale * (softmax(loss_scale * c) - onehot(label)), the surrogate ds/dv = 1 / (1 + 100 |v / theta -
    1|)^2 / theta (SpikingLR's, theta = vth / 64), and h_l[t] the input layer l integrated at step t, back in time:

        ds_out[t] = g;   ds_l[t] = W_{l+1}^T du_{l+1}[t+1] + R_l^T du_l[t+1]
        dv_l[t] = ds_l[t] * ds/dv_l[t] + (1 - decay_v / 4096) (1 - s_l[t]) dv_l[t+1]  (the reset not differentiated)
        du_l[t] = dv_l[t] + (1 - decay_u / 4096) du_l[t+1]
        dL/dW_l = sum_t du_l[t] h_l[t]^T;   dL/dR_l = sum_t du_l[t] s_l[t-1]^T

    Every product is taken per sample (einsum), so a sample's gradient does not depend on the others in the batch.
    Returns per layer (dW (samples, n_l, n_{l-1}), dR (samples, n_l, n_l) or None).
    """
    counts = spikes[-1].sum(axis=1)
    logits = loss_scale * counts
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    g = loss_scale * (p / p.sum(axis=1, keepdims=True) - (np.arange(counts.shape[1]) == labels[:, None]))
    surrogate, keep_v, keep_u = [], [], []
    for (vth, decay_u, decay_v), v, s in zip(neurons, v_pre, spikes):
        surrogate.append(1.0 / (1.0 + 100.0 * np.abs(v / (vth * 64.0) - 1.0)) ** 2 / (vth / 64.0))
        keep_v.append((4096 - decay_v) / 4096 * (1 - s))
        keep_u.append((4096 - decay_u) / 4096)
    n_layers, steps = len(neurons), inputs.shape[1]
    dv = [np.zeros(counts.shape[:1] + s.shape[2:]) for s in spikes]
    du = [np.zeros_like(d) for d in dv]
    du_all = [np.zeros(s.shape) for s in spikes]
    for t in range(steps - 1, -1, -1):
        ds = []
        for layer in range(n_layers):
            if layer == n_layers - 1:
                ds.append(g)
                continue
            d = np.einsum("so,oi->si", du[layer + 1], forward[layer + 1])
            if recurrent[layer] is not None:
                d = d + np.einsum("so,oi->si", du[layer], recurrent[layer])
            ds.append(d)
        for layer in range(n_layers):
            dv[layer] = ds[layer] * surrogate[layer][:, t] + keep_v[layer][:, t] * dv[layer]
            du[layer] = dv[layer] + keep_u[layer] * du[layer]
            du_all[layer][:, t] = du[layer]
    integrated = [inputs] + [delayed(s) for s in spikes[:-1]]  # what each layer's synapses delivered per step
    return [(np.einsum("sto,sti->soi", du_all[layer], integrated[layer]),
             None if recurrent[layer] is None else np.einsum("sto,sti->soi", du_all[layer], integrated[layer + 1]))
            for layer in range(n_layers)]


def delayed(trace):
    """trace (samples, steps, n) one step later: what a synapse delivers at each step (zeros at the first)."""
    out = np.zeros(trace.shape)
    out[:, 1:] = trace[:, :-1]
    return out


class PlasticLayerLeafModel(PyLoihiProcessModel):
    """Vars and slot timing shared by the leaf learners (PlasticLearningLayer's and the fused learning loop's):
    a learner's learn_step(x, target) takes one step's latent spikes and teacher payloads and returns the
    output spikes."""

    weights: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=17)
    error_gain: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    weight_average: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=9)
    average_every: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    learning_rate: np.ndarray = LavaPyType(np.ndarray, np.float64)
    counts: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    hidden_weights: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    hidden_activity: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.timesteps = proc_params["timesteps"]
        self.slot = proc_params["slot"]
        self.offset = proc_params["offset"]
        self.decay_u = proc_params["decay_u"]
        self.decay_v = proc_params["decay_v"]


class PlasticLayerPorts:
    """PlasticLearningLayer's ports, feeding a learner's learn_step."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, bool, precision=1)
    target_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)

    def run_spk(self):
        self.s_out.send(self.learn_step(self.s_in.recv(), self.target_in.recv()))


class GradientLearner(PlasticLayerLeafModel):
    """The papers' learner (see PlasticLearningLayer): fixed-point forward as the fixed_pt model's (through the
    hidden layers first, as FrozenSpikeGenerator's), surrogate gradients per taught sample (count_loss_gradients),
    Adamax on float shadow weights every `batch` taught samples (in slot order, lane by lane), weights quantized
    back to 8 bits after each step.

    Weights set from outside (Var.set, e.g. a class row re-initialised) replace the shadow weights at the next
    slot; the Adamax moments are kept. learning_rate (per weight row) and vth are read at run time; hidden layers
    step at the smallest row rate.
    """

    BETAS = (0.9, 0.999)
    EPS = 1e-8

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.batch = proc_params["batch"]
        self.loss_scale = proc_params["loss_scale"]
        self.hidden = proc_params["hidden"]
        n_out, n_in = proc_params["weights"].shape
        lanes = proc_params["lanes"] or 1
        steps = self.timesteps - 1  # counted steps: slot steps offset+1 .. offset+T-1
        self.lane_shape = (lanes,)
        self.out_shape = (n_out,) if proc_params["lanes"] is None else (lanes, n_out)
        sizes = [layer["weight"].shape[0] for layer in self.hidden] + [n_out]
        n_first = self.hidden[0]["weight"].shape[1] if self.hidden else n_in
        self.state = [(np.zeros((lanes, n), np.int32),) * 2 for n in sizes]
        self.previous = [np.zeros((lanes, n), np.float32) for n in [n_first] + sizes]
        self.x_trace = np.zeros((lanes, steps, n_first))
        self.v_trace = [np.zeros((lanes, steps, n)) for n in sizes]
        self.s_trace = [np.zeros((lanes, steps, n)) for n in sizes]
        self.shadow = self.hidden_shadow = self.quantized = None
        self.grad = np.zeros((n_out, n_in))
        n_hidden = len(pack_hidden(self.hidden))  # the Vars are not set yet in __init__
        self.hidden_grad = np.zeros(n_hidden)
        self.taught = 0
        self.adamax = {"output": [np.zeros((n_out, n_in)) for _ in range(2)],
                       "hidden": [np.zeros(n_hidden) for _ in range(2)]}
        self.updates = 0

    def _neurons(self):
        """(vth, decay_u, decay_v) per layer, the output's last (its vth the run-time Var)."""
        return [(l["vth"], l["decay_u"], l["decay_v"]) for l in self.hidden] + [
            (int(self.vth[0]), self.decay_u, self.decay_v)]

    def _use_weights(self):
        """Matrices of the forward pass from the integer Vars: per layer (W^T, R^T or None) as float32."""
        self.quantized = (self.weights.copy(), self.hidden_weights.copy())
        pairs = unpack_hidden(self.hidden_weights, self.hidden) + [(self.weights, None)]
        self.matrices = [(w.T.astype(np.float32), None if r is None else r.T.astype(np.float32)) for w, r in pairs]

    def _start_slot(self):
        if (self.quantized is None or not np.array_equal(self.weights, self.quantized[0])
                or not np.array_equal(self.hidden_weights, self.quantized[1])):
            self.shadow = self.weights / 64.0
            self.hidden_shadow = self.hidden_weights / 64.0
            self._use_weights()

    def learn_step(self, x, target):
        x = x.astype(np.float32).reshape(self.lane_shape + (-1,))
        target = target.reshape(self.lane_shape + (-1,))
        slot_index, phase = slot_position(self.time_step, self.slot)
        if phase == 0:
            self._start_slot()
        t = phase - self.offset - 1
        if phase <= self.offset:  # held at rest: no input, state 0, no spikes
            self.state = [tuple(np.zeros_like(m) for m in state) for state in self.state]
            spikes = [np.zeros(u.shape, bool) for u, _ in self.state]
        else:
            self.state, v_pre, spikes = cuba_layers_step(self.previous, self.matrices, self.state, self._neurons())
            if t < self.timesteps - 1:
                for layer, (v, s) in enumerate(zip(v_pre, spikes)):
                    self.v_trace[layer][:, t] = v
                    self.s_trace[layer][:, t] = s
        if 0 <= t < self.timesteps - 1:
            self.x_trace[:, t] = self.previous[0]
        self.previous = [x] + [s.astype(np.float32) for s in spikes]
        check_teaching_step(target, phase, self.slot)
        if phase == teaching_step(self.slot):
            self._end_slot(slot_index, target)
        return spikes[-1].reshape(self.out_shape)

    def _end_slot(self, slot_index, target):
        if slot_index < len(self.counts):
            self.counts[slot_index] = self.s_trace[-1].sum(axis=1).astype(np.int32).reshape(self.counts.shape[1:])
            activity = [s.sum(axis=(1, 2)) for s in self.s_trace[:-1]]
            self.hidden_activity[slot_index] = np.array(activity, np.int32).T.reshape(
                self.hidden_activity.shape[1:])
        labels, _ = decode_payloads(target)
        taught = np.flatnonzero(labels >= 0)
        if not len(taught):
            return
        pairs = unpack_hidden(self.hidden_shadow, self.hidden) + [(self.shadow, None)]
        grads = count_loss_gradients(self.x_trace[taught], [v[taught] for v in self.v_trace],
                                     [s[taught] for s in self.s_trace], labels[taught], self._neurons(),
                                     [w for w, _ in pairs], [r for _, r in pairs], self.loss_scale)
        hidden_grads = pack_pairs(grads[:-1], samples=(len(taught),))
        for k in range(len(taught)):  # in lane order, so that any lane count sums the same samples in the same order
            self.grad += grads[-1][0][k]
            self.hidden_grad += hidden_grads[k]
            self.taught += 1
            if self.taught == self.batch:
                self._adamax_step()

    def _adamax_step(self):
        """One Adamax step (PyTorch's formulation) on the mean gradient of the minibatch, for the output rows at
        their rates and the hidden weights at the smallest."""
        self.updates += 1
        self.shadow = self._adamax("output", self.shadow, self.grad, self.learning_rate[:, None])
        self.hidden_shadow = self._adamax("hidden", self.hidden_shadow, self.hidden_grad, self.learning_rate.min())
        self.weights[:] = quantize_weights(self.shadow)
        self.hidden_weights[:] = quantize_weights(self.hidden_shadow)
        self._use_weights()
        self.grad[:] = 0
        self.hidden_grad[:] = 0
        self.taught = 0

    def _adamax(self, part, shadow, grad, rate):
        b1, b2 = self.BETAS
        g = grad / self.taught
        moment, inf_norm = self.adamax[part]
        moment = b1 * moment + (1 - b1) * g
        inf_norm = np.maximum(b2 * inf_norm, np.abs(g) + self.EPS)
        self.adamax[part] = [moment, inf_norm]
        return shadow - rate / (1 - b1 ** self.updates) * moment / inf_norm


class _EngineParams:
    """End of the learning engine's __init__ chain: keeps proc_params, as a ProcessModel would."""

    def __init__(self, proc_params):
        self.proc_params = proc_params


class _LearningEngine(LearningConnectionModelBitApproximate, _EngineParams):
    """Lava's bit-approximate learning engine (the fixed-point LearningDense model's own code), driven in-process:
    its Vars are plain arrays initialised as LearningDense initialises them."""

    def __init__(self, weights, tag, learning_rule):
        n_out, n_in = weights.shape
        self.weights = weights.astype(np.int32)
        self.tag_1 = tag.astype(np.int32)
        self.tag_2 = np.zeros((n_out, n_in), np.int32)
        for name, size in (("x0", n_in), ("tx", n_in), ("x1", n_in), ("x2", n_in),
                           ("y0", n_out), ("ty", n_out), ("y1", n_out), ("y2", n_out), ("y3", n_out)):
            setattr(self, name, np.zeros(size, bool if name in ("x0", "y0") else np.int32))
        self.time_step = 0
        super().__init__({"learning_rule": learning_rule, "shape": (n_out, n_in),
                          "graded_spike_cfg": GradedSpikeCfg.USE_REGULAR_IMPULSE, "sign_mode": SignMode.MIXED})
        series = [rule for rule in (learning_rule.dw, learning_rule.dd, learning_rule.dt) if rule is not None]
        self.u_gated = learning_rule.decimate_exponent is not None and all(
            product.dependency == "u" for rule in series for product in rule.products)

    def _apply_learning_rules(self, x_traces_history, y_traces_history):
        """Lava's, skipped in learning epochs where u_k = 0 if every product of the rule is gated by u_k: there
        it adds 0 to each variable, which the rounding and saturation leave as it was (weights and tag within
        their bounds), and the random stream is advanced by run_lrn all the same."""
        rule = self._learning_rule
        if self.u_gated and int(self.time_step / rule.t_epoch) % 2 ** rule.decimate_exponent:
            return
        super()._apply_learning_rules(x_traces_history, y_traces_history)

    def step(self, time_step, s_in, y1, y2, y3):
        """What LearningDense's run_spk does with its inputs at `time_step` (pre spikes, no bAP)."""
        self.time_step = time_step
        self._process_pre_spikes(s_in)
        self._update_trace_randoms()
        self._process_post_spikes(np.zeros(len(y2), bool))
        self._set_y_traces(np.stack([y1, y2, y3]))
        self._update_trace_randoms()


@implements(proc=PlasticLearningLayer, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyGradientLearningModel(PlasticLayerPorts, GradientLearner):
    """PlasticLearningLayer's gradient learner (GradientLearner)."""


class LoihiRuleLearner(PlasticLayerLeafModel):
    """The fixed_pt SubProcessModel (LearningDense -> ErrorLIF) as one leaf model, step for step: the synaptic
    sum W x(t-1), ErrorLIF's dynamics, counts and margin error, and Lava's own learning engine
    (_LearningEngine) with the same rule and seed, so spikes, counts and weights are those of the reference
    (tested equal; used by the fused LatentLearningLoop).
    """

    ENGINE_VARS = (("weights", "weights"), ("weight_average", "tag_1"))  # the layer's Vars the engine updates

    def __init__(self, proc_params):
        super().__init__(proc_params)
        one_sample_per_slot(proc_params)
        self.error_rule = proc_params["error_rule"]
        self.rule = proc_params["learning_rule"]
        n_out = proc_params["weights"].shape[0]
        self.u = np.zeros(n_out, np.int32)
        self.v = np.zeros(n_out, np.int32)
        self.count = np.zeros(n_out, np.int32)
        self.a_buff = np.zeros(n_out, np.int64)
        self.taught = 0
        self.engine = None

    def learn_step(self, x, target):
        x = x.astype(bool)
        if self.engine is None:
            self.engine = _LearningEngine(self.weights, self.weight_average, self.rule)
        for var, engine_var in self.ENGINE_VARS:  # a Var set from outside between runs
            if not np.array_equal(getattr(self, var), getattr(self.engine, engine_var)):
                setattr(self.engine, engine_var, getattr(self, var).astype(np.int32))
        a_in = self.a_buff
        self.a_buff = self.engine.weights[:, x].sum(axis=1)
        spikes, y1, y2, y3 = error_neuron_step(self, a_in, target, self.decay_u, self.decay_v)
        self.engine.step(self.time_step, x, y1, y2, y3)
        return spikes

    def lrn_guard(self):
        return self.time_step % self.rule.t_epoch == 0

    def run_lrn(self):
        self.engine.run_lrn()
        for var, engine_var in self.ENGINE_VARS:
            getattr(self, var)[:] = getattr(self.engine, engine_var)

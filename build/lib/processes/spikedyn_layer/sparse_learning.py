"""Lava's fixed-point learning engine (LearningDense, bit-approximate model) for a 2-factor rule on an
excitatory weight matrix, evaluated only on the synapses the rule can change in an epoch.

Lava's engine evaluates the rule on all post×pre synapses every `t_epoch` steps. Every product of a rule has
a dependency (x0: the pre neuron spiked in the epoch, y0: the post neuron spiked); a product is 0 elsewhere
and a weight without a non-zero product comes out of the accumulator, the stochastic rounding and the clip
unchanged. So this engine applies Lava's own applier (`LearningRuleApplierBitApprox`), trace functions and
random number streams (same seeds, same draws at the same points) to the rows of post neurons that spiked
(rules with y0 products) and the columns of pre neurons that spiked (x0 products), and leaves the rest alone:
bit-equal to LearningDense, proven by tests/test_spikedyn_fused.py. Rules with the `u` dependency are refused.
The trace random numbers are drawn in blocks (the same numbers as Lava's one-at-a-time TraceRandom).
"""
import numpy as np
from lava.magma.core.learning.constants import W_ACCUMULATOR_S, W_SYN_VAR_S, W_TRACE, W_WEIGHTS_U
from lava.magma.core.learning.learning_rule_applier import LearningRuleApplierBitApprox
from lava.magma.core.learning.random import ConnVarRandom
from lava.magma.core.model.py.connection import LearningConnectionModelBitApproximate as LavaEngine
from lava.utils.weightutils import SignMode, clip_weights

SHIFT = W_ACCUMULATOR_S - W_SYN_VAR_S["weights"]  # weights live left-shifted in the 16-bit accumulator
BLOCK = 4096
TRACE_KEYS = {f"{trace}_{dep}" for trace in ("x1", "x2", "y1", "y2", "y3") for dep in ("x0", "y0")}


class BlockTraceRandom:
    """Lava's TraceRandom (a uniform float for trace decay, an integer in [0, 2^W_TRACE) for impulse addition,
    new ones at each advance()) with its seeds, drawn BLOCK at a time: the same sequence, fewer numpy calls."""

    def __init__(self, seed_trace_decay, seed_impulse_addition):
        self._decay_rng = np.random.default_rng(seed_trace_decay)
        self._impulse_rng = np.random.default_rng(seed_impulse_addition)
        self._i = BLOCK
        self.advance()

    def advance(self):
        """Next pair of random numbers."""
        if self._i == BLOCK:
            self._decays = self._decay_rng.random(BLOCK)
            self._impulses = self._impulse_rng.integers(0, 2 ** W_TRACE, size=BLOCK, dtype=int)
            self._i = 0
        self.random_trace_decay = self._decays[self._i]
        self.random_impulse_addition = self._impulses[self._i]
        self._i += 1


class SparseLearningEngine:
    """Traces, spike times and the epoch update of one (n_post, n_pre) excitatory LearningDense."""

    def __init__(self, rule, n_post, n_pre):
        series = rule.active_product_series
        if set(series) != {"dw"}:
            raise ValueError(f"the sparse learning engine learns weights only; rule targets {sorted(series)}")
        deps = {p.dependency for p in series["dw"].products}
        if not deps <= {"x0", "y0"}:
            raise ValueError(f"the sparse learning engine needs x0/y0-gated products; the rule has {sorted(deps)}")
        self.applier = LearningRuleApplierBitApprox(series["dw"])
        # per x0-gated product: the post traces (index) that multiply it without a constant: where such a trace
        # stayed 0 through the epoch the product is 0 on that post neuron's row
        self.pre_gates = [[int(f.state_var[1]) - 1 for f in p.factors
                           if f.state_var in ("y1", "y2", "y3") and not f.has_const() and not f.is_sgn]
                          for p in series["dw"].products if p.dependency == "x0"]
        self.needed = {f"{f.state_var}_{p.dependency}" for p in series["dw"].products for f in p.factors}
        self.by_post, self.by_pre = "y0" in deps, "x0" in deps
        self.t_epoch = rule.t_epoch
        self.x_imp = LavaEngine._decompose_impulses(np.array([rule.x1_impulse, rule.x2_impulse]))
        self.y_imp = LavaEngine._decompose_impulses(np.array([rule.y1_impulse, rule.y2_impulse, rule.y3_impulse]))
        self.x_taus = np.array([rule.x1_tau, rule.x2_tau])
        self.y_taus = np.array([rule.y1_tau, rule.y2_tau, rule.y3_tau])
        self.x = np.zeros((2, n_pre), dtype=int)
        self.y = np.zeros((3, n_post), dtype=int)
        self.tx = np.zeros(n_pre, dtype=int)
        self.ty = np.zeros(n_post, dtype=int)
        seed = rule.rng_seed
        self.x_random = BlockTraceRandom(seed, seed + 1)
        self.y_random = BlockTraceRandom(seed + 2, seed + 3)
        self.w_random = ConnVarRandom()

    def record(self, pre, post, time_step):
        """Spike times in the epoch (and impulses of repeated spikes) of one step's pre and post spikes."""
        t = time_step % self.t_epoch or self.t_epoch
        again = (self.tx > 0) & pre
        if again.any():
            self.x[:, again] = LavaEngine._add_impulse(self.x[:, again], 0, self.x_imp[0][:, None],
                                                       self.x_imp[1][:, None])
        self.tx[pre] = t
        self._advance()
        again = (self.ty > 0) & post
        if again.any():
            self.y[:, again] = LavaEngine._add_impulse(self.y[:, again], self.y_random.random_impulse_addition,
                                                       self.y_imp[0][:, None], self.y_imp[1][:, None])
        self.ty[post] = t
        self._advance()

    def _advance(self):
        self.x_random.advance()
        self.y_random.advance()

    def learn(self, weights):
        """The epoch's update of `weights` (int32, changed in place), then traces advance and spike times reset."""
        self.w_random.advance()
        x0, y0 = self.tx > 0, self.ty > 0
        xh = self._history(self.x, self.tx, self.x_taus, self.x_imp, self.x_random)
        yh = self._history(self.y, self.ty, self.y_taus, self.y_imp, self.y_random)
        rows = np.flatnonzero(y0) if self.by_post else np.zeros(0, int)
        if rows.size:
            cols = np.arange(weights.shape[1])
            weights[rows] = self._update(weights[rows], rows, cols, x0, y0, xh, yh)
        if self.by_pre and x0.any():
            rows = self._pre_rows(yh) & ~(y0 if self.by_post else np.zeros_like(y0))
            rows, cols = np.flatnonzero(rows), np.flatnonzero(x0)
            if rows.size:
                block = np.ix_(rows, cols)
                weights[block] = self._update(weights[block], rows, cols, x0, y0, xh, yh)
        self.x, self.y = xh[-1].copy(), yh[-1].copy()
        self.tx[:] = 0
        self.ty[:] = 0

    def _pre_rows(self, yh):
        """Post neurons on whose rows some x0-gated product can be non-zero in this epoch."""
        active = yh.any(axis=0)  # (post traces, n_post): non-zero at some step of the epoch
        rows = np.zeros(yh.shape[2], dtype=bool)
        for gates in self.pre_gates:
            rows |= np.logical_and.reduce([active[k] for k in gates]) if gates else True
        return rows

    def _history(self, traces, t_spike, taus, impulses, random):
        """Trace values at each step of the epoch (decay, then impulse at the recorded spike time). Traces are
        integers in [0, 2^W_TRACE) and one random number serves the whole epoch, so Lava's stochastic decay
        is tabulated once per trace and applied as a lookup."""
        hist = np.zeros((self.t_epoch + 1,) + traces.shape, dtype=int)
        hist[0] = traces
        spikes_at = np.bincount(t_spike, minlength=self.t_epoch + 1)
        if not hist[0].any() and not spikes_at[1:].any():
            return hist  # all zero and no impulse: zero throughout
        live = np.flatnonzero(taus != 0)
        table = LavaEngine._decay_trace(np.arange(2 ** W_TRACE)[None, :], 1, taus[live][:, None],
                                        random.random_trace_decay)
        for t in range(1, self.t_epoch + 1):
            hist[t][live] = np.take_along_axis(table, hist[t - 1][live], axis=1)
            if spikes_at[t]:
                ids = np.flatnonzero(t_spike == t)
                hist[t][:, ids] = LavaEngine._add_impulse(hist[t][:, ids], random.random_impulse_addition,
                                                          impulses[0][:, None], impulses[1][:, None])
        return hist

    def _update(self, w, rows, cols, x0, y0, xh, yh):
        """Lava's applier, accumulator saturation, stochastic rounding and clip on the block rows × cols."""
        tx, ty = self.tx[cols], self.ty[rows]
        args = {"shape": w.shape, "x0": x0[cols][None, :], "y0": y0[rows][:, None], "weights": w,
                "tag_1": np.zeros_like(w), "tag_2": np.zeros_like(w), "u": 0}
        gather = {"x0": {"x": lambda k: xh[tx, k, cols][None, :], "y": lambda k: yh[tx[None, :], k, rows[:, None]]},
                  "y0": {"x": lambda k: xh[ty[:, None], k, cols[None, :]], "y": lambda k: yh[ty, k, rows][:, None]}}
        for key in self.needed & TRACE_KEYS:  # the trace values at the dependency's spike times
            trace, dep = key.split("_")
            args[key] = gather[dep][trace[0]](int(trace[1]) - 1)
        before = w.astype(np.int32) << SHIFT
        acc = self.applier.apply(before.copy(), **args)
        changed = acc != before  # an unchanged accumulator rounds and clips back to the same weight
        acc = np.maximum(0, acc[changed])  # excitatory sign mode
        acc = LavaEngine._stochastic_round_synaptic_variable("weights", acc, self.w_random.random_stochastic_round)
        w = w.copy()
        w[changed] = clip_weights(acc >> SHIFT, sign_mode=SignMode.EXCITATORY, num_bits=W_WEIGHTS_U)
        return w

"""Lava's fixed-point learning engine (LearningDense, bit-approximate model) for a 2-factor rule on an
excitatory weight matrix, evaluated only on the synapses the rule can change in an epoch.

Lava's engine evaluates the rule on all post×pre synapses every `t_epoch` steps. Every product of a rule has
a dependency (x0: the pre neuron spiked in the epoch, y0: the post neuron spiked); a product is 0 elsewhere
and a weight without a non-zero product comes out of the accumulator, the stochastic rounding and the clip
unchanged. So this engine applies Lava's own applier (`LearningRuleApplierBitApprox`), trace functions and
random generators (same seeds, advanced at the same points) to the rows of post neurons that spiked (rules
with y0 products) and the columns of pre neurons that spiked (x0 products), and leaves the rest alone:
bit-equal to LearningDense, proven by tests/test_spikedyn_fused.py. Rules with the `u` dependency are refused.
"""
import numpy as np
from lava.magma.core.learning.constants import W_ACCUMULATOR_S, W_SYN_VAR_S, W_WEIGHTS_U
from lava.magma.core.learning.learning_rule_applier import LearningRuleApplierBitApprox
from lava.magma.core.learning.random import ConnVarRandom, TraceRandom
from lava.magma.core.model.py.connection import LearningConnectionModelBitApproximate as LavaEngine
from lava.utils.weightutils import SignMode, clip_weights

SHIFT = W_ACCUMULATOR_S - W_SYN_VAR_S["weights"]  # weights live left-shifted in the 16-bit accumulator


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
        self.x_random = TraceRandom(seed_trace_decay=seed, seed_impulse_addition=seed + 1)
        self.y_random = TraceRandom(seed_trace_decay=seed + 2, seed_impulse_addition=seed + 3)
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
            rows, cols = np.flatnonzero(~y0 if self.by_post else np.ones_like(y0)), np.flatnonzero(x0)
            block = np.ix_(rows, cols)
            weights[block] = self._update(weights[block], rows, cols, x0, y0, xh, yh)
        self.x, self.y = xh[-1].copy(), yh[-1].copy()
        self.tx[:] = 0
        self.ty[:] = 0

    def _history(self, traces, t_spike, taus, impulses, random):
        """Trace values at each step of the epoch (decay, then impulse at the recorded spike time)."""
        hist = np.zeros((self.t_epoch + 1,) + traces.shape, dtype=int)
        hist[0] = traces
        decays = taus != 0
        for t in range(1, self.t_epoch + 1):
            hist[t][decays] = LavaEngine._decay_trace(hist[t - 1][decays], 1, taus[decays][:, None],
                                                      random.random_trace_decay)
            ids = np.flatnonzero(t_spike == t)
            hist[t][:, ids] = LavaEngine._add_impulse(hist[t][:, ids], random.random_impulse_addition,
                                                      impulses[0][:, None], impulses[1][:, None])
        return hist

    def _update(self, w, rows, cols, x0, y0, xh, yh):
        """Lava's applier, accumulator saturation, stochastic rounding and clip on the block rows × cols."""
        tx, ty = self.tx[cols], self.ty[rows]
        args = {"shape": w.shape, "x0": x0[cols][None, :], "y0": y0[rows][:, None], "weights": w,
                "tag_1": np.zeros_like(w), "tag_2": np.zeros_like(w), "u": 0}
        for k, name in enumerate(("x1", "x2")):
            args[f"{name}_x0"] = xh[tx, k, cols][None, :]
            args[f"{name}_y0"] = xh[ty[:, None], k, cols[None, :]]
        for k, name in enumerate(("y1", "y2", "y3")):
            args[f"{name}_x0"] = yh[tx[None, :], k, rows[:, None]]
            args[f"{name}_y0"] = yh[ty, k, rows][:, None]
        acc = self.applier.apply(w.astype(np.int32) << SHIFT, **args)
        acc = np.maximum(0, acc)  # excitatory sign mode
        acc = LavaEngine._stochastic_round_synaptic_variable("weights", acc, self.w_random.random_stochastic_round)
        return clip_weights(acc >> SHIFT, sign_mode=SignMode.EXCITATORY, num_bits=W_WEIGHTS_U)

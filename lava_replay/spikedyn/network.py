"""The network as Lava processes: Poisson encoder → SpikeDynLayer (learning synapses → excitatory layer ⟲
lateral inhibition).

SpikeDyn: the excitatory layer inhibits itself through one recurrent Dense (N×N, zero diagonal), no
inhibitory neurons. Diehl & Cook baseline: excitatory → one-to-one Dense → inhibitory LIF layer → Dense
back to all other excitatory neurons. Both learn with a Loihi 2-factor rule on a LearningDense, see
`learning_rule`. Encoder and layer are one SpikeDynStream Process: the reference graph of Lava processes
(encoder, and the layer's LearningDense, neurons and inhibition) or, by default on the CPU simulator, its
fused model (one OS process, bit-equal; processes/spikedyn_stream).
"""
import time
from dataclasses import dataclass

import numpy as np
from lava.magma.core.learning.learning_rule import Loihi2FLearningRule

from lava_replay.errors import LavaReplayError, process_arguments
from lava_replay.lava_session import LavaSession
from processes.count_packing import unpack_counts
from processes.spikedyn_layer.models import SubSpikeDynLayerModel
from processes.spikedyn_layer.process import SpikeDynLayer
from processes.spikedyn_stream.models import PySpikeDynStreamFused, SubSpikeDynStreamModel
from processes.spikedyn_stream.process import SpikeDynStream

N_INPUT = 784
W_INIT_MAX = 76      # Diehl & Cook initialise in [0, 0.3] of the maximum
VTH = 4000           # excitatory threshold (units of one 8-bit weight)
V_DECAY_SHIFT = 6    # membrane decay 1/64 per step (~64 ms time constant)
REFRACTORY = 5
INHIBITION = -255    # direct lateral inhibition weight, scaled by INHIBITION_EXP
INHIBITION_EXP = 4
T_EPOCH = 10           # learning epoch: 10 steps (one LRN phase per 10 steps; 3.5x faster than 2 at N=400)
TRACE_TAU = 16
TRACE_IMPULSE = 32


def learning_rule(cfg):
    """The STDP rule of `cfg` as a Loihi2FLearningRule (Lava's rule grammar, fixed point).

    Plain (baseline) pair STDP:  dw = 2^-3·y0·x1 − 2^-6·x0·y1
      potentiation at each post spike by the pre trace, depression at each pre spike by the post trace,
      8× weaker (Diehl & Cook's pre-triggered rate is 1/100 of the post-triggered one).
    SpikeDyn switches:
      reduce_spurious:  the pre-triggered term (one update of N synapses per input spike, most of them for
                        inputs that never make the neuron fire) is replaced by a post-triggered depression of
                        the inputs that were silent: dw = 2^-3·y0·x1 − 2^-1·y0, so all updates happen
                        at post spikes only.
      adaptive_lr:      potentiation is scaled by y2, a slow post trace (impulse 16, τ 64 steps) that counts
                        the neuron's recent spikes: 2^-4·y0·x1·y2 — a neuron that keeps winning the current
                        input learns it faster (y2 ≈ 16 per recent spike; equal to the plain rate at 1 spike).
      weight_decay:     − 2^-k·y0·w (k = cfg.weight_decay_shift, default 5): each post spike shrinks the
                        neuron's weights by 2^-k (1/32), which removes old, now insignificant information of a
                        recruited neuron and bounds its weights (at k=5: equilibrium w ≈ 4·x1 − 16 instead of
                        saturation at 255).
    """
    potentiation = "2^-4*y0*x1*y2" if cfg.adaptive_lr else "2^-3*y0*x1"
    depression = "2^-1*y0" if cfg.reduce_spurious else "2^-6*x0*y1"
    dw = f"{potentiation} - {depression}"
    if cfg.weight_decay:
        dw += f" - 2^-{cfg.weight_decay_shift}*y0*w"
    return Loihi2FLearningRule(dw=dw, x1_impulse=TRACE_IMPULSE, x1_tau=TRACE_TAU, y1_impulse=TRACE_IMPULSE,
                               y1_tau=TRACE_TAU, y2_impulse=16, y2_tau=64, t_epoch=T_EPOCH,
                               rng_seed=cfg.seed)


def initial_weights(cfg):
    """(N, 784) uniform random integer weights in [0, W_INIT_MAX], seeded."""
    rng = np.random.default_rng(cfg.seed)
    return rng.integers(0, W_INIT_MAX + 1, size=(cfg.neurons, N_INPUT)).astype(np.int32)


@dataclass
class Schedule:
    """What the encoder shows: images (n, 784), learn[k] (1 = learning presentation), record_slot[k] (≥ 0:
    keep the per-neuron counts of presentation k in that row)."""

    images: np.ndarray
    learn: np.ndarray
    record_slot: np.ndarray


@dataclass
class RunResult:
    """What a network run leaves: per-neuron counts of recorded presentations, spike totals and final state."""

    counts: np.ndarray
    exc_spikes: np.ndarray
    input_spikes: np.ndarray
    weights: np.ndarray
    theta: np.ndarray
    steps: int
    seconds: float


def layer_model(fused, backend="sim"):
    """The SpikeDynStream model: the fused CPU model (fused=True, simulator only) or the reference graph."""
    return PySpikeDynStreamFused if fused and backend == "sim" else SubSpikeDynStreamModel


class SpikeDynNetwork:
    """Builds the Lava processes of one config for one schedule; `run_blocks` runs it and always stops it."""

    def __init__(self, cfg, schedule, weights=None, theta=None, inhibition=True):
        self.cfg = cfg
        self.schedule = schedule
        with process_arguments():
            kind = ("diehl_cook" if cfg.baseline else "direct") if inhibition else "none"
            self.stream = SpikeDynStream(
                images=schedule.images.reshape(len(schedule.images), -1), present_steps=cfg.present_steps,
                max_rate_hz=cfg.max_rate_hz, seed=cfg.seed,
                weights=initial_weights(cfg) if weights is None else weights, learning_rule=learning_rule(cfg), vth=VTH,
                v_decay_shift=V_DECAY_SHIFT, refractory=REFRACTORY,
                theta_plus=cfg.theta_plus if cfg.adaptive_threshold else 0, theta_decay_shift=cfg.theta_decay_shift,
                sample_steps=cfg.sample_steps, learn=schedule.learn, record_slot=schedule.record_slot, theta=theta,
                inhibition=kind, inhibition_weight=INHIBITION, inhibition_exp=INHIBITION_EXP,
                weight_norm_total=cfg.weight_norm_total if cfg.weight_norm else 0)

    def run_blocks(self, block_sizes, backend="sim", progress=None, fused=True):
        """Run the schedule in blocks of presentations (progress(i) after each), read the results, stop.
        fused: the layer's fused model (CPU simulator only; the reference graph otherwise)."""
        if self.cfg.weight_norm and layer_model(fused, backend) is not PySpikeDynStreamFused:
            raise LavaReplayError("Diehl & Cook's weight normalisation runs in the fused CPU model only; drop "
                                  "--reference / --backend loihi, or use --no-weight-norm")
        steps = 0
        start = time.perf_counter()
        model_map = {SpikeDynStream: layer_model(fused, backend), SpikeDynLayer: SubSpikeDynLayerModel}
        with LavaSession(self.stream, backend, model_map) as lava:
            for i, size in enumerate(block_sizes):
                n_steps = int(size) * self.cfg.sample_steps
                lava.run(n_steps)
                steps += n_steps
                if progress:
                    progress(i)
            seconds = time.perf_counter() - start
            stream = self.stream
            return RunResult(counts=unpack_counts(stream.counts.get(), self.cfg.neurons),
                             exc_spikes=stream.spike_total.get().astype(np.int64),
                             input_spikes=stream.spike_count.get().astype(np.int64),
                             weights=stream.weights.get().astype(np.int64),
                             theta=stream.theta.get().astype(np.int64), steps=steps, seconds=seconds)

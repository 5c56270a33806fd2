"""The SpikeDyn excitatory neuron dynamics, shared by the layer's own ProcessModel and the fused SpikeDyn layer."""
import numpy as np
from lava.magma.core.model.py.type import LavaPyType

from processes.count_packing import pack_counts
from processes.slot_clock import slot_position


class AdaptiveLifDynamics:
    """Integer LIF with adaptive threshold and presentation bookkeeping (equations on SpikeDynExcitatory).

    Mixed into a PyLoihiProcessModel whose Process has the Vars below (declared here) and the proc params
    v_decay_shift, refractory, theta_plus, theta_decay_shift, sample_steps; the model provides v and vth.
    """

    theta: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    learn: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=1)
    record_slot: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    counts: np.ndarray = LavaPyType(np.ndarray, np.int64, precision=48)
    spike_total: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def _init_dynamics(self, proc_params):
        self.decay = proc_params["v_decay_shift"]
        self.refractory = proc_params["refractory"]
        self.theta_plus = proc_params["theta_plus"]
        self.theta_decay = proc_params["theta_decay_shift"]
        self.window = proc_params["sample_steps"]
        self.wait = None
        self.sample_counts = None

    def _presentation(self):
        """(index of the current presentation, whether it is a learning presentation)."""
        sample, _ = slot_position(self.time_step, self.window)
        return sample, bool(sample < len(self.learn) and self.learn[sample] == 1)

    def _fire(self, a_in, learning):
        """One step of the neurons driven by a_in; returns the spikes."""
        if self.wait is None:
            self.wait = np.zeros(self.v.shape, dtype=np.int32)
            self.sample_counts = np.zeros(self.v.shape, dtype=np.int32)
        free = self.wait == 0
        self.v = np.where(free, self.v - np.right_shift(self.v, self.decay) + a_in, 0)
        self.v = np.maximum(self.v, -self.vth)
        self.wait = np.maximum(self.wait - 1, 0)
        spikes = self.v > self.vth + self.theta
        self.v[spikes] = 0
        self.wait[spikes] = self.refractory
        self.sample_counts += spikes
        if learning:
            self.theta[spikes] += self.theta_plus
        return spikes

    def _close_presentation(self, sample, learning):
        """At the last step of a scheduled presentation: store its counts, reset v, and after a learning
        presentation decay θ (evaluation leaves θ as it is, as Diehl & Cook fix θ for testing)."""
        if slot_position(self.time_step, self.window)[1] != self.window - 1 or sample >= len(self.learn):
            return
        self.spike_total[sample] = int(self.sample_counts.sum())
        slot = self.record_slot[sample]
        if slot >= 0:
            self.counts[slot] = pack_counts(self.sample_counts)
        self.sample_counts[:] = 0
        self.v[:] = 0
        self.wait[:] = 0
        if learning:
            self.theta -= np.right_shift(self.theta, self.theta_decay)

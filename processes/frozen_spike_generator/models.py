"""Fixed-point model of FrozenSpikeGenerator: netx's Dense / recurrent Dense / CUBA LIF arithmetic, fused."""
import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from processes.count_packing import pack_counts
from processes.fixed_point import AxonDelayLine, cuba_layers_step, product_matrix
from processes.frozen_spike_generator.process import FrozenSpikeGenerator
from processes.slot_clock import slot_position


@implements(proc=FrozenSpikeGenerator, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyFrozenSpikeGeneratorModel(PyLoihiProcessModel):
    """All frozen layers in one process: per step, layer i integrates W_i d_{i-1}(t-1) + R_i s_i(t-1), d the
    axonally delayed spikes (the spikes themselves where a layer has no delays).

    One process instead of a Dense + Dense + LIF triple per layer saves the simulator's per-process messaging,
    which dominates its speed; the arithmetic is netx's (tested spike-exact against netx and SLAYER). The
    synaptic sums are float matrix products over all lanes at once, exact (fixed_point.product_matrix).
    """

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=8)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    latents: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    activity: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    counts: np.ndarray = LavaPyType(np.ndarray, np.int64, precision=48)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.layers = proc_params["layers"]
        self.timesteps = proc_params["timesteps"]
        self.slot = proc_params["slot"]
        self.offset = proc_params["offset"]
        self.cached = proc_params["cached"]
        largest = [2 ** proc_params["input_bits"] - 1] + [1] * (len(self.layers) - 1)
        self.matrices = [(product_matrix(layer["weight"], most),
                          None if layer["weight_rec"] is None else product_matrix(layer["weight_rec"]))
                         for layer, most in zip(self.layers, largest)]
        self.neurons = None
        self.replaying = None
        self.previous = None
        self.feed = None
        self.delay_lines = None
        self.state = None
        self.emitted = None

    def _rest(self, x):
        # the layers are read here, not in __init__: a model whose __init__ raises hangs the run (docs/lava-notes.md)
        self.neurons = [(layer["vth"], layer["decay_u"], layer["decay_v"]) for layer in self.layers]
        lanes = x.shape[:-1]
        sizes = [layer["weight"].shape[0] for layer in self.layers]
        self.previous = [np.zeros(x.shape, np.float32)] + [np.zeros(lanes + (n,), np.float32) for n in sizes]
        self.delay_lines = [None if layer.get("delay") is None else AxonDelayLine(layer["delay"], lanes)
                            for layer in self.layers]
        has_delays = any(line is not None for line in self.delay_lines)
        self.feed = list(self.previous) if has_delays else None  # None: the forward synapses read `previous`
        self.state = [(np.zeros(lanes + (n,), np.int32),) * 2 for n in sizes]
        self.emitted = np.zeros(lanes + (sizes[-1], self.timesteps), bool)

    def run_spk(self):
        x = self.s_in.recv()
        slot_index, phase = slot_position(self.time_step, self.slot)
        t = phase - self.offset
        if t == 0 or self.previous is None:
            self._rest(x)
            source = self.cached[slot_index] if slot_index < len(self.cached) else -1
            self.replaying = None
            if source >= 0:  # a repeat: send the latents kept from slot `source`, record them as this slot's
                self.replaying = np.unpackbits(self.latents[source].astype(np.uint8), axis=-1,
                                               count=self.timesteps).astype(bool)
                if slot_index < len(self.latents):
                    for var in (self.latents, self.activity, self.counts):
                        var[slot_index] = var[source]
        if not 0 <= t < self.timesteps:
            self.s_out.send(np.zeros(self.s_out.shape, bool))
            return
        if self.replaying is not None:
            self.s_out.send(self.replaying[..., t])
            return
        self.state, _, spikes = cuba_layers_step(self.previous, self.matrices, self.state, self.neurons, self.feed)
        delayed = [s if line is None else line.step(s, t) for s, line in zip(spikes, self.delay_lines)]
        self.previous = [x.astype(np.float32)] + [s.astype(np.float32) for s in spikes]
        if self.feed is not None:
            self.feed = self.previous[:1] + [fed if line is None else late.astype(np.float32) for fed, late, line
                                             in zip(self.previous[1:], delayed, self.delay_lines)]
        self.emitted[..., t] = delayed[-1]
        self.s_out.send(delayed[-1])
        if slot_index < len(self.latents):
            self.activity[slot_index] += np.stack([np.count_nonzero(x, axis=-1)] + [s.sum(-1) for s in spikes],
                                                  axis=-1)
            if t == self.timesteps - 1:
                self.latents[slot_index] = np.packbits(self.emitted, axis=-1)
                self.counts[slot_index] = pack_counts(self.emitted.sum(axis=-1))

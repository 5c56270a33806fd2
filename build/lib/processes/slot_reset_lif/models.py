"""A fixed-point LIFReset model that makes back-to-back samples independent in recurrent netx layers.

Finding (lava-nc 0.10 / lava-dl 0.6, see tests/test_netx_equality.py): the stock LIFReset zeroes u and v at the
reset step but still integrates the input that arrives in that very step. In a recurrent layer that input holds
the recurrent synapse's copy of the previous sample's last spikes, so the next sample starts from a polluted
state and Lava no longer matches SLAYER (which starts each sample from zero). Also, before its reset step a layer
still emits the previous sample's tail into the new slot. netx's reset phases (layer i at step 1 + i of each
slot) fall before the first real input of a sample reaches layer i (SLAYER's delay shifts keep steps 0..i of
layer i silent), so this model holds each neuron reset, with its input dropped, from the slot's first step
through its reset step: every layer's spikes then equal SLAYER's, sample after sample, with nothing to mask.
"""
import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.lif.models import PyLifResetModelBitAcc
from lava.proc.lif.process import LIFReset


@implements(proc=LIFReset, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySlotResetLifModel(PyLifResetModelBitAcc):
    """LIFReset, bit-accurate dynamics; held reset (u = v = 0, input dropped) from slot step 1 to the reset step."""

    def run_spk(self):
        a_in_data = self.a_in.recv()
        if 1 <= self.time_step % self.reset_interval <= self.reset_offset:
            self.u *= 0
            self.v *= 0
            a_in_data = np.zeros_like(a_in_data)
        self.scale_bias()
        if not self.isthrscaled:
            self.scale_threshold()
        self.subthr_dynamics(activation_in=a_in_data)
        s_out = self.spiking_activation()
        self.reset_voltage(spike_vector=s_out)
        self.s_out.send(s_out)


MODEL_MAP = {LIFReset: PySlotResetLifModel}

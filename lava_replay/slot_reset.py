"""A fixed-point LIFReset model that makes back-to-back samples independent in recurrent netx layers.

Finding (lava-nc 0.10 / lava-dl 0.6, see tests/test_netx_equality.py): the stock LIFReset zeroes u and v at the
reset step but still integrates the input that arrives in that very step. In a recurrent layer that input holds
the recurrent synapse's copy of the previous sample's last spikes, so the next sample starts from a polluted
state and Lava no longer matches SLAYER (which starts each sample from zero). netx's reset phases (layer i at
step 1 + i of each slot) fall before the first real input of a sample reaches layer i, so dropping the input of
the reset step is exact: with this model every layer's spikes equal SLAYER's, sample after sample.
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
    """LIFReset, bit-accurate dynamics; at the reset step u and v are zeroed and that step's input is dropped."""

    def run_spk(self):
        a_in_data = self.a_in.recv()
        if (self.time_step % self.reset_interval) == self.reset_offset:
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

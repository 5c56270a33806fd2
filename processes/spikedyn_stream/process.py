"""SpikeDynStream: SpikeDynPoissonEncoder -> SpikeDynLayer as one hierarchical Process."""
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from processes.spikedyn_layer.process import layer_parameters
from processes.spikedyn_poisson_encoder.process import encoder_parameters


class SpikeDynStream(AbstractProcess):
    """A SpikeDyn layer learning from a stream of images, closed:

        s[t] = SpikeDynPoissonEncoder(images, present_steps, sample_steps, max_rate_hz, seed)[t]
        SpikeDynLayer(s): synapses, neurons, lateral inhibition and learning as documented there

    Parameters
    ----------
    images, present_steps, max_rate_hz, seed
        The encoder's (SpikeDynPoissonEncoder).
    weights, learning_rule, vth, v_decay_shift, refractory, theta_plus, theta_decay_shift, sample_steps, learn,
    record_slot, inhibition, inhibition_weight, inhibition_exp, theta, weight_norm_total
        The layer's (SpikeDynLayer).

    Vars
    ----
    prob, spike_count
        The encoder's.
    weights, theta, learn, record_slot, counts, spike_total
        The layer's.

    Models: the SubProcessModel (reference, and what Loihi runs) is the encoder and the layer as two Processes;
    the 'fused' leaf model computes both in one OS process (tested equal).
    """

    def __init__(self, *, images, present_steps, max_rate_hz=63.75, seed=0, name=None, **layer):
        layer_params, layer_vars = layer_parameters(**layer)
        encoder_params, encoder_vars = encoder_parameters(images=images, present_steps=present_steps,
                                                          sample_steps=layer["sample_steps"],
                                                          max_rate_hz=max_rate_hz, seed=seed)
        super().__init__(name=name, images=images, max_rate_hz=max_rate_hz, **{**encoder_params, **layer_params})
        for var, init in {**encoder_vars, **layer_vars}.items():
            setattr(self, var, Var(shape=init.shape, init=init))

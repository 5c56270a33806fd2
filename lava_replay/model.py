"""The SLAYER CUBA network: recurrent hidden layers and a spiking output layer whose spike counts predict the class."""
from dataclasses import asdict, dataclass

import torch

from lava_replay import decay_gradient, voltage_bound
from lava_replay.errors import LavaReplayError

MAX_AXON_DELAY = 62  # the longest axonal delay (steps) that netx and Loihi 2 take
REFERENCE_TIMESTEPS = 100  # ModelConfig's decays are per step of a sample binned into this many steps


def time_matched_decay(decay, timesteps):
    """The per-step decay at `timesteps` steps per sample that keeps the time constant `decay` has at
    REFERENCE_TIMESTEPS steps (same sample length, longer steps): 1 - (1 - decay) ** (REFERENCE_TIMESTEPS / T)."""
    if timesteps < 1 or not 0 < decay < 1:
        raise LavaReplayError(f"a decay in (0, 1) and T >= 1 are needed, got {decay} and {timesteps}")
    if timesteps == REFERENCE_TIMESTEPS:
        return decay  # exactly, not 1 - (1 - decay) with its rounding
    return 1 - (1 - decay) ** (REFERENCE_TIMESTEPS / timesteps)


@dataclass
class ModelConfig:
    """Architecture and neuron parameters (SLAYER float units; netx exports them x64 / x4096). The decays are
    per step at REFERENCE_TIMESTEPS steps per sample (time_matched_decay converts them to another T).
    graded_input: the input holds how many events fell into each time bin (graded spikes) instead of a
    binary spike per bin.
    full_bptt: the recurrent hidden layers pass the gradient back through their neurons' states
    (lava_replay.bptt; the same spikes as SLAYER's own recurrent block, whose gradient stops at each step).
    decay_spread > 0: every hidden neuron has its own decays, drawn uniform in
    [decay * (1 - decay_spread), decay * (1 + decay_spread)] (heterogeneous time constants).
    learn_decays: the hidden neurons' decays, one per neuron, are learned (needs full_bptt in recurrent layers).
    The output layer keeps the shared decays.
    axon_delay > 0: every hidden neuron's output spikes reach the next layer (not its own layer's recurrent
    synapses) after a learned axonal delay of 0..axon_delay whole steps (lava-dl's slayer.axon.Delay)."""
    n_inputs: int = 700
    hidden: tuple = (200, 100, 50)
    n_outputs: int = 20
    recurrent: bool = True
    threshold: float = 1.25
    current_decay: float = 0.18
    voltage_decay: float = 0.095
    weight_scale: float = 1.0
    dropout: float = 0.1
    tau_grad: float = 0.03
    scale_grad: float = 3.0
    graded_input: bool = False
    full_bptt: bool = False
    learn_decays: bool = False
    decay_spread: float = 0.0
    axon_delay: int = 0

    def to_dict(self):
        """JSON-friendly form (tuples become lists)."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d):
        """Inverse of to_dict; unknown keys are an error."""
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise LavaReplayError(f"unknown model config keys {sorted(unknown)}")
        d = dict(d)
        d["hidden"] = tuple(d.get("hidden", cls.hidden))
        return cls(**d)

    @classmethod
    def at_timesteps(cls, timesteps, **fields):
        """A config for samples of `timesteps` steps: the decays not given in fields keep the time constants the
        defaults have at REFERENCE_TIMESTEPS (time_matched_decay)."""
        for name in ("current_decay", "voltage_decay"):
            if fields.get(name) is None:
                fields[name] = time_matched_decay(getattr(cls, name), timesteps)
        return cls(**fields)

    def per_neuron_decays(self):
        """Whether every hidden neuron has its own decays (drawn with a spread, or learned)."""
        return self.learn_decays or self.decay_spread > 0

    def layer_sizes(self):
        """Neurons per layer, input first: e.g. [700, 200, 100, 50, 20]."""
        return [self.n_inputs, *self.hidden, self.n_outputs]


def _neuron_params(cfg, dropout, hidden=False):
    import lava.lib.dl.slayer as slayer

    params = {"threshold": cfg.threshold, "current_decay": cfg.current_decay,
              "voltage_decay": cfg.voltage_decay, "tau_grad": cfg.tau_grad,
              "scale_grad": cfg.scale_grad, "requires_grad": False}
    if hidden and cfg.per_neuron_decays():
        spread = (1 - cfg.decay_spread, 1 + cfg.decay_spread)
        params.update(current_decay=tuple(cfg.current_decay * f for f in spread),
                      voltage_decay=tuple(cfg.voltage_decay * f for f in spread),
                      shared_param=False, requires_grad=cfg.learn_decays)
    if dropout > 0:
        params["dropout"] = slayer.neuron.Dropout(p=dropout)
    return params


class SpikingNet(torch.nn.Module):
    """Hidden CUBA layers (recurrent by default) and a CUBA Dense output layer; input and output are NCT spikes."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        import lava.lib.dl.slayer as slayer

        voltage_bound.install()
        decay_gradient.install()
        if not cfg.hidden or min(cfg.hidden) < 1:
            raise LavaReplayError(f"hidden layer sizes must be positive, got {cfg.hidden}")
        self.cfg = cfg
        sizes = cfg.layer_sizes()
        if cfg.learn_decays and cfg.recurrent and not cfg.full_bptt:
            raise LavaReplayError("learned decays need full_bptt in recurrent layers (SLAYER's own recurrent block "
                                  "gives decays no gradient)")
        hidden_block = slayer.block.cuba.Dense
        if cfg.recurrent:
            from lava_replay.bptt import FullBpttRecurrent

            hidden_block = FullBpttRecurrent if cfg.full_bptt else slayer.block.cuba.Recurrent
        if not 0 <= cfg.axon_delay <= MAX_AXON_DELAY:
            raise LavaReplayError(f"axonal delays of 0..{MAX_AXON_DELAY} steps are possible (Loihi 2), "
                                  f"got {cfg.axon_delay}")
        blocks = [hidden_block(_neuron_params(cfg, cfg.dropout, hidden=True), n_in, n_out,
                               weight_scale=cfg.weight_scale, weight_norm=False, delay=cfg.axon_delay > 0)
                  for n_in, n_out in zip(sizes[:-2], sizes[1:-1])]
        if cfg.axon_delay:
            for block in blocks:
                block.delay.max_delay = cfg.axon_delay
        blocks.append(slayer.block.cuba.Dense(_neuron_params(cfg, 0.0), sizes[-2], sizes[-1],
                                              weight_scale=cfg.weight_scale, weight_norm=False))
        self.blocks = torch.nn.ModuleList(blocks)
        if cfg.per_neuron_decays() or cfg.axon_delay:
            with torch.no_grad():  # SLAYER draws per-neuron decays and delays in its first forward pass: draw them now
                self.forward(torch.zeros(1, cfg.n_inputs, 1))

    def decay_parameters(self):
        """The learned (per-neuron) decays, in SLAYER's 12-bit units; empty unless cfg.learn_decays."""
        return [p for name, p in self.named_parameters() if name.endswith("_decay") and p.requires_grad]

    def delay_parameters(self):
        """The learned axonal delays of the hidden layers (steps); empty unless cfg.axon_delay."""
        return [block.delay.delay for block in self.blocks if block.delay is not None]

    def reset_state(self):
        """Zero the persistent neuron state that SLAYER's recurrent blocks carry between forward calls."""
        for block in self.blocks:
            block.neuron.current_state = torch.zeros(1)
            block.neuron.voltage_state = torch.zeros(1)
            if hasattr(block, "spike_state"):
                block.spike_state = torch.zeros(1)

    def weights(self):
        """state_dict without SLAYER's per-batch recurrent spike state (which is reset before every forward)."""
        return {k: v.clone() for k, v in self.state_dict().items() if not k.endswith("spike_state")}

    def load_weights(self, weights):
        """Load what weights() returned."""
        self.reset_state()
        missing, unexpected = self.load_state_dict(weights, strict=False)
        if unexpected or any(not k.endswith("spike_state") for k in missing):
            raise LavaReplayError(f"weights do not fit this network: missing {missing}, unexpected {unexpected}")

    def forward(self, spikes, return_layers=False):
        """Output spikes (B, n_outputs, T); with return_layers also every layer's spikes."""
        self.reset_state()
        x = spikes
        layers = []
        for block in self.blocks:
            x = block(x)
            layers.append(x)
        return (x, layers) if return_layers else x

    def export_hdf5(self, path):
        """Write the network in the HDF5 layout that netx.hdf5.Network reads (no input neuron layer)."""
        import h5py

        with torch.no_grad():  # SLAYER sets neuron shapes lazily, in the first forward pass
            self.forward(torch.zeros(1, self.cfg.n_inputs, 2))
        with h5py.File(path, "w") as h:
            group = h.create_group("layer")
            for i, block in enumerate(self.blocks):
                block.export_hdf5(group.create_group(f"{i}"))


def predict(output_spikes):
    """Predicted class per sample: the output neuron with the most spikes (lowest index wins ties)."""
    return output_spikes.sum(-1).argmax(-1)

"""Full BPTT through recurrent CUBA layers and learned decays: SLAYER's spikes, with the gradient through the
neurons' states, and a decay gradient that points downhill."""
import dataclasses

import numpy as np
import pytest
import torch

from lava_replay.model import ModelConfig, SpikingNet

TINY = ModelConfig(n_inputs=40, hidden=(30, 20), n_outputs=4, weight_scale=3, dropout=0,
                   current_decay=0.63, voltage_decay=0.39)


def test_decay_gradient_matches_finite_differences():
    from lava_replay import decay_gradient

    decay_gradient.install()
    from lava.lib.dl.slayer.neuron.dynamics import leaky_integrator

    torch.manual_seed(0)
    x, state = torch.rand(2, 3, 30), torch.zeros(2, 3)

    def loss(decay):
        return (leaky_integrator.dynamics(x, decay, state, 4096) ** 2).sum()

    decay = torch.full((3,), 1000.0, requires_grad=True)
    loss(decay).backward()
    assert (decay.grad < 0).all()  # a faster decay shrinks the positive states, and with them the loss
    with torch.no_grad():
        for k in range(3):
            step = torch.zeros(3)
            step[k] = 40
            assert decay.grad[k].item() == pytest.approx(((loss(decay + step) - loss(decay - step)) / 80).item(),
                                                         rel=0.02)


def _nets(**fields):
    torch.manual_seed(1)
    slayer_net = SpikingNet(dataclasses.replace(TINY, **fields))
    bptt_net = SpikingNet(dataclasses.replace(TINY, full_bptt=True, **fields))
    bptt_net.load_weights(slayer_net.weights())
    return slayer_net.eval(), bptt_net.eval()


@pytest.mark.parametrize("fields", [{}, {"axon_delay": 5}])
def test_full_bptt_gives_slayers_spikes_in_every_layer(fields):
    slayer_net, bptt_net = _nets(**fields)
    rng = np.random.default_rng(0)
    graded = (rng.random((6, 40, 30)) < 0.3) * rng.integers(1, 6, (6, 40, 30))
    x = torch.from_numpy(graded.astype(np.float32))
    with torch.no_grad():
        _, expected = slayer_net(x, return_layers=True)
        _, layers = bptt_net(x, return_layers=True)
    for i, (a, b) in enumerate(zip(expected, layers)):
        assert a.sum() > 0, f"layer {i} is silent: the comparison would prove nothing"
        assert torch.equal(a, b), f"layer {i}"


def test_full_bptt_passes_the_gradient_back_through_the_states():
    # without recurrent weights a spike at step t depends on earlier inputs only through the neuron's current and
    # voltage: SLAYER's recurrent block gives those inputs no gradient, full BPTT does
    gradients = []
    for net in _nets():
        block = net.blocks[0]
        with torch.no_grad():
            block.recurrent_synapse.weight.zero_()
        x = (torch.rand(4, 40, 30, generator=torch.Generator().manual_seed(0)) < 0.3).float().requires_grad_()
        block(x)[..., -1].sum().backward()  # the spikes of step 28 (the block delays its output by one step)
        gradients.append(x.grad[..., :28].abs().sum().item())
    assert gradients[0] == 0 and gradients[1] > 0


def test_learned_decays_are_per_neuron_and_move_with_training():
    net = SpikingNet(dataclasses.replace(TINY, full_bptt=True, learn_decays=True, decay_spread=0.5))
    decays = net.decay_parameters()
    assert [d.shape[0] for d in decays] == [30, 30, 20, 20]  # current and voltage decay of each hidden neuron
    start = [d.detach().clone() for d in decays]
    for d, centre in zip(start, [0.63, 0.39] * 2):
        assert d.min() >= 0.5 * centre * 4096 and d.max() <= 1.5 * centre * 4096 and d.std() > 0
    assert not net.blocks[-1].neuron.current_decay.requires_grad  # the output layer keeps the shared decays
    optimizer = torch.optim.Adam(decays, lr=20.0)
    x = (torch.rand(8, 40, 30, generator=torch.Generator().manual_seed(0)) < 0.3).float()
    net.train()
    for _ in range(3):
        optimizer.zero_grad()
        net(x).sum().backward()
        optimizer.step()
    assert all((d != s).any() for d, s in zip(decays, start))


def test_learned_decays_need_full_bptt_in_recurrent_layers():
    from lava_replay.errors import LavaReplayError

    with pytest.raises(LavaReplayError, match="full_bptt"):
        SpikingNet(dataclasses.replace(TINY, learn_decays=True))


def test_a_decay_spread_alone_gives_fixed_per_neuron_decays_in_slayers_own_block():
    net = SpikingNet(dataclasses.replace(TINY, decay_spread=0.5))
    neuron = net.blocks[0].neuron
    assert type(net.blocks[0]).__name__ == "Recurrent" and neuron.current_decay.shape == (30,)
    assert neuron.current_decay.std() > 0 and not neuron.current_decay.requires_grad
    assert net.decay_parameters() == []

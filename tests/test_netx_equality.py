"""Lava (netx, fixed point) and SLAYER must give identical spikes, layer by layer, and the same predictions."""
import glob
import os

import numpy as np
import pytest
import torch

from lava_replay.data.synthetic import synthetic_shd
from lava_replay.errors import LavaReplayError
from lava_replay.export import SHIPPED_MODEL_DIR, graded_input, load_model_info, load_slayer_net
from lava_replay.lava_inference import lava_layer_spikes, slot_length
from lava_replay.model import ModelConfig, SpikingNet, predict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMITTED = sorted(glob.glob(os.path.join(SHIPPED_MODEL_DIR, "*.net")))


def _slayer_layers(net, spikes):
    net.eval()
    with torch.no_grad():
        out, layers = net(torch.from_numpy(spikes.astype(np.float32)), return_layers=True)
    return [layer.numpy().astype(np.uint8) for layer in layers], predict(out).numpy()


def _assert_equal(slayer_layers, lava_layers):
    assert len(slayer_layers) == len(lava_layers)
    for i, (a, b) in enumerate(zip(slayer_layers, lava_layers)):
        assert a.shape == b.shape, f"layer {i}"
        assert a.sum() > 0, f"layer {i} is silent: the comparison would prove nothing"
        assert np.array_equal(a.sum(-1), b.sum(-1)), f"layer {i}: spike counts differ"
        assert np.array_equal(a, b), f"layer {i}: spike times differ"


def test_slot_length_is_power_of_two():
    assert slot_length(100, 4) == 128 and slot_length(40, 4) == 64 and slot_length(124, 4) == 256


@pytest.mark.timeout(300)
@pytest.mark.parametrize("recurrent", [False, True])
def test_random_net_spike_exact(tmp_path, recurrent):
    # strong random weights make the recurrent layers keep firing after the input ends: the hard case for
    # back-to-back samples, which the slot reset must separate exactly
    data = synthetic_shd(n_per_class=2, n_classes=3, timesteps=20, seed=2)
    torch.manual_seed(1)
    net = SpikingNet(ModelConfig(hidden=(30, 20), n_outputs=4, weight_scale=3, dropout=0, recurrent=recurrent))
    path = str(tmp_path / "tiny.net")
    net.export_hdf5(path)
    slayer_layers, _ = _slayer_layers(net, data["spikes"])
    _assert_equal(slayer_layers, lava_layer_spikes(path, data["spikes"], chunk=4))  # chunks of 4 and 2 samples
    output, = lava_layer_spikes(path, data["spikes"], layers=[-1])
    assert np.array_equal(output, slayer_layers[-1])


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("net_path", COMMITTED, ids=[os.path.basename(p) for p in COMMITTED])
def test_committed_model_spike_exact(net_path):
    from lava_replay.continual import run_frozen
    from lava_replay.netx_params import read_layers

    info = load_model_info(net_path)
    net = load_slayer_net(net_path)
    from lava_replay.data import shd

    data_dir = os.environ.get("LAVA_REPLAY_DATA", os.path.join(REPO, "data"))
    if shd.split_available(data_dir, "train"):
        data = shd.load_split(data_dir, "train", info["timesteps"], progress=False, graded=graded_input(info))
        picks = np.random.default_rng(0).choice(len(data["labels"]), 6, replace=False)
        spikes = data["spikes"][picks]
    else:  # no SHD here: synthetic 700-channel input still exercises every layer
        spikes = synthetic_shd(n_per_class=2, n_classes=3, timesteps=info["timesteps"])["spikes"]
    slayer_layers, slayer_pred = _slayer_layers(net, spikes)
    layers = read_layers(net_path)
    if any(layer["delay"] is not None for layer in layers):  # stock netx cannot run axonal delays: the fused path
        lava_layers = [run_frozen(layers[:depth], spikes, info["timesteps"], lanes=2)[0].astype(np.uint8)
                       for depth in range(1, len(layers) + 1)]
    else:
        lava_layers = lava_layer_spikes(net_path, spikes)
    _assert_equal(slayer_layers, lava_layers)
    assert np.array_equal(slayer_pred, lava_layers[-1].sum(-1).argmax(-1))


@pytest.mark.timeout(300)
def test_graded_input_spike_exact(tmp_path):
    # events per bin (values up to 9) as graded spikes: SLAYER, netx (input_message_bits=8) and the fused
    # FrozenSpikeGenerator (GradedSpikeSource, one sample per slot and 3 lanes) give the same spikes
    from lava_replay.continual import run_frozen
    from lava_replay.netx_params import read_layers

    data = synthetic_shd(n_per_class=2, n_classes=3, timesteps=20, seed=3)
    graded = data["spikes"] * np.random.default_rng(0).integers(1, 10, data["spikes"].shape).astype(np.uint8)
    assert graded.max() > 1
    torch.manual_seed(1)
    net = SpikingNet(ModelConfig(hidden=(30, 20), n_outputs=4, weight_scale=3, dropout=0))
    path = str(tmp_path / "tiny.net")
    net.export_hdf5(path)
    slayer_layers, _ = _slayer_layers(net, graded)
    assert not np.array_equal(slayer_layers[0], _slayer_layers(net, data["spikes"])[0][0])  # the values matter
    _assert_equal(slayer_layers, lava_layer_spikes(path, graded))
    layers = read_layers(path)
    for lanes in (None, 3):
        hidden, activity = run_frozen(layers[:2], graded, 20, lanes=lanes)
        assert np.array_equal(hidden, slayer_layers[1].astype(bool))
        assert np.array_equal(activity[:, 0], np.count_nonzero(graded, axis=(1, 2)))  # one message per graded spike


@pytest.mark.timeout(300)
def test_voltage_bound_spike_exact(tmp_path, monkeypatch):
    # strong inhibition (graded input) drives the voltage far below -2^23 at the T=100 decays; excitation then
    # lifts it: Loihi's voltage, clipped at -(2^23 - 1), recovers sooner. SLAYER with the bound gives Lava's
    # spikes (netx and the fused generator); without it, it does not (the input really reaches the bound)
    from lava_replay import voltage_bound
    from lava_replay.continual import run_frozen
    from lava_replay.netx_params import read_layers

    torch.manual_seed(0)
    net = SpikingNet(ModelConfig(n_inputs=2, hidden=(6,), n_outputs=2, dropout=0, recurrent=False))
    with torch.no_grad():
        net.blocks[0].synapse.weight[:, 0] = -torch.linspace(0.25, 1.5, 6).reshape(6, 1, 1, 1)
        net.blocks[0].synapse.weight[:, 1] = 3.0
    path = str(tmp_path / "inhibited.net")
    net.export_hdf5(path)
    spikes = np.zeros((2, 2, 60), np.uint8)
    spikes[:, 0, :30] = [[150], [90]]  # inhibition, then excitation
    spikes[:, 1, 30:] = [[40], [25]]
    hidden = _slayer_layers(net, spikes)[0][0]
    assert hidden.sum() > 0
    lava_hidden, = lava_layer_spikes(path, spikes, layers=[0])
    assert np.array_equal(hidden, lava_hidden)
    fused, _ = run_frozen(read_layers(path)[:1], spikes, 60, lanes=2)
    assert np.array_equal(hidden.astype(bool), fused)
    monkeypatch.setattr(voltage_bound, "VOLTAGE_LIMIT", 1 << 40)
    assert not np.array_equal(_slayer_layers(net, spikes)[0][0], lava_hidden)


@pytest.mark.timeout(300)
def test_learned_per_neuron_decays_spike_exact(tmp_path):
    # heterogeneous decays, one per hidden neuron, reach netx and the fused generator through the .net, and
    # load_slayer_net brings them back
    from lava_replay.continual import run_frozen
    from lava_replay.export import export_model
    from lava_replay.netx_params import read_layers

    data = synthetic_shd(n_per_class=2, n_classes=3, timesteps=20, seed=2)
    torch.manual_seed(1)
    net = SpikingNet(ModelConfig(hidden=(30, 20), n_outputs=4, weight_scale=3, dropout=0, full_bptt=True,
                                 learn_decays=True, decay_spread=0.8))
    path = str(tmp_path / "decays.net")
    export_model(net, path, {"classes": [0, 1, 2, 3], "timesteps": 20, "seed": 1, "data_fingerprint": "synthetic",
                             "accuracy": {}})
    layers = read_layers(path)
    assert layers[0]["decay_u"].shape == (30,) and len(np.unique(layers[0]["decay_u"])) > 10
    assert np.ndim(layers[2]["decay_u"]) == 0  # the output layer's decays stay shared
    slayer_layers, _ = _slayer_layers(net, data["spikes"])
    _assert_equal(slayer_layers, lava_layer_spikes(path, data["spikes"]))
    hidden, _ = run_frozen(layers[:2], data["spikes"], 20)
    assert np.array_equal(hidden, slayer_layers[1].astype(bool))
    loaded = load_slayer_net(path)
    stored = torch.round(net.blocks[1].neuron.voltage_decay)  # 12-bit integers in the .net
    assert torch.equal(loaded.blocks[1].neuron.voltage_decay, stored)
    _assert_equal(slayer_layers, _slayer_layers(loaded, data["spikes"])[0])


@pytest.mark.timeout(300)
def test_axon_delays_spike_exact_in_the_fused_generator(tmp_path):
    # learned axonal delays (whole steps, per hidden neuron) reach the fused generator through the .net: its
    # latents and outputs are SLAYER's, which they are not with the delays left out; stock netx refuses them
    from lava_replay.continual import run_frozen
    from lava_replay.export import export_model
    from lava_replay.netx_params import read_layers

    data = synthetic_shd(n_per_class=2, n_classes=3, timesteps=30, seed=2)
    torch.manual_seed(1)
    net = SpikingNet(ModelConfig(hidden=(30, 20), n_outputs=4, weight_scale=3, dropout=0, axon_delay=6))
    with torch.no_grad():
        for delay in net.delay_parameters():
            delay.copy_(torch.rand(delay.shape) * 6.99)
    path = str(tmp_path / "delays.net")
    export_model(net, path, {"classes": [0, 1, 2, 3], "timesteps": 30, "seed": 1, "data_fingerprint": "synthetic",
                             "accuracy": {}})
    layers = read_layers(path)
    assert layers[0]["delay"].shape == (30,) and layers[0]["delay"].max() == 6 and layers[2]["delay"] is None
    slayer_layers, _ = _slayer_layers(net, data["spikes"])
    for depth in (1, 2, 3):  # the latents of layers 1 and 2 (delayed), and the output
        fused, _ = run_frozen(layers[:depth], data["spikes"], 30, lanes=2)
        assert slayer_layers[depth - 1].sum() > 0
        assert np.array_equal(fused, slayer_layers[depth - 1].astype(bool)), f"layer {depth - 1}"
    undelayed = [dict(layer, delay=None) for layer in layers]
    assert not np.array_equal(run_frozen(undelayed, data["spikes"], 30)[0], slayer_layers[2].astype(bool))
    _assert_equal(slayer_layers, _slayer_layers(load_slayer_net(path), data["spikes"])[0])
    with pytest.raises(LavaReplayError, match="axonal delays"):
        lava_layer_spikes(path, data["spikes"])

"""The gradient learner (PlasticLearningLayer's floating_pt model) and the lane-parallel paths: equal to the
reference models sample by sample, gradients equal to autograd's, and the options that select them."""

import numpy as np
import pytest

from lava_replay.cli import run_cli
from lava_replay.continual import generate_latents, output_counts, run_frozen, slot_timing
from lava_replay.data.synthetic import synthetic_shd
from lava_replay.export import SHIPPED_MODEL_DIR, model_path
from lava_replay.lava_session import LavaSession
from lava_replay.learning_rule import delta_rule
from lava_replay.netx_params import read_layers
from lava_replay.replay.compression import compress

NET40 = model_path("shd19_T40_new0", SHIPPED_MODEL_DIR)
T = 40


@pytest.fixture(scope="module")
def layers():
    return read_layers(NET40)


@pytest.fixture(scope="module")
def latents(layers):
    spikes = synthetic_shd(1, 20, T, seed=0)["spikes"].astype(bool)[:6]
    return generate_latents(layers[:3], spikes, T, lanes=None)[0]


@pytest.fixture(scope="module")
def latents_l2(layers):
    """Latents of LR layer 2: the input of the recurrent layer 2, which learns with the output layer."""
    spikes = synthetic_shd(1, 20, T, seed=0)["spikes"].astype(bool)[:6]
    return generate_latents(layers[:2], spikes, T, lanes=None)[0]


def _learn(layers, latents, learning, labels, lanes=None, learning_rate=0.0, error_gain=0, batch=3,
           reference=False, lr_exp=-7, set_later=None, loop=False, lr_layer=3, average_every=0):
    """Teach the layers from lr_layer up latents by schedule, as the graph LatentReplaySource ->
    PlasticLearningLayer <- TeacherSource, or with loop=True as a LatentLearningLoop (even slots: new-class
    latents; odd slots: the same latents replayed from a 1:2 compressed buffer); set_later: {Var name: value}
    set halfway (Var.set between runs); (counts, weights, hidden weights, hidden activity), or with the Loihi
    rule's weight average on (average_every > 0) (counts, weights, weight average)."""
    from processes.latent_replay_source.process import LatentReplaySource
    from processes.learning_loop.process import LatentLearningLoop
    from processes.plastic_learning_layer.process import PlasticLearningLayer
    from processes.teacher_source.process import TeacherSource

    slot, offset = slot_timing(T)
    n = len(labels)
    schedule = np.arange(n) % len(latents)
    labels = np.asarray(labels)
    if lanes:
        schedule, labels = schedule.reshape(-1, lanes), labels.reshape(-1, lanes)
    plastic = layers[3]
    layer_args = dict(weights=plastic["weight"], vth=plastic["vth"], decay_u=plastic["decay_u"],
                      decay_v=plastic["decay_v"], timesteps=T, slot=slot, offset=offset, n_slots=len(schedule),
                      learning_rule=delta_rule(lr_exp, slot, 4, 16, 4, 7, average=average_every > 0),
                      error_gain=error_gain, learning_rate=learning_rate, batch=batch, lanes=lanes,
                      hidden=layers[lr_layer:3], average_every=average_every)
    if loop:
        replayed = (np.arange(n) % 2 == 1).reshape(schedule.shape)
        layer = LatentLearningLoop(new_samples=np.packbits(latents, axis=-1),
                                   new_schedule=np.where(replayed, -1, schedule),
                                   replay_samples=np.packbits(compress(latents, 2), axis=-1),
                                   replay_schedule=np.where(replayed, schedule, -1), window=2, labels=labels,
                                   margin=4, **layer_args)
    else:
        replay = LatentReplaySource(samples=np.packbits(latents, axis=-1), steps=T, window=1, schedule=schedule,
                                    slot=slot, offset=offset)
        layer = PlasticLearningLayer(**layer_args)
        teacher = TeacherSource(labels=labels, n_classes=20, margin=4, slot=slot)
        replay.s_out.connect(layer.s_in)
        teacher.s_out.connect(layer.target_in)
    with LavaSession(layer, learning=learning, reference=reference) as lava:
        half = len(schedule) // 2
        lava.run(half * slot)
        for name, value in (set_later or {}).items():
            getattr(layer, name).set(value)
        lava.run((len(schedule) - half) * slot)
        counts, weights = layer.counts.get().reshape(n, -1), layer.weights.get()
        if average_every:
            return counts, weights, layer.weight_average.get()
        if lr_layer == 3:
            return counts, weights
        activity = layer.hidden_activity.get().reshape(n, -1)
        return counts, weights, layer.hidden_weights.get(), activity


@pytest.mark.timeout(300)
def test_fused_loihi_rule_loop_equals_the_graph_of_processes(layers, latents):
    """The fused LatentLearningLoop (Loihi rule) against its reference SubProcessModel (two LatentReplaySources,
    TeacherSource, LearningDense + ErrorLIF): same rule, seed and Var.set between runs, identical output counts
    (so spikes) and weights, with learning on."""
    labels = np.array([3, 5, 7, 3, 5, 7, 11, 3, 5, 7])
    gains = np.full(20, 2)
    gains[7] = 0  # one row frozen from the second run on
    kwargs = dict(error_gain=4, lr_exp=-4, set_later={"error_gain": gains}, loop=True)
    counts_ref, weights_ref = _learn(layers, latents, "loihi", labels, reference=True, **kwargs)
    counts_fused, weights_fused = _learn(layers, latents, "loihi", labels, **kwargs)
    assert (weights_ref != layers[3]["weight"]).sum() > 20  # it learned
    assert np.array_equal(weights_fused, weights_ref)
    assert np.array_equal(counts_fused, counts_ref)


@pytest.mark.timeout(300)
def test_fused_loihi_rule_loop_with_weight_average_equals_the_graph_of_processes(layers, latents):
    """With the synaptic tag averaging the weights (every 2nd taught sample, then, after Var.set of the average
    and its period, every one), the fused loop's weights, average and counts are the reference graph's
    (LearningDense's tag_1)."""
    labels = np.array([3, 5, 7, 3, 5, 7, 11, 3, 5, 7])
    restart = {"average_every": np.array([1]), "weight_average": layers[3]["weight"] // 2}
    kwargs = dict(error_gain=4, lr_exp=-4, set_later=restart, loop=True, average_every=2)
    ref = _learn(layers, latents, "loihi", labels, reference=True, **kwargs)
    fused = _learn(layers, latents, "loihi", labels, **kwargs)
    counts, weights, average = ref
    assert (average != layers[3]["weight"] // 2).sum() > 50  # the average moved from where it was set
    assert (average != weights).sum() > 500  # and lags the weights
    for a, b in zip(fused, ref):
        assert np.array_equal(a, b)


@pytest.mark.timeout(300)
def test_weight_average_is_a_moving_average_of_the_weights(layers, latents):
    """The tag starts at the weights W1; with the weights set to 0 halfway (no learning: error gain 0), each of
    the remaining taught samples moves it by 1/128 of its gap: after k of them it is W1 (127/128)^k, up to the
    stochastic rounding."""
    labels = np.tile([3, 5, 7, 11], 16)
    w1 = layers[3]["weight"].astype(float)
    _, weights, average = _learn(layers, latents, "loihi", labels, average_every=1,
                                 set_later={"weights": np.zeros_like(layers[3]["weight"])})
    decay = (127 / 128) ** (len(labels) // 2)
    assert not weights.any()  # gain 0: the weights stay where they were set
    assert abs((average * w1).sum() / (w1 * w1).sum() - decay) < 0.02
    deviation = np.abs(average - decay * w1)  # sums of 32 stochastic roundings: std at most 2.8 units
    assert deviation.mean() < 2.5 and deviation.max() <= 10


@pytest.mark.timeout(300)
def test_fused_gradient_loop_equals_the_graph_of_processes(layers, latents):
    labels = np.array([3, 5, 7, 3, 5, 7, 3, 5, 7])
    kwargs = dict(lanes=3, learning_rate=0.05, loop=True)
    counts_ref, weights_ref = _learn(layers, latents, "gradient", labels, reference=True, **kwargs)
    counts_fused, weights_fused = _learn(layers, latents, "gradient", labels, **kwargs)
    assert (weights_ref != layers[3]["weight"]).any()
    assert np.array_equal(weights_fused, weights_ref)
    assert np.array_equal(counts_fused, counts_ref)


@pytest.mark.timeout(300)
def test_gradient_model_forward_equals_the_loihi_model(layers, latents):
    untaught = -np.ones(6, int)
    loihi_counts, _ = _learn(layers, latents, "loihi", untaught, reference=True)
    gradient_counts, weights = _learn(layers, latents, "gradient", untaught, learning_rate=0.01)
    assert loihi_counts.sum() > 0
    assert np.array_equal(gradient_counts, loihi_counts)
    assert np.array_equal(weights, layers[3]["weight"])  # nothing taught: nothing learned


@pytest.mark.timeout(300)
def test_gradient_learner_in_lanes_equals_one_sample_per_slot(layers, latents):
    labels = np.array([3, 5, 7, 3, 5, 7, 3, 5, 7])
    counts_one, weights_one = _learn(layers, latents, "gradient", labels, learning_rate=0.05)
    counts_lanes, weights_lanes = _learn(layers, latents, "gradient", labels, lanes=3, learning_rate=0.05)
    assert (weights_one != layers[3]["weight"]).any()
    assert np.array_equal(weights_lanes, weights_one)
    assert np.array_equal(counts_lanes, counts_one)


@pytest.mark.timeout(300)
def test_fused_gradient_loop_with_a_hidden_layer_equals_the_graph_of_processes(layers, latents_l2):
    """LR layer 2: the recurrent layer 2 learns with the output layer, fused loop against the reference graph."""
    from processes.plastic_learning_layer.process import pack_hidden

    labels = np.array([3, 5, 7, 3, 5, 7, 3, 5, 7])
    kwargs = dict(lanes=3, learning_rate=0.05, loop=True, lr_layer=2)
    ref = _learn(layers, latents_l2, "gradient", labels, reference=True, **kwargs)
    fused = _learn(layers, latents_l2, "gradient", labels, **kwargs)
    assert (ref[2] != pack_hidden(layers[2:3])).sum() > 100  # the hidden layer learned
    assert (ref[1] != layers[3]["weight"]).any()
    assert ref[3].sum() > 0
    for a, b in zip(ref, fused):
        assert np.array_equal(a, b)


@pytest.mark.timeout(300)
def test_gradient_learner_with_a_hidden_layer_in_lanes_equals_one_sample_per_slot(layers, latents_l2):
    labels = np.array([3, 5, 7, 3, 5, 7, 3, 5, 7])
    one = _learn(layers, latents_l2, "gradient", labels, learning_rate=0.05, lr_layer=2)
    laned = _learn(layers, latents_l2, "gradient", labels, lanes=3, learning_rate=0.05, lr_layer=2)
    for a, b in zip(one, laned):
        assert np.array_equal(a, b)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("per_neuron_decays", [False, True])
def test_hidden_layer_forward_equals_the_frozen_generator(layers, latents_l2, per_neuron_decays):
    """Untaught, the gradient learner's forward through layers 2 and 3 gives the counts and per-layer spikes of
    the FrozenSpikeGenerator (netx's arithmetic, tested spike-exact against SLAYER), also where layer 2's
    neurons have decays of their own (ModelConfig.per_neuron_decays)."""
    if per_neuron_decays:
        rng = np.random.default_rng(0)
        layers = [dict(layer) for layer in layers]
        for key in ("decay_u", "decay_v"):
            layers[2][key] = rng.integers(layers[2][key] // 2, layers[2][key] * 3 // 2, len(layers[2]["weight"]))
    untaught = -np.ones(6, int)
    counts, weights, hidden, activity = _learn(layers, latents_l2, "gradient", untaught, learning_rate=0.05,
                                               lr_layer=2)
    expected, expected_activity = output_counts(layers[2:], latents_l2, lanes=None)
    assert expected.sum() > 0 and activity.sum() > 0
    assert np.array_equal(counts, expected)
    assert np.array_equal(activity[:, 0], expected_activity[:, 0])
    assert np.array_equal(weights, layers[3]["weight"])


@pytest.mark.timeout(120)
def test_the_loihi_rule_refuses_hidden_layers(layers, latents_l2):
    from lava_replay.errors import LavaReplayError

    with pytest.raises((ValueError, LavaReplayError), match="output layer only"):
        _learn(layers, latents_l2, "loihi", np.array([3, 5]), error_gain=4, lr_layer=2, reference=True)


@pytest.mark.timeout(300)
def test_gradient_learner_teaches_a_class(layers, latents):
    labels = np.full(18, 11)
    counts, _ = _learn(layers, latents, "gradient", labels, lanes=6, learning_rate=0.05, batch=6)
    assert counts[-6:, 11].sum() > counts[:6, 11].sum()  # same six latents, after two updates


@pytest.mark.timeout(300)
def test_gradient_learner_reads_its_learning_rate_at_run_time(layers, latents):
    """The step a learning-rate schedule sets with Var.set between runs (continual.epoch_lr_factor) is the one the
    fused learner uses: at rate 0 nothing changes until the rate is raised halfway."""
    labels = np.full(24, 11)
    kwargs = dict(lanes=6, batch=6, learning_rate=0.0, loop=True)
    _, frozen = _learn(layers, latents, "gradient", labels, **kwargs)
    counts, raised = _learn(layers, latents, "gradient", labels, set_later={"learning_rate": np.full(20, 0.05)},
                            **kwargs)
    assert np.array_equal(frozen, layers[3]["weight"])
    changed = raised != layers[3]["weight"]
    assert changed[11].any() and counts[-6:, 11].sum() > counts[:6, 11].sum()


@pytest.mark.timeout(300)
def test_lanes_give_the_same_spikes_as_one_sample_per_slot(layers):
    spikes = synthetic_shd(1, 20, T, seed=2)["spikes"].astype(bool)[:7]
    reference, activity_ref = run_frozen(layers[:3], spikes, T, lanes=None)
    laned, activity = run_frozen(layers[:3], spikes, T, lanes=3)  # 3 slots, the last with 2 silent lanes
    assert reference.sum() > 0
    assert np.array_equal(laned, reference) and np.array_equal(activity, activity_ref)
    for lanes in (None, 3):  # the packed per-neuron counts an evaluation reads are the latents' spike counts
        counts, counts_activity = run_frozen(layers[:3], spikes, T, lanes=lanes, counts_only=True)
        assert np.array_equal(counts, reference.sum(axis=-1)) and np.array_equal(counts_activity, activity_ref)
    counts_ref = output_counts(layers[3:], reference, lanes=None)[0]
    assert np.array_equal(output_counts(layers[3:], reference, lanes=4)[0], counts_ref)
    assert counts_ref.sum() > 0


class Spike:
    """Heaviside spikes with SpikingLR's surrogate derivative, as a torch autograd function (made on demand)."""

    @staticmethod
    def function(theta):
        import torch

        class _Spike(torch.autograd.Function):
            @staticmethod
            def forward(ctx, v):
                ctx.save_for_backward(v)
                return (v > theta).double()

            @staticmethod
            def backward(ctx, grad):
                v, = ctx.saved_tensors
                return grad / (1 + 100 * torch.abs(v / theta - 1)) ** 2 / theta

        return _Spike


def _float_stack(x, layers, record):
    """Float CUBA layers in torch (PlasticLearningLayer's dynamics: layer l integrates W_l h_{l-1}[t-1] +
    R_l h_l[t-1]), the reset not differentiated; records per layer (v before the test * 4096, spikes); returns
    the top layer's spike counts."""
    import torch

    state = [(torch.zeros(l["w"].shape[0], dtype=torch.float64),) * 2 for l in layers]
    previous = [torch.zeros(x.shape[1], dtype=torch.float64)] + [torch.zeros(l["w"].shape[0], dtype=torch.float64)
                                                                 for l in layers]
    total = 0
    for t in range(len(x)):
        spikes = []
        for i, l in enumerate(layers):
            a = l["w"] @ previous[i] + (l["r"] @ previous[i + 1] if l["r"] is not None else 0)
            u, v = state[i]
            u = (1 - l["du"] / 4096) * u + a
            v = (1 - l["dv"] / 4096) * v + u
            s = Spike.function(l["vth"] / 64.0).apply(v)
            record[i].append((v.detach().numpy() * 4096, s.detach().numpy()))
            state[i] = (u, v * (1 - s.detach()))
            spikes.append(s)
        total = total + spikes[-1]
        previous = [torch.tensor(x[t])] + spikes
    return total


@pytest.mark.parametrize("hidden", [(), (8,), (9, 7)])
def test_count_loss_gradients_equal_autograd(hidden):
    """The hand-written BPTT against torch autograd through the same dynamics and SpikingLR's surrogate: the
    output layer alone, and below it one or two recurrent hidden layers (what --lr-layer 2 and 1 train)."""
    import torch

    from processes.plastic_learning_layer.models import count_loss_gradients

    rng = np.random.default_rng(0)
    n_in, n_out, steps, scale, label = 12, 5, 30, 0.5, 2
    sizes = [n_in, *hidden, n_out]
    layers = []
    for i, (n_below, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        recurrent = i < len(hidden)
        layers.append({"w": torch.tensor(rng.normal(0, 1.5, (n, n_below)), requires_grad=True),
                       "r": torch.tensor(rng.normal(0, 0.5, (n, n)), requires_grad=True) if recurrent else None,
                       "vth": 80, "du": 1000 + 100 * i, "dv": 300 + 50 * i})
    x = (rng.random((steps, n_in)) < 0.3).astype(np.float64)
    record = [[] for _ in layers]
    counts = _float_stack(x, layers, record)
    assert 0 < counts.sum() < steps * n_out
    torch.nn.functional.cross_entropy(scale * counts[None], torch.tensor([label])).backward()
    v_pre = [np.array([r[0] for r in rec])[None] for rec in record]
    spikes = [np.array([r[1] for r in rec])[None] for rec in record]
    assert all(0 < s.sum() for s in spikes)
    inputs = np.zeros((1, steps, n_in))
    inputs[0, 1:] = x[:-1]  # what the first layer integrates at each step
    grads = count_loss_gradients(inputs, v_pre, spikes, np.array([label]),
                                 [(l["vth"], l["du"], l["dv"]) for l in layers],
                                 [l["w"].detach().numpy() for l in layers],
                                 [None if l["r"] is None else l["r"].detach().numpy() for l in layers], scale)
    for l, (d_w, d_r) in zip(layers, grads):
        assert np.abs(d_w).sum() > 0
        assert np.allclose(d_w[0], l["w"].grad.numpy(), rtol=1e-6, atol=1e-9)
        if l["r"] is not None:
            assert np.abs(d_r).sum() > 0
            assert np.allclose(d_r[0], l["r"].grad.numpy(), rtol=1e-6, atol=1e-9)


def test_learning_option_errors(capsys):
    from lava_replay.run import main

    assert run_cli(main, ["--learning", "gradient", "--backend", "loihi", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "lava-loihi" in err or "--learning gradient" in err
    assert run_cli(main, ["--lanes", "0", "--quick"]) == 2
    assert "--lanes" in capsys.readouterr().err
    assert run_cli(main, ["--learning", "loihi", "--margin", "0", "--quick"]) == 2
    assert "--margin must be >= 1, got 0" in capsys.readouterr().err
    assert run_cli(main, ["--learning", "loihi", "--x1-tau", "0", "--quick"]) == 2
    assert "--x1-tau must be >= 1, got 0" in capsys.readouterr().err
    assert run_cli(main, ["--learning", "loihi", "--average-every", "-1", "--quick"]) == 2
    assert "--average-every must be >= 0, got -1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--learning", "hebbian"])
    from lava_replay.continual import strategy
    from lava_replay.run import build_parser, strategy_options

    args = build_parser().parse_args(["--method", "spikinglr", "--margin", "6", "--x1-tau", "24", "--x1-impulse", "3",
                                      "--average-every", "4"])
    chosen = strategy("spikinglr", **strategy_options(args))
    assert (chosen.margin, chosen.x1_tau, chosen.x1_impulse, chosen.order) == (6, 24, 3, "new_then_replay_by_class")
    assert chosen.average_every == 4
    from lava_replay.backends import check_learning
    from lava_replay.errors import LavaReplayError

    with pytest.raises(LavaReplayError, match="CPU only"):
        check_learning("gradient", "loihi")


def test_models_with_axonal_delays_learn_the_output_layer_only(layers, monkeypatch):
    # the plastic layer has no delay lines: a delayed hidden layer above the LR layer is refused, by the process
    # and, naming the option, by the job
    from lava_replay import continual
    from lava_replay.errors import LavaReplayError
    from processes.plastic_learning_layer.process import ERROR_RULES, check_layer_arguments

    delayed = [dict(layer, delay=np.arange(layer["weight"].shape[0]) % 3) for layer in layers[:3]] + [layers[3]]
    slot, offset = slot_timing(T)
    check_layer_arguments(layers[3]["weight"], T, slot, offset, 1, None, ERROR_RULES[0], hidden=[layers[2]])
    with pytest.raises(ValueError, match="axonal delays"):
        check_layer_arguments(layers[3]["weight"], T, slot, offset, 1, None, ERROR_RULES[0], hidden=delayed[2:3])
    monkeypatch.setattr(continual, "read_layers", lambda path: delayed)
    with pytest.raises(LavaReplayError, match="use --lr-layer 3"):
        continual.continual_job("delays.net", None, None, continual.STRATEGIES["replay4ncl"],
                                continual.JobSettings(lr_layer=2))

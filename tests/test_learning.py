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


def _learn(layers, latents, learning, labels, lanes=None, learning_rate=0.0, error_gain=0, batch=3,
           reference=False, lr_exp=-7, gain_later=None, loop=False):
    """Teach the output layer latents by schedule, as the graph LatentReplaySource -> PlasticLearningLayer <-
    TeacherSource, or with loop=True as a LatentLearningLoop (even slots: new-class latents; odd slots: the
    same latents replayed from a 1:2 compressed buffer); (counts, weights)."""
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
                      decay_v=plastic["decay_v"], learning_rule=delta_rule(lr_exp, slot, 4, 16, 4, 7), timesteps=T,
                      slot=slot, offset=offset, n_slots=len(schedule), error_gain=error_gain,
                      learning_rate=learning_rate, batch=batch, lanes=lanes)
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
        if gain_later is not None:
            layer.error_gain.set(np.array([gain_later]))
        lava.run((len(schedule) - half) * slot)
        return layer.counts.get().reshape(n, -1), layer.weights.get()


@pytest.mark.timeout(300)
def test_fused_loihi_rule_loop_equals_the_graph_of_processes(layers, latents):
    """The fused LatentLearningLoop (Loihi rule) against its reference SubProcessModel (two LatentReplaySources,
    TeacherSource, LearningDense + ErrorLIF): same rule, seed and Var.set between runs, identical output counts
    (so spikes) and weights, with learning on."""
    labels = np.array([3, 5, 7, 3, 5, 7, 11, 3, 5, 7])
    kwargs = dict(error_gain=4, lr_exp=-4, gain_later=2, loop=True)
    counts_ref, weights_ref = _learn(layers, latents, "loihi", labels, reference=True, **kwargs)
    counts_fused, weights_fused = _learn(layers, latents, "loihi", labels, **kwargs)
    assert (weights_ref != layers[3]["weight"]).sum() > 20  # it learned
    assert np.array_equal(weights_fused, weights_ref)
    assert np.array_equal(counts_fused, counts_ref)


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
def test_gradient_learner_teaches_a_class(layers, latents):
    labels = np.full(18, 11)
    counts, _ = _learn(layers, latents, "gradient", labels, lanes=6, learning_rate=0.05, batch=6)
    assert counts[-6:, 11].sum() > counts[:6, 11].sum()  # same six latents, after two updates


@pytest.mark.timeout(300)
def test_lanes_give_the_same_spikes_as_one_sample_per_slot(layers):
    spikes = synthetic_shd(1, 20, T, seed=2)["spikes"].astype(bool)[:7]
    reference, activity_ref = run_frozen(layers[:3], spikes, T, lanes=None)
    laned, activity = run_frozen(layers[:3], spikes, T, lanes=3)  # 3 slots, the last with 2 silent lanes
    assert reference.sum() > 0
    assert np.array_equal(laned, reference) and np.array_equal(activity, activity_ref)
    counts_ref = output_counts(layers[3], reference, lanes=None)
    assert np.array_equal(output_counts(layers[3], reference, lanes=4), counts_ref)
    assert counts_ref.sum() > 0


def _cuba_counts(w, x, du, dv, spike, record=None):
    """Float CUBA layer in torch (the dynamics of PlasticLearningLayer's docstring), spike counts over steps."""
    import torch

    u = v = torch.zeros(w.shape[0], dtype=torch.float64)
    total = 0
    for t in range(len(x)):
        u = (1 - du / 4096) * u + w @ torch.tensor(x[t])
        v = (1 - dv / 4096) * v + u
        s = spike.apply(v)
        if record is not None:
            record.append((v.detach().numpy() * 4096, s.detach().numpy()))
        total = total + s
        v = v * (1 - s.detach())  # the reset is not differentiated
    return total


def test_count_loss_gradient_equals_autograd():
    """The hand-written BPTT against torch autograd through the same dynamics and SpikingLR's surrogate."""
    import torch

    from processes.plastic_learning_layer.models import count_loss_gradient

    rng = np.random.default_rng(0)
    n_in, n_out, steps, vth, du, dv, scale, label = 12, 5, 30, 80, 1000, 300, 0.5, 2
    x = (rng.random((steps, n_in)) < 0.3).astype(np.float64)
    w = torch.tensor(rng.normal(0, 1.0, (n_out, n_in)), requires_grad=True)
    theta = vth / 64.0

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, v):
            ctx.save_for_backward(v)
            return (v > theta).double()

        @staticmethod
        def backward(ctx, grad):
            v, = ctx.saved_tensors
            return grad / (1 + 100 * torch.abs(v / theta - 1)) ** 2 / theta

    record = []
    counts = _cuba_counts(w, x, du, dv, Spike, record)
    assert 0 < counts.sum() < steps * n_out
    torch.nn.functional.cross_entropy(scale * counts[None], torch.tensor([label])).backward()
    v_pre = np.array([r[0] for r in record])
    spikes = np.array([r[1] for r in record])
    ours, = count_loss_gradient(x[None], v_pre[None], spikes[None], np.array([label]), vth, du, dv, scale)
    assert np.abs(ours).sum() > 0
    assert np.allclose(ours, w.grad.numpy(), rtol=1e-6, atol=1e-9)


def test_learning_option_errors(capsys):
    from lava_replay.run import main

    assert run_cli(main, ["--learning", "gradient", "--backend", "loihi", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "lava-loihi" in err or "--learning gradient" in err
    assert run_cli(main, ["--lanes", "0", "--quick"]) == 2
    assert "--lanes" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--learning", "hebbian"])
    from lava_replay.backends import check_learning
    from lava_replay.errors import LavaReplayError

    with pytest.raises(LavaReplayError, match="CPU only"):
        check_learning("gradient", "loihi")

"""LatentLearningLoop: stored latents, new-class and replayed, taught to a plastic layer: one hierarchical Process."""
import numpy as np
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from processes.plastic_learning_layer.process import check_layer_arguments, learner_vars
from processes.scheduled_source.process import checked_schedule
from processes.spike_packing import stored_steps


class LatentLearningLoop(AbstractProcess):
    """The learning loop of the continual phase, closed: two latent sources and a teacher drive a plastic layer.

        x[t]      = new[t] | replayed[t]     LatentReplaySource of the new-class latents (stored as they are) and
                                             of the replay buffer (`window`-compressed), by their schedules
        target[t] = TeacherSource(labels, margin)[t]
        PlasticLearningLayer(x, target):     dynamics and learning as documented there

    Parameters
    ----------
    new_samples, replay_samples : uint8 arrays (n, neurons, bytes)
        Bit-packed latents: new-class samples (timesteps steps each) and the buffer's (ceil(timesteps / window)
        stored steps each); either may be empty.
    new_schedule, replay_schedule : int arrays (slots,) or (slots, lanes)
        Sample per slot (or per lane of each slot), -1 for none; at most one of them per slot and lane.
    window : int
        The buffer's compression window.
    labels : int array (slots,) or (slots, lanes)
        Class taught per slot (or lane), -1 for none.
    margin : int
        The teacher's margin.
    weights, vth, decay_u, decay_v, learning_rule, timesteps, slot, offset, n_slots, error_gain, learning_rate,
    batch, loss_scale, lanes, error_rule, hidden, average_every
        The PlasticLearningLayer's parameters.

    Vars
    ----
    weights, vth, error_gain, weight_average, average_every, learning_rate, counts, hidden_weights, hidden_activity
        The PlasticLearningLayer's.

    Models: the SubProcessModel (reference, and what Loihi runs) is the graph of named processes; the leaf models
    tagged 'fused' compute the same in one OS process, one per learner (Loihi rule, gradient), tested equal.
    """

    def __init__(self, *, new_samples, new_schedule, replay_samples, replay_schedule, window, labels, margin,
                 weights, vth, decay_u, decay_v, learning_rule, timesteps, slot, offset, n_slots, error_gain=4,
                 learning_rate=0.002, batch=64, loss_scale=0.5, lanes=None, error_rule="strongest_rival",
                 hidden=(), average_every=0, name=None):
        new_samples, new_schedule = checked_schedule(new_samples, timesteps, timesteps, new_schedule, slot, offset)
        replay_samples, replay_schedule = checked_schedule(replay_samples, stored_steps(timesteps, window),
                                                           timesteps, replay_schedule, slot, offset)
        labels = np.asarray(labels, np.int64)
        if not new_schedule.shape == replay_schedule.shape == labels.shape:
            raise ValueError(f"the schedules and labels must have one shape, got {new_schedule.shape}, "
                             f"{replay_schedule.shape} and {labels.shape}")
        if ((new_schedule >= 0) & (replay_schedule >= 0)).any():
            raise ValueError("a slot (or lane) can hold a new-class sample or a replayed one, not both")
        hidden = list(hidden)
        weights = check_layer_arguments(weights, timesteps, slot, offset, batch, lanes, error_rule, hidden)
        super().__init__(new_samples=new_samples, new_schedule=new_schedule, replay_samples=replay_samples,
                         replay_schedule=replay_schedule, window=window, labels=labels, margin=margin,
                         weights=weights, vth=vth, decay_u=decay_u, decay_v=decay_v, learning_rule=learning_rule,
                         timesteps=timesteps, slot=slot, offset=offset, n_slots=n_slots, error_gain=error_gain,
                         learning_rate=learning_rate, batch=batch, loss_scale=loss_scale, lanes=lanes,
                         error_rule=error_rule, hidden=hidden, average_every=average_every, name=name)
        for var, init in learner_vars(weights, vth, error_gain, learning_rate, n_slots, lanes, hidden,
                                      average_every).items():
            setattr(self, var, Var(shape=init.shape, init=init))

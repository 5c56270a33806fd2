"""The plastic layer's learning rule in Lava's Loihi 3-factor grammar: an error-modulated delta rule."""
from lava_replay.errors import LavaReplayError


def delta_rule_string(lr_exp, decimate):
    """dw = 2^lr_exp * u_k * x1 * (y2 - y3): applied once every 2^k learning epochs (k = decimate).

    x1 is the pre-synaptic trace at the update, y2 / y3 the positive / negative count error of the post neuron.
    In fixed point the product x1 * y2 (7 + 7 bits, 4-bit mantissa) is shifted right by 3 and the result is added
    to the weight's 16-bit accumulator (weight << 7), so one update changes a weight by about
    x1 * y2 * 2^lr_exp / 1024 weight units (stochastically rounded).
    """
    if not -7 <= lr_exp <= 8:
        raise LavaReplayError(f"learning-rate exponent must be in [-7, 8] (Loihi's rule scale), got {lr_exp}")
    if not 0 <= decimate <= 9:
        raise LavaReplayError(f"the update period 2^k needs k in [0, 9], got {decimate}")
    return f"2^{lr_exp}*u{decimate}*x1*y2 - 2^{lr_exp}*u{decimate}*x1*y3"


def weight_average_string(decimate):
    """dt = 2^-7 * u_k * y1 * (w - t): the tag t follows the weight w, by (w - t) * y1 / 4096 per update.

    In fixed point y1 * w (7 + 9 bits, 4-bit mantissa) is shifted right by 5 and added to the tag's accumulator
    (tag << 7); with y1 = 32 (AVERAGE_Y1 of the plastic layer's process) the step is exactly (w - t) / 128 tag
    units, stochastically rounded, so the tag is an exponential moving average of the weight over the updates
    where the neuron sends y1 (ErrorLIF).
    """
    return f"2^-7*u{decimate}*y1*w - 2^-7*u{decimate}*y1*t"


def delta_rule(lr_exp, slot, t_epoch, x1_tau, x1_impulse, seed=0, average=False):
    """A Loihi3FLearningRule applying the delta rule once per slot, at its last step (t_epoch must divide slot);
    with `average`, the synaptic tag also keeps a moving average of the weights (weight_average_string)."""
    from lava.magma.core.learning.learning_rule import Loihi3FLearningRule

    if t_epoch < 1 or slot % t_epoch or (slot // t_epoch) & (slot // t_epoch - 1):
        raise LavaReplayError(f"t_epoch {t_epoch} must divide the slot ({slot} steps) into a power of two")
    decimate = (slot // t_epoch).bit_length() - 1
    return Loihi3FLearningRule(dw=delta_rule_string(lr_exp, decimate),
                               dt=weight_average_string(decimate) if average else None, x1_impulse=x1_impulse,
                               x1_tau=x1_tau, t_epoch=t_epoch, rng_seed=seed)

"""The new class's row imprinted from latents (lava_replay.imprint), by hand."""
import numpy as np
import pytest

from lava_replay.errors import LavaReplayError
from lava_replay.imprint import imprinted_rows
from lava_replay.replay.compression import as_stored


def test_the_imprint_points_from_the_mean_of_class_means_to_the_class_mean_at_the_old_rows_length():
    # class means: 0 -> (9, 1), 1 -> (1, 1), 2 -> (2, 7); the centre (4, 3); class 0's direction (5, -2)
    counts = np.array([[8, 0], [10, 2], [1, 1], [1, 1], [1, 1], [2, 7]])
    labels = np.array([0, 0, 1, 1, 1, 2])
    old_rows = np.array([[30, 40], [0, 60], [-48, 64]])  # lengths 50, 60, 80: median 60
    rows = imprinted_rows(counts, labels, [0], old_rows, scale=1.5)
    expected = np.array([5, -2]) * 90 / np.hypot(5, -2)  # (83.6, -33.4) -> even integers
    np.testing.assert_array_equal(rows, [[84, -34]])
    assert np.allclose(rows[0], expected, atol=1)
    # at 9 times the length: (501, -200.6), clipped to the 8-bit range and rounded to even
    assert imprinted_rows(counts, labels, [0], old_rows, scale=9)[0].tolist() == [254, -200]


def test_imprint_needs_the_new_class_and_another():
    counts, labels = np.ones((4, 3)), np.array([1, 1, 2, 2])
    with pytest.raises(LavaReplayError, match=r"new classes \[0\]"):
        imprinted_rows(counts, labels, [0], np.ones((2, 3)), 1.0)
    with pytest.raises(LavaReplayError, match="at least one other class"):
        imprinted_rows(counts[:2], np.array([0, 0]), [0], np.ones((2, 3)), 1.0)


def test_latents_as_stored_keep_one_spike_per_window_at_its_first_step():
    spikes = np.array([[0, 1, 1, 1, 0, 0, 1]], bool)
    np.testing.assert_array_equal(as_stored(spikes, 2), [[1, 0, 1, 0, 0, 0, 1]])
    np.testing.assert_array_equal(as_stored(spikes, 1), spikes)


def test_the_job_imprints_from_new_latents_stored_as_the_buffer_stores_old_ones():
    """Old classes 1 and 2 replayed from a window-2 buffer; new class 0 fires two spikes in one window on neuron 0,
    which the buffer would keep as one: the imprint compares like with like, so neuron 0 does not count double."""
    from lava_replay.continual import initial_weights, new_class_rows, strategy
    from lava_replay.replay.buffer import LatentBuffer

    old = np.zeros((2, 3, 4), bool)
    old[0, 1, 0] = old[1, 2, 0] = True  # class 1: one spike on neuron 1; class 2: on neuron 2
    buffer = LatentBuffer.from_latents(old, [1, 2], 2, 3, "model.net", "sha")
    new = np.zeros((1, 3, 4), bool)
    new[0, 0, :2] = True  # stored: one spike
    block = [{"weight": np.array([[0, 0, 0], [0, 60, 0], [0, 0, 60]])}]
    rows = new_class_rows(strategy("spikinglr", imprint=1.0), block, [0], new, [0], buffer)
    # means (1,0,0), (0,1,0), (0,0,1); centre 1/3 each; direction (2,-1,-1) * 60 / sqrt(6) = (49, -24.5, -24.5)
    np.testing.assert_array_equal(rows, [[48, -24, -24]])
    np.testing.assert_array_equal(initial_weights(block[-1], [0], rows), [[48, -24, -24], [0, 60, 0], [0, 0, 60]])
    with pytest.raises(LavaReplayError, match="replays nothing"):
        new_class_rows(strategy("naive", imprint=1.0), block, [0], new, [0], None)

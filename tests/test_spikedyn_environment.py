"""Task stream, schedule, label assignment and continual-learning metrics (no Lava)."""
import numpy as np
import pytest

from lava_replay.errors import LavaReplayError
from lava_replay.spikedyn import environment as env


def _labels(per_class=12):
    return np.repeat(np.arange(10), per_class)


def test_task_order_default_and_seeded_permutation():
    assert env.task_order().tolist() == list(range(10))
    perm = env.task_order(True, seed=3)
    assert sorted(perm.tolist()) == list(range(10)) and perm.tolist() != list(range(10))
    assert perm.tolist() == env.task_order(True, seed=3).tolist()


def test_stream_train_and_calibration_are_disjoint():
    y = _labels()
    stream = env.make_stream(y, y, [0, 1, 2], samples_per_task=5, calib_per_class=3, test_per_class=4)
    for c in (0, 1, 2):
        assert set(stream.train[c]).isdisjoint(stream.calib[c])
        assert (y[stream.train[c]] == c).all() and (y[stream.calib[c]] == c).all()
        assert len(stream.test[c]) == 4
    assert stream.calibration_size == 3


def test_stream_too_few_images_names_the_option():
    y = _labels(per_class=4)
    with pytest.raises(LavaReplayError, match="samples-per-task"):
        env.make_stream(y, y, [0], samples_per_task=5, calib_per_class=1, test_per_class=1)


def test_wrong_image_size_is_an_error():
    with pytest.raises(LavaReplayError, match=r"expected \(n, 28, 28\)"):
        env.check_images(np.zeros((3, 20, 20), np.uint8), np.zeros(3), "MNIST train")


def test_plan_alternates_training_and_evaluation_of_seen_classes():
    y = _labels()
    images = np.arange(len(y))[:, None].repeat(784, axis=1)  # image k is filled with k: traceable
    stream = env.make_stream(y, y, [4, 7], samples_per_task=2, calib_per_class=1, test_per_class=2)
    plan = env.build_plan(stream, images, images)
    # task 0: 2 train + (1 calib + 2 test) of class 4; task 1: 2 train + (2 calib + 4 test) of classes 4, 7
    assert plan.blocks == [2, 3, 2, 6]
    assert plan.schedule.learn.tolist() == [1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert plan.schedule.record_slot.tolist() == [-1, -1, 0, 1, 2, -1, -1, 3, 4, 5, 6, 7, 8]
    rows, labels = plan.test_rows[1]
    assert labels.tolist() == [4, 4, 7, 7] and rows.tolist() == [5, 6, 7, 8]
    assert (plan.schedule.images[[9, 10, 11, 12], 0] == np.concatenate([stream.test[4], stream.test[7]])).all()


def test_labels_and_vote():
    counts = np.array([[5, 0, 1], [4, 0, 0], [0, 3, 0], [0, 6, 0]])  # calibration: 2 of class 0, 2 of class 1
    labels = env.assign_labels(counts, np.array([0, 0, 1, 1]), [0, 1])
    assert labels.tolist() == [0, 1, 0]
    test = np.array([[0, 2, 0], [3, 0, 0], [0, 0, 0], [1, 0, 4]])
    assert env.predict(test, labels, [0, 1]).tolist() == [1, 0, -1, 0]


def test_silent_neurons_get_no_label():
    labels = env.assign_labels(np.array([[1, 0], [2, 0]]), np.array([0, 1]), [0, 1])
    assert labels.tolist() == [1, -1]


def test_continual_metrics_hand_computed():
    R = np.array([[1.0, np.nan, np.nan], [0.6, 0.9, np.nan], [0.4, 0.7, 0.8]])
    m = env.continual_metrics(R)
    assert m["ACC"] == pytest.approx((0.4 + 0.7 + 0.8) / 3)
    assert m["BWT"] == pytest.approx(((0.4 - 1.0) + (0.7 - 0.9)) / 2)
    assert m["forgetting"] == pytest.approx(((1.0 - 0.4) + (0.9 - 0.7)) / 2)
    assert m["recent_per_task"] == [1.0, 0.9, 0.8]
    assert m["previous_per_task"][0] is None
    assert m["previous_per_task"][1:] == pytest.approx([0.6, 0.55])
    assert m["previous_mean"] == pytest.approx(0.575)


def test_validation_stream_tests_on_held_out_training_images():
    y = _labels()
    test_split = env.make_stream(y, y, [3, 5], samples_per_task=5, calib_per_class=3, test_per_class=4, seed=1)
    val = env.make_stream(y, y, [3, 5], samples_per_task=5, calib_per_class=3, test_per_class=4, seed=1,
                          validation=True)
    train_images = np.arange(len(y))[:, None].repeat(784, axis=1)
    test_images = -train_images
    for c in (3, 5):
        assert (val.train[c] == test_split.train[c]).all()  # same training stream, only the test images differ
        assert set(val.test[c]).isdisjoint(set(val.train[c]) | set(val.calib[c])) and (y[val.test[c]] == c).all()
    plan = env.build_plan(val, train_images, test_images)
    assert (plan.schedule.images[8:12, 0] == val.test[3]).all()   # after 5 train + 3 calibration: training images
    with pytest.raises(LavaReplayError, match="validation"):
        env.make_stream(y, y, [0], samples_per_task=5, calib_per_class=3, test_per_class=5, validation=True)

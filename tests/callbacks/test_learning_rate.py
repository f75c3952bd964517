"""ReduceLROnPlateau and LearningRateScheduler: scripted tables and the history's learning_rate."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import LearningRateScheduler, ReduceLROnPlateau
from gradwise.optimizers.schedules import LearningRateSchedule

from .scripted import drive, tiny_classifier, tiny_data, weights_equal

FLAT = [1.0] * 6

# (arguments, monitor, values, learning rate after each epoch, starting from 1.0)
CASES = {
    "reduces every `patience` epochs": ({"patience": 2, "factor": 0.5, "min_delta": 0}, "val_loss", FLAT,
                                        [1, 1, 0.5, 0.5, 0.25, 0.25]),
    "cooldown skips counting": ({"patience": 1, "factor": 0.5, "cooldown": 2}, "val_loss", FLAT,
                                [1, 0.5, 0.5, 0.25, 0.25, 0.125]),
    "min_lr is a floor": ({"patience": 1, "factor": 0.5, "min_lr": 0.3}, "val_loss", FLAT[:5], [1, 0.5, 0.3, 0.3, 0.3]),
    "gains below min_delta are a plateau": ({"patience": 1}, "val_loss", [1.0, 0.99999, 0.99998, 0.99997],
                                            [1, 0.1, 0.01, 0.001]),
    "an improvement resets the count": ({"patience": 2}, "val_loss", [1.0, 1.1, 0.9, 1.0, 1.0], [1, 1, 1, 1, 0.1]),
    "auto mode maximizes accuracy": ({"patience": 2}, "val_accuracy", [0.5, 0.6, 0.6, 0.6], [1, 1, 1, 0.1]),
    "explicit mode min on accuracy": ({"patience": 2, "mode": "min"}, "val_accuracy", [0.5, 0.6, 0.6, 0.6],
                                      [1, 1, 0.1, 0.1]),
}


@pytest.mark.parametrize("arguments, monitor, values, expected", CASES.values(), ids=CASES.keys())
def test_scripted_plateaus_reduce_at_the_right_epochs(arguments, monitor, values, expected):
    _, logged, after = drive(ReduceLROnPlateau(monitor=monitor, **arguments), values, monitor)
    np.testing.assert_allclose(after, expected, rtol=1e-12)
    np.testing.assert_allclose(logged, [1.0] + expected[:-1], rtol=1e-12)  # logs hold the rate in effect


def test_state_resets_at_every_fit():
    callback = ReduceLROnPlateau(patience=2, factor=0.5, min_delta=0)
    drive(callback, [0.1, 0.2])  # one epoch without improvement left behind
    _, _, after = drive(callback, [1.0, 1.0, 1.0])
    assert after == [1.0, 1.0, 0.5]


@pytest.mark.parametrize("arguments, match", [
    ({"factor": 1.0}, "`factor` must be a float in \\(0, 1\\), got 1.0"),
    ({"factor": 0}, "`factor` must be a float in \\(0, 1\\), got 0"),
    ({"min_lr": -1e-3}, "`min_lr` must be a non-negative number"),
    ({"cooldown": -1}, "`cooldown` must be a non-negative int, got -1"),
    ({"patience": 2.5}, "`patience` must be a non-negative int, got 2.5"),
])
def test_bad_arguments_are_named(arguments, match):
    with pytest.raises(ValueError, match=match):
        ReduceLROnPlateau(**arguments)


def test_fit_history_shows_each_reduction():
    x, y = tiny_data()
    model = tiny_classifier(optimizer=gw.optimizers.SGD(learning_rate=0.1))
    # min_delta so large that no epoch after the first counts as an improvement
    reduce = ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5, min_delta=10.0)
    history = model.fit(x, y, epochs=4, batch_size=20, verbose=0, callbacks=[reduce])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.05, 0.025], rtol=1e-7)
    assert model.optimizer.learning_rate == pytest.approx(0.0125)


class _Constant(LearningRateSchedule):
    def __call__(self, step):
        return 0.1

    def get_config(self):
        return {}


@pytest.mark.parametrize("callback", [ReduceLROnPlateau(monitor="loss"), LearningRateScheduler(lambda e, lr: lr)])
def test_an_optimizer_on_a_schedule_is_refused_before_the_first_epoch(callback):
    x, y = tiny_data()
    model = tiny_classifier(optimizer=gw.optimizers.SGD(learning_rate=_Constant()))
    before = model.get_weights()
    with pytest.raises(ValueError, match="cannot set the learning rate of an optimizer driven by a schedule"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    assert weights_equal(model.get_weights(), before)


@pytest.mark.parametrize("schedule, expected", [
    (lambda epoch, lr: lr * 0.5 if epoch > 0 else lr, [0.1, 0.05, 0.025]),
    (lambda epoch: 0.1 / (epoch + 1), [0.1, 0.05, 0.1 / 3]),
    (lambda epoch, lr=None: 0.3 if epoch == 1 else 0.2, [0.2, 0.3, 0.2]),
])
def test_scheduler_sets_the_rate_of_each_epoch(schedule, expected):
    x, y = tiny_data()
    model = tiny_classifier(optimizer=gw.optimizers.SGD(learning_rate=0.1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(schedule)])
    np.testing.assert_allclose(history.history["learning_rate"], expected, rtol=1e-7)


def test_scheduled_rate_is_the_one_the_optimizer_uses():
    x, y = tiny_data()
    scheduled = tiny_classifier(optimizer=gw.optimizers.SGD(learning_rate=0.01))
    scheduled.fit(x, y, epochs=2, verbose=0, shuffle=False, callbacks=[LearningRateScheduler(lambda e, lr: 0.3)])
    fixed = tiny_classifier(optimizer=gw.optimizers.SGD(learning_rate=0.3))
    fixed.fit(x, y, epochs=2, verbose=0, shuffle=False)
    assert weights_equal(scheduled.get_weights(), fixed.get_weights())


@pytest.mark.parametrize("returned", [None, -0.1, "0.1", float("nan")])
def test_scheduler_rejects_a_bad_rate(returned):
    x, y = tiny_data()
    model = tiny_classifier(optimizer=gw.optimizers.SGD(learning_rate=0.1))
    with pytest.raises(ValueError, match="`schedule` must return a positive finite float, got .* at epoch 0"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: returned)])


def test_scheduler_needs_a_callable():
    with pytest.raises(TypeError, match="`schedule` must be a callable"):
        LearningRateScheduler(0.1)


def test_verbose_scheduler_and_plateau_print_their_changes(capsys):
    _, _, _ = drive(ReduceLROnPlateau(patience=1, factor=0.5, verbose=1), [1.0, 1.0])
    callback = LearningRateScheduler(lambda epoch, lr: 0.25, verbose=1)
    drive(callback, [1.0])
    out = capsys.readouterr().out
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.5." in out
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.25." in out

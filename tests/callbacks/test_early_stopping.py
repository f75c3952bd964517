"""EarlyStopping: table-driven scripted sequences, weight restoring, resets, and real runs."""

import math

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import EarlyStopping, LambdaCallback, LearningRateScheduler
from gradwise.callbacks.monitor import infer_mode

from .scripted import FakeModel, drive, tiny_classifier, tiny_data, weights_equal

NAN = math.nan

# (arguments, monitor, values, epoch at which training stops or None, best epoch)
CASES = {
    "patience 0 stops at the first worse epoch": ({}, "val_loss", [1.0, 0.9, 0.95, 0.8], 2, 1),
    "patience counts epochs without improvement": ({"patience": 2}, "val_loss", [1.0, 0.9, 0.95, 0.94, 0.8], 3, 1),
    "an improvement resets the count": ({"patience": 2}, "val_loss", [1.0, 0.95, 0.97, 0.9, 0.91, 0.92], 5, 3),
    "steady improvement never stops": ({}, "val_loss", [1.0, 0.95, 0.85, 0.8], None, 3),
    "min_delta: small gains do not count": ({"min_delta": 0.1, "patience": 1}, "val_loss", [1.0, 0.95, 0.85, 0.8], 1, 0),
    "min_delta: large gains count": ({"min_delta": 0.1, "patience": 1}, "val_loss", [1.0, 0.85, 0.7, 0.75], 3, 2),
    "auto mode maximizes accuracy": ({"patience": 1}, "val_accuracy", [0.5, 0.6, 0.55, 0.58], 2, 1),
    "auto mode minimizes a loss": ({"patience": 1}, "val_loss", [0.5, 0.6, 0.55, 0.58], 1, 0),
    "explicit mode max": ({"mode": "max"}, "score", [1.0, 2.0, 3.0], None, 2),
    "explicit mode min": ({"mode": "min"}, "score", [1.0, 2.0, 3.0], 1, 0),
    "baseline not beaten: improvements do not reset": ({"patience": 2, "baseline": 0.5}, "val_loss", [0.9, 0.6, 0.65], 2, 1),
    "baseline beaten: the count resets": ({"patience": 2, "baseline": 0.5}, "val_loss", [0.9, 0.4, 0.45], None, 1),
    "start_from_epoch ignores warm-up epochs": ({"start_from_epoch": 2}, "val_loss", [1.0, 2.0, 3.0, 2.5, 2.6], 4, 3),
    "without start_from_epoch the warm-up stops it": ({}, "val_loss", [1.0, 2.0, 3.0, 2.5, 2.6], 1, 0),
    "NaN is never an improvement": ({"patience": 1}, "val_loss", [1.0, NAN, 0.9], 1, 0),
}


@pytest.mark.parametrize("arguments, monitor, values, stop, best_epoch", CASES.values(), ids=CASES.keys())
def test_scripted_sequences_stop_at_the_right_epoch(arguments, monitor, values, stop, best_epoch):
    callback = EarlyStopping(monitor=monitor, restore_best_weights=True, **arguments)
    model, logged, _ = drive(callback, values, monitor)
    assert len(logged) == (len(values) if stop is None else stop + 1)
    assert callback.stopped_epoch == (0 if stop is None else stop)
    assert model.stop_training == (stop is not None)
    assert callback.best_epoch == best_epoch
    assert callback.best == values[best_epoch]
    # the fake model's weight is the epoch index: the best epoch's weights are back,
    # whether training stopped early or ran out of epochs
    assert model.get_weights()[0][0] == best_epoch


def test_without_restore_the_last_weights_stay():
    callback = EarlyStopping(patience=5)
    model, _, _ = drive(callback, [1.0, 0.5, 0.7, 0.8])
    assert model.get_weights()[0][0] == 3 and callback.best_weights is None


def test_stop_reason_names_the_monitor_and_the_best_epoch():
    model, _, _ = drive(EarlyStopping(patience=1), [1.0, 0.8, 0.9, 0.95])
    assert model.stop_reason == "EarlyStopping: val_loss did not improve for 1 epoch(s); best 0.8 at epoch 2."


def test_one_instance_behaves_the_same_on_every_fit():
    callback = EarlyStopping(patience=2, restore_best_weights=True)
    drive(callback, [0.1, 0.2, 0.3])  # leaves best=0.1 behind unless on_train_begin resets it
    model, logged, _ = drive(callback, [1.0, 0.9, 0.8, 0.85, 0.9], model=FakeModel())
    assert (len(logged), callback.best, callback.best_epoch, callback.stopped_epoch) == (5, 0.8, 2, 4)
    assert model.get_weights()[0][0] == 2


@pytest.mark.parametrize("monitor, mode", [
    ("loss", "min"), ("val_loss", "min"), ("accuracy", "max"), ("val_acc", "max"), ("val_auc", "max"),
    ("precision", "max"), ("val_recall", "max"), ("binary_accuracy", "max"), ("val_mean_squared_error", "min"),
    ("val_mae", "min"), ("sparse_categorical_crossentropy", "min"), ("val_sparse_categorical_accuracy", "max"),
])
def test_auto_mode_is_read_from_the_monitor_name(monitor, mode):
    assert infer_mode("EarlyStopping", monitor) == mode
    assert EarlyStopping(monitor=monitor).mode == mode


@pytest.mark.parametrize("monitor", ["learning_rate", "score", "val_widgets"])
def test_auto_mode_refuses_names_it_cannot_read(monitor):
    with pytest.raises(ValueError, match=f"monitor='{monitor}'.*mode='min' or mode='max'"):
        EarlyStopping(monitor=monitor)


@pytest.mark.parametrize("arguments, match", [
    ({"patience": -1}, "`patience` must be a non-negative int, got -1"),
    ({"patience": 1.5}, "`patience` must be a non-negative int, got 1.5"),
    ({"start_from_epoch": -2}, "`start_from_epoch` must be a non-negative int"),
    ({"min_delta": -0.1}, "`min_delta` must be a non-negative number, got -0.1"),
    ({"mode": "maximum"}, "`mode` must be one of 'auto', 'min', 'max', got 'maximum'"),
    ({"baseline": "low"}, "`baseline` must be a number or None, got 'low'"),
])
def test_bad_arguments_are_named(arguments, match):
    with pytest.raises((ValueError, TypeError), match=match):
        EarlyStopping(**arguments)


def _train_with_a_bad_phase(epochs, patience):
    """SGD at 0.2 for 4 epochs, then at 8.0: the validation loss gets worse after epoch 3."""
    x, y = tiny_data(60)
    model = tiny_classifier(optimizer=gw.optimizers.SGD(learning_rate=0.2))
    captured = []
    stop = EarlyStopping(patience=patience, restore_best_weights=True)
    callbacks = [LearningRateScheduler(lambda epoch, lr: 0.2 if epoch < 4 else 8.0), stop,
                 LambdaCallback(on_epoch_end=lambda epoch, logs: captured.append(model.get_weights()))]
    history = model.fit(x, y, epochs=epochs, batch_size=10, validation_split=0.25, verbose=0, callbacks=callbacks)
    return model, stop, history, captured


def test_real_run_stopped_early_restores_the_best_epoch_exactly():
    model, stop, history, captured = _train_with_a_bad_phase(epochs=12, patience=2)
    val_loss = history.history["val_loss"]
    assert stop.stopped_epoch == len(val_loss) - 1 < 11
    assert stop.best_epoch == int(np.argmin(val_loss)) < stop.stopped_epoch
    assert weights_equal(model.get_weights(), captured[stop.best_epoch])
    assert not weights_equal(model.get_weights(), captured[-1])


def test_real_run_that_runs_out_of_epochs_still_restores_the_best_epoch():
    model, stop, history, captured = _train_with_a_bad_phase(epochs=6, patience=100)
    assert stop.stopped_epoch == 0 and len(captured) == 6
    assert stop.best_epoch == int(np.argmin(history.history["val_loss"])) < 5
    assert weights_equal(model.get_weights(), captured[stop.best_epoch])


def test_real_runs_reusing_one_instance_match():
    x, y = tiny_data(60)
    stop = EarlyStopping(monitor="val_accuracy", patience=1, restore_best_weights=True)
    results = []
    for _ in range(2):
        model = tiny_classifier()
        history = model.fit(x, y, epochs=8, batch_size=10, validation_split=0.25, verbose=0, callbacks=[stop])
        results.append((history.history["val_accuracy"], stop.best_epoch, stop.stopped_epoch, model.get_weights()))
    assert results[0][:3] == results[1][:3]
    assert weights_equal(results[0][3], results[1][3])

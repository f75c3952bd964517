"""LambdaCallback, TerminateOnNaN, batch-hook detection and the unlogged-monitor error."""

import math
import warnings

import numpy as np
import pytest

from gradwise.callbacks import (Callback, CallbackList, EarlyStopping, LambdaCallback, ModelCheckpoint,
                                ReduceLROnPlateau, TerminateOnNaN)

from .scripted import FakeModel, tiny_classifier, tiny_data


def test_lambda_callback_calls_each_given_function_in_order():
    events = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"epoch_begin {epoch}"),
        on_train_batch_begin=lambda batch, logs: events.append(f"batch_begin {batch}"),
        on_train_batch_end=lambda batch, logs: events.append(f"batch_end {batch} {sorted(logs)}"),
        on_epoch_end=lambda epoch, logs: events.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: events.append("train_end"),
    )
    x, y = tiny_data(20)
    tiny_classifier().fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[callback])
    epoch = ["batch_begin 0", "batch_end 0 ['accuracy', 'loss']", "batch_begin 1", "batch_end 1 ['accuracy', 'loss']"]
    assert events == ["train_begin",
                      "epoch_begin 0", *epoch, "epoch_end 0 ['accuracy', 'learning_rate', 'loss']",
                      "epoch_begin 1", *epoch, "epoch_end 1 ['accuracy', 'learning_rate', 'loss']",
                      "train_end"]


def test_lambda_callback_rejects_a_non_callable():
    with pytest.raises(TypeError, match="`on_epoch_end` must be callable or None, got 3"):
        LambdaCallback(on_epoch_end=3)


class _EpochOnly(Callback):
    def on_epoch_end(self, epoch, logs=None):
        pass


class _BatchEnd(Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


@pytest.mark.parametrize("callbacks, begin, end", [
    ([_EpochOnly(), EarlyStopping(), TerminateOnNaN(), LambdaCallback(on_epoch_end=print)], False, False),
    ([_BatchEnd()], False, True),
    ([LambdaCallback(on_train_batch_begin=print)], True, False),
    ([ModelCheckpoint("m.gw")], False, False),
    ([ModelCheckpoint("m.gw", save_freq=5)], False, True),
])
def test_batch_logs_are_built_only_for_callbacks_that_observe_batches(callbacks, begin, end):
    hooks = CallbackList(callbacks, FakeModel(), {})
    assert (hooks.wants_batch_begin, hooks.wants_batch_end) == (begin, end)


@pytest.mark.parametrize("logs, stops", [
    ({"loss": 0.3, "val_loss": 0.4}, False),
    ({"loss": 0.3, "val_loss": math.nan}, True),
    ({"loss": math.inf, "val_loss": 0.4}, True),
    ({"loss": 0.3, "val_accuracy": -math.inf}, True),
])
def test_terminate_on_nan_stops_on_any_non_finite_epoch_value(logs, stops, capsys):
    model = FakeModel()
    callback = TerminateOnNaN()
    callback.set_model(model)
    callback.on_epoch_end(4, logs)
    assert model.stop_training == stops
    if stops:
        assert model.stop_reason.startswith("TerminateOnNaN: ") and "at epoch 5" in model.stop_reason
        assert model.stop_reason in capsys.readouterr().out


def test_terminate_on_nan_stops_a_fit_whose_validation_loss_overflows():
    x, y = tiny_data()
    model = tiny_classifier()
    huge = np.full(10, 1e308)  # finite sample weights whose weighted sum overflows to Inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = model.fit(x, y, epochs=5, verbose=0, validation_data=(x[:10], y[:10], huge),
                            callbacks=[TerminateOnNaN()])
    assert len(history.history["loss"]) == 1 and not math.isfinite(history.history["val_loss"][0])
    assert model.stop_reason.startswith("TerminateOnNaN: val_loss is")


UNLOGGED = {
    "EarlyStopping, old Keras name": (lambda: EarlyStopping(monitor="val_acc"), 0.25,
                                      r"EarlyStopping: monitor='val_acc' is not logged by training\. Logged keys: "
                                      r"accuracy, learning_rate, loss, val_accuracy, val_loss\. Did you mean 'val_accuracy'\?"),
    "EarlyStopping, no validation": (lambda: EarlyStopping(), 0.0,
                                     r"monitor='val_loss' is not logged.*Logged keys: accuracy, learning_rate, loss\..*"
                                     r"Validation values need `validation_data` or `validation_split` in fit\."),
    "ReduceLROnPlateau, no validation": (lambda: ReduceLROnPlateau(), 0.0,
                                         r"ReduceLROnPlateau: monitor='val_loss' is not logged"),
    "ReduceLROnPlateau, misspelt": (lambda: ReduceLROnPlateau(monitor="val_los", mode="min"), 0.25,
                                    r"monitor='val_los' is not logged.*Did you mean 'val_loss'\?"),
}


@pytest.mark.parametrize("make, split, match", UNLOGGED.values(), ids=UNLOGGED.keys())
def test_an_unlogged_monitor_is_an_error_at_the_end_of_the_first_epoch(make, split, match):
    x, y = tiny_data()
    model = tiny_classifier()
    ended = []
    spy = LambdaCallback(on_epoch_end=lambda epoch, logs: ended.append(epoch))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning on the way
        with pytest.raises(ValueError, match=match):
            model.fit(x, y, epochs=4, verbose=0, validation_split=split, callbacks=[spy, make()])
    assert ended == [0]

"""fit's `callbacks`: one object or a list, as Keras accepts; a failed epoch recorded in History as Keras does."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from gradwise.callbacks import Callback, EarlyStopping, LambdaCallback, NonFiniteLossWarning, TerminateOnNaN, as_list

from .scripted import tiny_classifier, tiny_data


def test_one_callback_object_is_used():
    x, y = tiny_data()
    model = tiny_classifier()
    stopper = EarlyStopping(monitor="loss", min_delta=10.0, patience=1)  # no epoch improves by 10
    history = model.fit(x, y, epochs=10, batch_size=8, verbose=0, callbacks=stopper)
    assert len(history.history["loss"]) == 2 and stopper.stopped_epoch == 1 and stopper.model is model


def test_tuples_and_generators_of_callbacks_work():
    x, y = tiny_data()
    seen = []
    model = tiny_classifier()
    model.fit(x, y, epochs=2, verbose=0, callbacks=(LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e)),))
    model.fit(x, y, epochs=1, verbose=0, callbacks=(c for c in [LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))]))
    assert seen == [0, 1, 0]


@pytest.mark.parametrize("callbacks, message", [
    ("early_stopping", r"fit: `callbacks` must be a Callback or a list of them, got 'early_stopping' of type str"),
    (EarlyStopping, r"fit: `callbacks` must be a Callback or a list of them, got <class .*EarlyStopping'> of type type"),
    ([EarlyStopping(), print], r"fit: `callbacks\[1\]` must be a gradwise Callback .*got <built-in function print>"),
])
def test_other_objects_are_type_errors(callbacks, message):
    x, y = tiny_data()
    with pytest.raises(TypeError, match=message):
        tiny_classifier().fit(x, y, verbose=0, callbacks=callbacks)


def test_as_list_names_its_owner():
    assert as_list(None) == []
    with pytest.raises(TypeError, match=r"search: `callbacks` must be a Callback"):
        as_list(3, "search")


def _diverging(epoch_to_fail, validation_split=0.0):
    """fit whose loss becomes Inf/NaN in `epoch_to_fail`, with TerminateOnNaN as the Keras guides use it."""
    x, y = tiny_data()
    model = tiny_classifier(optimizer="sgd")
    blow_up = LambdaCallback(on_epoch_begin=lambda epoch, logs: epoch == epoch_to_fail and model.layers[1].params[
        "kernel"].__setitem__((0, 0), np.inf))
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=5, batch_size=8, verbose=0, validation_split=validation_split,
                            callbacks=[blow_up, TerminateOnNaN()])
    assert any(w.category is NonFiniteLossWarning for w in caught)
    return model, history


def test_a_failed_first_epoch_is_recorded_as_keras_does():
    model, history = _diverging(0)
    assert history.epoch == [0]
    assert len(history.history["loss"]) == 1 and not math.isfinite(history.history["loss"][0])
    assert math.isnan(history.history["accuracy"][0])  # no batch of that epoch finished
    assert model.stop_training


def test_a_failed_later_epoch_keeps_one_row_per_epoch_with_validation():
    _, history = _diverging(2, validation_split=0.25)
    table = pd.DataFrame(history.history)  # every key has one value per epoch run
    assert len(table) == 3 and list(history.epoch) == [0, 1, 2]
    assert table["loss"].iloc[:2].map(math.isfinite).all() and not math.isfinite(table["loss"].iloc[2])
    assert table["val_loss"].iloc[:2].notna().all() and math.isnan(table["val_loss"].iloc[2])  # not evaluated


def test_only_history_and_on_epoch_failed_observers_see_the_failed_epoch():
    ends, failures = [], []

    class Watcher(Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(epoch)

        def on_epoch_failed(self, epoch, logs=None):
            failures.append((epoch, sorted(logs)))

    x, y = tiny_data()
    model = tiny_classifier()
    model.layers[1].params["kernel"][0, 0] = np.nan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", NonFiniteLossWarning)
        model.fit(x, y, epochs=3, verbose=0, callbacks=Watcher())
    assert ends == [] and failures == [(0, ["accuracy", "learning_rate", "loss"])]


def test_monitoring_a_per_class_metric_names_the_fix():
    from gradwise.metrics import F1Score

    x, y = tiny_data()
    model = tiny_classifier(metrics=[F1Score()])
    with pytest.raises(ValueError, match=r"EarlyStopping: `monitor` 'f1_score' logs 2 values \(one per class.*"
                                         r"F1Score\(average='macro'\)"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=EarlyStopping(monitor="f1_score"))
    model = tiny_classifier(metrics=[F1Score(average="macro")])
    model.fit(x, y, epochs=2, verbose=0, callbacks=EarlyStopping(monitor="f1_score", mode="max"))

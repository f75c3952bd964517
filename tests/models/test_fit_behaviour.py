"""fit's training-loop behaviours: non-finite losses, validation split and data, the logged learning rate."""

import math
import re
import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import EarlyStopping, LambdaCallback, LearningRateScheduler, NonFiniteLossWarning
from gradwise.layers import BatchNormalization, Dense


def _data(samples=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 3))
    return x, (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64)


def _model(learning_rate=0.1, batch_norm=False, seed=0):
    layers = [Dense(8, activation="relu", input_shape=(3,))]
    if batch_norm:
        layers += [BatchNormalization()]
    model = gw.Sequential(layers + [Dense(2, activation="softmax")], seed=seed)
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _finite(weights):
    return all(np.isfinite(w).all() for w in weights)


def _fit_recording(model, x, y, callbacks=(), **kwargs):
    """fit with NumPy's overflow warnings silenced; returns history, fit's warnings and weights after each batch."""
    after_batch = []
    spy = LambdaCallback(on_train_batch_end=lambda batch, logs: after_batch.append(model.get_weights()))
    with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, verbose=0, callbacks=[*callbacks, spy], **kwargs)
    return history, [w for w in caught if w.category is NonFiniteLossWarning], after_batch


# ----- non-finite losses -----------------------------------------------------------------
def test_nan_warning_is_a_user_warning_not_a_runtime_warning():
    assert issubclass(NonFiniteLossWarning, UserWarning) and not issubclass(NonFiniteLossWarning, RuntimeWarning)


@pytest.mark.parametrize("batch_norm", [False, True], ids=["dense", "batch norm"])
def test_a_diverging_run_stops_at_the_first_non_finite_loss_with_the_last_finite_weights(batch_norm):
    x, y = _data()
    model = _model(learning_rate=1e30, batch_norm=batch_norm)
    initial = model.get_weights()
    history, caught, after_batch = _fit_recording(model, x, y, epochs=5, batch_size=10)
    assert len(caught) == 1
    message = str(caught[0].message)
    failed_batch = len(after_batch) + 1  # every batch before it ended normally
    assert re.match(rf"fit: the loss became (NaN|Inf) at epoch 1/5, batch {failed_batch}/4; training stopped", message)
    assert model.stop_reason == message and model.stop_training
    # The failed epoch is recorded with its non-finite loss, as Keras' History records it.
    assert set(history.history) == {"loss", "accuracy", "learning_rate"} and not math.isfinite(history.history["loss"][0])
    assert history.epoch == [0]
    assert _finite(model.get_weights())
    # The weights after the last good batch are finite but predict NaN/Inf (learning rate 1e30): the
    # model keeps the start of the epoch, the last weights whose predictions are finite, and says so.
    with np.errstate(all="ignore"):
        assert not np.isfinite(_predictions_with(model, after_batch[-1], x)).all()
    assert "restored to the start of epoch 1, the last whose predictions are finite" in message
    assert all(np.array_equal(a, b) for a, b in zip(_params(model, model.get_weights()), _params(model, initial)))
    assert np.isfinite(model.predict(x, verbose=0)).all()


def _predictions_with(model, weights, x):
    clone = gw.Sequential.from_config(model.get_config())
    clone.set_weights(weights)
    return clone.predict(x, verbose=0)


def _params(model, weights):
    """The trainable arrays among `weights` (as get_weights orders them: per layer, params then state)."""
    chosen, start = [], 0
    for layer in model.layers:
        chosen += weights[start:start + len(layer.params)]
        start += len(layer.weight_names())
    return chosen


def test_a_weight_broken_mid_epoch_is_restored_to_the_start_of_that_epoch():
    x, y = _data()
    model = _model()
    epoch_ends, current = [], {}

    def corrupt(batch, logs):
        if current["epoch"] == 1 and batch == 2:
            model.layers[0].params["kernel"][0, 0] = np.inf  # a view into the flat buffer

    callbacks = [LambdaCallback(on_epoch_begin=lambda epoch, logs: current.update(epoch=epoch),
                                on_epoch_end=lambda epoch, logs: epoch_ends.append(model.get_weights()),
                                on_train_batch_begin=corrupt)]
    _, caught, _ = _fit_recording(model, x, y, callbacks, epochs=4, batch_size=10)
    assert "at epoch 2/4, batch 3/4" in str(caught[0].message)
    assert "weights restored to the start of epoch 2" in model.stop_reason
    assert len(epoch_ends) == 1
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), epoch_ends[0]))


@pytest.mark.parametrize("learning_rate", [1e6, 1e30])
def test_divergence_after_epoch_3_keeps_weights_that_predict_finite_values_even_after_reload(tmp_path, learning_rate):
    """The issue's case: the learning rate raised after epoch 3; the model must stay usable."""
    x, y = _data(200)
    model = _model(learning_rate=0.05, seed=1)
    epoch_ends = []
    callbacks = [LearningRateScheduler(lambda epoch, lr: 0.05 if epoch < 3 else learning_rate),
                 LambdaCallback(on_epoch_end=lambda epoch, logs: epoch_ends.append(model.get_weights()))]
    _, caught, _ = _fit_recording(model, x, y, callbacks, epochs=8, batch_size=10)
    assert len(caught) == 1 and "the last whose predictions are finite" in model.stop_reason
    kept = int(re.search(r"restored to the start of epoch (\d+)", model.stop_reason).group(1))
    assert kept >= 4  # no further back than needed: the weights trained with the sane rate are kept
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), epoch_ends[kept - 2]))
    assert np.isfinite(model.predict(x, verbose=0)).all()
    model.save(tmp_path / "model.gw")
    assert np.isfinite(gw.saving.load_model(tmp_path / "model.gw").predict(x, verbose=0)).all()


def test_early_stopping_restores_its_best_weights_after_a_non_finite_loss():
    x, y = _data()
    model = _model()
    captured = []
    callbacks = [LearningRateScheduler(lambda epoch, lr: 0.1 if epoch < 3 else 1e30),
                 EarlyStopping(monitor="loss", patience=10, restore_best_weights=True),
                 LambdaCallback(on_epoch_end=lambda epoch, logs: captured.append(model.get_weights()))]
    history, caught, _ = _fit_recording(model, x, y, callbacks, epochs=8, batch_size=10)
    assert len(caught) == 1 and len(history.history["loss"]) < 8
    assert len(history.history["loss"]) == len(captured) + 1  # History also records the failed epoch
    best = int(np.argmin(history.history["loss"][:-1]))
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), captured[best]))


def test_train_on_batch_skips_a_non_finite_update():
    x, y = _data(10)
    model = _model()
    model.layers[1].params["kernel"][0, 0] = np.inf
    before = model.get_weights()
    with np.errstate(all="ignore"):
        loss = model.train_on_batch(x, y)[0]
    assert not math.isfinite(loss)
    assert model.optimizer.iterations == 0
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_a_finished_run_has_no_stop_reason():
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, verbose=0)
    assert model.stop_reason is None and not model.stop_training


# ----- validation_split --------------------------------------------------------------------
SORTED_TARGETS = {
    "sparse labels": ("sparse_categorical_crossentropy", 2, lambda labels: labels),
    "one-hot": ("categorical_crossentropy", 2, lambda labels: np.eye(2)[labels]),
    "binary column": ("binary_crossentropy", 1, lambda labels: labels.reshape(-1, 1).astype(float)),
}


def _classifier(loss, outputs, seed=0):
    model = gw.Sequential([Dense(4, activation="tanh", input_shape=(3,)),
                           Dense(outputs, activation="sigmoid" if outputs == 1 else "softmax")], seed=seed)
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


@pytest.mark.parametrize("loss, outputs, encode", SORTED_TARGETS.values(), ids=SORTED_TARGETS.keys())
def test_class_sorted_data_warns_that_the_validation_split_holds_one_class(loss, outputs, encode):
    x, _ = _data()
    labels = np.array([0] * 30 + [1] * 10)
    with pytest.warns(UserWarning, match=r"validation_split=0\.2 took the last 8 samples and their labels hold a "
                                         r"single class \(1\).*stratify_split=True"):
        _classifier(loss, outputs).fit(x, encode(labels), epochs=1, verbose=0, validation_split=0.2)


@pytest.mark.parametrize("labels, loss", [
    (np.array([0, 1] * 20), "sparse_categorical_crossentropy"),  # both classes at the end
    (np.array([0] * 30 + [1] * 10), "mean_squared_error"),  # a regression target: no classes
])
def test_no_warning_when_the_split_is_fine_or_not_about_classes(labels, loss):
    x, _ = _data()
    outputs = 2 if loss.startswith("sparse") else 1
    model = gw.Sequential([Dense(outputs, input_shape=(3,))], seed=0)
    model.compile(optimizer="adam", loss=loss)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, labels.astype(float) if outputs == 1 else labels, epochs=1, verbose=0, validation_split=0.2)


def test_stratified_split_holds_out_each_class_in_proportion_with_the_model_seed():
    from sklearn.model_selection import train_test_split

    x, _ = _data()
    labels = np.array([0] * 30 + [1] * 10)
    seen = {}
    model = _classifier("sparse_categorical_crossentropy", 2, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # stratified: no one-class warning
        model.fit(x, labels, epochs=1, verbose=0, validation_split=0.2, stratify_split=True,
                  callbacks=[LambdaCallback(on_epoch_end=lambda epoch, logs: seen.update(logs))])
    _, held_out = train_test_split(np.arange(40), test_size=0.2, stratify=labels, random_state=7)
    assert sorted(np.bincount(labels[held_out])) == [2, 6]
    val_loss, val_accuracy = model.evaluate(x[held_out], labels[held_out], verbose=0)
    assert seen["val_loss"] == pytest.approx(val_loss) and seen["val_accuracy"] == pytest.approx(val_accuracy)


def test_stratified_split_is_reproducible():
    x, _ = _data()
    labels = np.array([0] * 30 + [1] * 10)
    histories = [_classifier("sparse_categorical_crossentropy", 2).fit(
        x, labels, epochs=2, verbose=0, validation_split=0.25, stratify_split=True).history for _ in range(2)]
    assert histories[0] == histories[1]


@pytest.mark.parametrize("kwargs, labels, loss, match", [
    ({"stratify_split": True}, None, "sparse_categorical_crossentropy",
     r"`stratify_split=True` needs a `validation_split` in \(0, 1\), got 0\.0"),
    ({"stratify_split": True, "validation_split": 0.2}, None, "mean_squared_error",
     r"`stratify_split=True` needs class labels"),
    ({"stratify_split": True, "validation_split": 0.2}, np.array([0] * 39 + [1]), "sparse_categorical_crossentropy",
     r"`stratify_split=True` cannot split 40 samples with validation_split=0\.2: .*least populated class"),
])
def test_stratify_split_errors(kwargs, labels, loss, match):
    x, default = _data()
    labels = default if labels is None else labels
    outputs = 1 if loss == "mean_squared_error" else 2
    model = gw.Sequential([Dense(outputs, input_shape=(3,))], seed=0)
    model.compile(optimizer="adam", loss=loss)
    with pytest.raises(ValueError, match=match):
        model.fit(x, labels.astype(float) if outputs == 1 else labels, epochs=1, verbose=0, **kwargs)


# ----- validation_data -------------------------------------------------------------------------
def _last_logs(model, x, y, **kwargs):
    seen = {}
    model.fit(x, y, epochs=1, verbose=0, callbacks=[LambdaCallback(on_epoch_end=lambda e, logs: seen.update(logs))],
              **kwargs)
    return seen


def test_validation_data_pair_is_evaluated_after_each_epoch():
    x, y = _data()
    model = _model()
    logs = _last_logs(model, x[:30], y[:30], validation_data=(x[30:], y[30:]))
    val_loss, val_accuracy = model.evaluate(x[30:], y[30:], verbose=0)
    assert logs["val_loss"] == pytest.approx(val_loss) and logs["val_accuracy"] == pytest.approx(val_accuracy)


def test_validation_data_triple_weights_the_validation_loss():
    x, y = _data()
    weights = np.linspace(0.0, 2.0, 10)
    model = _model()
    logs = _last_logs(model, x[:30], y[:30], validation_data=(x[30:], y[30:], weights))
    weighted = model.evaluate(x[30:], y[30:], sample_weight=weights, verbose=0)[0]
    plain = model.evaluate(x[30:], y[30:], verbose=0)[0]
    assert logs["val_loss"] == pytest.approx(weighted) and weighted != pytest.approx(plain)


@pytest.mark.parametrize("penalty", [{"kernel_regularizer": "l2"}, {"activity_regularizer": "l1"}])
def test_validation_cut_once_per_fit_gives_evaluates_exact_values_every_epoch(penalty):
    # fit cuts in-memory validation arrays once for the fit and runs one pass over several of evaluate's
    # slices (10 rows, batch 4: one pass for three slices; one pass per slice with an activity penalty, a
    # mean over its pass): each epoch's val_ logs are evaluate's, bit for bit, with the penalty and sample
    # weights in the sums
    x, y = _data(samples=50)
    weights = np.linspace(0.5, 1.5, 10)
    model = gw.Sequential([Dense(8, activation="relu", input_shape=(3,), **penalty),
                           Dense(2, activation="softmax")], seed=3)
    model.compile(optimizer=gw.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seen, evaluated = [], []

    def compare(epoch, logs):
        seen.append({key: value for key, value in logs.items() if key.startswith("val_")})
        evaluated.append(model.evaluate(x[40:], y[40:], batch_size=4, sample_weight=weights, verbose=0,
                                        return_dict=True))

    model.fit(x[:40], y[:40], batch_size=4, epochs=3, verbose=0, validation_data=(x[40:], y[40:], weights),
              callbacks=[LambdaCallback(on_epoch_end=compare)])
    assert len(seen) == 3 and len({logs["val_loss"] for logs in seen}) == 3  # the weights moved between epochs
    for logs, values in zip(seen, evaluated):
        assert logs == {f"val_{key}": value for key, value in values.items()}


@pytest.mark.parametrize("kwargs, match", [
    ({"validation_data": (np.zeros((2, 3)),)}, r"`validation_data` must be a tuple \(x_val, y_val\) or .* of length 1"),
    ({"validation_data": (np.zeros((2, 3)), np.zeros(2)), "validation_split": 0.2}, "not both"),
    ({"validation_data": (np.zeros((2, 4)), np.zeros(2))}, r"`validation_data\[0\]` has per-sample shape \(4,\)"),
])
def test_bad_validation_arguments(kwargs, match):
    x, y = _data()
    with pytest.raises(ValueError, match=match):
        _model().fit(x, y, epochs=1, verbose=0, **kwargs)


# ----- the logged learning rate ------------------------------------------------------------------
def test_the_learning_rate_in_effect_is_logged_every_epoch_including_changes_made_by_callbacks():
    x, y = _data()
    model = _model(learning_rate=0.1)

    def halve_after_first(epoch, logs):
        if epoch >= 1:
            model.optimizer.learning_rate = model.optimizer.learning_rate / 2

    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[LambdaCallback(on_epoch_begin=halve_after_first)])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])

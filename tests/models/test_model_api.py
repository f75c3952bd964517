"""The Keras-style model API: add, summary, weights, fit's history, predict, train_on_batch."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import Callback
from gradwise.layers import Dense, Input


def small_model(**compile_kwargs):
    model = gw.Sequential([Dense(5, activation="relu", input_shape=(3,)), Dense(2, activation="softmax")], seed=0)
    model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], **compile_kwargs})
    return model


def test_input_dim_and_add_build_the_model():
    model = gw.Sequential()
    model.add(Dense(4, input_dim=3))
    model.add(Dense(1))
    assert model.built and model.output_shape == (1,)
    assert model.count_params() == 3 * 4 + 4 + 4 + 1


def test_summary_lists_layers_shapes_and_counts():
    lines = []
    model = gw.Sequential([Input((8,)), Dense(32, activation="relu", name="hidden"), Dense(1, name="out")])
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert "hidden (Dense)" in text and "(None, 32)" in text and "288" in text
    assert "out (Dense)" in text and "(None, 1)" in text and "33" in text
    assert "Total params: 321" in text


def test_history_holds_losses_metrics_validation_and_learning_rate(rng):
    model = small_model()
    x, y = rng.normal(size=(50, 3)), rng.integers(0, 2, size=50)
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"}
    assert all(len(values) == 3 for values in history.history.values())
    assert history.history["learning_rate"] == [0.001] * 3
    val_loss, val_accuracy = model.evaluate(x[40:], y[40:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_accuracy)


def test_validation_split_takes_the_last_samples_before_shuffling(rng):
    seen = {}

    class Spy(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.update(logs)

    model = small_model()
    x = rng.normal(size=(20, 3))
    y = np.array([0] * 15 + [1] * 5)
    with pytest.warns(UserWarning, match="hold a single class"):
        model.fit(x, y, epochs=1, validation_split=0.25, verbose=0, callbacks=[Spy()])
    # the last 5 samples are all class 1: validation accuracy is the rate of predicting 1 on them
    predicted = model.predict(x[15:]).argmax(axis=1)
    assert seen["val_accuracy"] == pytest.approx(np.mean(predicted == 1))


def test_sample_and_class_weights_weight_the_loss(rng):
    model = small_model()
    x, y = rng.normal(size=(6, 3)), np.array([0, 1, 0, 1, 1, 0])
    per_sample = gw.losses.get("sparse_categorical_crossentropy").per_sample(y, model.predict(x).astype(np.float64))
    weights = np.array([1.0, 2.0, 0.0, 1.0, 3.0, 1.0])
    assert model.evaluate(x, y, sample_weight=weights, verbose=0)[0] == pytest.approx(np.dot(per_sample, weights) / 6, rel=1e-5)
    loss_class_weighted = model.test_on_batch(x, y, sample_weight=np.where(y == 1, 4.0, 1.0))[0]
    assert loss_class_weighted == pytest.approx(np.dot(per_sample, np.where(y == 1, 4.0, 1.0)) / 6, rel=1e-5)


def test_class_weight_changes_training(rng):
    x, y = rng.normal(size=(40, 3)), rng.integers(0, 2, size=40)
    plain, weighted = small_model(), small_model()
    plain.fit(x, y, epochs=2, verbose=0, shuffle=False)
    weighted.fit(x, y, epochs=2, verbose=0, shuffle=False, class_weight={0: 1.0, 1: 5.0})
    assert not np.allclose(plain.get_weights()[0], weighted.get_weights()[0])


def test_predict_is_batched_and_returns_a_fresh_array(rng):
    model = small_model()
    x = rng.normal(size=(70, 3))
    full = model.predict(x, batch_size=70)
    batched = model.predict(x, batch_size=16)
    np.testing.assert_allclose(full, batched, rtol=1e-6)
    again = model.predict(x[:5])
    np.testing.assert_allclose(full[:5], again, rtol=1e-6)
    assert full.dtype == np.float32
    np.testing.assert_allclose(full.sum(axis=1), 1.0, rtol=1e-5)


def _regularized_convnet():
    from gradwise.layers import Conv2D, Dropout, Flatten, MaxPooling2D

    model = gw.Sequential([
        Input((8, 8, 2)),
        Conv2D(6, 3, activation="relu", kernel_regularizer="l2", activity_regularizer="l1"),
        MaxPooling2D(2),
        Flatten(),
        Dropout(0.5),
        Dense(3, activation="softmax", kernel_regularizer="l1"),
    ], seed=1, dtype="float64")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_evaluate_and_predict_cut_wide_batches_without_changing_results(rng, monkeypatch):
    from gradwise.models import training

    model = _regularized_convnet()
    x, y = rng.normal(size=(50, 8, 8, 2)), rng.integers(0, 3, size=50)
    whole_loss, whole_accuracy = model.evaluate(x, y, batch_size=50, verbose=0)
    whole_predictions = model.predict(x, batch_size=50)
    assert list(model._inference_slices(50, 50)) == [(0, 50)]  # nothing cut at the default bound
    # a bound of 3.5 first-layer outputs (6 x 6 x 6 each): slices of 3 samples
    monkeypatch.setattr(training, "INFERENCE_ELEMENTS", 6 * 6 * 6 * 3 + 100)
    sliced_loss, sliced_accuracy = model.evaluate(x, y, batch_size=50, verbose=0)
    assert max(stop - start for start, stop in model._inference_slices(50, 50)) == 3  # the batch was cut
    np.testing.assert_allclose(sliced_loss, whole_loss, rtol=1e-12)  # penalties included
    assert sliced_accuracy == whole_accuracy
    np.testing.assert_allclose(model.predict(x, batch_size=50), whole_predictions, rtol=1e-12)
    assert model.test_on_batch(x, y)[0] == pytest.approx(whole_loss, rel=1e-12)


def test_evaluating_a_convnet_with_a_huge_batch_stays_within_a_small_budget(rng):
    import tracemalloc

    from gradwise.layers import Conv2D, Flatten

    model = gw.Sequential([Input((28, 28, 1)), Conv2D(32, 3, activation="relu"), Flatten(),
                           Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = rng.random((1024, 28, 28, 1), dtype=np.float32)
    model.predict(x[:8])  # builds the model
    tracemalloc.start()
    try:
        model.predict(x, batch_size=1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # uncut, the conv's pre-activation, activation and flattened copy of 1024 images would be
    # three arrays of 1024 * 26 * 26 * 32 * 4 bytes = 89 MB each (294 MB measured uncut, 72 MB cut)
    assert peak < 120e6, f"predict allocated {peak / 1e6:.0f} MB at its peak"


def test_train_on_batch_updates_the_weights(rng):
    model = small_model()
    before = model.get_weights()
    loss, accuracy = model.train_on_batch(rng.normal(size=(4, 3)), np.array([0, 1, 1, 0]))
    assert np.isfinite(loss) and 0 <= accuracy <= 1
    assert not np.array_equal(before[0], model.get_weights()[0])


def test_get_and_set_weights_round_trip(rng):
    source, target = small_model(), gw.Sequential([Dense(5, activation="relu", input_shape=(3,)), Dense(2, activation="softmax")], seed=9)
    target.set_weights(source.get_weights())
    x = rng.normal(size=(4, 3))
    np.testing.assert_array_equal(source.predict(x), target.predict(x))
    with pytest.raises(ValueError, match="set_weights expected 4 arrays, got 1"):
        target.set_weights([np.ones((3, 5))])


def test_batch_hooks_run_once_per_batch_and_can_stop_training(rng):
    class CountAndStop(Callback):
        batches = 0

        def on_train_batch_end(self, batch, logs=None):
            CountAndStop.batches += 1
            assert "loss" in logs and "accuracy" in logs
            if CountAndStop.batches == 5:
                self.model.stop_training = True

    model = small_model()
    history = model.fit(rng.normal(size=(32, 3)), rng.integers(0, 2, size=32), batch_size=4, epochs=10,
                        verbose=0, callbacks=[CountAndStop()])
    assert CountAndStop.batches == 5
    assert len(history.history["loss"]) == 1


def test_float64_models_compute_in_float64(float64, rng):
    model = small_model()
    assert model.predict(rng.normal(size=(2, 3))).dtype == np.float64
    assert model.parameter_set.values.dtype == np.float64


def test_regularization_penalty_is_part_of_the_reported_loss(rng):
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    plain = gw.Sequential([Input((3,)), Dense(1, kernel_initializer="ones")])
    regularized = gw.Sequential([Input((3,)), Dense(1, kernel_initializer="ones", kernel_regularizer=gw.regularizers.L2(0.5))])
    for model in (plain, regularized):
        model.compile(optimizer="sgd", loss="mse")
    assert regularized.evaluate(x, y, verbose=0) == pytest.approx(plain.evaluate(x, y, verbose=0) + 0.5 * 3, rel=1e-6)


def test_verbose_prints_one_line_per_epoch(rng, capsys):
    model = small_model()
    model.fit(rng.normal(size=(8, 3)), rng.integers(0, 2, size=8), epochs=2, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch")]
    assert len(lines) == 2 and "loss:" in lines[0]


def test_tool_modules_load_on_first_use():
    import subprocess
    import sys

    code = ("import sys, gradwise; assert 'gradwise.doctor' not in sys.modules; "
            "from gradwise import doctor; assert gradwise.doctor.Doctor and gradwise.tuning.Tuner")
    subprocess.run([sys.executable, "-c", code], check=True)

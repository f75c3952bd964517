"""fit, evaluate and predict on generators, iterables and PyDatasets: the same training as arrays,
validation_steps and validation_freq, callbacks and History, and the bad inputs named."""

import threading
import time
import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import LambdaCallback
from gradwise.layers import Dense
from gradwise.utils import PyDataset


def _data(samples=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 3))
    return x, (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64)


def _model(seed=0, built=True):
    first = Dense(8, activation="relu", input_shape=(3,)) if built else Dense(8, activation="relu")
    model = gw.Sequential([first, Dense(2, activation="softmax")], seed=seed, dtype="float64")
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class Batches(PyDataset):
    """Batch i is rows [i * size, (i + 1) * size); records what was asked."""

    def __init__(self, x, y, size, weights=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.size, self.weights = x, y, size, weights
        self.asked, self.epochs_ended, self.threads = [], 0, set()

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, index):
        self.asked.append(index)
        self.threads.add(threading.get_ident())
        part = slice(index * self.size, (index + 1) * self.size)
        if self.weights is not None:
            return self.x[part], self.y[part], self.weights[part]
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def _endless(x, y, size):
    while True:
        for start in range(0, len(x), size):
            yield x[start:start + size], y[start:start + size]


def test_pydataset_without_shuffle_trains_exactly_as_the_arrays():
    x, y = _data()
    by_arrays, by_dataset = _model(), _model()
    expected = by_arrays.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    dataset = Batches(x, y, 16)
    got = by_dataset.fit(dataset, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-12)
    for a, b in zip(by_dataset.get_weights(), by_arrays.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert dataset.asked == [0, 1, 2, 3] * 3 and dataset.epochs_ended == 3


def test_generator_with_steps_per_epoch_trains_as_the_arrays():
    x, y = _data()
    by_arrays, by_generator = _model(), _model()
    expected = by_arrays.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history
    got = by_generator.fit(_endless(x, y, 16), steps_per_epoch=4, epochs=2, verbose=0).history
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-12)
    np.testing.assert_allclose(got["accuracy"], expected["accuracy"])


def test_pydataset_is_shuffled_by_index_each_epoch_reproducibly():
    x, y = _data()
    first, second = Batches(x, y, 8), Batches(x, y, 8)
    _model(seed=3).fit(first, epochs=3, verbose=0)
    _model(seed=3).fit(second, epochs=3, verbose=0)
    assert first.asked == second.asked  # the model's seed orders the batches
    epochs = [first.asked[i * 8:(i + 1) * 8] for i in range(3)]
    assert all(sorted(order) == list(range(8)) for order in epochs)  # every batch once per epoch
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]  # in a new order


def test_workers_build_batches_in_threads_but_hand_them_over_in_order():
    x, y = _data()

    class Slow(Batches):
        def __getitem__(self, index):
            time.sleep(0.002 * (index % 3))  # later batches often finish first
            return super().__getitem__(index)

    threaded = Slow(x, y, 8, workers=3, max_queue_size=4)
    plain = Batches(x, y, 8)
    history_threaded = _model().fit(threaded, epochs=2, shuffle=False, verbose=0).history
    history_plain = _model().fit(plain, epochs=2, shuffle=False, verbose=0).history
    assert history_threaded["loss"] == history_plain["loss"]  # same batches, same order
    assert len(threaded.threads - {threading.get_ident()}) >= 1 and threaded.epochs_ended == 2


def test_steps_per_epoch_takes_the_first_batches_of_each_pass():
    x, y = _data()
    dataset = Batches(x, y, 8)
    history = _model().fit(dataset, epochs=2, steps_per_epoch=3, shuffle=False, verbose=0)
    assert dataset.asked == [0, 1, 2, 0, 1, 2] and len(history.history["loss"]) == 2


def test_iterable_gives_one_pass_per_epoch_and_sample_weights_count():
    x, y = _data()
    weights = np.linspace(0.5, 1.5, len(x))

    class Loader:  # re-iterable, as a data loader: each iter() is a new pass
        def __iter__(self):
            return ((x[i:i + 16], y[i:i + 16], weights[i:i + 16]) for i in range(0, 64, 16))

    batches = Loader()
    by_arrays, by_list = _model(), _model()
    expected = by_arrays.fit(x, y, sample_weight=weights, batch_size=16, epochs=2, shuffle=False, verbose=0)
    got = by_list.fit(batches, epochs=2, verbose=0)
    np.testing.assert_allclose(got.history["loss"], expected.history["loss"], rtol=1e-12)


def test_an_unbuilt_model_builds_from_the_first_batch_and_a_generator_loses_no_batch():
    x, y = _data()
    seen = []
    reference = _model(built=True)
    reference.fit(x[:32], y[:32], batch_size=16, epochs=1, shuffle=False, verbose=0)

    def generator():
        for start in (0, 16):
            seen.append(start)
            yield x[start:start + 16], y[start:start + 16]

    model = _model(built=False)
    model.fit(generator(), steps_per_epoch=2, verbose=0)
    assert model.built and seen == [0, 16]
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_validation_generator_with_validation_steps_and_validation_freq():
    x, y = _data()
    x_val, y_val = _data(32, seed=1)
    model = _model()
    history = model.fit(Batches(x, y, 16), epochs=4, validation_data=_endless(x_val, y_val, 8),
                        validation_steps=4, validation_freq=2, verbose=0).history
    assert len(history["loss"]) == 4 and len(history["val_loss"]) == 2
    # after the last epoch: the same as evaluating the arrays
    expected = model.evaluate(x_val, y_val, return_dict=True, verbose=0)
    assert history["val_loss"][-1] == pytest.approx(expected["loss"], rel=1e-12)


@pytest.mark.parametrize("freq, validated", [(1, [1, 2, 3, 4, 5]), (2, [2, 4]), ([1, 5], [1, 5]), (range(3, 4), [3])])
def test_validation_freq_as_keras(freq, validated):
    x, y = _data()
    epochs_with_val = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: "val_loss" in logs and epochs_with_val.append(epoch + 1))
    _model().fit(x, y, epochs=5, validation_data=(x, y), validation_freq=freq, callbacks=record, verbose=0)
    assert epochs_with_val == validated


def test_callbacks_see_every_batch_and_the_progress_line_counts_the_steps(capsys):
    x, y = _data()
    batches_seen = []
    callback = LambdaCallback(on_train_batch_end=lambda batch, logs: batches_seen.append(batch))
    _model().fit(_endless(x, y, 16), steps_per_epoch=4, epochs=2, callbacks=callback, verbose=2)
    assert batches_seen == [0, 1, 2, 3] * 2
    _model().fit(Batches(x, y, 16), epochs=1, verbose=1)
    assert "4/4 steps" in capsys.readouterr().out


def test_doctor_hook_gets_each_step_of_a_stream():
    x, y = _data()
    steps = []

    class Spy(gw.callbacks.Callback):
        def on_train_step(self, step, step_data):
            steps.append((step, step_data["inputs"].shape, step_data["targets"].shape))

    _model().fit(Batches(x, y, 16), epochs=2, callbacks=[Spy()], verbose=0)
    assert [s for s, _, _ in steps] == list(range(8)) and steps[0][1:] == ((16, 3), (16,))


def test_evaluate_and_predict_on_streams_match_the_arrays():
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, verbose=0)
    expected = model.evaluate(x, y, return_dict=True, verbose=0)
    assert model.evaluate(Batches(x, y, 10), return_dict=True, verbose=0) == pytest.approx(expected, rel=1e-12)
    finite = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))
    assert model.evaluate(finite, return_dict=True, verbose=0) == pytest.approx(expected, rel=1e-12)
    predictions = model.predict(x, verbose=0)
    np.testing.assert_allclose(model.predict(Batches(x, y, 10), verbose=0), predictions, rtol=1e-12)
    np.testing.assert_allclose(model.predict((x[i:i + 8] for i in range(0, 64, 8)), verbose=0), predictions,
                               rtol=1e-12)
    np.testing.assert_allclose(model.predict(_endless(x, y, 16), steps=2, verbose=0), predictions[:32], rtol=1e-12)


def test_class_weight_applies_to_each_batch():
    x, y = _data()
    weights = {0: 0.2, 1: 3.0}
    expected = _model().fit(x, y, batch_size=16, class_weight=weights, epochs=2, shuffle=False, verbose=0)
    got = _model().fit(Batches(x, y, 16), class_weight=weights, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(got.history["loss"], expected.history["loss"], rtol=1e-12)


def test_a_generator_that_runs_out_stops_training_with_a_warning():
    x, y = _data()
    finite = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))
    model = _model()
    with pytest.warns(UserWarning, match=r"ran out of batches at epoch 3/5.*steps_per_epoch \* epochs = 2 \* 5"):
        history = model.fit(finite, steps_per_epoch=2, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 2 and "ran out" in model.stop_reason


# ----- bad input: each names the argument, what was expected and what was received ------------------
def test_changing_feature_width_is_named():
    x, y = _data()

    def widening():
        yield x[:8], y[:8]
        yield np.hstack([x[8:16], x[8:16, :1]]), y[8:16]

    with pytest.raises(ValueError, match=r"fit: `x` \(a generator\) yielded batches of changing shape: batch 2 has "
                                         r"x of per-sample shape \(4,\) \(shape \(8, 4\)\), expected \(3,\)"):
        _model().fit(widening(), steps_per_epoch=2, verbose=0)


def test_empty_pydataset_is_named():
    x, y = _data()
    with pytest.raises(ValueError, match=r"`x` is a Batches \(PyDataset\) whose __len__ is 0: expected a positive "
                                         r"int"):
        _model().fit(Batches(x[:0], y[:0], 8), verbose=0)


def test_endless_generator_without_steps_per_epoch_is_named():
    x, y = _data()
    with pytest.raises(ValueError, match=r"fit: `steps_per_epoch` is required when `x` is a generator.*got None"):
        _model().fit(_endless(x, y, 8), epochs=2, verbose=0)
    with pytest.raises(ValueError, match=r"`validation_steps` is required when `validation_data` is a generator"):
        _model().fit(Batches(x, y, 8), validation_data=_endless(x, y, 8), verbose=0)


@pytest.mark.parametrize("kwargs, message", [
    ({"y": np.zeros(64)}, r"`y` must be None when `x` is a Batches \(PyDataset\)"),
    ({"batch_size": 8}, r"`batch_size` must be None when `x` is"),
    ({"validation_split": 0.2}, r"`validation_split` needs arrays to cut"),
    ({"steps_per_epoch": 0}, r"`steps_per_epoch` must be a positive int or None, got 0"),
    ({"steps_per_epoch": 9}, r"`steps_per_epoch` must be at most len\(`x`\) = 8 for a Batches \(PyDataset\), got 9"),
    ({"validation_freq": 0}, r"`validation_freq` must be a positive int .*got 0"),
    ({"validation_freq": [0, 2]}, r"`validation_freq` must be a positive int .*got \[0, 2\]"),
    ({"validation_steps": 2}, r"`validation_steps` needs `validation_data`"),
])
def test_bad_stream_arguments_are_named(kwargs, message):
    x, y = _data()
    with pytest.raises(ValueError, match=message):
        _model().fit(Batches(x, y, 8), verbose=0, **kwargs)


def test_bad_items_and_bad_batches_are_named():
    x, y = _data()
    with pytest.raises(TypeError, match=r"must yield tuples \(x, y\) or \(x, y, sample_weight\); batch 1 is ndarray"):
        _model().fit(iter([x[:8]]), steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match=r"batch 1 has no y: got a tuple of length 1"):
        _model().fit(iter([(x[:8],)]), steps_per_epoch=1, verbose=0)
    bad = x[:8].copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"`x \(batch 1 of `x`, a generator\)` contains 1 non-finite"):
        _model().fit(iter([(bad, y[:8])]), steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match=r"`x` and `y \(batch 1 of `x`, a generator\)` must have the same number"):
        _model().fit(iter([(x[:8], y[:7])]), steps_per_epoch=1, verbose=0)


def test_steps_with_arrays_are_refused():
    x, y = _data()
    with pytest.raises(ValueError, match=r"fit: `steps_per_epoch` counts the batches of a generator.*got 3"):
        _model().fit(x, y, steps_per_epoch=3, verbose=0)
    with pytest.raises(ValueError, match=r"evaluate: `steps` counts the batches"):
        _model().evaluate(x, y, steps=3, verbose=0)


def test_pydataset_arguments_are_checked():
    with pytest.raises(ValueError, match=r"`workers` must be a positive int, got 0"):
        PyDataset(workers=0)
    with pytest.raises(ValueError, match=r"`use_multiprocessing` must be False, got True"):
        PyDataset(use_multiprocessing=True)
    with pytest.raises(ValueError, match=r"`max_queue_size` must be a positive int, got -1"):
        PyDataset(max_queue_size=-1)


def test_an_error_in_getitem_reaches_fit_and_workers_stop():
    x, y = _data()

    class Broken(Batches):
        def __getitem__(self, index):
            if index == 2:
                raise KeyError("missing file 2")
            return super().__getitem__(index)

    with pytest.raises(KeyError, match="missing file 2"):
        _model().fit(Broken(x, y, 8, workers=2), shuffle=False, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        time.sleep(0.05)
    assert not [t for t in threading.enumerate() if t.name.startswith("gradwise-prefetch")]


def test_a_two_input_model_trains_and_predicts_from_a_generator_as_from_arrays():
    rng = np.random.default_rng(0)
    left, right = rng.normal(size=(48, 3)), rng.normal(size=(48, 2))
    y = (left[:, 0] + right[:, 1] > 0).astype(np.float64)

    def model():
        first, second = gw.layers.Input((3,)), gw.layers.Input((2,))
        merged = gw.layers.Concatenate()([Dense(4, activation="tanh")(first), second])
        built = gw.Model([first, second], Dense(1, activation="sigmoid")(merged), seed=0)
        built.compile(optimizer="sgd", loss="binary_crossentropy")
        return built

    by_arrays, by_generator = model(), model()
    by_generator.set_weights(by_arrays.get_weights())
    expected = by_arrays.fit([left, right], y, batch_size=12, epochs=2, shuffle=False, verbose=0).history
    batches = (([left[i:i + 12], right[i:i + 12]], y[i:i + 12]) for _ in range(2) for i in range(0, 48, 12))
    got = by_generator.fit(batches, steps_per_epoch=4, epochs=2, verbose=0).history
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-6)  # the model computes in float32
    predictions = by_generator.predict([left, right], verbose=0)
    from_stream = by_generator.predict(iter([([left[:20], right[:20]],), ([left[20:], right[20:]],)]), verbose=0)
    np.testing.assert_allclose(from_stream, predictions, rtol=1e-6)

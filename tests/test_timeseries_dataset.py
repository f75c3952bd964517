"""timeseries_dataset_from_array: Keras's windows, targets, bounds and shuffling, and fit on it."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.utils import timeseries_dataset_from_array


def _all(dataset):
    parts = [dataset[index] for index in range(len(dataset))]
    if isinstance(parts[0], tuple):
        return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])
    return np.concatenate(parts), None


def test_keras_docstring_example_non_overlapping_windows():
    x, y = np.arange(100), np.arange(100) * 2
    inputs = timeseries_dataset_from_array(x, None, sequence_length=20, sequence_stride=20)
    targets = timeseries_dataset_from_array(y, None, sequence_length=20, sequence_stride=20)
    first_inputs, first_targets = inputs[0], targets[0]
    np.testing.assert_array_equal(first_inputs[0], x[:20])
    np.testing.assert_array_equal(first_targets[1], y[20:40])
    assert first_inputs.shape == (5, 20)


def test_windows_sampling_rate_and_the_target_of_each_window_start():
    data = np.arange(50).reshape(25, 2)  # two features per step
    targets = np.arange(25) * 10
    dataset = timeseries_dataset_from_array(data, targets, sequence_length=4, sampling_rate=2, sequence_stride=3,
                                            batch_size=3)
    windows, window_targets = _all(dataset)
    starts = np.arange(0, 25 - 3 * 2, 3)
    assert len(windows) == len(starts) == 7
    for window, target, start in zip(windows, window_targets, starts):
        np.testing.assert_array_equal(window, data[start:start + 8:2])
        assert target == targets[start]
    assert [len(dataset[index][0]) for index in range(len(dataset))] == [3, 3, 1]


def test_start_and_end_index_bound_the_steps():
    data = np.arange(30)
    windows, targets = _all(timeseries_dataset_from_array(data, data * 10, sequence_length=5, start_index=10,
                                                          end_index=20, batch_size=100))
    assert windows[0].tolist() == [10, 11, 12, 13, 14] and windows[-1].tolist() == [15, 16, 17, 18, 19]
    np.testing.assert_array_equal(targets, windows[:, 0] * 10)


def test_shuffle_is_seeded_and_keeps_every_window():
    data = np.arange(40)
    ordered, _ = _all(timeseries_dataset_from_array(data, None, sequence_length=3, batch_size=8))
    shuffled, _ = _all(timeseries_dataset_from_array(data, None, sequence_length=3, batch_size=8, shuffle=True,
                                                     seed=3))
    again, _ = _all(timeseries_dataset_from_array(data, None, sequence_length=3, batch_size=8, shuffle=True, seed=3))
    np.testing.assert_array_equal(shuffled, again)
    assert not np.array_equal(shuffled, ordered)
    np.testing.assert_array_equal(shuffled[np.argsort(shuffled[:, 0])], ordered)


def test_unbatched_items_and_iteration():
    dataset = timeseries_dataset_from_array(np.arange(6), np.arange(6), sequence_length=2, batch_size=None)
    items = list(dataset)
    assert len(items) == 5 and items[0][0].tolist() == [0, 1] and items[4][1] == 4


def test_an_lstm_learns_next_step_forecasting_from_it():
    steps = np.arange(600)
    series = np.sin(steps * 0.2)[:, None].astype(np.float32)
    window = 12
    dataset = timeseries_dataset_from_array(series[:-window], series[window:, 0], sequence_length=window,
                                            batch_size=32, shuffle=True, seed=0)
    model = gw.Sequential([gw.Input((window, 1)), gw.layers.LSTM(16), gw.layers.Dense(1)], seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="mse")
    history = model.fit(dataset, epochs=8, verbose=0)
    assert history.history["loss"][-1] < 0.02 < history.history["loss"][0]
    windows, targets = _all(timeseries_dataset_from_array(series[:-window], series[window:, 0],
                                                          sequence_length=window, batch_size=64))
    assert float(np.mean((model.predict(windows, verbose=0)[:, 0] - targets) ** 2)) < 0.02


@pytest.mark.parametrize("arguments, pattern", [
    ({"sequence_length": 0}, "`sequence_length` must be a positive int"),
    ({"sequence_length": 3, "sampling_rate": 2.5}, "`sampling_rate` must be a positive int"),
    ({"sequence_length": 3, "batch_size": -1}, "`batch_size` must be a positive int or None"),
    ({"sequence_length": 3, "start_index": 50}, r"`start_index` must be an int in \[0, 20\]"),
    ({"sequence_length": 3, "start_index": 8, "end_index": 5}, "must be above `start_index`"),
    ({"sequence_length": 30}, "no window fits"),
])
def test_bad_arguments(arguments, pattern):
    with pytest.raises(ValueError, match=pattern):
        timeseries_dataset_from_array(np.arange(20), None, **arguments)

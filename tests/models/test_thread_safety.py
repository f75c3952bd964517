"""predict from several real threads on one model gives the single-thread results, for every layer kind.

Each thread predicts many times in small batches, so calls overlap inside every layer
(the convolution and pooling scratch buffers included) while the others run.
"""

import threading

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D

from ..layers.test_contract import CASES, IDS, case_inputs

THREADS = 4
ROUNDS = 6


def _predict_in_threads(model, x, batch_size):
    """Each thread's predictions, all threads started together."""
    barrier = threading.Barrier(THREADS)
    results = [[] for _ in range(THREADS)]
    errors = []

    def work(index):
        try:
            barrier.wait()
            for _ in range(ROUNDS):
                results[index].append(model.predict(x, batch_size=batch_size, verbose=0))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return [result for per_thread in results for result in per_thread]


@pytest.mark.parametrize("case", [case for case in IDS if case != "input"])  # Input only declares a shape
def test_threads_predict_what_one_thread_predicts(case, rng):
    factory, input_shape = CASES[case]
    model = gw.Sequential([Input(input_shape), factory()], seed=0, dtype="float32")
    x = case_inputs(case, input_shape, 96, seed=0, dtype=np.float32)
    expected = model.predict(x, batch_size=8, verbose=0)
    for result in _predict_in_threads(model, x, batch_size=8):
        np.testing.assert_array_equal(result, expected)


def test_threads_predict_with_a_trained_convnet(rng):
    # the case of issue 13: a convnet whose predictions differed under two threads
    model = gw.Sequential([Input((12, 12, 2)), Conv2D(8, 3, activation="relu", padding="same"), MaxPooling2D(2),
                           Conv2D(8, 3, activation="relu"), Flatten(), Dense(3, activation="softmax")], seed=1)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = rng.normal(size=(200, 12, 12, 2)).astype(np.float32)
    model.fit(x, rng.integers(0, 3, size=200), epochs=1, batch_size=32, verbose=0)
    expected = model.predict(x, batch_size=16, verbose=0)
    for result in _predict_in_threads(model, x, batch_size=16):
        np.testing.assert_array_equal(result, expected)

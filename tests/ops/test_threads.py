"""Batch chunks run in threads give the same numbers as one chunk."""

import numpy as np
import pytest

from gradwise import activations
from gradwise.ops import NumbaOps, get_ops, numba_ops, threads
from gradwise.layers import AveragePooling2D, Conv1D, Conv2D, MaxPooling2D

from ..layers.gradient_check import built


@pytest.fixture
def counted_submissions(monkeypatch):
    """Make every job big enough to split, and count the chunks handed to worker threads."""
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(numba_ops, "POOL_SPLIT_ELEMENTS", 0)
    submitted = []
    real_executor = threads._executor

    class Spy:
        def __init__(self, pool):
            self.pool = pool

        def submit(self, function, start, stop):
            submitted.append((function.__qualname__, start, stop))
            return self.pool.submit(function, start, stop)

    monkeypatch.setattr(threads, "_executor", lambda: Spy(real_executor()))
    return submitted


@pytest.mark.parametrize("factory, shape, splits", [
    # convolutions thread their activation (and numba's kernels their matrix products, whatever the activation,
    # with the activation inside when they have a kernel for it)
    (lambda: Conv2D(4, 3, strides=2, padding="same", activation="relu"), (7, 6, 3), True),
    (lambda: Conv2D(2, 2, dilation_rate=2, activation="tanh"), (6, 6, 2), True),
    (lambda: Conv2D(3, 1, activation="softmax"), (3, 4, 2), True),
    (lambda: Conv2D(3, 2, activation=activations.Softmax(axis=0)), (3, 4, 2), False),  # across the batch
    (lambda: Conv1D(3, 3, padding="causal", activation="elu"), (8, 2), True),
    (lambda: MaxPooling2D(3, strides=2, padding="same"), (7, 6, 3), True),
    (lambda: MaxPooling2D(2), (6, 6, 2), True),
    (lambda: AveragePooling2D(2, padding="same"), (5, 7, 2), True),
])
def test_threaded_chunks_match_a_single_chunk(rng, monkeypatch, counted_submissions, factory, shape, splits):
    inputs = rng.normal(size=(5, *shape))
    results = []
    for threads in ("1", "3"):
        monkeypatch.setenv("GRADWISE_NUM_THREADS", threads)
        layer = built(factory(), shape, seed=4)
        outputs, cache = layer.forward(inputs, training=True)
        forward_submissions = list(counted_submissions)  # one thread submits nothing: these are the last run's
        layer.zero_grads()
        grad_inputs = layer.backward(np.linspace(-1, 1, outputs.size).reshape(outputs.shape), cache)
        results.append([outputs, grad_inputs, *(grad.copy() for grad in layer.grads.values())])
    products = ("NumbaOps._chunked_product.", "NumbaOps._chunked_gradient.", "NumbaOps.scatter_products.",
                "NumbaOps.kernel_and_input_gradients.")
    others = [name for name, _, _ in counted_submissions if not name.startswith(products)]
    forward_others = [name for name, _, _ in forward_submissions if not name.startswith(products)]
    # numba's kernels compute an activation they have inside their products' batch parts (forward; backward
    # makes dz whole in threads first, then both gradients go over batch parts together)
    ops = get_ops()
    inside_products = isinstance(ops, NumbaOps) and getattr(layer, "_fused_activation", False) and \
        ops._kernels(layer.activation) is not None and layer.activation.name != "softmax"
    assert bool(forward_others) == (splits and not inside_products)
    assert bool(others) == splits
    assert all(stop > start for _, start, stop in counted_submissions)
    if inside_products:
        assert any(name.startswith(products[:2]) for name, _, _ in counted_submissions)
    for single, threaded in zip(*results):
        np.testing.assert_array_equal(single, threaded)


def test_thread_count_follows_the_environment(monkeypatch):
    for name in threads._ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    assert threads.thread_count() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert threads.thread_count() == 2
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "1")
    assert threads.thread_count() == 1
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "zero")  # not a positive integer: skipped
    assert threads.thread_count() == 2


def test_small_jobs_and_one_thread_run_inline(monkeypatch):
    calls = []
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "4")
    threads.over_batch(lambda start, stop: calls.append((start, stop)), 8, elements=10)
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "1")
    threads.over_batch(lambda start, stop: calls.append((start, stop)), 8, elements=10**9)
    assert calls == [(0, 8), (0, 8)]
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "3")
    threads.over_batch(lambda start, stop: calls.append((start, stop)), 8, elements=10**9)
    assert sorted(calls[2:]) == [(0, 2), (2, 5), (5, 8)]


def test_chunk_count_is_capped_by_the_job_size(monkeypatch):
    calls = []
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "8")
    threads.over_batch(lambda start, stop: calls.append((start, stop)), 100, elements=3 * threads.MIN_ELEMENTS)
    assert sorted(calls) == [(0, 33), (33, 66), (66, 100)]


def test_map_batch_equals_one_call(monkeypatch):
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "3")
    inputs = np.arange(-10.0, 10.0).reshape(5, 4)
    threaded = threads.map_batch(lambda x, y: np.tanh(x) * y, inputs, inputs + 1)
    np.testing.assert_array_equal(threaded, np.tanh(inputs) * (inputs + 1))



def test_map_batch_pieces_cover_each_thread_chunk(monkeypatch):
    # 3 threads over 7 samples, each calling the function on at most 2 samples at a time
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(threads, "MAP_ELEMENTS", 2 * 4)
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "3")
    inputs = np.arange(-14.0, 14.0).reshape(7, 4)
    sizes = []

    def scaled(x):
        sizes.append(len(x))
        return x * 3.0

    np.testing.assert_array_equal(threads.map_batch(scaled, inputs), inputs * 3.0)
    assert sorted(sizes) == [1, 2, 2, 2]  # thread chunks of 2, 2 and 3 samples; the 3 as 2 + 1

def test_worker_threads_are_kept_between_calls(monkeypatch):
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "4")
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    threads.over_batch(lambda start, stop: None, 8, elements=2)  # two chunks
    pool = threads._pool
    threads.over_batch(lambda start, stop: None, 8, elements=100)  # four chunks
    assert pool is not None and threads._pool is pool

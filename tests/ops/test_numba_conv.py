"""numba's im2col / col2im convolution path against NumPy's: bit-identical outputs and
gradients for every padding, stride and dilation (the matrix products are the same BLAS
calls on the same chunks; the copies are exact and col2im adds in NumPy's order)."""

import numpy as np
import pytest

from gradwise.layers import Conv1D, Conv2D
from gradwise.ops import NumbaOps, NumpyOps, conv, use_ops
from gradwise.ops.buffers import BufferPool

from ..layers.gradient_check import built

NUMPY, NUMBA = NumpyOps(), NumbaOps()

# (layer, per-sample input shape): valid/same/causal padding, strides, dilation, 1 and many channels
LAYERS = [
    (lambda: Conv2D(4, 3, activation="relu"), (7, 6, 1)),
    (lambda: Conv2D(5, 3, padding="same"), (6, 7, 3)),
    (lambda: Conv2D(3, (3, 2), strides=2, padding="same", activation="relu"), (7, 6, 2)),
    (lambda: Conv2D(4, 3, strides=(1, 2), use_bias=False), (8, 9, 2)),
    (lambda: Conv2D(3, 3, dilation_rate=2, padding="same"), (8, 7, 2)),
    (lambda: Conv2D(2, (2, 3), dilation_rate=(1, 2)), (6, 9, 3)),
    (lambda: Conv1D(3, 3, padding="causal", dilation_rate=2), (9, 2)),
    (lambda: Conv1D(4, 5, strides=2, padding="same"), (11, 3)),
]


def _run(ops, layer, inputs, upstream):
    with use_ops(ops):
        outputs, cache = layer.forward(inputs, training=True)
        grad_inputs = layer.backward(upstream, cache)
    return outputs, grad_inputs, {name: grad.copy() for name, grad in layer.grads.items()}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make, shape", LAYERS)
def test_convolution_forward_and_backward_are_bit_identical(rng, make, shape, dtype):
    layer = built(make(), shape, dtype=dtype)
    inputs = rng.normal(size=(6, *shape)).astype(dtype)
    upstream = rng.normal(size=(6, *layer.output_shape)).astype(dtype)
    expected = _run(NUMPY, layer, inputs, upstream)
    got = _run(NUMBA, layer, inputs, upstream)
    for array, reference in zip(got[:2], expected[:2]):
        assert array.dtype == reference.dtype and array.shape == reference.shape
        np.testing.assert_array_equal(array, reference)
    for name in expected[2]:
        np.testing.assert_array_equal(got[2][name], expected[2][name])


@pytest.mark.parametrize("chunk_elements", [1, 40])  # one sample per chunk; uneven chunks
def test_chunked_batches_are_bit_identical(rng, monkeypatch, chunk_elements):
    monkeypatch.setattr(conv, "COLUMN_ELEMENTS", chunk_elements * 10)
    monkeypatch.setattr(conv, "CHUNK_ELEMENTS", chunk_elements * 9 * 2)
    layer = built(Conv2D(3, 3, padding="same"), (5, 6, 2), dtype=np.float32)
    inputs = rng.normal(size=(5, 5, 6, 2)).astype(np.float32)
    upstream = rng.normal(size=(5, 5, 6, 3)).astype(np.float32)
    expected, got = _run(NUMPY, layer, inputs, upstream), _run(NUMBA, layer, inputs, upstream)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


def test_inputs_of_another_dtype_are_cast_as_numpy_casts_them(rng):
    layer = built(Conv2D(3, 3, padding="same"), (5, 5, 2), dtype=np.float32)
    inputs = rng.normal(size=(4, 5, 5, 2))  # float64 into a float32 layer
    with use_ops(NUMPY):
        expected = layer.forward(inputs)[0]
    with use_ops(NUMBA):
        got = layer.forward(inputs)[0]
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_the_kernels_run_without_the_padded_buffers(rng):
    # NumPy's path reads the zero-bordered `padded` copy and writes `grad_padded`; numba's
    # pads on the fly. NaN-filled buffers show which path ran: the results carry no NaN and
    # the buffers stay untouched.
    images = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    weights = rng.normal(size=(27, 5)).astype(np.float32)
    pads, out, kernel, ones = ((1, 1), (1, 1)), (4, 4), (3, 3), (1, 1)
    padded = np.full((2, 6, 6, 3), np.nan, dtype=np.float32)
    buffer = np.empty((2, 4, 4, 27), dtype=np.float32)
    outputs = NUMBA.columns_product(images, padded, buffer, weights, pads, out, kernel, ones, ones)
    expected_buffer = np.empty_like(buffer)
    expected = NUMPY.columns_product(images, np.zeros_like(padded), expected_buffer, weights, pads, out, kernel,
                                     ones, ones)
    np.testing.assert_array_equal(outputs, expected)
    assert np.isnan(padded).all()

    grad = rng.normal(size=(32, 5)).astype(np.float32)
    kernel_t = np.ascontiguousarray(weights.reshape(9, 3, 5).transpose(0, 2, 1))
    grad_padded = np.full((2, 6, 6, 3), np.nan, dtype=np.float32)
    grad_inputs, expected_grad = np.empty_like(images), np.empty_like(images)
    NUMBA.scatter_products(grad, kernel_t, grad_padded, grad_inputs, pads, out, kernel, ones, ones, BufferPool())
    NUMPY.scatter_products(grad, kernel_t, np.empty_like(grad_padded), expected_grad, pads, out, kernel, ones, ones,
                           BufferPool())
    np.testing.assert_array_equal(grad_inputs, expected_grad)
    assert np.isnan(grad_padded).all()


@pytest.mark.parametrize("make, shape", LAYERS[:3] + LAYERS[-1:])
def test_batch_parts_in_threads_are_bit_identical(rng, monkeypatch, make, shape):
    # several threads, each with a part of the batch and one BLAS thread; the kernel gradient's
    # row chunks shared among them and summed in NumPy's order
    from gradwise.ops import threads

    monkeypatch.setenv("GRADWISE_NUM_THREADS", "3")
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(conv, "GRADIENT_ROWS", 16)
    monkeypatch.setattr(conv, "COLUMN_ELEMENTS", 200)
    layer = built(make(), shape, dtype=np.float32)
    inputs = rng.normal(size=(7, *shape)).astype(np.float32)
    upstream = rng.normal(size=(7, *layer.output_shape)).astype(np.float32)
    submitted = []
    real_run = threads._run

    def recorded_run(function, bounds):
        submitted.append((function.__qualname__, len(bounds)))
        real_run(function, bounds)

    monkeypatch.setattr(threads, "_run", recorded_run)
    got = _run(NUMBA, layer, inputs, upstream)
    kernels = sorted(name.split(".")[1] for name, count in submitted if name.startswith("NumbaOps.") and count == 4)
    assert kernels == ["columns_gradient", "columns_product", "scatter_products"]
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "1")
    expected = _run(NUMPY, layer, inputs, upstream)
    for array, reference in zip(got[:2], expected[:2]):
        np.testing.assert_array_equal(array, reference)
    for name in expected[2]:
        np.testing.assert_array_equal(got[2][name], expected[2][name])

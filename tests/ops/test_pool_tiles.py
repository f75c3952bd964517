"""Pooling whose windows tile the input (strides == pool_size, 'valid'): the seam's tile_pool (gradwise.ops.pool_tiles)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D
from gradwise.ops import numba_ops, pool_tiles, threads

from ..layers.gradient_check import built, check_layer_gradients


def tied(rng, shape):
    """ReLU of small integers: most windows hold several equal maxima, many of them 0."""
    return np.maximum(rng.integers(-2, 3, size=shape), 0).astype(np.float64)


def torch_run(function, inputs, upstream, axes=(0, 3, 1, 2)):
    """Outputs and input gradient of torch's `function` on channels-last `inputs`."""
    back = tuple(np.argsort(axes))
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(axes))).requires_grad_(True)
    y = function(x)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(axes))))
    return y.detach().numpy().transpose(back), x.grad.numpy().transpose(back)


def run(layer, inputs, upstream):
    outputs, cache = layer.forward(inputs, training=True)
    return outputs, layer.backward(upstream, cache)


@pytest.fixture(params=["whole", "one sample per scratch step, two threads"])
def chunking(request, monkeypatch):
    """Run once as one chunk and once split into per-sample scratch steps over two threads."""
    if request.param != "whole":
        monkeypatch.setattr(pool_tiles, "SCRATCH_ELEMENTS", 1)
        monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
        monkeypatch.setattr(numba_ops, "POOL_SPLIT_ELEMENTS", 1)
        monkeypatch.setenv("GRADWISE_NUM_THREADS", "2")
    return request.param


# (pool_size, per-sample input shape): some leave rows / columns that no window reaches
TILING_CASES = [(2, (6, 6, 3)), (2, (7, 9, 2)), (3, (8, 7, 2)), ((2, 3), (5, 8, 2)), ((1, 2), (3, 5, 2))]


@pytest.mark.parametrize("pool_size, shape", TILING_CASES)
def test_max_ties_go_where_torch_sends_them(rng, chunking, pool_size, shape):
    inputs = tied(rng, (5, *shape))
    layer = built(MaxPooling2D(pool_size), shape)
    upstream = rng.normal(size=(5, *layer.output_shape))
    outputs, grad_inputs = run(layer, inputs, upstream)
    expected_outputs, expected_grad = torch_run(lambda x: F.max_pool2d(x, pool_size), inputs, upstream)
    np.testing.assert_array_equal(outputs, expected_outputs)
    np.testing.assert_array_equal(grad_inputs, expected_grad)


def test_max_ties_by_hand():
    # one 2x3 window per sample; its maxima (the 5s) sit at the offsets listed
    windows = {(0, 1): [[1, 5, 5], [5, 0, 5]], (1, 0): [[0, 1, 2], [5, 5, 3]], (0, 0): [[5, 5, 5], [5, 5, 5]]}
    inputs = np.array([values for values in windows.values()], dtype=np.float64)[..., None]
    layer = built(MaxPooling2D((2, 3)), (2, 3, 1))
    _, grad_inputs = run(layer, inputs, np.full((3, 1, 1, 1), 7.0))
    expected = np.zeros_like(inputs)
    for sample, (row, col) in enumerate(windows):
        expected[sample, row, col] = 7.0
    np.testing.assert_array_equal(grad_inputs, expected)


@pytest.mark.parametrize("pool_size, steps", [(2, 8), (2, 9), (3, 10)])
def test_1d_max_ties_go_where_torch_sends_them(rng, chunking, pool_size, steps):
    inputs = tied(rng, (4, steps, 3))
    layer = built(MaxPooling1D(pool_size), (steps, 3))
    upstream = rng.normal(size=(4, *layer.output_shape))
    outputs, grad_inputs = run(layer, inputs, upstream)
    expected_outputs, expected_grad = torch_run(lambda x: F.max_pool1d(x, pool_size), inputs, upstream, (0, 2, 1))
    np.testing.assert_array_equal(outputs, expected_outputs)
    np.testing.assert_array_equal(grad_inputs, expected_grad)


@pytest.mark.parametrize("pool_size, shape", TILING_CASES)
def test_average_matches_torch(rng, chunking, pool_size, shape):
    inputs = rng.normal(size=(5, *shape))
    layer = built(AveragePooling2D(pool_size), shape)
    upstream = rng.normal(size=(5, *layer.output_shape))
    outputs, grad_inputs = run(layer, inputs, upstream)
    expected_outputs, expected_grad = torch_run(lambda x: F.avg_pool2d(x, pool_size), inputs, upstream)
    np.testing.assert_allclose(outputs, expected_outputs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, expected_grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layer_class", [MaxPooling2D, AveragePooling2D])
def test_gradients_match_finite_differences_when_chunked(rng, chunking, layer_class):
    inputs = rng.permutation(3 * 5 * 7 * 2).reshape(3, 5, 7, 2) * 0.01 - 1.0  # untied, 0.01 apart
    check_layer_gradients(built(layer_class(2), (5, 7, 2)), inputs, rng)


def test_1d_average_matches_torch(rng, chunking):
    inputs = rng.normal(size=(3, 9, 2))
    layer = built(AveragePooling1D(2), (9, 2))
    upstream = rng.normal(size=(3, *layer.output_shape))
    outputs, grad_inputs = run(layer, inputs, upstream)
    expected_outputs, expected_grad = torch_run(lambda x: F.avg_pool1d(x, 2), inputs, upstream, (0, 2, 1))
    np.testing.assert_allclose(outputs, expected_outputs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, expected_grad, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32(rng):
    inputs = tied(rng, (2, 4, 4, 2)).astype(np.float32)
    layer = built(MaxPooling2D(2), (4, 4, 2), dtype=np.float32)
    outputs, grad_inputs = run(layer, inputs, np.ones((2, 2, 2, 2), dtype=np.float32))
    assert outputs.dtype == grad_inputs.dtype == np.float32

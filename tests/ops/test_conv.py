"""Convolutions computed over batch chunks: gradwise.ops.conv.columns_product (forward) and
scatter_products (input gradient)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import Conv1D, Conv2D
from gradwise.ops import conv as conv_kernels

from ..layers.gradient_check import built


def torch_conv(layer, inputs, upstream, pad):
    """conv(inputs) and d(sum(upstream * conv(inputs)))/d inputs from torch, channels last, with
    Keras' padding given as (left, right, top, bottom)."""
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(0, 3, 1, 2))).requires_grad_(True)
    kernel = torch.from_numpy(np.ascontiguousarray(layer.params["kernel"].transpose(3, 2, 0, 1)))
    y = F.conv2d(F.pad(x, pad), kernel, stride=layer.strides, dilation=layer.dilation_rate)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 3, 1, 2))))
    return y.detach().numpy().transpose(0, 2, 3, 1), x.grad.numpy().transpose(0, 2, 3, 1)


# (kernel_size, strides, padding, dilation_rate, per-sample input shape, torch padding (l, r, t, b))
CASES = [
    (3, 1, "valid", 1, (7, 6, 3), (0, 0, 0, 0)),
    (3, 1, "same", 1, (6, 7, 2), (1, 1, 1, 1)),
    (3, 2, "same", 1, (6, 7, 2), (1, 1, 0, 1)),
    (3, 1, "valid", 2, (8, 7, 2), (0, 0, 0, 0)),
]


@pytest.mark.parametrize("chunk_elements", [1, 40, 1 << 19])  # one sample per chunk, uneven chunks, whole batch
@pytest.mark.parametrize("kernel_size, strides, padding, dilation, shape, pad", CASES)
def test_chunked_convolution_matches_torch(rng, monkeypatch, chunk_elements, kernel_size, strides, padding,
                                           dilation, shape, pad):
    monkeypatch.setattr(conv_kernels, "COLUMN_ELEMENTS", chunk_elements * 10)
    monkeypatch.setattr(conv_kernels, "CHUNK_ELEMENTS", chunk_elements * 9 * 2)
    layer = built(Conv2D(4, kernel_size, strides=strides, padding=padding, dilation_rate=dilation, use_bias=False),
                  shape)
    inputs = rng.normal(size=(5, *shape))
    upstream = rng.normal(size=(5, *layer.output_shape))
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    expected_outputs, expected_grad = torch_conv(layer, inputs, upstream, pad)
    np.testing.assert_allclose(outputs, expected_outputs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, expected_grad, rtol=1e-10, atol=1e-12)


def test_chunks_cover_the_batch_exactly(rng, monkeypatch):
    # chunks of 2 samples over a batch of 5: the last chunk is short, and every sample is written once
    layer = built(Conv1D(3, 3, padding="causal"), (6, 2))
    inputs, upstream = rng.normal(size=(5, 6, 2)), rng.normal(size=(5, 6, 3))
    outputs, cache = layer.forward(inputs, training=True)
    whole = outputs, layer.backward(upstream, cache)
    monkeypatch.setattr(conv_kernels, "COLUMN_ELEMENTS", 2 * 6 * (3 * 2 + 1))  # rows * (columns + bias) per sample
    monkeypatch.setattr(conv_kernels, "CHUNK_ELEMENTS", 2 * 3 * 6 * 2)  # offsets * rows * channels per sample
    for batch in (5, 1):  # 1: a batch smaller than one chunk
        outputs, cache = layer.forward(inputs[:batch], training=True)
        np.testing.assert_allclose(outputs, whole[0][:batch], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.backward(upstream[:batch], cache), whole[1][:batch], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("gradient_rows", [1, 7, 2048])  # a row per product, uneven chunks, one product
def test_kernel_gradient_over_row_chunks_is_the_whole_product(rng, monkeypatch, dtype, gradient_rows):
    monkeypatch.setattr(conv_kernels, "GRADIENT_ROWS", gradient_rows)
    cols, grad = rng.normal(size=(50, 10)).astype(dtype), rng.normal(size=(50, 4)).astype(dtype)
    exact = cols.astype(np.float64).T @ grad.astype(np.float64)
    scale = (np.abs(cols).T @ np.abs(grad)).max()  # the size of the terms summed
    tolerance = 1e-6 if dtype == np.float32 else 1e-14
    out = np.full((10, 4), np.nan, dtype=dtype)
    assert conv_kernels.columns_gradient(cols, grad, out) is out
    assert out.dtype == dtype
    np.testing.assert_allclose(out, exact, rtol=0, atol=tolerance * scale)
    before = out.copy()
    conv_kernels.columns_gradient(cols, grad, out, accumulate=True)
    np.testing.assert_allclose(out, before + exact, rtol=0, atol=3 * tolerance * scale)
    again = np.empty_like(out)
    np.testing.assert_array_equal(conv_kernels.columns_gradient(cols, grad, again), before)  # same each run


@pytest.mark.parametrize("use_bias", [True, False])
def test_chunked_kernel_gradient_matches_torch(rng, monkeypatch, use_bias):
    # 5 samples of 6x7 positions: 210 rows, in chunks of 16 (the last one short)
    monkeypatch.setattr(conv_kernels, "GRADIENT_ROWS", 16)
    layer = built(Conv2D(4, 3, padding="same", use_bias=use_bias), (6, 7, 2))
    inputs, upstream = rng.normal(size=(5, 6, 7, 2)), rng.normal(size=(5, 6, 7, 4))
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(0, 3, 1, 2)))
    kernel = torch.from_numpy(np.ascontiguousarray(layer.params["kernel"].transpose(3, 2, 0, 1))).requires_grad_(True)
    bias = torch.zeros(4, dtype=torch.float64, requires_grad=True) if use_bias else None
    F.conv2d(F.pad(x, (1, 1, 1, 1)), kernel, bias).backward(
        torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 3, 1, 2))))
    expected_kernel = kernel.grad.numpy().transpose(2, 3, 1, 0)
    for accumulate, times in ((False, 1), (True, 2)):  # accumulate: a second backward adds the same again
        layer.backward(upstream, layer.forward(inputs, training=True)[1], accumulate=accumulate)
        np.testing.assert_allclose(layer.grads["kernel"], times * expected_kernel, rtol=1e-10, atol=1e-12)
        if use_bias:
            np.testing.assert_allclose(layer.grads["bias"], times * bias.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_live_extent_leaves_out_trailing_rows_and_columns_with_no_gradient(rng):
    grad = rng.normal(size=(3, 6, 5, 2))
    assert conv_kernels.live_extent(grad) == (6, 5)
    grad[:, 4:] = 0  # the last two rows, every sample
    grad[:, :, 4] = 0
    assert conv_kernels.live_extent(grad) == (4, 4)
    grad[1, 4, 0, 1] = -0.5  # one value in one sample keeps its row (and, by then, all columns up to it)
    assert conv_kernels.live_extent(grad) == (5, 4)
    grad[2, 0, 4, 0] = 1.0
    assert conv_kernels.live_extent(grad) == (5, 5)
    assert conv_kernels.live_extent(np.zeros((2, 3, 4, 1))) == (1, 1)
    grad[:, 1, 1, 1] = np.nan  # NaN is not zero: kept
    grad[:, 2:] = 0
    grad[:, :, 2:] = 0
    assert conv_kernels.live_extent(grad) == (2, 2)


@pytest.mark.parametrize("ops_name", ["numpy", "numba"])
@pytest.mark.parametrize("kernel_size, strides, padding, dilation, shape, pad", CASES)
def test_input_gradient_without_the_dead_last_row_and_column_matches_torch(rng, ops_name, kernel_size, strides,
                                                                          padding, dilation, shape, pad):
    # as under a 'valid' 2x2 pooling of an odd-sized output: the last row and column get no
    # gradient, and the products leave them out
    from gradwise.ops import NumbaOps, NumpyOps, use_ops

    layer = built(Conv2D(4, kernel_size, strides=strides, padding=padding, dilation_rate=dilation), shape)
    inputs = rng.normal(size=(5, *shape))
    upstream = rng.normal(size=(5, *layer.output_shape))
    upstream[:, -1] = 0
    upstream[:, :, -1] = 0
    assert conv_kernels.live_extent(upstream) == (layer.output_shape[0] - 1, layer.output_shape[1] - 1)
    ops = NumpyOps() if ops_name == "numpy" else NumbaOps()
    extents, gradients = [], ops.kernel_and_input_gradients

    def recorded(grad, cols, images, kernel_t, grad_weights, accumulate, grad_padded, grad_inputs, pads, out_size,
                 live, *rest):
        extents.append((grad.shape, out_size, live))
        return gradients(grad, cols, images, kernel_t, grad_weights, accumulate, grad_padded, grad_inputs, pads,
                         out_size, live, *rest)

    ops.kernel_and_input_gradients = recorded
    with use_ops(ops):
        outputs, cache = layer.forward(inputs, training=True)
        grad_inputs = layer.backward(upstream, cache)
    out = layer.output_shape[:2]
    live = (out[0] - 1, out[1] - 1)
    assert extents == [((5 * live[0] * live[1], 4), out, live)]  # the products skip the dead row and column
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(0, 3, 1, 2)))
    kernel = torch.from_numpy(np.ascontiguousarray(layer.params["kernel"].transpose(3, 2, 0, 1))).requires_grad_(True)
    bias = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    F.conv2d(F.pad(x, pad), kernel, bias, stride=layer.strides, dilation=layer.dilation_rate).backward(
        torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 3, 1, 2))))
    _, expected_grad = torch_conv(layer, inputs, upstream, pad)
    np.testing.assert_allclose(grad_inputs, expected_grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], kernel.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], bias.grad.numpy(), rtol=1e-10, atol=1e-12)

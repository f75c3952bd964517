import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import gradwise as gw
from gradwise.layers import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
                             GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D)

from .gradient_check import built, check_layer_gradients


def untied(rng, shape):
    """Distinct values at least 0.01 apart: no window has a tie, and eps never changes its maximum."""
    return rng.permutation(math.prod(shape)).reshape(shape) * 0.01 - 1.0


# (pool_size, strides, padding, per-sample input shape)
CASES_2D = [
    (2, None, "valid", (6, 4, 2)),  # non-overlapping, divisible
    (2, None, "valid", (5, 7, 2)),  # non-overlapping, a leftover row and column
    (3, 2, "valid", (7, 6, 2)),  # overlapping
    (3, 1, "valid", (5, 5, 1)),
    (2, None, "same", (5, 5, 2)),  # extra padding at the bottom/right
    (3, 2, "same", (6, 5, 2)),
    (3, None, "same", (7, 8, 1)),
    ((2, 3), (1, 2), "same", (4, 7, 2)),
    ((3, 1), (2, 1), "valid", (7, 3, 2)),
    ((5, 3), 1, "same", (1, 2, 2)),  # offsets whose element is padding for every window
]


@pytest.mark.parametrize("layer_class", [MaxPooling2D, AveragePooling2D])
@pytest.mark.parametrize("pool_size, strides, padding, shape", CASES_2D)
def test_2d_gradients_match_finite_differences(rng, layer_class, pool_size, strides, padding, shape):
    layer = built(layer_class(pool_size, strides=strides, padding=padding), shape)
    check_layer_gradients(layer, untied(rng, (2, *shape)), rng)


@pytest.mark.parametrize("layer_class", [MaxPooling1D, AveragePooling1D])
@pytest.mark.parametrize("pool_size, strides, padding, steps", [
    (2, None, "valid", 8), (2, None, "valid", 7), (3, 2, "valid", 9), (2, None, "same", 7), (3, 2, "same", 8),
    (4, 1, "same", 6),
])
def test_1d_gradients_match_finite_differences(rng, layer_class, pool_size, strides, padding, steps):
    layer = built(layer_class(pool_size, strides=strides, padding=padding), (steps, 3))
    check_layer_gradients(layer, untied(rng, (2, steps, 3)), rng)


@pytest.mark.parametrize("layer_class, shape", [
    (GlobalAveragePooling2D, (3, 4, 2)), (GlobalMaxPooling2D, (3, 4, 2)),
    (GlobalAveragePooling1D, (5, 3)), (GlobalMaxPooling1D, (5, 3)),
])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_gradients_match_finite_differences(rng, layer_class, shape, keepdims):
    layer = built(layer_class(keepdims=keepdims), shape)
    rank = len(shape) - 1
    assert layer.output_shape == ((1,) * rank + shape[-1:] if keepdims else shape[-1:])
    check_layer_gradients(layer, untied(rng, (3, *shape)), rng)


def nchw(array):
    return torch.from_numpy(np.ascontiguousarray(array.transpose(0, 3, 1, 2))).requires_grad_(True)


def nhwc(tensor):
    return tensor.detach().numpy().transpose(0, 2, 3, 1)


def run(layer, inputs, upstream):
    outputs, cache = layer.forward(inputs, training=True)
    return outputs, layer.backward(upstream, cache)


def check_against(layer, inputs, rng, reference):
    """Outputs and input gradients against `reference(x_nchw)` through torch autograd."""
    upstream = rng.normal(size=(inputs.shape[0], *layer.output_shape))
    outputs, grad_inputs = run(layer, inputs, upstream)
    x = nchw(inputs)
    y = reference(x)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 3, 1, 2))))
    np.testing.assert_allclose(outputs, nhwc(y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, nhwc(x.grad), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pool_size, strides, shape", [(2, 2, (6, 6, 3)), (2, 2, (7, 5, 2)), (3, 2, (9, 8, 2)),
                                                        (3, 1, (5, 6, 2)), ((2, 3), (1, 2), (6, 7, 2))])
def test_valid_matches_torch(rng, pool_size, strides, shape):
    inputs = untied(rng, (3, *shape))
    check_against(built(MaxPooling2D(pool_size, strides), shape), inputs, rng,
                  lambda x: F.max_pool2d(x, pool_size, strides))
    check_against(built(AveragePooling2D(pool_size, strides), shape), inputs, rng,
                  lambda x: F.avg_pool2d(x, pool_size, strides))


@pytest.mark.parametrize("pool_size", [3, 5])
def test_odd_same_with_stride_1_matches_torch_symmetric_padding(rng, pool_size):
    # here Keras' padding is symmetric, (pool - 1) / 2 each side; torch pads max pooling with -inf, and
    # count_include_pad=False averages over real elements only, as Keras does
    shape, pad = (6, 7, 2), pool_size // 2
    inputs = untied(rng, (2, *shape))
    check_against(built(MaxPooling2D(pool_size, 1, padding="same"), shape), inputs, rng,
                  lambda x: F.max_pool2d(x, pool_size, 1, padding=pad))
    check_against(built(AveragePooling2D(pool_size, 1, padding="same"), shape), inputs, rng,
                  lambda x: F.avg_pool2d(x, pool_size, 1, padding=pad, count_include_pad=False))


def keras_same_padding(size, pool, stride):
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + pool - size, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize("pool_size, strides, shape", [(2, 2, (5, 7, 2)), (3, 2, (6, 8, 2)), (3, 3, (7, 8, 2)),
                                                        (4, 1, (5, 6, 1))])
def test_asymmetric_same_matches_torch_with_keras_padding(rng, pool_size, strides, shape):
    top, bottom = keras_same_padding(shape[0], pool_size, strides)
    left, right = keras_same_padding(shape[1], pool_size, strides)
    pad = (left, right, top, bottom)
    inputs = untied(rng, (2, *shape))

    def max_reference(x):
        return F.max_pool2d(F.pad(x, pad, value=-math.inf), pool_size, strides)

    def average_reference(x):
        # window sums over zero padding, divided by how many real elements each window holds
        area = pool_size * pool_size
        sums = F.avg_pool2d(F.pad(x, pad), pool_size, strides) * area
        counts = F.avg_pool2d(F.pad(torch.ones_like(x), pad), pool_size, strides) * area
        return sums / counts

    check_against(built(MaxPooling2D(pool_size, strides, padding="same"), shape), inputs, rng, max_reference)
    check_against(built(AveragePooling2D(pool_size, strides, padding="same"), shape), inputs, rng,
                  average_reference)


def test_same_padding_by_hand():
    image = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # rows 1 2 3 / 4 5 6 / 7 8 9
    # pool 2, stride 2, 'same': out 2x2, one padded row and column after the image
    average = built(AveragePooling2D(2, padding="same"), (3, 3, 1)).forward(image)[0][0, :, :, 0]
    np.testing.assert_array_equal(average, [[(1 + 2 + 4 + 5) / 4, (3 + 6) / 2], [(7 + 8) / 2, 9]])
    # negative values: a zero padding would win the maximum, -inf padding never does
    maximum = built(MaxPooling2D(2, padding="same"), (3, 3, 1)).forward(-image)[0][0, :, :, 0]
    np.testing.assert_array_equal(maximum, [[-1, -3], [-7, -9]])
    steps = np.array([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(1, 5, 1)
    np.testing.assert_array_equal(built(AveragePooling1D(2, padding="same"), (5, 1)).forward(steps)[0][0, :, 0],
                                  [1.5, 3.5, 5])


def test_max_gradient_goes_to_one_element_per_window_on_ties(rng):
    inputs = np.zeros((1, 4, 4, 2))
    layer = built(MaxPooling2D(2), (4, 4, 2))
    upstream = rng.normal(size=(1, 2, 2, 2))
    _, grad_inputs = run(layer, inputs, upstream)
    # like PyTorch: the first maximal element (top-left) of each window takes the whole gradient
    expected = np.zeros_like(inputs)
    expected[:, ::2, ::2] = upstream
    np.testing.assert_array_equal(grad_inputs, expected)
    x = nchw(inputs)
    F.max_pool2d(x, 2).backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 3, 1, 2))))
    np.testing.assert_array_equal(grad_inputs, nhwc(x.grad))
    # overlapping 3x3 windows at stride 1: each window's own top-left element
    _, grad_inputs = run(built(MaxPooling2D(3, strides=1), (4, 4, 2)), inputs, upstream)
    expected = np.zeros_like(inputs)
    expected[:, :2, :2] = upstream
    np.testing.assert_array_equal(grad_inputs, expected)


def test_1d_matches_torch(rng):
    inputs = untied(rng, (2, 9, 3))
    upstream = rng.normal(size=(2, 4, 3))
    for layer, reference in [(MaxPooling1D(3, 2), F.max_pool1d), (AveragePooling1D(3, 2), F.avg_pool1d)]:
        outputs, grad_inputs = run(built(layer, (9, 3)), inputs, upstream)
        x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(0, 2, 1))).requires_grad_(True)
        y = reference(x, 3, 2)
        y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 2, 1))))
        np.testing.assert_allclose(outputs, y.detach().numpy().transpose(0, 2, 1), rtol=1e-12)
        np.testing.assert_allclose(grad_inputs, x.grad.numpy().transpose(0, 2, 1), rtol=1e-12)


@pytest.mark.parametrize("layer_class, reduce", [(GlobalAveragePooling2D, torch.mean), (GlobalMaxPooling2D, torch.amax)])
def test_global_pooling_matches_torch(rng, layer_class, reduce):
    inputs = untied(rng, (3, 4, 5, 2))
    upstream = rng.normal(size=(3, 2))
    outputs, grad_inputs = run(built(layer_class(), (4, 5, 2)), inputs, upstream)
    x = torch.from_numpy(inputs.copy()).requires_grad_(True)
    y = reduce(x, dim=(1, 2))
    y.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(outputs, y.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy(), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(height=st.integers(1, 12), width=st.integers(1, 6), pool=st.integers(1, 4), stride=st.integers(1, 4),
       padding=st.sampled_from(["valid", "same"]), layer_class=st.sampled_from([MaxPooling2D, AveragePooling2D]))
def test_output_shape_formula(height, width, pool, stride, padding, layer_class):
    layer = layer_class((pool, 1), strides=(stride, 1), padding=padding)
    if padding == "valid" and height < pool:
        with pytest.raises(ValueError, match="empty output"):
            layer.compute_output_shape((height, width, 2))
        return
    expected = math.ceil(height / stride) if padding == "same" else (height - pool) // stride + 1
    assert layer.compute_output_shape((height, width, 2)) == (expected, width, 2)
    built(layer, (height, width, 2))
    assert layer.forward(np.ones((3, height, width, 2)))[0].shape == (3, expected, width, 2)


def test_defaults_config_and_summary():
    layer = MaxPooling2D()
    assert layer.pool_size == (2, 2) and layer.strides == (2, 2) and layer.padding == "valid"
    assert MaxPooling1D().pool_size == (2,) and AveragePooling2D(3, 1).strides == (1, 1)
    for original in [AveragePooling2D((3, 2), strides=1, padding="same"), MaxPooling1D(3, 2),
                     GlobalMaxPooling2D(keepdims=True), GlobalAveragePooling1D()]:
        rebuilt = gw.layers.deserialize(gw.layers.serialize(original))
        assert type(rebuilt) is type(original) and rebuilt.get_config() == original.get_config()
    model = gw.Sequential([gw.Input((28, 28, 1)), gw.Conv2D(4, 3), MaxPooling2D(2), GlobalAveragePooling2D()])
    lines = []
    model.summary(print_fn=lines.append)
    assert re.search(r"max_pooling2d(_\d+)? \(MaxPooling2D\) +\(None, 13, 13, 4\) +0", lines[0])
    assert "(None, 4)" in lines[0] and model.count_params() == 3 * 3 * 4 + 4


def test_first_layer_returns_no_gradient(rng):
    for layer in [built(MaxPooling2D(2), (4, 4, 1)), built(GlobalMaxPooling1D(), (4, 2))]:
        outputs, cache = layer.forward(rng.normal(size=(2, *layer.input_shape)), training=True)
        assert layer.backward(np.ones_like(outputs), cache, input_grad=False) is None


@pytest.mark.parametrize("factory, message", [
    (lambda: MaxPooling2D(0), r"MaxPooling2D: `pool_size` must be a positive int or a tuple of 2 .* got 0"),
    (lambda: AveragePooling2D(2, strides=(1, 0)), r"AveragePooling2D: `strides` .* got \(1, 0\)"),
    (lambda: MaxPooling1D(2, strides=-1), r"MaxPooling1D: `strides` .* got -1"),
    (lambda: MaxPooling2D(2, padding="causal"), r"`padding` must be one of \['same', 'valid'\]"),
    (lambda: GlobalAveragePooling2D(data_format="channels_first"), r"only `data_format='channels_last'`"),
])
def test_bad_arguments_raise(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_bad_input_shapes_raise():
    with pytest.raises(ValueError, match=r"MaxPooling2D 'p' expected inputs of shape \(batch, height, width, "
                                         r"channels\), got per-sample shape \(8, 8\)"):
        built(MaxPooling2D(name="p"), (8, 8))
    with pytest.raises(ValueError, match=r"pool_size \(3, 3\) does not fit in the input \(height, width\) = \(2, 5\) "
                                         r"with padding='valid', leaving an empty output; got per-sample shape "
                                         r"\(2, 5, 4\), expected height, width of at least \(3, 3\)"):
        built(AveragePooling2D(3), (2, 5, 4))
    with pytest.raises(ValueError, match=r"GlobalAveragePooling1D 'g' expected inputs of shape \(batch, steps, "
                                         r"channels\), got per-sample shape \(4, 4, 2\)"):
        built(GlobalAveragePooling1D(name="g"), (4, 4, 2))
    layer = built(MaxPooling2D(name="p2"), (4, 4, 3))
    with pytest.raises(ValueError, match=r"MaxPooling2D 'p2' expected inputs of shape \(batch, height, width, 3\), "
                                         r"got shape \(2, 4, 4\)"):
        layer.forward(np.zeros((2, 4, 4)))[0]
    with pytest.raises(ValueError, match=r"got shape \(2, 4, 4, 1\)"):
        layer.forward(np.zeros((2, 4, 4, 1)))[0]

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import gradwise as gw
from gradwise.layers import Conv1D

from .gradient_check import built, check_layer_gradients


def random_bias(layer, rng):
    if "bias" in layer.params:
        layer.params["bias"][...] = rng.normal(size=layer.params["bias"].shape)
    return layer


# (kernel_size, strides, padding, dilation_rate, use_bias, input (steps, channels))
GRADIENT_CASES = [
    (3, 1, "valid", 1, True, (7, 2)),
    (3, 1, "same", 1, True, (6, 2)),
    (3, 2, "valid", 1, False, (8, 3)),
    (3, 2, "same", 1, True, (7, 2)),
    (2, 1, "same", 1, True, (5, 2)),
    (4, 2, "same", 1, True, (9, 1)),
    (4, 1, "valid", 1, False, (6, 2)),
    (3, 1, "valid", 2, True, (8, 2)),
    (2, 1, "same", 3, True, (6, 2)),
    (3, 1, "causal", 1, True, (6, 2)),
    (2, 2, "causal", 1, False, (7, 2)),
    (2, 1, "causal", 3, False, (7, 2)),
    (1, 1, "valid", 1, True, (4, 3)),
]


@pytest.mark.parametrize("kernel_size, strides, padding, dilation, use_bias, shape", GRADIENT_CASES)
def test_gradients_match_finite_differences(rng, kernel_size, strides, padding, dilation, use_bias, shape):
    layer = built(Conv1D(3, kernel_size, strides=strides, padding=padding, dilation_rate=dilation,
                         use_bias=use_bias), shape)
    random_bias(layer, rng)
    check_layer_gradients(layer, rng.normal(size=(2, *shape)), rng)


def keras_same_padding(size, kernel, stride, dilation=1):
    """Keras' split, worked from its definition: smaller half first."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def compare_with_torch(layer, inputs, upstream, torch_padding=0, pad=None):
    """Forward and all gradients against F.conv1d with the same weights (NLC <-> NCL)."""
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(0, 2, 1))).requires_grad_(True)
    kernel = torch.from_numpy(np.ascontiguousarray(layer.params["kernel"].transpose(2, 1, 0))).requires_grad_(True)
    bias = torch.from_numpy(layer.params["bias"].copy()).requires_grad_(True)
    padded = x if pad is None else F.pad(x, pad)
    y = F.conv1d(padded, kernel, bias, stride=layer.strides, padding=torch_padding, dilation=layer.dilation_rate)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 2, 1))))
    np.testing.assert_allclose(outputs, y.detach().numpy().transpose(0, 2, 1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy().transpose(0, 2, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], kernel.grad.numpy().transpose(2, 1, 0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], bias.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel_size, strides, padding, dilation", [
    (3, 1, "valid", 1), (4, 3, "valid", 1), (3, 1, "valid", 2), (3, 1, "same", 1), (5, 1, "same", 2),
])
def test_valid_and_odd_same_match_torch(rng, kernel_size, strides, padding, dilation):
    layer = random_bias(built(Conv1D(4, kernel_size, strides=strides, padding=padding, dilation_rate=dilation),
                              (11, 3)), rng)
    inputs = rng.normal(size=(3, 11, 3))
    compare_with_torch(layer, inputs, rng.normal(size=(3, *layer.output_shape)), torch_padding=padding)


@pytest.mark.parametrize("kernel_size, strides, dilation, steps", [(2, 1, 1, 7), (4, 1, 1, 8), (3, 2, 1, 8),
                                                                   (4, 3, 1, 10), (2, 1, 2, 6)])
def test_even_or_strided_same_matches_torch_with_keras_padding(rng, kernel_size, strides, dilation, steps):
    layer = random_bias(built(Conv1D(3, kernel_size, strides=strides, padding="same", dilation_rate=dilation),
                              (steps, 2)), rng)
    assert layer.output_shape == (math.ceil(steps / strides), 3)
    inputs = rng.normal(size=(2, steps, 2))
    pad = keras_same_padding(steps, kernel_size, strides, dilation)
    compare_with_torch(layer, inputs, rng.normal(size=(2, *layer.output_shape)), pad=pad)


@pytest.mark.parametrize("kernel_size, strides, dilation", [(3, 1, 1), (2, 1, 3), (3, 2, 1)])
def test_causal_matches_torch_with_left_padding(rng, kernel_size, strides, dilation):
    layer = random_bias(built(Conv1D(3, kernel_size, strides=strides, padding="causal", dilation_rate=dilation),
                              (9, 2)), rng)
    inputs = rng.normal(size=(2, 9, 2))
    pad = ((kernel_size - 1) * dilation, 0)
    compare_with_torch(layer, inputs, rng.normal(size=(2, *layer.output_shape)), pad=pad)


def test_hand_worked_same_and_causal_padding():
    sequence = np.array([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(1, 5, 1)
    layer = built(Conv1D(1, 2, padding="same", use_bias=False), (5, 1))
    layer.params["kernel"][...] = np.array([1.0, 10.0]).reshape(2, 1, 1)
    # total padding 1, all of it after the sequence: y[t] = x[t] + 10 x[t + 1]
    np.testing.assert_array_equal(layer.forward(sequence)[0][0, :, 0], [21, 32, 43, 54, 5])
    causal = built(Conv1D(1, 2, padding="causal", use_bias=False), (5, 1))
    causal.params["kernel"][...] = np.array([1.0, 10.0]).reshape(2, 1, 1)
    # padding before: y[t] = x[t - 1] + 10 x[t], so y[t] never sees later steps
    np.testing.assert_array_equal(causal.forward(sequence)[0][0, :, 0], [10, 21, 32, 43, 54])


@settings(max_examples=40, deadline=None)
@given(steps=st.integers(1, 15), kernel=st.integers(1, 5), stride=st.integers(1, 4), dilation=st.integers(1, 3),
       padding=st.sampled_from(["valid", "same", "causal"]))
def test_output_shape_formula(steps, kernel, stride, dilation, padding):
    if stride > 1 and dilation > 1:
        with pytest.raises(ValueError, match="together with `dilation_rate` > 1 is not supported"):
            Conv1D(2, kernel, strides=stride, dilation_rate=dilation, padding=padding)
        return
    layer = Conv1D(2, kernel, strides=stride, dilation_rate=dilation, padding=padding)
    span = (kernel - 1) * dilation + 1
    if padding == "valid" and steps < span:
        with pytest.raises(ValueError, match="larger than the input"):
            layer.compute_output_shape((steps, 1))
        return
    expected = (steps - span) // stride + 1 if padding == "valid" else math.ceil(steps / stride)
    assert layer.compute_output_shape((steps, 1)) == (expected, 2)
    built(layer, (steps, 1))
    assert layer.forward(np.zeros((2, steps, 1)))[0].shape == (2, expected, 2)


def test_kernel_shape_config_and_first_layer(rng):
    layer = built(Conv1D(4, 3, activation="relu", bias_initializer="ones"), (10, 2))
    assert layer.params["kernel"].shape == (3, 2, 4) and layer.count_params() == 3 * 2 * 4 + 4
    rebuilt = gw.layers.deserialize(gw.layers.serialize(layer))
    assert isinstance(rebuilt, Conv1D) and rebuilt.get_config() == layer.get_config()
    outputs, cache = layer.forward(rng.normal(size=(2, 10, 2)), training=True)
    assert layer.backward(np.ones_like(outputs), cache, input_grad=False) is None
    assert np.any(layer.grads["kernel"] != 0)


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 2, "kernel_size": (2, 2)}, r"Conv1D: `kernel_size` must be a positive int or a tuple of 1"),
    ({"filters": 2, "kernel_size": 3, "strides": 0}, r"Conv1D: `strides` .* got 0"),
    ({"filters": 2, "kernel_size": 3, "dilation_rate": -1}, r"Conv1D: `dilation_rate` .* got -1"),
    ({"filters": 2, "kernel_size": 3, "padding": "full"}, r"`padding` must be one of \['causal', 'same', 'valid'\]"),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv1D(**kwargs)


def test_bad_input_shapes_raise():
    with pytest.raises(ValueError, match=r"Conv1D 'c' expected inputs of shape \(batch, steps, channels\), "
                                         r"got per-sample shape \(5, 5, 1\)"):
        built(Conv1D(2, 3, name="c"), (5, 5, 1))
    with pytest.raises(ValueError, match=r"kernel \(4,\) .* larger than the input \(steps\) = \(3,\) .* "
                                         r"expected steps of at least \(4,\)"):
        built(Conv1D(2, 4), (3, 1))
    layer = built(Conv1D(2, 3, name="c2"), (6, 3))
    with pytest.raises(ValueError, match=r"Conv1D 'c2' expected inputs of shape \(batch, steps, 3\), "
                                         r"got shape \(2, 6, 2\)"):
        layer.forward(np.zeros((2, 6, 2)))[0]

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import gradwise as gw
from gradwise.layers import Conv2D, Dense, Flatten, Input

from .gradient_check import built, check_layer_gradients


def random_bias(layer, rng):
    if "bias" in layer.params:
        layer.params["bias"][...] = rng.normal(size=layer.params["bias"].shape)
    return layer


# (kernel_size, strides, padding, dilation_rate, use_bias, input (height, width, channels))
GRADIENT_CASES = [
    (3, 1, "valid", 1, True, (6, 5, 2)),
    (3, 1, "same", 1, True, (5, 6, 2)),
    (3, 2, "valid", 1, True, (7, 6, 2)),
    (3, 2, "same", 1, False, (6, 7, 2)),
    (2, 1, "same", 1, True, (5, 5, 2)),
    (2, 2, "valid", 1, True, (6, 5, 3)),
    (4, 1, "same", 1, False, (6, 6, 2)),
    (4, 2, "same", 1, True, (7, 6, 1)),
    (3, 1, "valid", 2, True, (7, 7, 2)),
    (3, 1, "same", 2, True, (5, 6, 2)),
    ((2, 3), (2, 1), "same", 1, True, (5, 6, 2)),
    ((3, 1), 1, "valid", (1, 2), False, (5, 4, 3)),
    (1, 1, "valid", 1, True, (3, 4, 3)),
    (1, 2, "same", 1, True, (5, 4, 2)),
]


@pytest.mark.parametrize("kernel_size, strides, padding, dilation, use_bias, shape", GRADIENT_CASES)
def test_gradients_match_finite_differences(rng, kernel_size, strides, padding, dilation, use_bias, shape):
    layer = built(Conv2D(3, kernel_size, strides=strides, padding=padding, dilation_rate=dilation,
                         use_bias=use_bias), shape)
    random_bias(layer, rng)
    check_layer_gradients(layer, rng.normal(size=(2, *shape)), rng)


def test_gradients_through_an_activation(rng):
    layer = random_bias(built(Conv2D(2, 3, padding="same", activation="tanh"), (4, 5, 2)), rng)
    check_layer_gradients(layer, rng.normal(size=(2, 4, 5, 2)), rng)


def to_torch(array, axes=(0, 3, 1, 2)):
    return torch.from_numpy(np.ascontiguousarray(array.transpose(axes))).requires_grad_(True)


def from_torch(tensor, axes=(0, 2, 3, 1)):
    return tensor.detach().numpy().transpose(axes)


def compare_with_torch(layer, inputs, upstream, torch_padding, pad=None):
    """Forward and all gradients against F.conv2d with the same weights (NHWC <-> NCHW)."""
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    x = to_torch(inputs)
    kernel = to_torch(layer.params["kernel"], (3, 2, 0, 1))  # (kh, kw, in, out) -> (out, in, kh, kw)
    bias = torch.from_numpy(layer.params["bias"].copy()).requires_grad_(True)
    padded = x if pad is None else F.pad(x, pad)
    y = F.conv2d(padded, kernel, bias, stride=layer.strides, padding=torch_padding, dilation=layer.dilation_rate)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 3, 1, 2))))
    np.testing.assert_allclose(outputs, from_torch(y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, from_torch(x.grad), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], from_torch(kernel.grad, (2, 3, 1, 0)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], bias.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel_size, strides, dilation", [
    (3, 1, 1), (3, 2, 1), (2, 1, 1), (4, 3, 1), ((2, 3), (1, 2), 1), (3, 1, 2), ((3, 2), 1, (2, 3)),
])
def test_valid_matches_torch(rng, kernel_size, strides, dilation):
    layer = random_bias(built(Conv2D(4, kernel_size, strides=strides, dilation_rate=dilation), (9, 8, 3)), rng)
    inputs = rng.normal(size=(3, 9, 8, 3))
    upstream = rng.normal(size=(3, *layer.output_shape))
    compare_with_torch(layer, inputs, upstream, torch_padding=0)


@pytest.mark.parametrize("kernel_size, dilation", [(3, 1), (5, 1), ((3, 5), 1), (3, 2), ((1, 3), (1, 2))])
def test_same_with_odd_kernels_and_stride_1_matches_torch_same(rng, kernel_size, dilation):
    layer = random_bias(built(Conv2D(3, kernel_size, padding="same", dilation_rate=dilation), (6, 7, 2)), rng)
    assert layer.output_shape == (6, 7, 3)
    inputs = rng.normal(size=(2, 6, 7, 2))
    compare_with_torch(layer, inputs, rng.normal(size=(2, 6, 7, 3)), torch_padding="same")


def keras_same_padding(size, kernel, stride, dilation=1):
    """Keras' split, worked from its definition: smaller half first (top/left)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize("kernel_size, strides, shape", [
    (2, 1, (5, 6, 2)), (4, 1, (6, 5, 2)), (3, 2, (6, 7, 2)), (2, 2, (7, 5, 2)), ((4, 3), (2, 3), (8, 7, 2)),
])
def test_same_with_even_kernels_or_strides_matches_torch_with_keras_padding(rng, kernel_size, strides, shape):
    layer = random_bias(built(Conv2D(3, kernel_size, strides=strides, padding="same"), shape), rng)
    kh, kw = layer.kernel_size
    top, bottom = keras_same_padding(shape[0], kh, layer.strides[0])
    left, right = keras_same_padding(shape[1], kw, layer.strides[1])
    assert layer.output_shape == (math.ceil(shape[0] / layer.strides[0]), math.ceil(shape[1] / layer.strides[1]), 3)
    inputs = rng.normal(size=(2, *shape))
    upstream = rng.normal(size=(2, *layer.output_shape))
    compare_with_torch(layer, inputs, upstream, torch_padding=0, pad=(left, right, top, bottom))


def ones_conv(kernel_size, strides, padding, shape):
    layer = built(Conv2D(1, kernel_size, strides=strides, padding=padding, use_bias=False), shape)
    layer.params["kernel"][...] = 1.0
    return layer


def test_same_padding_puts_the_extra_pixel_bottom_right_by_hand():
    image = np.arange(1.0, 17.0).reshape(1, 4, 4, 1)  # rows 1-4, 5-8, 9-12, 13-16
    # 3x3 kernel of ones, stride 2, 'same': out 2x2, total padding 1 per axis -> 0 before, 1 after
    outputs = ones_conv(3, 2, "same", (4, 4, 1)).forward(image)[0][0, :, :, 0]
    expected = [[1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11, 3 + 4 + 7 + 8 + 11 + 12],
                [9 + 10 + 11 + 13 + 14 + 15, 11 + 12 + 15 + 16]]
    np.testing.assert_array_equal(outputs, expected)
    # 2x2 kernel, stride 1, 'same': the zero row/column is added after the image
    outputs = ones_conv(2, 1, "same", (4, 4, 1)).forward(image)[0][0, :, :, 0]
    assert outputs[0, 0] == 1 + 2 + 5 + 6 and outputs[3, 3] == 16 and outputs[0, 3] == 4 + 8
    # PyTorch's symmetric padding=1 would give the top-left window 1 + 2 + 5 + 6 + zeros for stride 2 instead
    torch_symmetric = F.conv2d(torch.from_numpy(image.transpose(0, 3, 1, 2)), torch.ones(1, 1, 3, 3, dtype=torch.float64), stride=2,
                               padding=1)
    assert torch_symmetric[0, 0, 0, 0].item() == 1 + 2 + 5 + 6


def test_hand_worked_valid_convolution_with_stride_and_dilation():
    image = np.arange(25.0).reshape(1, 5, 5, 1)
    layer = built(Conv2D(1, 2, dilation_rate=2, use_bias=False), (5, 5, 1))
    layer.params["kernel"][...] = np.array([1.0, 10.0, 100.0, 1000.0]).reshape(2, 2, 1, 1)
    outputs = layer.forward(image)[0][0, :, :, 0]
    # output (i, j) = x[i, j] + 10 x[i, j + 2] + 100 x[i + 2, j] + 1000 x[i + 2, j + 2]
    assert outputs.shape == (3, 3)
    assert outputs[0, 0] == 0 + 10 * 2 + 100 * 10 + 1000 * 12
    assert outputs[2, 1] == 11 + 10 * 13 + 100 * 21 + 1000 * 23


@settings(max_examples=40, deadline=None)
@given(height=st.integers(1, 12), width=st.integers(1, 12), kernel=st.integers(1, 5), stride=st.integers(1, 4),
       dilation=st.integers(1, 3), padding=st.sampled_from(["valid", "same"]))
def test_output_shape_formula(height, width, kernel, stride, dilation, padding):
    if stride > 1 and dilation > 1:
        with pytest.raises(ValueError, match="together with `dilation_rate` > 1 is not supported"):
            Conv2D(2, (kernel, 1), strides=(stride, 1), dilation_rate=(dilation, 1), padding=padding)
        return
    layer = Conv2D(2, (kernel, 1), strides=(stride, 1), dilation_rate=(dilation, 1), padding=padding)
    span = (kernel - 1) * dilation + 1
    if padding == "valid" and height < span:
        with pytest.raises(ValueError, match="larger than the input"):
            layer.compute_output_shape((height, width, 1))
        return
    expected = math.ceil(height / stride) if padding == "same" else (height - span) // stride + 1
    assert layer.compute_output_shape((height, width, 1)) == (expected, width, 2)
    built(layer, (height, width, 1))
    assert layer.forward(np.zeros((2, height, width, 1)))[0].shape == (2, expected, width, 2)


def test_float32_forward_and_backward_stay_float32(rng):
    layer = built(Conv2D(4, 3, strides=2, padding="same", activation="relu"), (7, 7, 3), dtype=np.float32)
    inputs = rng.normal(size=(2, 7, 7, 3)).astype(np.float32)
    outputs, cache = layer.forward(inputs, training=True)
    assert outputs.dtype == np.float32 and outputs.shape == (2, 4, 4, 4)
    grad_inputs = layer.backward(np.ones_like(outputs), cache)
    assert grad_inputs.dtype == np.float32 and grad_inputs.shape == inputs.shape
    reference = built(Conv2D(4, 3, strides=2, padding="same", activation="relu"), (7, 7, 3))
    reference.set_weights(layer.get_weights())
    np.testing.assert_allclose(outputs, reference.forward(inputs.astype(np.float64))[0], rtol=1e-5, atol=1e-5)


def test_first_layer_skips_the_input_gradient(rng):
    layer = built(Conv2D(2, 3), (5, 5, 1))
    outputs, cache = layer.forward(rng.normal(size=(2, 5, 5, 1)), training=True)
    layer.grads["kernel"][...] = np.nan
    assert layer.backward(np.ones_like(outputs), cache, input_grad=False) is None
    assert np.all(np.isfinite(layer.grads["kernel"])) and np.any(layer.grads["kernel"] != 0)


def test_gradients_are_written_and_added_in_place(rng):
    layer = built(Conv2D(2, 3), (5, 5, 2))
    kernel_grad, bias_grad = layer.grads["kernel"], layer.grads["bias"]
    _, cache = layer.forward(rng.normal(size=(2, 5, 5, 2)))
    upstream = rng.normal(size=(2, 3, 3, 2))
    layer.backward(upstream, cache)
    assert layer.grads["kernel"] is kernel_grad and layer.grads["bias"] is bias_grad
    assert np.any(kernel_grad != 0) and np.any(bias_grad != 0)
    once = kernel_grad.copy()
    layer.backward(upstream, cache, accumulate=True)  # a second call's share adds up
    np.testing.assert_allclose(kernel_grad, 2 * once, rtol=1e-12)


def test_kernel_shape_parameter_count_and_summary():
    model = gw.Sequential([Input((28, 28, 1)), Conv2D(32, 3), Conv2D(8, (3, 2), strides=2, padding="same",
                                                                       use_bias=False), Flatten(), Dense(10)])
    first, second = model.layers[:2]
    assert first.params["kernel"].shape == (3, 3, 1, 32) and first.count_params() == 3 * 3 * 32 + 32
    assert second.params["kernel"].shape == (3, 2, 32, 8) and second.count_params() == 3 * 2 * 32 * 8
    assert first.output_shape == (26, 26, 32) and second.output_shape == (13, 13, 8)
    lines = []
    model.summary(print_fn=lines.append)
    assert "(None, 26, 26, 32)" in lines[0] and "320" in lines[0] and "(None, 13, 13, 8)" in lines[0]


def test_config_round_trip_keeps_arguments():
    layer = Conv2D(5, (3, 2), strides=(2, 1), padding="same", dilation_rate=(1, 1), activation="relu",
                   use_bias=False, kernel_initializer="he_uniform", kernel_regularizer="l2")
    rebuilt = gw.layers.deserialize(gw.layers.serialize(layer))
    assert isinstance(rebuilt, Conv2D) and rebuilt.get_config() == layer.get_config()
    assert rebuilt.kernel_size == (3, 2) and rebuilt.strides == (2, 1) and rebuilt.padding == "same"
    assert set(built(rebuilt, (6, 6, 2)).regularizers) == {"kernel"}


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3}, r"Conv2D: `filters` must be a positive int, got 0"),
    ({"filters": 2, "kernel_size": 0}, r"Conv2D: `kernel_size` must be a positive int or a tuple of 2"),
    ({"filters": 2, "kernel_size": (3, 3, 3)}, r"`kernel_size` .* got \(3, 3, 3\)"),
    ({"filters": 2, "kernel_size": 3, "strides": 0}, r"Conv2D: `strides` must be .* got 0"),
    ({"filters": 2, "kernel_size": 3, "strides": (1, -2)}, r"`strides` .* got \(1, -2\)"),
    ({"filters": 2, "kernel_size": 3, "dilation_rate": 0}, r"Conv2D: `dilation_rate` must be .* got 0"),
    ({"filters": 2, "kernel_size": 3, "strides": (1, 2), "dilation_rate": (2, 1)},
     r"Conv2D: `strides` > 1 together with `dilation_rate` > 1 is not supported \(as in Keras\), got "
     r"strides=\(1, 2\) and dilation_rate=\(2, 1\)"),
    ({"filters": 2, "kernel_size": 3, "padding": "full"}, r"`padding` must be one of \['same', 'valid'\]"),
    ({"filters": 2, "kernel_size": 3, "data_format": "channels_first"}, r"only `data_format='channels_last'`"),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv2D(**kwargs)


def test_bad_input_shapes_raise():
    with pytest.raises(ValueError, match=r"Conv2D 'c' expected inputs of shape \(batch, height, width, channels\), "
                                         r"got per-sample shape \(28, 28\)"):
        built(Conv2D(2, 3, name="c"), (28, 28))
    with pytest.raises(ValueError, match=r"kernel \(5, 5\) .* spans \(5, 5\), larger than the input \(height, width\) "
                                         r"= \(4, 9\) .* got per-sample shape \(4, 9, 1\), expected height, width of "
                                         r"at least \(5, 5\)"):
        built(Conv2D(2, 5), (4, 9, 1))
    with pytest.raises(ValueError, match=r"spans \(5, 5\)"):
        built(Conv2D(2, 3, dilation_rate=2), (4, 9, 1))
    layer = built(Conv2D(2, 3, name="c3"), (6, 6, 3))
    with pytest.raises(ValueError, match=r"Conv2D 'c3' expected inputs of shape \(batch, height, width, 3\), "
                                         r"got shape \(2, 6, 6, 1\)"):
        layer.forward(np.zeros((2, 6, 6, 1)))[0]
    with pytest.raises(ValueError, match=r"got shape \(2, 6, 3\)"):
        layer.forward(np.zeros((2, 6, 3)))[0]


def test_model_with_convolutions_and_pooling_saves_and_loads(rng, tmp_path):
    from gradwise.layers import AveragePooling2D, GlobalMaxPooling2D, MaxPooling2D

    model = gw.Sequential([Input((12, 12, 2)), Conv2D(4, 3, padding="same", activation="relu"), MaxPooling2D(2),
                           Conv2D(3, (2, 3), strides=(2, 1)), AveragePooling2D(2, padding="same"),
                           GlobalMaxPooling2D()], seed=1)
    model.compile("adam", "mse")
    inputs = rng.normal(size=(4, 12, 12, 2)).astype("float32")
    model.fit(inputs, rng.normal(size=(4, 3)), epochs=1, verbose=0)
    model.save(tmp_path / "model.gradwise")
    loaded = gw.load_model(tmp_path / "model.gradwise")
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(inputs), model.predict(inputs))

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import Conv2D, Conv2DTranspose

from .gradient_check import built, check_layer_gradients


def random_bias(layer, rng):
    if "bias" in layer.params:
        layer.params["bias"][...] = rng.normal(size=layer.params["bias"].shape)
    return layer


# (kernel_size, strides, padding, output_padding, dilation_rate, use_bias, input (height, width, channels))
CASES = [
    (3, 1, "valid", None, 1, True, (3, 4, 2)),
    (3, 2, "same", None, 1, True, (3, 3, 2)),
    (3, 2, "valid", None, 1, False, (2, 3, 3)),
    (2, 2, "same", None, 1, True, (3, 2, 2)),
    (4, 2, "same", None, 1, True, (2, 3, 1)),
    (1, 2, "valid", None, 1, True, (3, 2, 2)),  # kernel smaller than the stride: zero rows between
    (1, 3, "same", None, 1, True, (2, 2, 2)),
    ((2, 3), (2, 1), "same", None, 1, True, (3, 3, 2)),
    (3, 2, "same", 1, 1, True, (2, 3, 2)),
    (3, 2, "valid", (1, 0), 1, True, (2, 2, 2)),
    (3, 1, "same", None, 2, True, (3, 4, 2)),
    (3, 1, "valid", None, (1, 2), False, (3, 3, 2)),
]


@pytest.mark.parametrize("kernel_size, strides, padding, output_padding, dilation, use_bias, shape", CASES)
def test_gradients_match_finite_differences(rng, kernel_size, strides, padding, output_padding, dilation, use_bias,
                                            shape):
    layer = random_bias(built(Conv2DTranspose(3, kernel_size, strides=strides, padding=padding,
                                              output_padding=output_padding, dilation_rate=dilation,
                                              use_bias=use_bias), shape), rng)
    check_layer_gradients(layer, rng.normal(size=(2, *shape)), rng)


def test_gradients_through_an_activation(rng):
    layer = random_bias(built(Conv2DTranspose(2, 3, strides=2, padding="same", activation="tanh"), (3, 3, 2)), rng)
    check_layer_gradients(layer, rng.normal(size=(2, 3, 3, 2)), rng)


def _torch_reference(layer, inputs, upstream):
    """F.conv_transpose2d without padding (the full output), cropped or extended by zeros as
    this layer does (PyTorch crops symmetrically; Keras' 'same' crops the smaller half first)."""
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(0, 3, 1, 2))).requires_grad_(True)
    # (kh, kw, filters, in) -> (in, filters, kh, kw), PyTorch's transposed-convolution layout
    kernel = torch.from_numpy(np.ascontiguousarray(layer.params["kernel"].transpose(3, 2, 0, 1))).requires_grad_(True)
    bias = torch.from_numpy(layer.params["bias"].copy()).requires_grad_(True)
    full = F.conv_transpose2d(x, kernel, None, stride=layer.strides, dilation=layer.dilation_rate)
    out_h, out_w = layer.output_shape[:2]
    full_h, full_w = full.shape[2:]
    crop_h = max(full_h - out_h, 0) // 2 if layer.padding == "same" else 0
    crop_w = max(full_w - out_w, 0) // 2 if layer.padding == "same" else 0
    grown = F.pad(full, (0, max(crop_w + out_w - full_w, 0), 0, max(crop_h + out_h - full_h, 0)))
    y = grown[:, :, crop_h:crop_h + out_h, crop_w:crop_w + out_w] + bias[None, :, None, None]
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 3, 1, 2))))
    return (y.detach().numpy().transpose(0, 2, 3, 1), x.grad.numpy().transpose(0, 2, 3, 1),
            kernel.grad.numpy().transpose(2, 3, 1, 0), bias.grad.numpy())


@pytest.mark.parametrize("kernel_size, strides, padding, output_padding, dilation, use_bias, shape",
                         [case for case in CASES if case[5]])
def test_forward_and_gradients_match_torch(rng, kernel_size, strides, padding, output_padding, dilation, use_bias,
                                           shape):
    layer = random_bias(built(Conv2DTranspose(4, kernel_size, strides=strides, padding=padding,
                                              output_padding=output_padding, dilation_rate=dilation), shape), rng)
    inputs = rng.normal(size=(3, *shape))
    upstream = rng.normal(size=(3, *layer.output_shape))
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    y, grad_x, grad_kernel, grad_bias = _torch_reference(layer, inputs, upstream)
    np.testing.assert_allclose(outputs, y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, grad_x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], grad_kernel, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], grad_bias, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel_size, strides, padding", [(3, 2, "same"), (3, 2, "valid"), (4, 2, "same"),
                                                           (2, 3, "valid"), (5, 1, "same")])
def test_it_is_the_input_gradient_of_conv2d_with_the_same_arguments(rng, kernel_size, strides, padding):
    """<conv(x), y> = <x, conv_transpose(y)> for Conv2D on inputs of this layer's output shape."""
    transpose = built(Conv2DTranspose(3, kernel_size, strides=strides, padding=padding, use_bias=False), (4, 3, 2))
    conv = built(Conv2D(2, kernel_size, strides=strides, padding=padding, use_bias=False), transpose.output_shape)
    assert conv.output_shape == (4, 3, 2)
    conv.params["kernel"][...] = transpose.params["kernel"]  # (kh, kw, 3, 2) in both
    x, y = rng.normal(size=(2, *transpose.output_shape)), rng.normal(size=(2, 4, 3, 2))
    np.testing.assert_allclose(np.sum(conv.forward(x)[0] * y), np.sum(x * transpose.forward(y)[0]), rtol=1e-12)


@pytest.mark.parametrize("padding, output_padding, expected", [("same", None, (8, 10)), ("valid", None, (9, 11)),
                                                               ("same", 1, (8, 10)), ("valid", 1, (10, 12))])
def test_output_shape_follows_keras(padding, output_padding, expected):
    layer = built(Conv2DTranspose(7, 3, strides=2, padding=padding, output_padding=output_padding), (4, 5, 2))
    assert layer.output_shape == (*expected, 7)
    assert layer.params["kernel"].shape == (3, 3, 7, 2)  # Keras: (kh, kw, filters, in_channels)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"`output_padding` .* smaller than its stride \(2, 2\), got 2"):
        Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="`filters` must be a positive int"):
        Conv2DTranspose(0, 3)
    with pytest.raises(ValueError, match=r"expected inputs of shape \(batch, height, width, channels\)"):
        built(Conv2DTranspose(2, 3), (4, 2))

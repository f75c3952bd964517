import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import DepthwiseConv2D, SeparableConv2D

from .gradient_check import built, check_layer_gradients


def random_bias(layer, rng):
    if "bias" in layer.params:
        layer.params["bias"][...] = rng.normal(size=layer.params["bias"].shape)
    return layer


# (kernel_size, strides, padding, depth_multiplier, dilation_rate, input (height, width, channels))
CASES = [
    (3, 1, "valid", 1, 1, (5, 4, 2)),
    (3, 2, "same", 2, 1, (5, 6, 2)),
    (2, 1, "same", 1, 1, (4, 4, 3)),
    ((2, 3), (2, 1), "valid", 3, 1, (5, 5, 1)),
    (3, 1, "same", 1, 2, (5, 5, 2)),
]


@pytest.mark.parametrize("kernel_size, strides, padding, multiplier, dilation, shape", CASES)
@pytest.mark.parametrize("layer_class", [DepthwiseConv2D, SeparableConv2D])
def test_gradients_match_finite_differences(rng, layer_class, kernel_size, strides, padding, multiplier, dilation,
                                            shape):
    arguments = dict(strides=strides, padding=padding, depth_multiplier=multiplier, dilation_rate=dilation)
    layer = layer_class(3, kernel_size, **arguments) if layer_class is SeparableConv2D \
        else layer_class(kernel_size, **arguments)
    random_bias(built(layer, shape), rng)
    check_layer_gradients(layer, rng.normal(size=(2, *shape)), rng)


def test_gradients_through_an_activation_without_bias(rng):
    layer = built(SeparableConv2D(2, 3, padding="same", activation="tanh", use_bias=False), (4, 4, 2))
    check_layer_gradients(layer, rng.normal(size=(2, 4, 4, 2)), rng)
    layer = built(DepthwiseConv2D(2, activation="tanh", use_bias=False), (3, 4, 2))
    check_layer_gradients(layer, rng.normal(size=(2, 3, 4, 2)), rng)


def _nchw(array):
    return torch.from_numpy(np.ascontiguousarray(array.transpose(0, 3, 1, 2))).requires_grad_(True)


def _torch_depthwise(x, kernel, layer, inputs):
    """F.conv2d with groups=channels; Keras' (kh, kw, in, multiplier) kernel as (in * multiplier, 1, kh, kw),
    and Keras' 'same' padding (the odd pixel at the bottom/right) made explicit."""
    pads = layer._geometry(inputs.shape[1:])[0]
    padded = F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
    return F.conv2d(padded, kernel, stride=layer.strides, dilation=layer.dilation_rate, groups=inputs.shape[-1])


def _depthwise_torch_kernel(array):
    kernel_h, kernel_w, channels, multiplier = array.shape
    weight = array.transpose(2, 3, 0, 1).reshape(channels * multiplier, 1, kernel_h, kernel_w)
    return torch.from_numpy(np.ascontiguousarray(weight)).requires_grad_(True)


@pytest.mark.parametrize("kernel_size, strides, padding, multiplier, dilation, shape", CASES)
def test_depthwise_matches_torch(rng, kernel_size, strides, padding, multiplier, dilation, shape):
    layer = random_bias(built(DepthwiseConv2D(kernel_size, strides=strides, padding=padding,
                                              depth_multiplier=multiplier, dilation_rate=dilation), shape), rng)
    inputs = rng.normal(size=(3, *shape))
    upstream = rng.normal(size=(3, *layer.output_shape))
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    x, kernel = _nchw(inputs), _depthwise_torch_kernel(layer.params["kernel"])
    bias = torch.from_numpy(layer.params["bias"].copy()).requires_grad_(True)
    y = _torch_depthwise(x, kernel, layer, inputs) + bias[None, :, None, None]
    y.backward(_nchw(upstream).detach())
    np.testing.assert_allclose(outputs, y.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    kernel_h, kernel_w, channels, multiplier = layer.params["kernel"].shape
    torch_grad = kernel.grad.numpy().reshape(channels, multiplier, kernel_h, kernel_w).transpose(2, 3, 0, 1)
    np.testing.assert_allclose(layer.grads["kernel"], torch_grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], bias.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel_size, strides, padding, multiplier, dilation, shape", CASES)
def test_separable_matches_torch(rng, kernel_size, strides, padding, multiplier, dilation, shape):
    layer = random_bias(built(SeparableConv2D(4, kernel_size, strides=strides, padding=padding,
                                              depth_multiplier=multiplier, dilation_rate=dilation), shape), rng)
    inputs = rng.normal(size=(3, *shape))
    upstream = rng.normal(size=(3, *layer.output_shape))
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    x, depthwise = _nchw(inputs), _depthwise_torch_kernel(layer.params["depthwise_kernel"])
    # (1, 1, in * multiplier, filters) -> (filters, in * multiplier, 1, 1)
    pointwise = torch.from_numpy(np.ascontiguousarray(layer.params["pointwise_kernel"].transpose(3, 2, 0, 1)))
    pointwise.requires_grad_(True)
    bias = torch.from_numpy(layer.params["bias"].copy()).requires_grad_(True)
    y = F.conv2d(_torch_depthwise(x, depthwise, layer, inputs), pointwise, bias)
    y.backward(_nchw(upstream).detach())
    np.testing.assert_allclose(outputs, y.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    kernel_h, kernel_w, channels, multiplier = layer.params["depthwise_kernel"].shape
    torch_grad = depthwise.grad.numpy().reshape(channels, multiplier, kernel_h, kernel_w).transpose(2, 3, 0, 1)
    np.testing.assert_allclose(layer.grads["depthwise_kernel"], torch_grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["pointwise_kernel"], pointwise.grad.numpy().transpose(2, 3, 1, 0),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], bias.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_keras_weight_names_shapes_and_order():
    depthwise = built(DepthwiseConv2D(3, depth_multiplier=2), (5, 5, 3))
    assert [w.shape for w in depthwise.get_weights()] == [(3, 3, 3, 2), (6,)]
    assert depthwise.output_shape == (3, 3, 6)
    separable = built(SeparableConv2D(8, 3, padding="same", depth_multiplier=2), (5, 5, 3))
    assert separable.weight_names() == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert [w.shape for w in separable.get_weights()] == [(3, 3, 3, 2), (1, 1, 6, 8), (8,)]
    assert separable.output_shape == (5, 5, 8)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`depth_multiplier` must be a positive int, got 0"):
        DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="`strides` > 1 together with `dilation_rate` > 1"):
        SeparableConv2D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match=r"kernel \(5, 5\) .* larger than the input \(height, width\) = \(3, 3\)"):
        built(DepthwiseConv2D(5), (3, 3, 2))
    with pytest.raises(ValueError, match="only `data_format='channels_last'`"):
        SeparableConv2D(4, 3, data_format="channels_first")

"""The depthwise convolution shared by DepthwiseConv2D and SeparableConv2D: each input
channel convolved with its own `depth_multiplier` filters, one strided slice per kernel offset."""

import numpy as np

from .. import _checks, activations, constraints, initializers, regularizers
from ..ops.conv import offset_slice
from . import _geometry
from .base import ActivatedLayer


def depthwise_forward(padded, kernel, out_size, strides, dilation):
    """(batch, out_h, out_w, channels * multiplier): channel ``c * multiplier + m`` is input
    channel `c` convolved with ``kernel[:, :, c, m]``."""
    batch, channels = padded.shape[0], padded.shape[3]
    kernel_h, kernel_w, _, multiplier = kernel.shape
    outputs = np.zeros((batch, *out_size, channels, multiplier), dtype=np.result_type(padded, kernel))
    for i in range(kernel_h):
        for j in range(kernel_w):
            window = offset_slice(padded, (i * dilation[0], j * dilation[1]), out_size, strides)
            outputs += window[..., None] * kernel[i, j]
    return outputs.reshape(batch, *out_size, channels * multiplier)


def depthwise_backward(grad_outputs, padded, kernel, out_size, strides, dilation, input_grad):
    """(grad of the kernel, grad of the padded inputs or None) for `grad_outputs` of depthwise_forward."""
    kernel_h, kernel_w, channels, multiplier = kernel.shape
    grad = grad_outputs.reshape(*grad_outputs.shape[:3], channels, multiplier)
    grad_kernel = np.empty_like(kernel)
    grad_padded = np.zeros_like(padded) if input_grad else None
    for i in range(kernel_h):
        for j in range(kernel_w):
            offset = (i * dilation[0], j * dilation[1])
            window = offset_slice(padded, offset, out_size, strides)
            grad_kernel[i, j] = np.einsum("bhwc,bhwcm->cm", window, grad, optimize=True)
            if input_grad:
                target = offset_slice(grad_padded, offset, out_size, strides)
                target += np.einsum("bhwcm,cm->bhwc", grad, kernel[i, j], optimize=True)
    return grad_kernel, grad_padded


class BaseDepthwiseConv(ActivatedLayer, register=False):
    """Depthwise convolution geometry, arguments and activation (channels_last images)."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.kernel_size = _geometry.int_tuple(owner, "kernel_size", kernel_size, 2)
        self.strides = _geometry.int_tuple(owner, "strides", strides, 2)
        self.padding = _geometry.padding_mode(owner, padding, 2)
        self.depth_multiplier = _checks.positive_int(owner, "depth_multiplier", depth_multiplier)
        self.data_format = _geometry.data_format(owner, data_format)
        self.dilation_rate = _geometry.int_tuple(owner, "dilation_rate", dilation_rate, 2)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: `strides` > 1 together with `dilation_rate` > 1 is not supported (as in Keras), got "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}. Set one of them to 1."
            )
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)  # attached by the subclass, which
        self.bias_constraint = constraints.get(bias_constraint)  # names the kernel's param

    def _geometry(self, input_shape):
        """(((top, bottom), (left, right)), (out_h, out_w)) for per-sample `input_shape`."""
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape (batch, height, width, channels), "
                f"got per-sample shape {input_shape} (rank {len(input_shape) + 1} inputs)."
            )
        axes = [_geometry.axis_padding(input_shape[axis], self.kernel_size[axis], self.strides[axis],
                                     self.dilation_rate[axis], self.padding) for axis in range(2)]
        out = tuple(size for _, _, size in axes)
        if min(out) < 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the kernel {self.kernel_size} with dilation_rate "
                f"{self.dilation_rate} is larger than the input (height, width) = {input_shape[:2]} with "
                f"padding='{self.padding}'. Use padding='same' or a smaller kernel."
            )
        return tuple((before, after) for before, after, _ in axes), out

    def _depthwise_shape(self, channels):
        return self.kernel_size + (channels, self.depth_multiplier)

    def _padded(self, inputs):
        if inputs.ndim != 4 or inputs.shape[-1] != self.input_shape[-1]:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape (batch, height, width, "
                f"{self.input_shape[-1]}), got shape {inputs.shape}."
            )
        pads, out = self._geometry(inputs.shape[1:])
        inputs = np.asarray(inputs, dtype=self.dtype)
        padded = inputs if not any(sum(pads, ())) else np.pad(inputs, ((0, 0), *pads, (0, 0)))
        return padded, pads, out

    @staticmethod
    def _unpadded(grad_padded, pads, image_shape):
        (top, _), (left, _) = pads
        return grad_padded[:, top:top + image_shape[1], left:left + image_shape[2]]

    def _store(self, key, grad, accumulate):
        if accumulate:
            self.grads[key] += grad
        else:
            self.grads[key][...] = grad

    # y = f(z)  =>  dz = f'(z) dy, from the function's own backward
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        _, preactivation, outputs = cache
        grad_preactivation = self.ops.activate_backward(self.activation, grad_outputs, preactivation, outputs)
        return self.backward_preactivation(grad_preactivation, cache, input_grad, accumulate)

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "depth_multiplier": self.depth_multiplier,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }

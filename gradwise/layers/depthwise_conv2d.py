"""DepthwiseConv2D: convolve each channel of channels_last images with its own filters."""

import numpy as np

from .. import constraints
from ._depthwise import BaseDepthwiseConv, depthwise_backward, depthwise_forward


class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2-D convolution: ``outputs = activation(depthwise(inputs, kernel) + bias)``.

    Input channel ``c`` is convolved with ``kernel[:, :, c, m]`` for each ``m`` below
    `depth_multiplier`, giving output channel ``c * depth_multiplier + m`` (Keras' order,
    and PyTorch's ``groups=channels``). Padding follows Conv2D.

    Parameters
    ----------
    kernel_size : int or tuple of 2 ints
        The kernel has shape (kernel_h, kernel_w, channels, depth_multiplier).
    strides : int or tuple of 2 ints, default (1, 1)
    padding : {'valid', 'same'}
    depth_multiplier : int, default 1
        Output channels per input channel.
    data_format : {None, 'channels_last'}
    dilation_rate : int or tuple of 2 ints, default (1, 1)
    activation : str, ActivationFunction or activation layer, optional
    use_bias : bool
    depthwise_initializer, bias_initializer : str or Initializer
    depthwise_regularizer, bias_regularizer, activity_regularizer : str or Regularizer, optional

    Examples
    --------
    >>> DepthwiseConv2D(3, padding="same", depth_multiplier=2)
    <DepthwiseConv2D name='depthwise_conv2d'>
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer, **kwargs)
        if self.depthwise_regularizer is not None:
            self.regularizers["kernel"] = self.depthwise_regularizer
        if self.bias_regularizer is not None and self.use_bias:
            self.regularizers["bias"] = self.bias_regularizer
        constraints.attach(self, "kernel", self.depthwise_constraint)
        constraints.attach(self, "bias", self.bias_constraint, applies=self.use_bias)

    def compute_output_shape(self, input_shape):
        _, out = self._geometry(input_shape)
        return out + (input_shape[-1] * self.depth_multiplier,)

    def build(self, input_shape, rng):
        self.params["kernel"] = self.depthwise_initializer(self._depthwise_shape(input_shape[-1]), self.dtype, rng)
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((input_shape[-1] * self.depth_multiplier,), self.dtype, rng)

    def forward(self, inputs, training=False):
        padded, pads, out = self._padded(inputs)
        preactivation = depthwise_forward(padded, self.params["kernel"], out, self.strides, self.dilation_rate)
        outputs = self.ops.activate(self.activation, preactivation, self.params["bias"] if self.use_bias else None)
        return outputs, ((padded, pads, inputs.shape), preactivation, outputs)

    def backward_preactivation(self, grad_preactivation, cache, input_grad=True, accumulate=False):
        """Backward from the gradient w.r.t. the pre-activation (the fused-loss entry point)."""
        padded, pads, image_shape = cache[0]
        # z[c, m] = sum over offsets of x[c] shifted * k[c, m] + b  =>  dk = sum of dz * shifted x,
        # db = sum of dz,  dx[c] = sum over offsets and m of dz[c, m] * k[c, m] shifted back
        grad = np.asarray(grad_preactivation, dtype=self.dtype)
        out = grad.shape[1:3]
        grad_kernel, grad_padded = depthwise_backward(grad, padded, self.params["kernel"], out, self.strides,
                                                      self.dilation_rate, input_grad)
        self._store("kernel", grad_kernel, accumulate)
        if self.use_bias:
            self._store("bias", grad.sum(axis=(0, 1, 2)), accumulate)
        return self._unpadded(grad_padded, pads, image_shape) if input_grad else None

"""SeparableConv2D: a depthwise convolution followed by a 1x1 (pointwise) convolution."""

import numpy as np

from .. import _checks, constraints, initializers, regularizers
from ._depthwise import BaseDepthwiseConv, depthwise_backward, depthwise_forward


class SeparableConv2D(BaseDepthwiseConv):
    """Depthwise-separable 2-D convolution (Chollet 2017):
    ``outputs = activation(pointwise(depthwise(inputs)) + bias)``.

    The depthwise step convolves each input channel with `depth_multiplier` filters (as
    DepthwiseConv2D, without bias); the pointwise step mixes the resulting channels with
    a (1, 1, channels * depth_multiplier, filters) kernel.

    Parameters
    ----------
    filters : int
        Output channels.
    kernel_size : int or tuple of 2 ints
    strides : int or tuple of 2 ints, default (1, 1)
    padding : {'valid', 'same'}
    data_format : {None, 'channels_last'}
    dilation_rate : int or tuple of 2 ints, default (1, 1)
    depth_multiplier : int, default 1
    activation : str, ActivationFunction or activation layer, optional
    use_bias : bool
    depthwise_initializer, pointwise_initializer, bias_initializer : str or Initializer
    depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer : str or Regularizer, optional

    Examples
    --------
    >>> SeparableConv2D(32, 3, activation="relu")
    <SeparableConv2D name='separable_conv2d'>
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)
        self.filters = _checks.positive_int("SeparableConv2D", "filters", filters)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        for key, regularizer in (("depthwise_kernel", self.depthwise_regularizer),
                                 ("pointwise_kernel", self.pointwise_regularizer),
                                 ("bias", self.bias_regularizer if self.use_bias else None)):
            if regularizer is not None:
                self.regularizers[key] = regularizer
        self.pointwise_constraint = constraints.attach(self, "pointwise_kernel", pointwise_constraint)
        constraints.attach(self, "depthwise_kernel", self.depthwise_constraint)
        constraints.attach(self, "bias", self.bias_constraint, applies=self.use_bias)

    def compute_output_shape(self, input_shape):
        _, out = self._geometry(input_shape)
        return out + (self.filters,)

    def build(self, input_shape, rng):
        depth = input_shape[-1] * self.depth_multiplier
        self.params["depthwise_kernel"] = self.depthwise_initializer(self._depthwise_shape(input_shape[-1]),
                                                                     self.dtype, rng)
        self.params["pointwise_kernel"] = self.pointwise_initializer((1, 1, depth, self.filters), self.dtype, rng)
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.filters,), self.dtype, rng)

    def forward(self, inputs, training=False):
        padded, pads, out = self._padded(inputs)
        depthwise = depthwise_forward(padded, self.params["depthwise_kernel"], out, self.strides, self.dilation_rate)
        pointwise = self.params["pointwise_kernel"].reshape(-1, self.filters)
        preactivation = depthwise @ pointwise
        outputs = self.ops.activate(self.activation, preactivation, self.params["bias"] if self.use_bias else None)
        return outputs, ((padded, pads, inputs.shape, depthwise), preactivation, outputs)

    def backward_preactivation(self, grad_preactivation, cache, input_grad=True, accumulate=False):
        """Backward from the gradient w.r.t. the pre-activation (the fused-loss entry point)."""
        padded, pads, image_shape, depthwise = cache[0]
        # z = d P + b with d = depthwise(x)  =>  dP = d^T dz,  db = sum of dz,  dd = dz P^T, then as DepthwiseConv2D
        grad = np.asarray(grad_preactivation, dtype=self.dtype)
        pointwise = self.params["pointwise_kernel"].reshape(-1, self.filters)
        flat_grad = grad.reshape(-1, self.filters)
        grad_pointwise = depthwise.reshape(-1, pointwise.shape[0]).T @ flat_grad
        self._store("pointwise_kernel", grad_pointwise.reshape(self.params["pointwise_kernel"].shape), accumulate)
        if self.use_bias:
            self._store("bias", flat_grad.sum(axis=0), accumulate)
        grad_depthwise = grad @ pointwise.T
        grad_kernel, grad_padded = depthwise_backward(grad_depthwise, padded, self.params["depthwise_kernel"],
                                                      grad.shape[1:3], self.strides, self.dilation_rate, input_grad)
        self._store("depthwise_kernel", grad_kernel, accumulate)
        return self._unpadded(grad_padded, pads, image_shape) if input_grad else None

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
        }

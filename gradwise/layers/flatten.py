"""Flatten: collapse every per-sample axis into one, (batch, ...) -> (batch, features)."""

import math

import numpy as np

from .. import _checks
from .base import Layer


class Flatten(Layer):
    """Reshape inputs of shape (batch, d1, d2, ...) to (batch, d1 * d2 * ...).

    Parameters
    ----------
    data_format : {'channels_last', 'channels_first'}, optional
        With ``'channels_first'`` the channel axis is moved last before flattening, as in
        Keras, so the feature order matches a channels-last model.

    Examples
    --------
    >>> Flatten()
    <Flatten name='flatten'>
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = "channels_last" if data_format is None else data_format
        self.data_format = _checks.choice("Flatten", "data_format", data_format, {"channels_last", "channels_first"})

    def _moves_channels(self, rank):
        return self.data_format == "channels_first" and rank > 2

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, inputs, training=False):
        shape = inputs.shape
        if self._moves_channels(inputs.ndim):
            inputs = np.moveaxis(inputs, 1, -1)
        return inputs.reshape(inputs.shape[0], -1), shape

    # y is x with its entries relabelled  =>  dx is dy with the inverse relabelling
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        shape = cache
        if not self._moves_channels(len(shape)):
            return grad_outputs.reshape(shape)
        moved = grad_outputs.reshape((shape[0], *shape[2:], shape[1]))
        return np.moveaxis(moved, -1, 1)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}

"""UnitNormalization: scale each sample to unit L2 norm over its feature axes."""

import numpy as np

from . import _axes
from .base import Layer

# The smallest squared norm divided by, as Keras: an all-zero sample stays zero instead of NaN.
MIN_SQUARE_NORM = 1e-12


class UnitNormalization(Layer):
    """``outputs = inputs / sqrt(max(sum(inputs**2 over axis), 1e-12))``, as Keras.

    Parameters
    ----------
    axis : int or list of int, default -1
        The axes whose norm is made 1 (batch axis 0 excluded).

    Examples
    --------
    >>> UnitNormalization()
    <UnitNormalization name='unit_normalization'>
    """

    supports_masking = True  # each position is normalized on its own: the mask is handed on, as Keras

    normalizes = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes.check_axis(type(self).__name__, axis)

    def compute_output_shape(self, input_shape):
        _axes.feature_axes(self, self.axis, len(input_shape) + 1)
        return tuple(input_shape)

    def forward(self, inputs, training=False):
        axes = _axes.feature_axes(self, self.axis, inputs.ndim)
        square_norm = np.sum(np.square(inputs), axis=axes, keepdims=True)
        clamped = square_norm < MIN_SQUARE_NORM
        inv_norm = 1.0 / np.sqrt(np.maximum(square_norm, MIN_SQUARE_NORM))
        outputs = inputs * inv_norm
        return outputs, (outputs, inv_norm, clamped, axes)

    # y = x r with r = |x|^-1  =>  dx = r (dy - y sum(dy y)); where the norm is clamped r is constant: dx = r dy
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        outputs, inv_norm, clamped, axes = cache
        projection = np.sum(grad_outputs * outputs, axis=axes, keepdims=True)
        projection[clamped] = 0
        return (grad_outputs - outputs * projection) * inv_norm

    def get_config(self):
        return {**super().get_config(), "axis": _axes.axis_config(self.axis)}

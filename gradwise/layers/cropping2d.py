"""Cropping2D: remove rows and columns at the edges of each image."""

import numpy as np

from . import _spatial
from .base import Layer


class Cropping2D(Layer):
    """Crop `cropping` rows at the top and bottom and columns at the left and right of images.

    Parameters
    ----------
    cropping : int, tuple of 2 ints or tuple of 2 tuples of 2 ints, default ((0, 0), (0, 0))
        As ZeroPadding2D's `padding`: one int for every edge, ``(rows, cols)`` symmetric,
        or ``((top, bottom), (left, right))``.
    data_format : {'channels_last', 'channels_first'}, optional
        ``'channels_last'`` (default): (batch, rows, cols, channels).

    Raises
    ------
    ValueError
        When the cropping leaves no row or no column.

    Examples
    --------
    >>> Cropping2D(cropping=((2, 2), (4, 4)))
    <Cropping2D name='cropping2d'>
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _spatial.edge_pairs("Cropping2D", "cropping", cropping)
        self.data_format = _spatial.data_format("Cropping2D", data_format)

    def compute_output_shape(self, input_shape):
        _spatial.check_image_shape(self, input_shape)
        shape = list(input_shape)
        for axis, (before, after) in zip(_spatial.spatial_axes(self.data_format), self.cropping):
            shape[axis - 1] -= before + after
            if shape[axis - 1] < 1:
                raise ValueError(
                    f"Cropping2D '{self.name}': `cropping` {self.cropping} leaves nothing of inputs of per-sample "
                    f"shape {tuple(input_shape)}; crop fewer than {input_shape[axis - 1]} rows or columns per axis."
                )
        return tuple(shape)

    def _kept(self, shape):
        """The index of the kept part of images of `shape`."""
        index = [slice(None)] * 4
        for axis, (before, after) in zip(_spatial.spatial_axes(self.data_format), self.cropping):
            index[axis] = slice(before, shape[axis] - after)
        return tuple(index)

    def forward(self, inputs, training=False):
        self.compute_output_shape(inputs.shape[1:])
        return inputs[self._kept(inputs.shape)], inputs.shape

    # y is a window of x  =>  dx is dy in that window, zero elsewhere
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        grad_inputs = np.zeros(cache, dtype=grad_outputs.dtype)
        grad_inputs[self._kept(cache)] = grad_outputs
        return grad_inputs

    def get_config(self):
        return {**super().get_config(), "cropping": [list(pair) for pair in self.cropping],
                "data_format": self.data_format}

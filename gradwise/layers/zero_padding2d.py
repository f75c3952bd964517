"""ZeroPadding2D: add rows and columns of zeros around each image."""

import numpy as np

from . import _spatial
from .base import Layer


class ZeroPadding2D(Layer):
    """Pad images with zeros: `padding` rows at the top and bottom, columns at the left and right.

    Parameters
    ----------
    padding : int, tuple of 2 ints or tuple of 2 tuples of 2 ints, default (1, 1)
        An int pads every edge alike; ``(rows, cols)`` pads top and bottom by `rows`, left
        and right by `cols`; ``((top, bottom), (left, right))`` gives each edge.
    data_format : {'channels_last', 'channels_first'}, optional
        ``'channels_last'`` (default): (batch, rows, cols, channels).

    Examples
    --------
    >>> ZeroPadding2D(((1, 0), (1, 0)))
    <ZeroPadding2D name='zero_padding2d'>
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _spatial.edge_pairs("ZeroPadding2D", "padding", padding)
        self.data_format = _spatial.data_format("ZeroPadding2D", data_format)

    def compute_output_shape(self, input_shape):
        _spatial.check_image_shape(self, input_shape)
        shape = list(input_shape)
        for axis, (before, after) in zip(_spatial.spatial_axes(self.data_format), self.padding):
            shape[axis - 1] += before + after
        return tuple(shape)

    def _interior(self, shape):
        """The index of the unpadded images inside padded images of `shape`."""
        index = [slice(None)] * 4
        for axis, (before, after) in zip(_spatial.spatial_axes(self.data_format), self.padding):
            index[axis] = slice(before, shape[axis] - after)
        return tuple(index)

    def forward(self, inputs, training=False):
        shape = (inputs.shape[0], *self.compute_output_shape(inputs.shape[1:]))
        outputs = np.zeros(shape, dtype=inputs.dtype)
        outputs[self._interior(shape)] = inputs
        return outputs, None

    # y is x placed inside a border of zeros  =>  dx is dy without its border
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs[self._interior(grad_outputs.shape)] if input_grad else None

    def get_config(self):
        return {**super().get_config(), "padding": [list(pair) for pair in self.padding],
                "data_format": self.data_format}

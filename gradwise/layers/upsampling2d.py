"""UpSampling2D: enlarge images by repeating pixels (nearest) or interpolating them (bilinear)."""

import numpy as np

from . import _geometry, _spatial
from .base import Layer

INTERPOLATIONS = ("nearest", "bilinear")


def bilinear_matrix(size, scale, dtype):
    """(size * scale, size) weights of bilinear resizing along one axis, with half-pixel
    centres as Keras (TensorFlow's ``half_pixel_centers``) and PyTorch (``align_corners=False``):
    output ``o`` samples ``(o + 0.5) / scale - 0.5``, clamped to the edge pixels."""
    source = np.maximum((np.arange(size * scale) + 0.5) / scale - 0.5, 0.0)
    lower = np.minimum(np.floor(source).astype(int), size - 1)
    upper = np.minimum(lower + 1, size - 1)
    weight_upper = source - lower
    matrix = np.zeros((size * scale, size))
    rows = np.arange(size * scale)
    np.add.at(matrix, (rows, lower), 1.0 - weight_upper)
    np.add.at(matrix, (rows, upper), weight_upper)
    return matrix.astype(dtype)


class UpSampling2D(Layer):
    """Repeat each row `size[0]` times and each column `size[1]` times ('nearest'), or resize
    by bilinear interpolation ('bilinear') to the same output size.

    Parameters
    ----------
    size : int or tuple of 2 ints, default (2, 2)
        Upsampling factors for rows and columns.
    data_format : {'channels_last', 'channels_first'}, optional
        ``'channels_last'`` (default): (batch, rows, cols, channels).
    interpolation : {'nearest', 'bilinear'}, default 'nearest'
        Keras' other modes (bicubic, lanczos) are not available.

    Examples
    --------
    >>> UpSampling2D(size=2, interpolation="bilinear")
    <UpSampling2D name='up_sampling2d'>
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = _geometry.int_tuple("UpSampling2D", "size", size, 2)
        self.data_format = _spatial.data_format("UpSampling2D", data_format)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D: `interpolation` must be one of {list(INTERPOLATIONS)}, got {interpolation!r}; "
                "gradwise has no bicubic or lanczos resizing."
            )
        self.interpolation = interpolation

    def compute_output_shape(self, input_shape):
        _spatial.check_image_shape(self, input_shape)
        shape = list(input_shape)
        for axis, factor in zip(_spatial.spatial_axes(self.data_format), self.size):
            shape[axis - 1] *= factor
        return tuple(shape)

    def _channels_last(self, images):
        return np.moveaxis(images, 1, -1) if self.data_format == "channels_first" else images

    def _in_format(self, images):
        return np.moveaxis(images, -1, 1) if self.data_format == "channels_first" else images

    def forward(self, inputs, training=False):
        images = self._channels_last(inputs)
        batch, rows, cols, channels = images.shape
        if self.interpolation == "nearest":
            repeated = np.broadcast_to(images[:, :, None, :, None, :], (batch, rows, self.size[0], cols, self.size[1],
                                                                          channels))
            outputs = repeated.reshape(batch, rows * self.size[0], cols * self.size[1], channels)
            return self._in_format(outputs), None
        row_weights = bilinear_matrix(rows, self.size[0], inputs.dtype)
        col_weights = bilinear_matrix(cols, self.size[1], inputs.dtype)
        outputs = np.einsum("pr,brcn,qc->bpqn", row_weights, images, col_weights, optimize=True)
        return self._in_format(outputs), (row_weights, col_weights)

    # nearest: y[p, q] = x[p // size0, q // size1]  =>  dx sums dy over each size0 x size1 block
    # bilinear: y = R x C^T per channel (R, C interpolation matrices)  =>  dx = R^T dy C
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        grad = self._channels_last(grad_outputs)
        batch, out_rows, out_cols, channels = grad.shape
        if cache is None:
            blocks = grad.reshape(batch, out_rows // self.size[0], self.size[0], out_cols // self.size[1],
                                  self.size[1], channels)
            return self._in_format(blocks.sum(axis=(2, 4)))
        row_weights, col_weights = cache
        return self._in_format(np.einsum("pr,bpqn,qc->brcn", row_weights, grad, col_weights, optimize=True))

    def get_config(self):
        return {**super().get_config(), "size": list(self.size), "data_format": self.data_format,
                "interpolation": self.interpolation}

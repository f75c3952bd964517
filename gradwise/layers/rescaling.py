"""Rescaling: outputs = inputs * scale + offset, e.g. pixels in [0, 255] to [0, 1]."""

import numbers

import numpy as np

from .base import Layer


def _finite_number(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"Rescaling: `{name}` must be a finite number, got {value!r}.")
    return float(value)


class Rescaling(Layer):
    """Multiply the inputs by `scale` and add `offset` (no trainable weights).

    Parameters
    ----------
    scale : float
    offset : float

    Examples
    --------
    >>> Rescaling(1.0 / 255)
    <Rescaling name='rescaling'>
    """

    normalizes = True
    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _finite_number("scale", scale)
        self.offset = _finite_number("offset", offset)

    def forward(self, inputs, training=False):
        outputs = inputs * self.scale
        if self.offset:
            outputs += self.offset
        return outputs, None

    # y = scale * x + offset  =>  dx = scale * dy
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs * self.scale if input_grad else None

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}

"""Edits of a sequence's steps axis: ZeroPadding1D, Cropping1D and UpSampling1D.

Inputs are (batch, steps, features) ('channels_last'); ZeroPadding1D also takes Keras's
'channels_first' (batch, features, steps).
"""

import numpy as np

from . import _geometry, _spatial
from .base import Layer


def _edge_pair(owner, name, value):
    """An int for both ends, or (before, after); each a non-negative int."""
    pair = (value, value) if _spatial._is_int(value) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(_spatial._is_int(v) and v >= 0 for v in pair)):
        raise ValueError(f"{owner}: `{name}` must be a non-negative int or a tuple of 2 such ints (before, after), "
                         f"got {value!r}.")
    return int(pair[0]), int(pair[1])


def _check_sequence_shape(layer, input_shape):
    if len(input_shape) != 2:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expected inputs of rank 3 (batch, steps, features), "
                         f"got per-sample shape {tuple(input_shape)}.")


class ZeroPadding1D(Layer):
    """Add `padding` steps of zeros at the start and end of each sequence.

    Parameters
    ----------
    padding : int or tuple of 2 ints, default 1
        Steps added before and after (one int: both).
    data_format : {'channels_last', 'channels_first'}, optional
        ``'channels_last'`` (default): (batch, steps, features).

    Examples
    --------
    >>> ZeroPadding1D(padding=(1, 2))
    <ZeroPadding1D name='zero_padding1d'>
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _edge_pair("ZeroPadding1D", "padding", padding)
        self.data_format = _spatial.data_format("ZeroPadding1D", data_format)

    @property
    def _steps_axis(self):
        return 2 if self.data_format == "channels_first" else 1

    def compute_output_shape(self, input_shape):
        _check_sequence_shape(self, input_shape)
        shape = list(input_shape)
        shape[self._steps_axis - 1] += sum(self.padding)
        return tuple(shape)

    def _interior(self, steps):
        index = [slice(None)] * 3
        index[self._steps_axis] = slice(self.padding[0], steps - self.padding[1])
        return tuple(index)

    def forward(self, inputs, training=False):
        shape = (inputs.shape[0], *self.compute_output_shape(inputs.shape[1:]))
        outputs = np.zeros(shape, dtype=inputs.dtype)
        outputs[self._interior(shape[self._steps_axis])] = inputs
        return outputs, None

    # y is x between steps of zeros  =>  dx is dy without those steps
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs[self._interior(grad_outputs.shape[self._steps_axis])] if input_grad else None

    def get_config(self):
        return {**super().get_config(), "padding": list(self.padding), "data_format": self.data_format}


class Cropping1D(Layer):
    """Remove `cropping` steps at the start and end of each sequence.

    Parameters
    ----------
    cropping : int or tuple of 2 ints, default (1, 1)
        Steps removed before and after (one int: both).

    Examples
    --------
    >>> Cropping1D(cropping=(2, 0))
    <Cropping1D name='cropping1d'>
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _edge_pair("Cropping1D", "cropping", cropping)

    def compute_output_shape(self, input_shape):
        _check_sequence_shape(self, input_shape)
        steps = input_shape[0] - sum(self.cropping)
        if steps < 1:
            raise ValueError(f"Cropping1D '{self.name}': `cropping` {self.cropping} leaves no step of sequences of "
                             f"{input_shape[0]} steps; crop fewer than {input_shape[0]} steps in all.")
        return (steps, input_shape[1])

    def forward(self, inputs, training=False):
        self.compute_output_shape(inputs.shape[1:])
        return inputs[:, self.cropping[0]:inputs.shape[1] - self.cropping[1]], inputs.shape

    # y is a window of x's steps  =>  dx is dy in that window, zero elsewhere
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        grad_inputs = np.zeros(cache, dtype=grad_outputs.dtype)
        grad_inputs[:, self.cropping[0]:cache[1] - self.cropping[1]] = grad_outputs
        return grad_inputs

    def get_config(self):
        return {**super().get_config(), "cropping": list(self.cropping)}


class UpSampling1D(Layer):
    """Repeat each step `size` times.

    Parameters
    ----------
    size : int, default 2

    Examples
    --------
    >>> UpSampling1D(size=3)
    <UpSampling1D name='up_sampling1d'>
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = _geometry.int_tuple("UpSampling1D", "size", size, 1)[0]

    def compute_output_shape(self, input_shape):
        _check_sequence_shape(self, input_shape)
        return (input_shape[0] * self.size, input_shape[1])

    def forward(self, inputs, training=False):
        return np.repeat(inputs, self.size, axis=1), None

    # y[:, t * size + r] = x[:, t]  =>  dx[:, t] = sum over r of dy[:, t * size + r]
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        batch, steps, features = grad_outputs.shape
        return grad_outputs.reshape(batch, steps // self.size, self.size, features).sum(axis=2)

    def get_config(self):
        return {**super().get_config(), "size": self.size}

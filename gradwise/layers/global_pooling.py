"""Global pooling: one value per channel, the mean or maximum over all positions.

GlobalAveragePooling2D / GlobalMaxPooling2D take (batch, height, width, channels),
GlobalAveragePooling1D / GlobalMaxPooling1D take (batch, steps, channels); all give
(batch, channels), or keep the pooled axes with size 1 when ``keepdims=True``.

The 1D layers take a Keras mask (``masking.py``): they pool over the real steps only,
and a sample with no real step gives zeros. Keras's GlobalMaxPooling1D ignores the
mask and lets padding win the maximum; gradwise leaves padding out of both.
"""

import numpy as np

from . import _geometry, masking
from .base import Layer


class BaseGlobalPooling(Layer, register=False):
    """Reduce every spatial axis. Subclasses set ``rank``, ``mode`` and ``_axis_names``."""

    rank = None
    mode = None
    _axis_names = ()

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _geometry.data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)
        self._axes = tuple(range(1, self.rank + 1))

    @property
    def takes_mask(self):
        return self.rank == 1

    def compute_mask(self, inputs, mask):
        return None  # the steps are pooled away

    def _expected_shape(self, channels="channels"):
        return "(batch, " + ", ".join(self._axis_names) + f", {channels})"

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape {self._expected_shape()}, "
                f"got per-sample shape {input_shape} (rank {len(input_shape) + 1} inputs)."
            )
        return (1,) * self.rank + input_shape[-1:] if self.keepdims else input_shape[-1:]

    def forward(self, inputs, training=False, mask=None):
        channels = self.input_shape[-1]
        if inputs.ndim != self.rank + 2 or inputs.shape[-1] != channels:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape {self._expected_shape(channels)}, "
                f"got shape {inputs.shape}."
            )
        if mask is not None:
            mask = masking.check_mask(self, inputs, mask)
            outputs = self._pool_masked(inputs, mask)
            return (outputs[:, None, :] if self.keepdims else outputs), (inputs, mask)
        reduce = np.max if self.mode == "max" else np.mean
        outputs = reduce(inputs, axis=self._axes, keepdims=True)
        return (outputs if self.keepdims else outputs.reshape(inputs.shape[0], channels)), inputs

    def _pool_masked(self, inputs, mask):
        """Mean or maximum over the real steps of (batch, steps, channels); zeros where none is real."""
        real = mask[:, :, None]
        if self.mode == "average":
            return (inputs * real).sum(axis=1) / np.maximum(real.sum(axis=1), 1).astype(inputs.dtype)
        outputs = np.where(real, inputs, -np.inf).max(axis=1)
        outputs[~mask.any(axis=1)] = 0.0
        return outputs

    def _backward_masked(self, grad_outputs, inputs, mask):
        batch, channels = inputs.shape[0], inputs.shape[-1]
        grad = grad_outputs.reshape(batch, 1, channels)
        real = mask[:, :, None]
        if self.mode == "average":
            # y = sum of x over the real steps / their count  =>  dx = dy / count on real steps, 0 on masked ones
            return grad * real / np.maximum(real.sum(axis=1, keepdims=True), 1).astype(inputs.dtype)
        # y = max of x over the real steps  =>  dy goes to the first maximal real step
        grad_inputs = np.zeros_like(inputs)
        first = np.where(real, inputs, -np.inf).argmax(axis=1)[:, None, :]
        np.put_along_axis(grad_inputs, first, grad, axis=1)
        grad_inputs[~mask.any(axis=1)] = 0.0
        return grad_inputs

    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        if isinstance(cache, tuple):
            return self._backward_masked(grad_outputs, *cache)
        inputs = cache
        batch, channels = inputs.shape[0], inputs.shape[-1]
        grad = grad_outputs.reshape(batch, 1, channels)
        positions = inputs[0, ..., 0].size
        if self.mode == "average":
            # y = mean over positions  =>  each position gets dy / positions
            grad_inputs = np.empty((batch, positions, channels), dtype=inputs.dtype)
            np.divide(grad, positions, out=grad_inputs, casting="unsafe")
        else:
            # y = max over positions  =>  dy goes to the first maximal position
            grad_inputs = np.zeros((batch, positions, channels), dtype=inputs.dtype)
            first = inputs.reshape(batch, positions, channels).argmax(axis=1)[:, None, :]
            np.put_along_axis(grad_inputs, first, grad, axis=1)
        return grad_inputs.reshape(inputs.shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


def _make(class_name, rank, mode, axis_names, doc):
    return type(class_name, (BaseGlobalPooling,),
                {"rank": rank, "mode": mode, "_axis_names": axis_names, "__doc__": doc})


_DOC = """{summary}

    Parameters
    ----------
    data_format : {{None, 'channels_last'}}
    keepdims : bool, default False
        Keep the pooled axes (size 1), as Keras' `keepdims`.

    Raises
    ------
    ValueError
        For inputs that are not {shape}.

    Examples
    --------
    >>> {name}()
    <{name} name='{snake}'>
    """

GlobalAveragePooling2D = _make("GlobalAveragePooling2D", 2, "average", ("height", "width"), _DOC.format(
    summary="Mean over height and width: (batch, height, width, channels) -> (batch, channels).",
    shape="(batch, height, width, channels)", name="GlobalAveragePooling2D", snake="global_average_pooling2d"))
GlobalMaxPooling2D = _make("GlobalMaxPooling2D", 2, "max", ("height", "width"), _DOC.format(
    summary="Maximum over height and width: (batch, height, width, channels) -> (batch, channels).",
    shape="(batch, height, width, channels)", name="GlobalMaxPooling2D", snake="global_max_pooling2d"))
GlobalAveragePooling1D = _make("GlobalAveragePooling1D", 1, "average", ("steps",), _DOC.format(
    summary="Mean over steps: (batch, steps, channels) -> (batch, channels).",
    shape="(batch, steps, channels)", name="GlobalAveragePooling1D", snake="global_average_pooling1d"))
GlobalMaxPooling1D = _make("GlobalMaxPooling1D", 1, "max", ("steps",), _DOC.format(
    summary="Maximum over steps: (batch, steps, channels) -> (batch, channels).",
    shape="(batch, steps, channels)", name="GlobalMaxPooling1D", snake="global_max_pooling1d"))

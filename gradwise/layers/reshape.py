"""Reshape: give each sample a new shape with the same number of entries."""

import math

import numpy as np

from .base import Layer


class Reshape(Layer):
    """Reshape each sample to `target_shape` (the batch axis is kept).

    Parameters
    ----------
    target_shape : tuple of int
        Per-sample shape; one entry may be -1, inferred from the input size as in Keras.

    Examples
    --------
    >>> Reshape((4, -1))
    <Reshape name='reshape'>
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, (int, np.integer)) and not isinstance(target_shape, bool):
            target_shape = (target_shape,)
        if not isinstance(target_shape, (tuple, list)) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and (d > 0 or d == -1) for d in target_shape
        ):
            raise ValueError(
                f"Reshape: `target_shape` must be a tuple of positive ints with at most one -1, got {target_shape!r}."
            )
        if list(target_shape).count(-1) > 1:
            raise ValueError(f"Reshape: `target_shape` may contain at most one -1, got {tuple(target_shape)!r}.")
        self.target_shape = tuple(int(d) for d in target_shape)

    def compute_output_shape(self, input_shape):
        size = math.prod(input_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                raise ValueError(
                    f"Reshape '{self.name}': cannot reshape per-sample shape {tuple(input_shape)} ({size} entries) "
                    f"to {self.target_shape}: {size} is not a multiple of {known}."
                )
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(
                f"Reshape '{self.name}': cannot reshape per-sample shape {tuple(input_shape)} ({size} entries) "
                f"to {self.target_shape} ({known} entries); the sizes must match."
            )
        return self.target_shape

    def forward(self, inputs, training=False):
        return inputs.reshape((inputs.shape[0], *self.output_shape)), inputs.shape

    # y is x with its entries relabelled  =>  dx is dy reshaped back
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs.reshape(cache) if input_grad else None

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}

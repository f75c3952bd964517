"""Permute: reorder the per-sample axes."""

import numpy as np

from .base import Layer


class Permute(Layer):
    """Transpose each sample's axes: output axis ``i`` is input axis ``dims[i]`` (1-based, as Keras:
    the batch axis 0 stays first).

    Parameters
    ----------
    dims : tuple of int
        A permutation of ``1, ..., rank``; ``(2, 1)`` swaps the two axes of (batch, steps, features).

    Examples
    --------
    >>> Permute((2, 1))
    <Permute name='permute'>
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(dims, (tuple, list)) or sorted(
                int(d) if isinstance(d, (int, np.integer)) and not isinstance(d, bool) else -1 for d in dims
        ) != list(range(1, len(dims) + 1)):
            raise ValueError(
                f"Permute: `dims` must be a permutation of 1, ..., rank (the batch axis 0 is not permuted), "
                f"e.g. (2, 1), got {dims!r}."
            )
        self.dims = tuple(int(d) for d in dims)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != len(self.dims):
            raise ValueError(
                f"Permute '{self.name}': `dims` {self.dims} permutes {len(self.dims)} axes, but the inputs have "
                f"per-sample shape {tuple(input_shape)} ({len(input_shape)} axes)."
            )
        return tuple(input_shape[d - 1] for d in self.dims)

    def forward(self, inputs, training=False):
        return inputs.transpose(0, *self.dims), None

    # y = x with axes permuted  =>  dx = dy with the inverse permutation
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs.transpose(0, *(np.argsort(self.dims) + 1)) if input_grad else None

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}

"""RepeatVector: repeat each sample's feature vector `n` times along a new time axis."""

import numpy as np

from .. import _checks
from .base import Layer


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features), the same vector at every step.

    Parameters
    ----------
    n : int
        Number of repetitions.

    Examples
    --------
    >>> RepeatVector(3)
    <RepeatVector name='repeat_vector'>
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = _checks.positive_int("RepeatVector", "n", n)

    def compute_output_shape(self, input_shape):
        self.check_input_shape(input_shape, expected_rank=1)
        return (self.n, *input_shape)

    def forward(self, inputs, training=False):
        return np.repeat(inputs[:, None, :], self.n, axis=1), None  # a writable copy, as other layers' outputs

    # y[:, t] = x for every step t  =>  dx = sum over t of dy[:, t]
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs.sum(axis=1) if input_grad else None

    def get_config(self):
        return {**super().get_config(), "n": self.n}

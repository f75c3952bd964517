"""Input: declares the per-sample shape of a Sequential model's inputs."""

import numpy as np

from .. import _checks
from .symbolic import SymbolicTensor
from .base import Layer


class Input(Layer):
    """Placeholder first element of a Sequential model, as ``keras.Input(shape=(8,))``.

    Parameters
    ----------
    shape : tuple of int
        Per-sample shape, without the batch axis.
    """

    def __init__(self, shape=None, name=None, batch_size=None, **kwargs):
        if shape is None:
            raise ValueError("Input: `shape` is required, e.g. Input(shape=(8,)).")
        super().__init__(name=name, input_shape=_checks.shape_tuple("Input", "shape", shape), **kwargs)
        self.shape = self.requested_input_shape
        from ..backend import floatx

        # what layers called on this Input receive (the Functional API)
        self.symbolic_output = SymbolicTensor(self.shape, np.dtype(floatx()), source=self)

    @property
    def output(self):
        return self.symbolic_output

    def forward(self, inputs, training=False):
        return inputs, None

    # y = x  =>  dy/dx = 1
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs if input_grad else None

    def get_config(self):
        return {"name": self.name, "shape": list(self.shape)}

"""Input: declares the per-sample shape (and the kind of values) of a model's inputs."""

import numpy as np

from .. import _checks
from .symbolic import SymbolicTensor
from .base import Layer


class Input(Layer):
    """Placeholder first element of a Sequential model, as ``keras.Input(shape=(8,))``.

    Parameters
    ----------
    shape : tuple of int or None
        Per-sample shape, without the batch axis. None marks an axis whose length may
        change between calls, as Keras's ``Input(shape=(None,))`` for token sequences of
        any length: the layers after it must not need that length (an Embedding and a
        recurrent layer do not; Flatten or Dense on that axis do).
    dtype : str, optional
        What the model takes here: numbers by default (cast to the model's float dtype;
        integer dtypes such as "int64" are accepted and cast alike), or ``"string"``: text,
        kept as Python/NumPy strings for a StringLookup or Hashing that follows.
    """

    def __init__(self, shape=None, name=None, batch_size=None, dtype=None, **kwargs):
        if shape is None:
            raise ValueError("Input: `shape` is required, e.g. Input(shape=(8,)).")
        shape = _checks.shape_tuple("Input", "shape", shape, allow_none=True)
        super().__init__(name=name, **kwargs)
        self.requested_input_shape = shape
        self.shape = shape
        self.input_dtype = _input_dtype(dtype)
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

    @property
    def takes_strings(self):
        return self.input_dtype == "string"

    def get_config(self):
        config = {"name": self.name, "shape": list(self.shape)}
        if self.input_dtype is not None:
            config["dtype"] = self.input_dtype
        return config


_STRING_NAMES = ("string", "str", "object")


def _input_dtype(dtype):
    """None (numbers in the model's float dtype), "string", or a NumPy number dtype's name."""
    if dtype is None:
        return None
    if dtype is str or dtype is object or (isinstance(dtype, str) and dtype.lower() in _STRING_NAMES):
        return "string"
    try:
        kind = np.dtype(dtype)
    except TypeError:
        kind = None
    if kind is None or kind.kind not in "biuf":
        raise ValueError(f"Input: `dtype` must be a number dtype (e.g. 'float32', 'int64') or 'string', "
                         f"got {dtype!r}.")
    return kind.name

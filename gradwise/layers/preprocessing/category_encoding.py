"""CategoryEncoding: integer categories in [0, num_tokens) to one-hot, multi-hot or count vectors."""

import numpy as np

from ... import _checks
from . import encoding
from .base import PreprocessingLayer
from .encoding import encode, encoded_shape


class CategoryEncoding(PreprocessingLayer):
    """Encode integer category indices (Keras's CategoryEncoding).

    Parameters
    ----------
    num_tokens : int
        Every input must lie in [0, num_tokens).
    output_mode : {'multi_hot', 'one_hot', 'count'}, default 'multi_hot'

    Examples
    --------
    >>> CategoryEncoding(num_tokens=4, output_mode="one_hot")([3, 2, 0, 1]).tolist()[0]
    [0.0, 0.0, 0.0, 1.0]
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if num_tokens is None:
            raise ValueError(f"{owner}: `num_tokens` is required (the number of categories), got None.")
        self.num_tokens = _checks.positive_int(owner, "num_tokens", num_tokens)
        self.output_mode = encoding.output_mode(owner, output_mode, ("one_hot", "multi_hot", "count"))
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` is not supported (gradwise has no sparse tensors); got True.")

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.num_tokens, self.output_mode)

    def forward(self, inputs, training=False):
        values = np.asarray(inputs)
        if values.dtype.kind not in "iubf":
            raise TypeError(f"{type(self).__name__} '{self.name}' expected integer category indices, got an array of "
                            f"dtype {values.dtype}. Map strings to indices first with StringLookup.")
        indices = np.rint(values).astype(np.int64) if values.dtype.kind == "f" else values.astype(np.int64)
        outside = (indices < 0) | (indices >= self.num_tokens) | (values != indices)
        if outside.any():
            raise ValueError(f"{type(self).__name__} '{self.name}' expected integers in [0, {self.num_tokens}), got "
                             f"{values[outside].reshape(-1)[0].item()!r}. Raise `num_tokens` or check the inputs.")
        return encode(indices, self.num_tokens, self.output_mode, self.dtype or np.float32), None

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}

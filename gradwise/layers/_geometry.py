"""Window geometry shared by convolution and pooling layers: argument checks and padding.

Padding follows Keras (TensorFlow): for ``padding='same'`` the output has
``ceil(size / stride)`` positions and the total padding
``max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)`` is split with the
smaller half before and the larger half after (PyTorch pads symmetrically instead).
"""

import math

import numpy as np

from .. import _checks

PADDINGS_2D = ("valid", "same")
PADDINGS_1D = ("valid", "same", "causal")


def int_tuple(owner, name, value, rank):
    """`value` (an int or a sequence of `rank` ints) as a tuple of `rank` positive ints."""
    values = (value,) * rank if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    if not isinstance(values, (tuple, list)) or len(values) != rank or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in values
    ):
        example = "3" if rank == 1 else "3 or (3, 3)"
        raise ValueError(
            f"{owner}: `{name}` must be a positive int or a tuple of {rank} positive ints (e.g. {example}), "
            f"got {value!r}."
        )
    return tuple(int(v) for v in values)


def padding_mode(owner, value, rank):
    options = PADDINGS_1D if rank == 1 else PADDINGS_2D
    mode = value.lower() if isinstance(value, str) else value
    return _checks.choice(owner, "padding", mode, set(options))


def data_format(owner, value):
    if value not in (None, "channels_last"):
        raise ValueError(
            f"{owner}: only `data_format='channels_last'` (inputs (batch, ..., channels)) is supported, "
            f"got {value!r}. Transpose channels_first data with np.moveaxis(x, 1, -1)."
        )
    return "channels_last"


def axis_padding(size, kernel, stride, dilation, padding):
    """(pad_before, pad_after, output_size) along one spatial axis, as Keras computes them.

    `output_size` is 0 or negative when a 'valid' window does not fit.
    """
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        return 0, 0, (size - effective) // stride + 1
    if padding == "causal":
        return effective - 1, 0, (size - 1) // stride + 1
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2, out

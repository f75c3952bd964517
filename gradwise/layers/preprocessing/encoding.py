"""Indices to the outputs Keras's preprocessing layers give: 'int', 'one_hot', 'multi_hot', 'count'.

Shared by StringLookup, IntegerLookup, Hashing, Discretization and CategoryEncoding.
An index of -1 marks a dropped value (a mask token outside 'int' mode): it counts nowhere.
"""

import numpy as np

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def output_mode(owner, value, options=OUTPUT_MODES):
    """`value` checked against `options`; Keras's older name 'binary' is 'multi_hot' (as Keras 3 maps it)."""
    from ... import _checks

    return _checks.choice(owner, "output_mode", "multi_hot" if value == "binary" else value, options)


def encode(indices, depth, output_mode, dtype):
    """`indices` (int64 array, batch axis first, values in [-1, depth)) in `output_mode`.

    - 'int': the indices.
    - 'one_hot': each index a row of `depth`; a last axis of size 1 is replaced, else a new one added.
    - 'multi_hot' / 'count': per sample, whether / how often each index occurs along the last axis
      (a sample of one value when the inputs have no per-sample axis).
    """
    if output_mode == "int":
        return indices
    if output_mode == "one_hot":
        base = indices[..., 0] if indices.ndim > 1 and indices.shape[-1] == 1 else indices
        rows = base.reshape(-1, 1)
        shape = base.shape + (depth,)
    else:
        rows = indices.reshape(-1, 1) if indices.ndim == 1 else indices.reshape(-1, indices.shape[-1])
        shape = (indices.shape if indices.ndim == 1 else indices.shape[:-1]) + (depth,)
    valid = rows >= 0
    positions = (np.arange(rows.shape[0])[:, None] * depth + rows)[valid]
    counts = np.bincount(positions, minlength=rows.shape[0] * depth).reshape(shape)
    if output_mode == "multi_hot":
        counts = np.minimum(counts, 1)
    return counts.astype(dtype)


def encoded_shape(input_shape, depth, output_mode):
    """The per-sample output shape of `encode` for per-sample `input_shape`."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if output_mode == "one_hot":
        return (input_shape[:-1] if input_shape and input_shape[-1] == 1 else input_shape) + (depth,)
    return input_shape[:-1] + (depth,)

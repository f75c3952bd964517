"""Feature axes given as Keras gives them (an int or a list of ints, batch axis included)."""

import numpy as np


def check_axis(owner, axis):
    """`axis` as a tuple of ints, unchecked against a rank yet (that needs the inputs)."""
    values = [axis] if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) else axis
    if not isinstance(values, (tuple, list)) or not values or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in values
    ):
        raise TypeError(f"{owner}: `axis` must be an int or a non-empty list of ints such as -1, got {axis!r}.")
    return tuple(int(a) for a in values)


def feature_axes(layer, axis, rank):
    """`axis` as sorted non-negative indices into inputs of `rank` (batch included), none of them 0."""
    resolved = sorted({a + rank if a < 0 else a for a in axis})
    if any(not 1 <= a < rank for a in resolved) or len(resolved) != len(axis):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `axis` {axis_config(axis)} does not name distinct feature axes "
            f"of inputs of rank {rank}; expected axes in [1, {rank - 1}] or [-{rank - 1}, -1] (axis 0 is the batch)."
        )
    return tuple(resolved)


def axis_config(axis):
    """`axis` as get_config writes it: an int for one axis, a list for several (as Keras)."""
    return axis[0] if len(axis) == 1 else list(axis)

"""Arguments and axes shared by the 2-D spatial layers (ZeroPadding2D, Cropping2D, UpSampling2D)."""

import numpy as np

from .. import _checks


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def edge_pairs(owner, name, value):
    """`value` as Keras reads it: an int for every edge, (rows, cols) for symmetric amounts,
    or ((top, bottom), (left, right)); returned as the last form, each a non-negative int."""
    pairs = value
    if _is_int(value):
        pairs = ((value, value), (value, value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) for v in value):
        pairs = ((value[0], value[0]), (value[1], value[1]))
    if not (isinstance(pairs, (tuple, list)) and len(pairs) == 2 and all(
            isinstance(pair, (tuple, list)) and len(pair) == 2 and all(_is_int(v) and v >= 0 for v in pair)
            for pair in pairs)):
        raise ValueError(
            f"{owner}: `{name}` must be a non-negative int, a tuple of 2 such ints (rows, cols) or a tuple of "
            f"2 pairs ((top, bottom), (left, right)), got {value!r}."
        )
    return tuple((int(pair[0]), int(pair[1])) for pair in pairs)


def data_format(owner, value):
    value = "channels_last" if value is None else value
    return _checks.choice(owner, "data_format", value, {"channels_last", "channels_first"})


def spatial_axes(data_format):
    """The (rows, cols) axes of a batch of images in `data_format`."""
    return (2, 3) if data_format == "channels_first" else (1, 2)


def check_image_shape(layer, input_shape):
    if len(input_shape) != 3:
        layout = "(batch, channels, rows, cols)" if layer.data_format == "channels_first" \
            else "(batch, rows, cols, channels)"
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}' expected inputs of rank 4 {layout}, "
            f"got per-sample shape {tuple(input_shape)}."
        )

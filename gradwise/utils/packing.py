"""Keras's helpers for a custom ``train_step``'s data: ``(x, y, sample_weight)`` tuples of any length."""


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``: the shortest tuple that holds what is given."""
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a tuple of one to three items (missing ones None), or from `data` alone."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if not 1 <= len(data) <= 3:
        raise ValueError(f"unpack_x_y_sample_weight: `data` must be a tuple of 1 to 3 items (x, y, sample_weight), "
                         f"got {len(data)} items.")
    return (*data, *([None] * (3 - len(data))))

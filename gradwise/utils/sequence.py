"""pad_sequences: lists of token indices of different lengths to one (samples, maxlen) array."""

import numpy as np

from .. import _checks


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pad (or cut) every sequence to `maxlen` steps, as ``keras.utils.pad_sequences``.

    Parameters
    ----------
    sequences : iterable of sequences
        Each a list (or 1-D array) of values, or of equal-shaped items (e.g. vectors).
    maxlen : int, optional
        Defaults to the longest sequence's length.
    dtype : str or numpy dtype, default 'int32'
    padding, truncating : {'pre', 'post'}, default 'pre'
        Where to add `value` in short sequences, and where to cut long ones.
    value : float, default 0.0

    Returns
    -------
    ndarray of shape (samples, maxlen, *item shape)

    Examples
    --------
    >>> pad_sequences([[1, 2], [3, 4, 5]])
    array([[0, 1, 2],
           [3, 4, 5]], dtype=int32)
    """
    _checks.choice("pad_sequences", "padding", padding, ("pre", "post"))
    _checks.choice("pad_sequences", "truncating", truncating, ("pre", "post"))
    try:
        rows = [np.asarray(sequence) for sequence in sequences]
    except TypeError:
        raise TypeError(f"pad_sequences: `sequences` must be an iterable of sequences, got {sequences!r}.") from None
    if any(row.ndim == 0 for row in rows):
        raise ValueError("pad_sequences: every item of `sequences` must be a sequence (a list of values), "
                         f"got {next(row for row in rows if row.ndim == 0)!r}.")
    if maxlen is None:
        maxlen = max((len(row) for row in rows), default=0)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences: `maxlen` must be a non-negative int or None, got {maxlen!r}.")
    items = {row.shape[1:] for row in rows if len(row)}
    if len(items) > 1:
        raise ValueError(f"pad_sequences: the items of the sequences must share one shape, got shapes {sorted(items)}.")
    item_shape = items.pop() if items else ()
    padded = np.full((len(rows), maxlen, *item_shape), value, dtype=dtype)
    for index, row in enumerate(rows):
        kept = row[-maxlen:] if truncating == "pre" else row[:maxlen]
        if maxlen == 0 or not len(kept):
            continue
        if padding == "post":
            padded[index, :len(kept)] = kept
        else:
            padded[index, -len(kept):] = kept
    return padded

"""to_categorical and normalize, with Keras' arguments and results."""

import numbers

import numpy as np

from .. import backend


def _class_indices(y):
    """`y` as an int64 array of class indices, or a ValueError saying what is wrong."""
    y = np.asarray(y)
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise ValueError(
            f"to_categorical: `y` must hold integer class indices, got an array of dtype {y.dtype}. Encode "
            "labels such as strings first (sklearn.preprocessing.LabelEncoder)."
        )
    if np.issubdtype(y.dtype, np.inexact):
        whole = np.isfinite(y) & (y == np.round(y))
        if not whole.all():
            raise ValueError(
                f"to_categorical: `y` must hold integer class indices, got the non-integer value "
                f"{y[~whole].reshape(-1)[0].item()!r}."
            )
    y = y.astype(np.int64)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: `y` must hold class indices >= 0, got {y.min()}.")
    return y


def to_categorical(y, num_classes=None):
    """One-hot rows from integer class indices: shape (*y.shape, num_classes).

    As in Keras, a trailing axis of 1 is dropped first ((n, 1) labels give (n, classes)).

    Parameters
    ----------
    y : array-like of int
        Class indices in [0, num_classes).
    num_classes : int, optional
        Defaults to ``max(y) + 1``.

    Returns
    -------
    ndarray of floatx() (float32 unless changed)

    Raises
    ------
    ValueError
        Negative, non-integer or too large indices (NumPy indexing would silently wrap
        negative ones), or a `num_classes` that is not a positive int.

    Examples
    --------
    >>> to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """
    y = _class_indices(y)
    shape = y.shape[:-1] if y.ndim > 1 and y.shape[-1] == 1 else y.shape
    if num_classes is None:
        if y.size == 0:
            raise ValueError("to_categorical: `num_classes` is required when `y` is empty.")
        num_classes = int(y.max()) + 1
    elif isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 1:
        raise ValueError(f"to_categorical: `num_classes` must be a positive int, got {num_classes!r}.")
    elif y.size and y.max() >= num_classes:
        raise ValueError(
            f"to_categorical: `y` holds the class index {y.max()}, outside [0, {num_classes}) for "
            f"num_classes={num_classes}. Raise `num_classes` or check the labels."
        )
    flat = y.reshape(-1)
    categorical = np.zeros((flat.shape[0], int(num_classes)), dtype=backend.floatx())
    categorical[np.arange(flat.shape[0]), flat] = 1
    return categorical.reshape(shape + (int(num_classes),))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (Keras' ``keras.utils.normalize``).

    All-zero vectors stay zero.

    Parameters
    ----------
    x : array-like of numbers
    axis : int, default -1
    order : int or float, default 2
        The norm's order, as ``np.linalg.norm``'s `ord` (1, 2, np.inf, ...).

    Examples
    --------
    >>> normalize([[3.0, 4.0], [0.0, 0.0]])
    array([[0.6, 0.8],
           [0. , 0. ]])
    """
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise ValueError(f"normalize: `x` must hold numbers, got an array of dtype {x.dtype}.")
    if x.ndim == 0:
        raise ValueError("normalize: `x` must have at least one axis, got a scalar.")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -x.ndim <= axis < x.ndim:
        raise ValueError(f"normalize: `axis` must be an int in [{-x.ndim}, {x.ndim}) for `x` of shape {x.shape}, "
                         f"got {axis!r}.")
    if isinstance(order, bool) or not isinstance(order, numbers.Real) or not order > 0:
        raise ValueError(f"normalize: `order` must be a positive number (1, 2, np.inf, ...), got {order!r}.")
    x = x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)
    norms = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norms == 0, 1, norms).astype(x.dtype)

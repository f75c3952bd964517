"""Checks and conversions of the arrays given to fit, evaluate and predict.

Data is checked once per call, never per batch, and every problem is a ValueError or
TypeError that names the argument, what was expected and what was received.
"""

import numbers
import warnings

import numpy as np

from ..feeds import is_mapped


def as_features(x, name, dtype, input_shape=None, keep_mapped=False, strings=False, finite=True):
    """`x` as a float array of `dtype` with a batch axis, checked against `input_shape` (None
    there: any length on that axis), and with `finite` for NaN/Inf (a model that imputes its
    inputs, or a fit whose doctor treats them, takes them).

    With `keep_mapped`, a memory-mapped `x` is returned as it is: its batches are cast
    and checked one at a time (``gradwise.feeds.MappedRows``), never the whole file. With
    `strings` (an ``Input(dtype="string")``), `x` holds text and is returned as strings.
    """
    if x is None:
        raise ValueError(f"`{name}` is required, got None.")
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as error:
        raise TypeError(f"`{name}` must be an array of numbers, got {type(x).__name__}: {error}") from None
    if strings:
        return _as_strings(array, name, input_shape)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"`{name}` must hold numbers, got an array of dtype {array.dtype}.")
    if input_shape is not None and len(input_shape) and input_shape[-1] == 1 and array.ndim == len(input_shape):
        array = array[..., None]  # Keras's rank adjustment: one value per sample for an Input(shape=(1,))
    if array.ndim < 2:
        raise ValueError(
            f"`{name}` must have a batch axis and at least one feature axis (shape (samples, features)), "
            f"got shape {array.shape}. Reshape a single feature with x.reshape(-1, 1)."
        )
    if array.shape[0] == 0:
        raise ValueError(f"`{name}` is empty: got shape {array.shape}, expected at least one sample.")
    _check_shape(array, name, input_shape)
    if keep_mapped and is_mapped(array):
        return array
    array = np.ascontiguousarray(array, dtype=dtype)
    if finite:
        check_finite(array, name)
    return array


def _check_shape(array, name, input_shape):
    if input_shape is None:
        return
    if len(array.shape) - 1 == len(input_shape) and all(
            expected is None or got == expected for got, expected in zip(array.shape[1:], input_shape)):
        return
    expected = "(samples, " + ", ".join(str(d) for d in input_shape) + ")"
    raise ValueError(
        f"`{name}` has per-sample shape {tuple(array.shape[1:])} but the model expects {tuple(input_shape)}: "
        f"expected shape {expected}, got {array.shape}."
    )


def with_lengths(shape, array):
    """`shape` with each None axis given `array`'s length there (a per-sample shape without None is
    returned as it is); the loss then checks the rest as for any shape."""
    if all(d is not None for d in shape):
        return shape
    return tuple(array.shape[k + 1] if d is None and k + 1 < array.ndim else d for k, d in enumerate(shape))


def _as_strings(array, name, input_shape):
    """Text for an ``Input(dtype="string")``: str or bytes arrays, or object arrays of them."""
    if array.ndim == 1 and input_shape is not None and len(input_shape) == 1 and input_shape[0] == 1:
        array = array.reshape(-1, 1)  # one string per sample, as Keras takes them
    if array.dtype.kind not in "USO":
        raise TypeError(f"`{name}` must hold strings (the model's Input has dtype='string'), got an array of "
                        f"dtype {array.dtype}.")
    if array.ndim < 1 or array.shape[0] == 0:
        raise ValueError(f"`{name}` is empty: got shape {array.shape}, expected at least one sample.")
    _check_shape(array, name, input_shape)
    return array


def as_targets(y, name, samples, finite=True):
    """`y` as an array with `samples` rows (a 1-D y is kept 1-D; the loss shapes it); NaN/Inf refused
    unless not `finite` (a fit whose doctor treats them)."""
    if y is None:
        raise ValueError(f"`{name}` is required, got None.")
    try:
        array = np.asarray(y)
    except (ValueError, TypeError) as error:
        raise TypeError(f"`{name}` must be an array of numbers, got {type(y).__name__}: {error}") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"`{name}` must hold numbers, got an array of dtype {array.dtype}.")
    if array.ndim == 0 or array.shape[0] == 0:
        raise ValueError(f"`{name}` is empty or a scalar: got shape {array.shape}, expected one row per sample.")
    if array.shape[0] != samples:
        raise ValueError(
            f"`x` and `{name}` must have the same number of samples, got {samples} and {array.shape[0]}."
        )
    if finite and np.issubdtype(array.dtype, np.floating):
        check_finite(array, name)
    return array


def as_sample_weight(sample_weight, name, samples):
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (samples,):
        raise ValueError(f"`{name}` must have shape ({samples},), one weight per sample, got shape {weights.shape}.")
    check_finite(weights, name)
    if (weights < 0).any():
        raise ValueError(f"`{name}` must be non-negative, got a minimum of {weights.min()}.")
    return weights


def check_finite(array, name):
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0]
        kind = "NaN" if np.isnan(array[tuple(bad)]) else "Inf"
        count = int((~np.isfinite(array)).sum())
        raise ValueError(
            f"`{name}` contains {count} non-finite value(s) ({kind} first at index {tuple(int(i) for i in bad)}). "
            "Remove or impute them before training."
        )


def check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
        raise ValueError(f"`batch_size` must be a positive int, got {batch_size!r}.")
    return int(batch_size)


def class_weights_for(class_weight, targets, loss_name):
    """Per-sample weights from a {class: weight} dict and the prepared targets."""
    if class_weight is None:
        return None
    if not isinstance(class_weight, dict):
        raise TypeError(f"`class_weight` must be a dict {{class index: weight}}, got {type(class_weight).__name__}.")
    if targets.ndim == 1 or loss_name == "sparse_categorical_crossentropy":
        labels = targets.reshape(targets.shape[0], -1)[:, 0].astype(np.int64)
    elif targets.shape[-1] == 1:
        labels = np.rint(targets[:, 0]).astype(np.int64)
    else:
        labels = np.argmax(targets, axis=-1)
    present = set(np.unique(labels).tolist())
    missing = sorted(present - set(int(k) for k in class_weight))
    if missing:
        raise ValueError(f"`class_weight` has no weight for class(es) {missing} present in `y`; got keys {sorted(class_weight)}.")
    table = np.zeros(max(max(present), max(int(k) for k in class_weight)) + 1)
    for key, weight in class_weight.items():
        table[int(key)] = float(weight)
    return table[labels]


def class_labels(targets, loss):
    """One class label per sample when `loss` is a classification loss, else None.

    Sparse labels are kept, one-hot rows become their argmax, a single column of 0/1
    (or -1/1 for hinge losses) is rounded; multi-label targets give None.
    """
    name = getattr(loss, "name", "")
    if getattr(loss, "fused_activation", None) is None and "hinge" not in name and "crossentropy" not in name:
        return None
    flat = targets.reshape(targets.shape[0], -1)
    if targets.ndim == 1 or name.startswith("sparse_") or flat.shape[1] == 1:
        labels = flat[:, 0]
    elif "categorical" in name:
        labels = np.argmax(flat, axis=1)
    else:
        return None
    return np.rint(labels).astype(np.int64) if np.issubdtype(labels.dtype, np.floating) else labels


def _check_split(validation_split):
    if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real) or not 0 <= validation_split < 1:
        raise ValueError(f"`validation_split` must be a float in [0, 1), got {validation_split!r}.")


def split_validation(arrays, validation_split, labels=None, stratify=False, seed=None):
    """Keras' validation_split: the last fraction of the samples, taken before shuffling.

    Parameters
    ----------
    arrays : tuple of ndarray or None
        (x, targets, sample_weight), split alike.
    validation_split : float in (0, 1)
    labels : ndarray of shape (samples,), optional
        Class labels (see `class_labels`); with them a one-class validation set warns.
    stratify : bool
        Take a stratified random fraction instead (scikit-learn's ``train_test_split``
        with ``stratify=labels`` and ``random_state=seed``); both parts keep the
        original sample order.
    seed : int, optional

    Returns
    -------
    train, validation : tuple of ndarray or None
    """
    _check_split(validation_split)
    samples = arrays[0].shape[0]
    if stratify:
        train_index, validation_index = _stratified_indices(samples, validation_split, labels, seed)
        return tuple(tuple(None if a is None else a[index] for a in arrays) for index in (train_index, validation_index))
    cut = int(samples * (1 - validation_split))
    if cut == 0 or cut == samples:
        raise ValueError(
            f"`validation_split={validation_split}` leaves {cut} training and {samples - cut} validation "
            f"samples out of {samples}; both need at least one."
        )
    if labels is not None and np.unique(labels[cut:]).size == 1 and np.unique(labels).size > 1:
        warnings.warn(
            f"validation_split={validation_split} took the last {samples - cut} samples and their labels hold a "
            f"single class ({labels[cut]}): the data looks sorted by class, so the validation values will not "
            "measure the model. Shuffle x and y before fit, or pass stratify_split=True.",
            UserWarning, stacklevel=4,
        )
    train = tuple(None if a is None else a[:cut] for a in arrays)
    validation = tuple(None if a is None else a[cut:] for a in arrays)
    return train, validation


def _stratified_indices(samples, validation_split, labels, seed):
    if labels is None:
        raise ValueError(
            "`stratify_split=True` needs class labels: the loss is not a classification loss (or the targets "
            "are multi-label). Use stratify_split=False."
        )
    from sklearn.model_selection import train_test_split  # optional dependency (extra 'tools')

    try:
        train_index, validation_index = train_test_split(
            np.arange(samples), test_size=validation_split, stratify=labels, random_state=seed)
    except ValueError as error:
        raise ValueError(
            f"`stratify_split=True` cannot split {samples} samples with validation_split={validation_split}: {error}"
        ) from None
    return np.sort(train_index), np.sort(validation_index)


def unpack_validation_data(validation_data):
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), "
            f"got {type(validation_data).__name__}"
            + (f" of length {len(validation_data)}." if isinstance(validation_data, (tuple, list)) else ".")
        )
    x_val, y_val = validation_data[0], validation_data[1]
    weights = validation_data[2] if len(validation_data) == 3 else None
    return x_val, y_val, weights

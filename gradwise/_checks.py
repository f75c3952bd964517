"""Argument checks shared by layers, optimizers and models. Messages follow STYLE.md:
what failed and where, what was expected, what was received."""

import numbers

import numpy as np


def positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: `{name}` must be a positive int, got {value!r}.")
    return int(value)


def non_negative_float(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: `{name}` must be a non-negative finite number, got {value!r}.")
    return float(value)


def positive_float(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{owner}: `{name}` must be a positive finite number, got {value!r}.")
    return float(value)


def fraction(owner, name, value, *, closed_right=False):
    """A float in [0, 1) (or [0, 1] when `closed_right`)."""
    interval = "[0, 1]" if closed_right else "[0, 1)"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{owner}: `{name}` must be a float in {interval}, got {value!r}.")
    upper_ok = value <= 1 if closed_right else value < 1
    if not (0 <= value and upper_ok):
        raise ValueError(f"{owner}: `{name}` must be a float in {interval}, got {value!r}.")
    return float(value)


def shape_tuple(owner, name, value, allow_none=False):
    """A per-sample shape: a tuple of positive ints (an int is taken as a 1-tuple); with
    `allow_none`, None marks an axis whose length may change from batch to batch."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(
        (d is None and allow_none) or (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0)
        for d in value
    ):
        what = "positive ints or None" if allow_none else "positive ints"
        raise ValueError(f"{owner}: `{name}` must be a tuple of {what}, got {value!r}.")
    return tuple(None if d is None else int(d) for d in value)


def choice(owner, name, value, options):
    if value not in options:
        raise ValueError(f"{owner}: `{name}` must be one of {sorted(options, key=str)}, got {value!r}.")
    return value


def lookup(kind, identifier, table):
    """Resolve a string from `table`, or raise listing the valid names."""
    key = identifier.lower() if isinstance(identifier, str) else identifier
    if key not in table:
        raise ValueError(f"Unknown {kind} {identifier!r}. Valid names: {', '.join(sorted(table))}.")
    return table[key]

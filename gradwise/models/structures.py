"""The arrays a model takes and gives, one per input or output, as the user writes them.

Keras lets ``fit``/``evaluate``/``predict`` take one array per model input as a list (in
the order of ``model.inputs``) or a dict keyed by input name, targets and sample weights
per output as a list or a dict keyed by output name, and gives predictions back as the
outputs were given to ``Model``. These helpers turn what the user gave into the model's
list order, with errors that name the argument, what was expected and what came.
"""

import numpy as np


def _describe(names):
    return ", ".join(repr(name) for name in names)


def _kind(value):
    if isinstance(value, dict):
        return f"a dict with keys {sorted(map(str, value))}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"{type(value).__name__} of shape {np.shape(value)}" if hasattr(value, "shape") else type(value).__name__


def _from_dict(value, names, argument, what, optional):
    unknown = [key for key in value if key not in names]
    missing = [name for name in names if name not in value and name not in optional]
    if unknown or missing:
        raise ValueError(
            f"`{argument}` is a dict whose keys must be the model's {what} names ({_describe(names)}), got keys "
            f"{_describe(value)}" + (f"; unknown: {_describe(unknown)}" if unknown else "")
            + (f"; missing: {_describe(missing)}" if missing else "") + ".")
    return [value.get(name) for name in names]


def flatten(value, names, argument, what="input", optional=(), items="arrays"):
    """`value` as a list in the order of `names` (the model's input or output names).

    A model with one input or output takes the array itself (a list of rows is one array
    then, as it always was), a list of one array, or a dict of one; a model with several
    takes a list or tuple of one array per name, or a dict keyed by name. Names in
    `optional` (outputs without a loss) may be missing from a dict, or None in a list.
    """
    count = len(names)
    if isinstance(value, dict):
        return _from_dict(value, names, argument, what, optional)
    if count == 1:
        if isinstance(value, (list, tuple)) and len(value) == 1 and (
                value[0] is None or hasattr(value[0], "shape") or isinstance(value[0], (list, tuple, dict))):
            return [value[0]]
        return [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError(
            f"`{argument}` must be a list of {count} {items} (one per {what}: {_describe(names)}) or a dict keyed by "
            f"{what} name; the model has {count} {what}s, got {_kind(value)}.")
    if len(value) != count:
        raise ValueError(
            f"`{argument}` must hold {count} {items}, one per {what} ({_describe(names)}), got {_kind(value)}.")
    missing = [name for name, item in zip(names, value) if item is None and name not in optional]
    if missing:
        raise ValueError(f"`{argument}` has None for {what}(s) {_describe(missing)}, which need one.")
    return list(value)


def per_output(value, names, argument, default=None):
    """A compile setting per output: one value for every output, a list with one entry per
    output, or a dict keyed by output name (outputs not in it get `default`)."""
    if isinstance(value, dict):
        unknown = [key for key in value if key not in names]
        if unknown:
            raise ValueError(f"compile: `{argument}` has keys {_describe(unknown)} that are not output names; the "
                             f"outputs are {_describe(names)}.")
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(f"compile: `{argument}` as a list must have one entry per output ({len(names)}: "
                             f"{_describe(names)}), got {len(value)}. Give a dict keyed by output name to set only "
                             "some.")
        return list(value)
    return [value] * len(names)


def pack(values, names, form):
    """The outputs as the model's outputs were given: one array, a list, or a dict by name."""
    if form == "dict":
        return dict(zip(names, values))
    if form == "list":
        return list(values)
    return values[0]


def sample_count(arrays, argument, names):
    """The one number of samples every array in `arrays` has (named in the error when they differ)."""
    counts = {name: array.shape[0] for name, array in zip(names, arrays) if array is not None}
    if len(set(counts.values())) > 1:
        raise ValueError(f"`{argument}`: every array must have the same number of samples, got "
                         + ", ".join(f"{count} for {name!r}" for name, count in counts.items()) + ".")
    return next(iter(counts.values()))

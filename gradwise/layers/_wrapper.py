"""Wrappers (Bidirectional, TimeDistributed): layers that run other layers and own their weights.

A wrapper's ``params``, ``grads``, ``state`` and ``regularizers`` are live views of its
inner layers' dicts under prefixed keys ("forward/kernel"), so the model packs the
inner weights as the wrapper's own (``models/ownership.py`` rebinds ``params[key]``
to views of its flat buffer: through the view, that rebinds the inner layer's entry)
and saving, set_weights and regularization see them without knowing of wrappers.
"""

from collections.abc import MutableMapping

import numpy as np

from .base import Layer


class PrefixedView(MutableMapping):
    """The dict `attribute` of each inner layer, its keys prefixed: ``[(prefix, layer), ...]``."""

    def __init__(self, parts, attribute):
        self._parts = parts
        self._attribute = attribute

    def _locate(self, key):
        for prefix, layer in self._parts:
            table = getattr(layer, self._attribute)
            if key.startswith(prefix) and key[len(prefix):] in table:
                return table, key[len(prefix):]
        raise KeyError(key)

    def __getitem__(self, key):
        table, inner = self._locate(key)
        return table[inner]

    def __setitem__(self, key, value):
        table, inner = self._locate(key)  # only existing entries: the inner layers create theirs
        table[inner] = value

    def __delitem__(self, key):
        raise TypeError(f"the {self._attribute} of a wrapper belong to its inner layers; they cannot be deleted.")

    def __iter__(self):
        for prefix, layer in self._parts:
            for key in getattr(layer, self._attribute):
                yield prefix + key

    def __len__(self):
        return sum(len(getattr(layer, self._attribute)) for _, layer in self._parts)


class Wrapper(Layer, register=False):
    """A layer over inner layers; subclasses call ``_wrap([(prefix, layer), ...])`` in ``__init__``."""

    def _wrap(self, parts):
        self._parts = parts
        for attribute in ("params", "grads", "state", "regularizers"):
            setattr(self, attribute, PrefixedView(parts, attribute))

    def _build_inner(self, layer, input_shape, rng, role):
        layer.build_for(input_shape, rng, self.dtype)
        for name, value in vars(layer).items():  # saved with the model's random states (saving/payload.py)
            if isinstance(value, np.random.Generator):
                setattr(self, f"_{role}{name}", value)

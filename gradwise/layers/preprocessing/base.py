"""What every preprocessing layer shares: adapt() over arrays or batches, and the input-only backward.

A preprocessing layer has no trainable parameters. What ``adapt`` learns (a mean and a
variance, a vocabulary, bin boundaries) is its state: arrays in ``state`` (saved with
the model's weights) or plain values in ``get_config`` (a vocabulary), so a saved model
carries it. Lookup, hashing, encoding and discretization map values to indices: they
have no gradient and belong at a model's inputs (``input_only``), where backward never
reaches them; placed after a trained layer they raise a ValueError saying so.
"""

import numpy as np

from ... import backend
from ...feeds import is_stream
from ..base import Layer


def adapt_batches(data, owner, batch_size=None, steps=None):
    """`data` as a list of arrays to learn from: an array-like (cut into `batch_size` rows), or a
    generator/iterable/PyDataset of batches (``x`` or ``(x, ...)``), at most `steps` of them."""
    if data is None:
        raise ValueError(f"{owner}.adapt: `data` is required, got None.")
    if is_stream(data):
        batches = []
        source = (data[index] for index in range(len(data))) if hasattr(data, "on_epoch_end") else iter(data)
        for number, item in enumerate(source):
            if steps is not None and number >= steps:
                break
            batches.append(np.asarray(item[0] if isinstance(item, tuple) else item))
        if not batches:
            raise ValueError(f"{owner}.adapt: `data` ({type(data).__name__}) yielded no batch.")
        return batches
    array = np.asarray(data)
    if array.size == 0:
        raise ValueError(f"{owner}.adapt: `data` is empty (shape {array.shape}); expected at least one value.")
    if batch_size is None:
        return [array]
    return [array[start:start + batch_size] for start in range(0, len(array), batch_size)]


class PreprocessingLayer(Layer, register=False):
    """Base of the preprocessing layers: ``adapt`` runs ``_adapt_batches(batches)`` then builds the layer.

    `input_only` layers (lookups, hashing, encoding, discretization) have no gradient.
    """

    input_only = True
    normalizes = False

    def adapt(self, data, batch_size=None, steps=None):
        """Learn this layer's state from `data` (arrays, a list, a generator or a PyDataset of batches)."""
        owner = type(self).__name__
        batches = adapt_batches(data, owner, batch_size, steps)
        self._adapt_batches(batches)
        if not self.built:
            self.build_for(self._adapted_input_shape(batches[0]), backend.new_rng(), backend.resolve_dtype(None))
        self._after_adapt()
        return self

    def _adapt_batches(self, batches):
        raise NotImplementedError(f"{type(self).__name__} has nothing to adapt.")

    def _adapted_input_shape(self, batch):
        return batch.shape[1:]

    def _after_adapt(self):
        """Copy what adapt learned into the built layer's state (when it has some)."""

    # index -> no derivative: these layers map values to indices; nothing upstream can learn through them
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        raise ValueError(
            f"{type(self).__name__} '{self.name}' maps values to indices and has no gradient, yet a trained layer "
            "comes before it. Put preprocessing layers first (at the model's inputs), or apply them to the data "
            "before fit.")

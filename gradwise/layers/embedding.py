"""Embedding: token indices to dense vectors, outputs = embeddings[inputs]."""

import numpy as np

from .. import _checks, constraints, initializers, regularizers
from .base import Layer


class Embedding(Layer):
    """Look up one trainable row of ``embeddings`` (input_dim, output_dim) per token index.

    Inputs are integers, or floats holding integers (models feed float arrays); an index
    outside [0, input_dim) raises a ValueError naming ``input_dim``.

    Parameters
    ----------
    input_dim : int
        Size of the vocabulary: indices run from 0 to ``input_dim - 1``.
    output_dim : int
        Length of each vector.
    embeddings_initializer : str or Initializer, default 'uniform' (U(-0.05, 0.05), as Keras's)
    embeddings_regularizer, activity_regularizer : str or Regularizer, optional
    mask_zero : bool, default False
        Index 0 is padding: the mask ``inputs != 0`` reaches the layers after this one
        (recurrent layers skip those steps, GlobalAveragePooling1D leaves them out).
    input_length : int, optional
        Keras 2's argument (removed in Keras 3): the per-sample input shape ``(input_length,)``.

    Examples
    --------
    >>> Embedding(1000, 64, mask_zero=True)
    <Embedding name='embedding'>
    """

    reusable_on_other_lengths = True  # forward reads the lengths off the arrays (Layer._output_shape_on_other_inputs)

    looks_up = True  # token indices, not features (the doctor summarizes no scale for them)

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs:
            kwargs["input_shape"] = (_checks.positive_int("Embedding", "input_length", input_length),)
        super().__init__(**kwargs)
        self.input_dim = _checks.positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = _checks.positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        if self.embeddings_regularizer is not None:
            self.regularizers["embeddings"] = self.embeddings_regularizer
        self.embeddings_constraint = constraints.attach(self, "embeddings", embeddings_constraint)
        if not isinstance(mask_zero, (bool, np.bool_)):
            raise TypeError(f"Embedding: `mask_zero` must be a bool, got {mask_zero!r}.")
        self.mask_zero = bool(mask_zero)

    @property
    def produces_mask(self):
        return self.mask_zero

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def compute_mask(self, inputs, mask):
        return np.asarray(inputs) != 0 if self.mask_zero else None

    def build(self, input_shape, rng):
        self.params["embeddings"] = self.embeddings_initializer((self.input_dim, self.output_dim), self.dtype, rng)

    def indices(self, inputs):
        """The token indices in `inputs` as integers, or a ValueError naming what is wrong."""
        inputs = np.asarray(inputs)
        if inputs.dtype.kind in "iu":
            indices = inputs.astype(np.intp, copy=False)
        elif inputs.dtype.kind == "f":
            indices = inputs.astype(np.intp)
            wrong = indices != inputs
            if wrong.any():
                where = tuple(int(i) for i in np.argwhere(wrong)[0])
                raise ValueError(f"Embedding '{self.name}' expected integer token indices, got "
                                 f"{inputs[wrong].flat[0].item()!r} at position {where} of inputs {inputs.shape}.")
        else:
            raise TypeError(f"Embedding '{self.name}' expected integer token indices, got an array of dtype "
                            f"{inputs.dtype}.")
        if indices.size:
            low, high = indices.min(), indices.max()
            if low < 0 or high >= self.input_dim:
                bad = high if high >= self.input_dim else low
                where = tuple(int(i) for i in np.argwhere(indices == bad)[0])
                raise ValueError(f"Embedding '{self.name}': token index {int(bad)} at position {where} is out of "
                                 f"range; `input_dim` is {self.input_dim}, so indices must lie in "
                                 f"[0, {self.input_dim - 1}]. "
                                 "Raise `input_dim` to the vocabulary size (largest index + 1).")
        return indices

    def forward(self, inputs, training=False):
        indices = self.indices(inputs)
        outputs = np.take(self.params["embeddings"], indices, axis=0)
        return outputs, (indices, np.shape(inputs))

    # y[n] = E[x[n]]  =>  dE[k] = sum of dy[n] over the positions n with x[n] = k;  dx = 0 (constant indices)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        indices, input_shape = cache
        grads = self.grads["embeddings"]
        if not accumulate:
            grads.fill(0)
        np.add.at(grads, indices.reshape(-1), grad_outputs.reshape(-1, self.output_dim))
        return np.zeros(input_shape, dtype=grad_outputs.dtype) if input_grad else None

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }

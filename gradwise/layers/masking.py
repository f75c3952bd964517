"""Masks: which time steps of a sequence are real and which are padding, as in Keras.

A mask is a boolean array of shape (batch, steps), True where a step is real. It is
made by a layer whose ``produces_mask`` is true (``Embedding(mask_zero=True)``, or the
``Masking`` layer below) and travels beside the tensors of one forward pass (the graph
keeps one per tensor, ``models/graph.py``; nothing is stored on a layer):

- a layer with ``takes_mask`` receives it as ``forward(inputs, training, mask=mask)``
  and keeps what its backward needs in its cache (recurrent layers skip masked steps,
  GlobalAveragePooling1D / GlobalMaxPooling1D pool over real steps only);
- a layer with ``supports_masking`` (Dropout, Activation, BatchNormalization, ...) hands
  it on unchanged;
- any other layer drops it with a warning, as Keras 3 does ("destroys the mask").

``layer.compute_mask(inputs, mask)`` gives the mask of a layer's outputs.
"""

import warnings

import numpy as np

from .base import Layer


def call_with_mask(layer, inputs, mask, training):
    """One layer call in a pass that carries masks: ``(outputs, cache, outputs' mask)``."""
    if mask is None or (isinstance(mask, list) and all(item is None for item in mask)):
        outputs, cache = layer.forward(inputs, training=training)
        return outputs, cache, layer.compute_mask(inputs, None)
    if layer.takes_mask:
        outputs, cache = layer.forward(inputs, training=training, mask=mask)
    else:
        outputs, cache = layer.forward(inputs, training=training)
        if not layer.supports_masking:
            warnings.warn(f"Layer '{layer.name}' ({type(layer).__name__}) was passed inputs with a mask, but does not "
                          "support masking: the mask stops here and the layers after it do not see it (as in Keras).",
                          UserWarning, stacklevel=3)
    return outputs, cache, layer.compute_mask(inputs, mask)


def check_mask(layer, inputs, mask):
    """`mask` as a boolean array of shape inputs.shape[:2], or a clear ValueError naming `mask`."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    expected = tuple(inputs.shape[:2])
    if mask.shape != expected:
        raise ValueError(f"{type(layer).__name__} '{layer.name}': `mask` must have shape (batch, steps) = {expected} "
                         f"to match inputs of shape {inputs.shape}, got shape {mask.shape}.")
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError(f"{type(layer).__name__} '{layer.name}': `mask` must hold booleans (or 0/1), "
                             f"got values such as {mask[~np.isin(mask, (0, 1))].flat[0].item()!r}.")
        mask = mask.astype(bool)
    return mask


class Masking(Layer):
    """Mark the time steps whose features all equal `mask_value` as padding.

    Outputs are the inputs with the masked steps set to zero (as Keras's); the mask
    ``any(inputs != mask_value, axis=-1)`` reaches the layers after it.

    Parameters
    ----------
    mask_value : float, default 0.0

    Examples
    --------
    >>> Masking(mask_value=0.0)
    <Masking name='masking'>
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float, np.integer, np.floating)):
            raise ValueError(f"Masking: `mask_value` must be a number, got {mask_value!r}.")
        self.mask_value = float(mask_value)

    @property
    def produces_mask(self):
        return True

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Masking '{self.name}' expected inputs of shape (batch, steps, features), "
                             f"got per-sample shape {tuple(input_shape)}.")
        return tuple(input_shape)

    def compute_mask(self, inputs, mask):
        return np.any(inputs != self.mask_value, axis=-1)  # its own mask, whatever came in (as Keras's)

    def _keep(self, inputs):
        keep = np.any(inputs != self.mask_value, axis=-1, keepdims=True)
        return keep.astype(inputs.dtype)

    def forward(self, inputs, training=False):
        keep = self._keep(inputs)
        return inputs * keep, keep

    # y = x * k, with k = 1 on real steps and 0 on masked ones (constant almost everywhere)  =>  dx = dy * k
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs * cache if input_grad else None

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}

"""PReLU: a leaky ReLU whose negative slope is learned (He et al. 2015)."""

import numpy as np

from .. import initializers, regularizers
from .base import Layer


class PReLU(Layer):
    """y = x for x > 0, ``alpha * x`` otherwise, `alpha` a weight of the inputs' per-sample shape.

    Parameters
    ----------
    alpha_initializer : str or Initializer, default 'zeros' (a ReLU at the start, as Keras)
    alpha_regularizer : str or Regularizer, optional
    shared_axes : int or list of int, optional
        Per-sample axes (1 is the first after the batch) along which one slope is shared:
        ``shared_axes=[1, 2]`` after a Conv2D gives one slope per channel.

    Examples
    --------
    >>> PReLU(shared_axes=[1, 2])
    <PReLU name='p_re_lu'>
    """

    supports_masking = True

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        if shared_axes is None:
            shared_axes = []
        elif isinstance(shared_axes, (int, np.integer)) and not isinstance(shared_axes, bool):
            shared_axes = [shared_axes]
        if not isinstance(shared_axes, (list, tuple)) or not all(
                isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) and axis >= 1
                for axis in shared_axes):
            raise ValueError(f"PReLU: `shared_axes` must be None, an int >= 1 or a list of them (per-sample axes, 1 is "
                             f"the first after the batch), got {shared_axes!r}.")
        self.shared_axes = sorted({int(axis) for axis in shared_axes})
        if self.alpha_regularizer is not None:
            self.regularizers["alpha"] = self.alpha_regularizer

    def build(self, input_shape, rng):
        if any(axis > len(input_shape) for axis in self.shared_axes):
            raise ValueError(f"PReLU '{self.name}': `shared_axes` {self.shared_axes} names an axis beyond the inputs' "
                             f"per-sample shape {tuple(input_shape)} (axes 1 to {len(input_shape)}).")
        shape = tuple(1 if axis + 1 in self.shared_axes else size for axis, size in enumerate(input_shape))
        if None in shape:
            raise ValueError(f"PReLU '{self.name}' needs the length of every axis it has a slope per, got per-sample "
                             f"shape {tuple(input_shape)}; share the slope along the axes of any length "
                             "(`shared_axes`).")
        self.params["alpha"] = self.alpha_initializer(shape, self.dtype, rng)

    def forward(self, inputs, training=False):
        return np.maximum(inputs, 0) + self.params["alpha"] * np.minimum(inputs, 0), inputs

    # y = max(x, 0) + alpha min(x, 0)  =>  dx = dy [x > 0] + alpha dy [x < 0] (0 at x = 0, as Keras);
    # d alpha = sum of dy min(x, 0) over the batch and the shared axes
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        inputs = cache
        negative = np.minimum(inputs, 0)
        alpha = self.params["alpha"]
        summed = (0, *self.shared_axes)
        grad_alpha = (grad_outputs * negative).sum(axis=summed, keepdims=True)[0]
        if accumulate:
            self.grads["alpha"] += grad_alpha
        else:
            self.grads["alpha"][...] = grad_alpha
        if not input_grad:
            return None
        slope = np.where(inputs > 0, 1, np.where(inputs < 0, alpha, 0)).astype(grad_outputs.dtype, copy=False)
        return slope * grad_outputs

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "shared_axes": self.shared_axes or None}

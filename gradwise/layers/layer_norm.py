"""LayerNormalization: normalize each sample over its feature axes, then scale and shift."""

import numpy as np

from .. import _checks, constraints, initializers, regularizers
from . import _axes
from .base import Layer


class LayerNormalization(Layer):
    """Layer normalization (Ba et al. 2016) with Keras' arguments and defaults.

    Each sample is normalized on its own over `axis`: ``outputs = gamma * (inputs - mean)
    / sqrt(var + epsilon) + beta``, mean and (biased) variance taken over `axis`; no batch
    statistics, so training and inference compute the same thing. `gamma` and `beta`
    have the shape of the normalized axes.

    Parameters
    ----------
    axis : int or list of int, default -1
        The axes to normalize over (batch axis 0 excluded).
    epsilon : float > 0, default 1e-3
    center, scale : bool
        Whether to learn ``beta`` / ``gamma``.
    rms_scaling : bool, default False
        Root-mean-square normalization (RMSNorm, Zhang & Sennrich 2019):
        ``outputs = gamma * inputs / sqrt(mean(inputs**2) + epsilon)``; no mean is
        subtracted and no ``beta`` is learned (`center` and `scale` are ignored).
    beta_initializer, gamma_initializer : str or Initializer
    beta_regularizer, gamma_regularizer : str or Regularizer, optional
    beta_constraint, gamma_constraint : str or Constraint, optional
        Applied after each optimizer step (``gradwise.constraints``).

    Examples
    --------
    >>> LayerNormalization(epsilon=1e-6)
    <LayerNormalization name='layer_normalization'>
    """

    reusable_on_other_lengths = True  # forward reads the lengths off the arrays (Layer._output_shape_on_other_inputs)

    supports_masking = True  # each position is normalized on its own: the mask is handed on, as Keras

    normalizes = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.axis = _axes.check_axis(owner, axis)
        self.epsilon = _checks.positive_float(owner, "epsilon", epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        if self.beta_regularizer is not None and self._has_beta:
            self.regularizers["beta"] = self.beta_regularizer
        if self.gamma_regularizer is not None and self._has_gamma:
            self.regularizers["gamma"] = self.gamma_regularizer
        self.beta_constraint = constraints.attach(self, "beta", beta_constraint, applies=self._has_beta)
        self.gamma_constraint = constraints.attach(self, "gamma", gamma_constraint, applies=self._has_gamma)

    @property
    def _has_gamma(self):
        return self.scale or self.rms_scaling

    @property
    def _has_beta(self):
        return self.center and not self.rms_scaling

    def compute_output_shape(self, input_shape):
        _axes.feature_axes(self, self.axis, len(input_shape) + 1)
        return tuple(input_shape)

    def build(self, input_shape, rng):
        rank = len(input_shape) + 1
        axes = _axes.feature_axes(self, self.axis, rank)
        self._axes = axes
        self._param_reduce_axes = tuple(a for a in range(rank) if a not in axes)
        self._broadcast = tuple(input_shape[a - 1] if a in axes else 1 for a in range(rank))
        shape = tuple(input_shape[a - 1] for a in axes)
        if self._has_gamma:
            self.params["gamma"] = self.gamma_initializer(shape, self.dtype, rng)
        if self._has_beta:
            self.params["beta"] = self.beta_initializer(shape, self.dtype, rng)

    def forward(self, inputs, training=False):
        if self.rms_scaling:
            centered = inputs
            mean_square = np.mean(np.square(inputs), axis=self._axes, keepdims=True)
        else:
            centered = inputs - inputs.mean(axis=self._axes, keepdims=True)
            mean_square = np.mean(np.square(centered), axis=self._axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(mean_square + self.epsilon)
        normalized = centered * inv_std
        outputs = normalized * self.params["gamma"].reshape(self._broadcast) if self._has_gamma else normalized
        if self._has_beta:
            outputs = outputs + self.params["beta"].reshape(self._broadcast)
        return outputs, (normalized, inv_std)

    # y = gamma x^ + beta, x^ = (x - mean) s with s = 1/sqrt(var + eps) over the normalized axes  =>
    # dx = s (g - mean(g) - x^ mean(g x^)) with g = gamma dy  (RMS: no mean, so no mean(g) term)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        normalized, inv_std = cache
        reduce = self._param_reduce_axes
        if self._has_beta:
            self._store("beta", grad_outputs.sum(axis=reduce), accumulate)
        if self._has_gamma:
            self._store("gamma", (grad_outputs * normalized).sum(axis=reduce), accumulate)
        if not input_grad:
            return None
        grad_normalized = grad_outputs * self.params["gamma"].reshape(self._broadcast) if self._has_gamma \
            else grad_outputs
        projection = np.mean(grad_normalized * normalized, axis=self._axes, keepdims=True)
        grad_inputs = grad_normalized - normalized * projection
        if not self.rms_scaling:
            grad_inputs -= np.mean(grad_normalized, axis=self._axes, keepdims=True)
        grad_inputs *= inv_std
        return grad_inputs

    def _store(self, key, grad, accumulate):
        if accumulate:
            self.grads[key] += grad
        else:
            self.grads[key][...] = grad

    def get_config(self):
        return {
            **super().get_config(),
            "axis": _axes.axis_config(self.axis),
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


class RMSNormalization(LayerNormalization):
    """Keras's RMSNormalization: ``outputs = scale * inputs / sqrt(mean(inputs**2) + epsilon)`` over
    `axis`, a learned `scale` (held as ``gamma``) of the normalized axes' shape, starting at ones.
    LayerNormalization with ``rms_scaling=True``, under Keras's name, arguments and defaults.

    Parameters
    ----------
    axis : int or list of int, default -1
    epsilon : float > 0, default 1e-6

    Examples
    --------
    >>> RMSNormalization()
    <RMSNormalization name='rms_normalization'>
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(axis=axis, epsilon=epsilon, rms_scaling=True, **kwargs)

    def get_config(self):
        config = super().get_config()
        for key in ("center", "scale", "rms_scaling", "beta_initializer", "beta_regularizer", "beta_constraint"):
            config.pop(key)
        return config

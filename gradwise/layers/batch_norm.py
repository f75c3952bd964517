"""BatchNormalization: normalize each feature with batch statistics (training) or moving
statistics (inference), then scale by gamma and shift by beta."""

import numbers

import numpy as np

from .. import _checks, constraints, initializers, regularizers
from . import masking
from .base import Layer


class BatchNormalization(Layer):
    """Batch normalization over every axis but `axis`, with Keras' conventions.

    Training: ``outputs = gamma * (inputs - mean) / sqrt(var + epsilon) + beta`` with the
    batch mean and *biased* batch variance, and ``moving = momentum * moving +
    (1 - momentum) * batch`` for both statistics (Keras keeps the biased variance; PyTorch
    keeps the unbiased one and its momentum is ``1 - momentum``). Inference, and training
    of a layer with ``trainable=False`` (as in Keras), use the moving statistics.

    With a Keras mask (batch, steps) on sequences (from ``Embedding(mask_zero=True)`` or
    ``Masking``), the batch statistics are those of the real steps only, as Keras's; every
    step is normalized with them and the mask is passed on.

    Parameters
    ----------
    axis : int
        The feature axis of the inputs (batch axis included): -1 for (batch, features)
        and channels-last images (batch, height, width, channels), 1 for channels-first.
    momentum : float in [0, 1]
    epsilon : float > 0
    center, scale : bool
        Whether to learn ``beta`` / ``gamma``.
    beta_initializer, gamma_initializer, moving_mean_initializer, moving_variance_initializer : str or Initializer
    beta_regularizer, gamma_regularizer : str or Regularizer, optional
    beta_constraint, gamma_constraint : str or Constraint, optional
        Applied after each optimizer step (``gradwise.constraints``).

    Examples
    --------
    >>> BatchNormalization(momentum=0.9)
    <BatchNormalization name='batch_normalization'>
    """

    takes_mask = True  # sequences: the batch statistics of the real steps
    supports_masking = True

    normalizes = True
    params_from_batches = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"BatchNormalization: `axis` must be an int such as -1, got {axis!r}.")
        self.axis = int(axis)
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: `momentum` must be a float in [0, 1], got {momentum!r}.")
        self.momentum = float(momentum)
        self.epsilon = _checks.positive_float("BatchNormalization", "epsilon", epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        if self.beta_regularizer is not None and self.center:
            self.regularizers["beta"] = self.beta_regularizer
        if self.gamma_regularizer is not None and self.scale:
            self.regularizers["gamma"] = self.gamma_regularizer
        self.beta_constraint = constraints.attach(self, "beta", beta_constraint, applies=self.center)
        self.gamma_constraint = constraints.attach(self, "gamma", gamma_constraint, applies=self.scale)

    def _feature_axis(self, rank):
        """The feature axis as a non-negative index into inputs of `rank` (batch included)."""
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 1 <= axis < rank:
            raise ValueError(
                f"BatchNormalization '{self.name}': `axis` {self.axis} is not a feature axis of inputs of "
                f"rank {rank}; expected an axis in [1, {rank - 1}] or [-{rank - 1}, -1] (axis 0 is the batch)."
            )
        return axis

    def compute_output_shape(self, input_shape):
        self._feature_axis(len(input_shape) + 1)
        return tuple(input_shape)

    def build(self, input_shape, rng):
        rank = len(input_shape) + 1
        axis = self._feature_axis(rank)
        features = input_shape[axis - 1]
        self._reduce_axes = tuple(a for a in range(rank) if a != axis)
        self._broadcast = tuple(features if a == axis else 1 for a in range(rank))
        if self.scale:
            self.params["gamma"] = self.gamma_initializer((features,), self.dtype, rng)
        if self.center:
            self.params["beta"] = self.beta_initializer((features,), self.dtype, rng)
        self.state["moving_mean"] = self.moving_mean_initializer((features,), self.dtype, rng)
        self.state["moving_variance"] = self.moving_variance_initializer((features,), self.dtype, rng)

    def _shaped(self, vector):
        return vector.reshape(self._broadcast)

    def _real_steps(self, inputs, mask):
        """The mask as 0/1 weights broadcast over the inputs (batch, steps, 1, ...), or None."""
        if mask is None or inputs.ndim < 3:
            return None
        mask = masking.check_mask(self, inputs, mask)
        return mask.reshape(mask.shape + (1,) * (inputs.ndim - 2)).astype(inputs.dtype)

    def forward(self, inputs, training=False, mask=None):
        batch_statistics = training and self.trainable  # a frozen layer runs in inference mode (Keras 3)
        weights = self._real_steps(inputs, mask) if batch_statistics else None
        count = None
        if weights is not None:  # the statistics of the real steps: sums weighted by the 0/1 mask
            count = np.maximum(np.sum(np.broadcast_to(weights, inputs.shape), axis=self._reduce_axes), 1)
            mean = np.sum(inputs * weights, axis=self._reduce_axes) / count
            variance = np.sum((inputs - self._shaped(mean)) ** 2 * weights, axis=self._reduce_axes) / count
        elif batch_statistics:
            mean, variance = self.ops.moments(inputs, self._reduce_axes)  # the variance biased, as Keras
        if batch_statistics:
            for key, batch_value in (("moving_mean", mean), ("moving_variance", variance)):
                moving = self.state[key]
                moving *= self.momentum
                moving += (1.0 - self.momentum) * batch_value
        else:
            mean, variance = self.state["moving_mean"], self.state["moving_variance"]
        inv_std = 1.0 / np.sqrt(variance + self.epsilon)
        # x^ = (x - mean) inv_std,  y = gamma x^ + beta
        normalized, outputs = self.ops.normalize(inputs, mean, inv_std, self.params.get("gamma"),
                                                 self.params.get("beta"), self._broadcast)
        return outputs, (normalized, inv_std, batch_statistics, weights, count)

    # y = gamma x^ + beta  =>  dbeta = sum(dy), dgamma = sum(dy x^), dx as below for batch or moving stats
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        normalized, inv_std, batch_statistics, weights, masked_count = cache
        scale = inv_std * self.params["gamma"] if self.scale else inv_std
        if weights is None:
            # moving statistics are constants: y = gamma (x - m) / s + beta  =>  dx = dy gamma / s;
            # x^ = (x - mean) / s with mean, s of the batch, y = gamma x^ + beta  =>
            # dx = gamma / s * (dy - mean(dy) - x^ * mean(dy * x^))   (means over the reduced axes)
            grad_beta, grad_gamma, grad_inputs = self.ops.normalize_backward(
                grad_outputs, normalized, self._reduce_axes, self._broadcast, scale, batch_statistics, input_grad)
        else:
            axes = self._reduce_axes
            grad_beta = np.sum(grad_outputs, axis=axes)
            grad_gamma = np.sum(grad_outputs * normalized, axis=axes)
            grad_inputs = None
            if input_grad:
                # with the real steps' statistics (m: 1 at a real step, N their count), every step's output
                # depends on them: dx = gamma / s * (dy - m sum(dy) / N - m x^ sum(dy x^) / N)
                grad_inputs = normalized * self._shaped(grad_gamma / masked_count)
                grad_inputs += self._shaped(grad_beta / masked_count)
                grad_inputs *= weights
                np.subtract(grad_outputs, grad_inputs, out=grad_inputs)
                grad_inputs *= self._shaped(scale)
        for key, grad, present in (("beta", grad_beta, self.center), ("gamma", grad_gamma, self.scale)):
            if present and accumulate:
                self.grads[key] += grad
            elif present:
                self.grads[key][...] = grad
        return grad_inputs

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }

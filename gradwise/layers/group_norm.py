"""GroupNormalization: normalize each sample over groups of channels, then scale and shift."""

import numpy as np

from .. import _checks, constraints, initializers, regularizers
from .base import Layer


class GroupNormalization(Layer):
    """Group normalization (Wu & He 2018) with Keras' arguments and defaults.

    The channels (axis `axis`) are split into `groups` consecutive groups; each sample is
    normalized over every position and the channels of one group:
    ``outputs = gamma * (inputs - mean_group) / sqrt(var_group + epsilon) + beta``, with
    ``gamma`` and ``beta`` per channel. One group is LayerNormalization over all axes;
    one channel a group (``groups=-1``) is instance normalization.

    A Keras mask (``Embedding(mask_zero=True)``, ``Masking``) is handed on unchanged, and the
    statistics are those of every position, the masked ones included: what Keras 3's
    GroupNormalization does (it supports masking but its ``call`` takes no mask), so a
    ported model gives Keras's numbers. Padded steps therefore move the group statistics;
    BatchNormalization, whose statistics mix samples, uses the real steps only.

    Parameters
    ----------
    groups : int, default 32
        Number of groups, dividing the channel count; -1 means one group per channel.
    axis : int, default -1
        The channel axis (batch axis 0 excluded).
    epsilon : float > 0, default 1e-3
    center, scale : bool
        Whether to learn ``beta`` / ``gamma``.
    beta_initializer, gamma_initializer : str or Initializer
    beta_regularizer, gamma_regularizer : str or Regularizer, optional
    beta_constraint, gamma_constraint : str or Constraint, optional
        Applied after each optimizer step (``gradwise.constraints``).

    Examples
    --------
    >>> GroupNormalization(groups=4)
    <GroupNormalization name='group_normalization'>
    """

    normalizes = True
    supports_masking = True  # as Keras 3: the mask goes on, the statistics ignore it (see above)

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or not (groups > 0 or groups == -1):
            raise ValueError(f"{owner}: `groups` must be a positive int or -1 (one group per channel), got {groups!r}.")
        self.groups = int(groups)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{owner}: `axis` must be an int such as -1, got {axis!r}.")
        self.axis = int(axis)
        self.epsilon = _checks.positive_float(owner, "epsilon", epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        if self.beta_regularizer is not None and self.center:
            self.regularizers["beta"] = self.beta_regularizer
        if self.gamma_regularizer is not None and self.scale:
            self.regularizers["gamma"] = self.gamma_regularizer
        self.beta_constraint = constraints.attach(self, "beta", beta_constraint, applies=self.center)
        self.gamma_constraint = constraints.attach(self, "gamma", gamma_constraint, applies=self.scale)

    def _channel_axis(self, input_shape):
        """The channel axis as an index into inputs (batch included), checked with the group count."""
        rank = len(input_shape) + 1
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 1 <= axis < rank:
            raise ValueError(
                f"GroupNormalization '{self.name}': `axis` {self.axis} is not a feature axis of inputs of rank {rank}; "
                f"expected an axis in [1, {rank - 1}] or [-{rank - 1}, -1] (axis 0 is the batch)."
            )
        channels = input_shape[axis - 1]
        if self.groups != -1 and channels % self.groups:
            raise ValueError(
                f"GroupNormalization '{self.name}': `groups`={self.groups} must divide the {channels} channels of "
                f"axis {self.axis} (per-sample shape {tuple(input_shape)}); choose a divisor of {channels}."
            )
        return axis

    def compute_output_shape(self, input_shape):
        self._channel_axis(input_shape)
        return tuple(input_shape)

    def build(self, input_shape, rng):
        axis = self._channel_axis(input_shape)
        channels = input_shape[axis - 1]
        rank = len(input_shape) + 1
        self._channel_index = axis
        self._group_count = channels if self.groups == -1 else self.groups
        self._param_reduce_axes = tuple(a for a in range(rank) if a != axis)
        self._broadcast = tuple(channels if a == axis else 1 for a in range(rank))
        if self.scale:
            self.params["gamma"] = self.gamma_initializer((channels,), self.dtype, rng)
        if self.center:
            self.params["beta"] = self.beta_initializer((channels,), self.dtype, rng)

    def _grouped(self, array):
        """(batch, positions, groups, channels per group): the channel axis moved last and split."""
        moved = np.moveaxis(array, self._channel_index, -1)
        return moved.reshape(array.shape[0], -1, self._group_count, moved.shape[-1] // self._group_count)

    def _ungrouped(self, grouped, shape):
        moved_shape = tuple(np.delete(shape, self._channel_index)) + (shape[self._channel_index],)
        return np.moveaxis(grouped.reshape(moved_shape), -1, self._channel_index)

    def forward(self, inputs, training=False):
        grouped = self._grouped(inputs)
        centered = grouped - grouped.mean(axis=(1, 3), keepdims=True)
        inv_std = 1.0 / np.sqrt(np.mean(np.square(centered), axis=(1, 3), keepdims=True) + self.epsilon)
        normalized = self._ungrouped(centered * inv_std, inputs.shape)
        outputs = normalized * self.params["gamma"].reshape(self._broadcast) if self.scale else normalized.copy()
        if self.center:
            outputs += self.params["beta"].reshape(self._broadcast)
        return outputs, (normalized, inv_std)

    # y = gamma x^ + beta, x^ = (x - mean) s with s = 1/sqrt(var + eps) over a sample's group  =>
    # dx = s (g - mean(g) - x^ mean(g x^)) with g = gamma dy and the means over the group
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        normalized, inv_std = cache
        reduce = self._param_reduce_axes
        if self.center:
            self._store("beta", grad_outputs.sum(axis=reduce), accumulate)
        if self.scale:
            self._store("gamma", (grad_outputs * normalized).sum(axis=reduce), accumulate)
        if not input_grad:
            return None
        grad_normalized = grad_outputs * self.params["gamma"].reshape(self._broadcast) if self.scale else grad_outputs
        grad_grouped, normalized_grouped = self._grouped(grad_normalized), self._grouped(normalized)
        grad_grouped = (grad_grouped - grad_grouped.mean(axis=(1, 3), keepdims=True)
                        - normalized_grouped * np.mean(grad_grouped * normalized_grouped, axis=(1, 3), keepdims=True))
        return self._ungrouped(grad_grouped * inv_std, grad_outputs.shape)

    def _store(self, key, grad, accumulate):
        if accumulate:
            self.grads[key] += grad
        else:
            self.grads[key][...] = grad

    def get_config(self):
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }

"""Dropout: zero random units while training, scaling the kept ones by 1 / (1 - rate)."""

import numbers

import numpy as np

from .base import Layer


def _check_seed(owner, seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"{owner}: `seed` must be a non-negative int or None, got {seed!r}.")
    return None if seed is None else int(seed)


class Dropout(Layer):
    """Inverted dropout: each unit is kept with probability ``1 - rate`` and scaled by
    ``1 / (1 - rate)`` while training, so inference is the identity.

    Parameters
    ----------
    rate : float in [0, 1)
        Fraction of the units to drop.
    noise_shape : tuple of int or None, optional
        Shape of the binary mask, batch axis included, broadcast against the inputs:
        ``(None, 1, features)`` drops the same features at every step. ``None`` entries
        take the inputs' size.
    seed : int, optional
        Seeds this layer's own generator; without it the generator is drawn from the
        model's build generator, so a model seed makes dropout reproducible.

    Examples
    --------
    >>> Dropout(0.5)
    <Dropout name='dropout'>
    """

    reusable_on_other_lengths = True  # forward reads the lengths off the arrays (Layer._output_shape_on_other_inputs)

    drops_out = True
    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(f"{owner}: `rate` must be a float in [0, 1), got {rate!r}.")
        self.rate = float(rate)
        if noise_shape is not None:
            if not isinstance(noise_shape, (tuple, list)) or not all(
                d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0)
                for d in noise_shape
            ):
                raise ValueError(
                    f"{owner}: `noise_shape` must be None or a tuple of positive ints or None "
                    f"(batch axis included), got {noise_shape!r}."
                )
            noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
        self.noise_shape = noise_shape
        self.seed = _check_seed(owner, seed)
        self._rng = None
        self._fixed_keep = None

    def compute_output_shape(self, input_shape):
        if self.noise_shape is not None:
            shape = tuple(input_shape)
            if len(self.noise_shape) != len(shape) + 1 or any(
                d is not None and d != 1 and d != size for d, size in zip(self.noise_shape[1:], shape)
            ):
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': `noise_shape` {self.noise_shape} does not broadcast "
                    f"against inputs of per-sample shape {shape}; give one entry per axis (batch first), "
                    "each None, 1 or the inputs' size."
                )
        return tuple(input_shape)

    def build(self, input_shape, rng):
        self._rng = np.random.default_rng(self.seed if self.seed is not None else int(rng.integers(2**63)))

    def _mask_shape(self, inputs):
        if self.noise_shape is None:
            return inputs.shape
        if self.noise_shape[0] not in (None, 1, inputs.shape[0]):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `noise_shape` {self.noise_shape} has batch size "
                f"{self.noise_shape[0]} but the inputs have shape {inputs.shape}; use None for the batch axis."
            )
        return tuple(size if d is None else d for d, size in zip(self.noise_shape, inputs.shape))

    def fix_mask(self, keep):
        """Use the boolean array `keep` (True = keep the unit) instead of random masks.

        Meant for tests (e.g. gradient checks); ``fix_mask(None)`` returns to random masks.
        The kept units are still scaled by ``1 / (1 - rate)``.
        """
        self._fixed_keep = None if keep is None else np.asarray(keep, dtype=bool)

    def forward(self, inputs, training=False):
        if not training or self.rate == 0.0:
            return inputs, None
        if self._fixed_keep is None:  # the cache: the scaled mask of this call
            return self.ops.dropout(inputs, self._rng, self._mask_shape(inputs), self.rate)
        mask = np.multiply(self._fixed_keep, 1.0 / (1.0 - self.rate), dtype=inputs.dtype)
        return inputs * mask, mask

    # y = x * m / (1 - rate) with a fixed mask m  =>  dx = dy * m / (1 - rate)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        return grad_outputs if cache is None else grad_outputs * cache

    def get_config(self):
        config = {**super().get_config(), "rate": self.rate, "seed": self.seed}
        config["noise_shape"] = None if self.noise_shape is None else list(self.noise_shape)
        return config

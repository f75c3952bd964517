"""What the augmentation layers share: a seeded generator of their own, images (batch, height, width,
channels), and the identity outside training.

A layer's generator comes from its `seed`, or else from the model's build generator (as
Dropout's), so a model seed makes the augmentation reproducible; it is saved with the
model (``saving.payload`` saves every layer's generators), so a reloaded model goes on
drawing the same transformations.
"""

import numbers

import numpy as np

from ..base import Layer


def check_seed(owner, seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ValueError(f"{owner}: `seed` must be a non-negative int or None, got {seed!r}.")
    return None if seed is None else int(seed)


def factor_range(owner, name, factor, symmetric_limit=None):
    """Keras's factor: a number f gives (-f, f); a pair (lower, upper) is taken as it is."""
    if isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        lower, upper = -abs(float(factor)), abs(float(factor))
    elif isinstance(factor, (tuple, list)) and len(factor) == 2 and all(
            isinstance(value, numbers.Real) and not isinstance(value, bool) for value in factor):
        lower, upper = float(factor[0]), float(factor[1])
    else:
        raise ValueError(f"{owner}: `{name}` must be a number or a pair (lower, upper), got {factor!r}.")
    if lower > upper or not np.isfinite([lower, upper]).all():
        raise ValueError(f"{owner}: `{name}` must have lower <= upper, both finite, got {factor!r}.")
    if symmetric_limit is not None and (lower < -symmetric_limit or upper > symmetric_limit):
        raise ValueError(f"{owner}: `{name}` must lie in [-{symmetric_limit}, {symmetric_limit}], got {factor!r}.")
    return lower, upper


class RandomLayer(Layer, register=False):
    """Base of the augmentation layers: ``seed``, ``self._rng`` and image inputs (channels last)."""

    augments = True

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{owner}: `data_format` must be 'channels_last' (images as (batch, height, width, "
                             f"channels)), got {data_format!r}.")
        self.seed = check_seed(owner, seed)
        self._rng = None

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} '{self.name}' expected images of per-sample shape (height, width, "
                             f"channels), got {tuple(input_shape)}.")
        return tuple(input_shape)

    def build(self, input_shape, rng):
        self._rng = np.random.default_rng(self.seed if self.seed is not None else int(rng.integers(2**63)))

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}

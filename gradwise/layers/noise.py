"""Noise layers, active only while training: GaussianNoise, GaussianDropout, AlphaDropout.

Each draws from its own generator, seeded by `seed` or, without one, from the model's
build generator (as Dropout), so a model seed makes the noise reproducible. Inference
is the identity. ``fix_noise`` replaces the random draw, for tests (gradient checks).
"""

import math

import numpy as np

from .. import _checks
from .base import Layer
from .dropout import Dropout, _check_seed

# SELU's constants (Klambauer et al. 2017): AlphaDropout sets dropped units to SELU's negative saturation.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class _RandomInTraining(Layer, register=False):
    """A layer whose training-time outputs use one random draw per call, from its own generator."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = _check_seed(type(self).__name__, seed)
        self._rng = None
        self._fixed_noise = None

    def build(self, input_shape, rng):
        self._rng = np.random.default_rng(self.seed if self.seed is not None else int(rng.integers(2**63)))

    def fix_noise(self, noise):
        """Use the array `noise` (broadcast to the inputs) instead of a random draw; None returns to random draws.

        Meant for tests: GaussianNoise adds it, GaussianDropout multiplies by it.
        """
        self._fixed_noise = None if noise is None else np.asarray(noise)

    def _noise(self, inputs, mean, stddev):
        """Gaussian noise shaped as `inputs` (or the fixed noise, as it is)."""
        if self._fixed_noise is not None:
            return self._fixed_noise.astype(inputs.dtype)
        noise = self._rng.standard_normal(inputs.shape, dtype=inputs.dtype)
        noise *= inputs.dtype.type(stddev)
        if mean:
            noise += inputs.dtype.type(mean)
        return noise

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class GaussianNoise(_RandomInTraining):
    """Add zero-mean Gaussian noise of standard deviation `stddev` while training (a
    regularizer, and data augmentation for real-valued inputs).

    Parameters
    ----------
    stddev : float >= 0
    seed : int, optional

    Examples
    --------
    >>> GaussianNoise(0.1)
    <GaussianNoise name='gaussian_noise'>
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.stddev = _checks.non_negative_float("GaussianNoise", "stddev", stddev)

    def forward(self, inputs, training=False):
        if not training or self.stddev == 0.0:
            return inputs, None
        return inputs + self._noise(inputs, 0.0, self.stddev), None

    # y = x + n with the noise n independent of x  =>  dx = dy
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs if input_grad else None

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


class GaussianDropout(_RandomInTraining):
    """Multiply the inputs by Gaussian noise of mean 1 and standard deviation
    ``sqrt(rate / (1 - rate))`` while training (the noise of Dropout(rate), made continuous;
    Srivastava et al. 2014).

    Parameters
    ----------
    rate : float in [0, 1)
    seed : int, optional

    Examples
    --------
    >>> GaussianDropout(0.2)
    <GaussianDropout name='gaussian_dropout'>
    """

    drops_out = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _checks.fraction("GaussianDropout", "rate", rate)

    def forward(self, inputs, training=False):
        if not training or self.rate == 0.0:
            return inputs, None
        noise = self._noise(inputs, 1.0, math.sqrt(self.rate / (1.0 - self.rate)))
        return inputs * noise, noise

    # y = x * n with the noise n independent of x  =>  dx = dy * n
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        return grad_outputs if cache is None else grad_outputs * cache

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


class AlphaDropout(Dropout):
    """Dropout that keeps SELU networks self-normalizing (Klambauer et al. 2017): dropped units
    are set to SELU's saturation ``-alpha * scale``, then an affine map ``a * x + b`` restores
    zero mean and unit variance for standardized inputs. Inference is the identity.

    Parameters
    ----------
    rate : float in [0, 1)
    noise_shape : tuple of int or None, optional
        As Dropout's.
    seed : int, optional

    Examples
    --------
    >>> AlphaDropout(0.1)
    <AlphaDropout name='alpha_dropout'>
    """

    def _affine(self):
        """(a, b, saturation): ``outputs = a * (x if kept else saturation) + b``."""
        saturation = -SELU_ALPHA * SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * saturation**2)) ** -0.5
        return a, -a * saturation * self.rate, saturation

    def forward(self, inputs, training=False):
        if not training or self.rate == 0.0:
            return inputs, None
        keep = self._fixed_keep
        if keep is None:  # as Keras: a unit is kept where a uniform draw is at least `rate`
            keep = self._rng.random(self._mask_shape(inputs)) >= self.rate
        a, b, saturation = self._affine()
        outputs = np.where(keep, inputs, inputs.dtype.type(saturation))
        outputs *= inputs.dtype.type(a)
        outputs += inputs.dtype.type(b)
        return outputs, np.multiply(keep, a, dtype=inputs.dtype)  # the cache: a where kept, 0 where dropped

    # y = a x + b where kept, a constant where dropped  =>  dx = a dy where kept, 0 where dropped
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        return grad_outputs if cache is None else grad_outputs * cache

"""RandomRotation, RandomTranslation and RandomZoom: a random affine map per image while training.

Each layer draws its maps' parameters per image and hands the inverse maps (output
pixel -> input pixel, about the image centre) to ``affine.sampling_plan``; outside
training it is the identity. The plan travels in the cache, so backward scatters the
gradient through the same draw.
"""

import numpy as np

from ... import _checks
from . import affine
from .base import RandomLayer, factor_range


class _AffineLayer(RandomLayer, register=False):
    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        owner = type(self).__name__
        self.fill_mode = _checks.choice(owner, "fill_mode", fill_mode, affine.FILL_MODES)
        self.interpolation = _checks.choice(owner, "interpolation", interpolation, affine.INTERPOLATIONS)
        self.fill_value = float(fill_value)

    def _matrices(self, batch, height, width):
        """(batch, 2, 3) inverse maps: output (column, row, 1) -> input (column, row)."""
        raise NotImplementedError

    def forward(self, inputs, training=False):
        if not training:
            return inputs, None
        batch, height, width, _ = inputs.shape
        plan = affine.sampling_plan(self._matrices(batch, height, width), height, width, self.fill_mode,
                                    self.interpolation)
        return affine.resample(inputs, plan, self.fill_value), plan

    # a fixed draw is linear in the inputs: the gradient goes back through the same weights (affine.py)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        return grad_outputs if cache is None else affine.resample_backward(grad_outputs, cache)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


def _about_centre(linear, height, width, shift_columns=0.0, shift_rows=0.0):
    """Inverse maps applying `linear` (batch, 2, 2) about the image centre, then a shift (input pixels)."""
    centre = np.array([(width - 1) / 2.0, (height - 1) / 2.0])
    offset = centre - linear @ centre + np.stack([shift_columns, shift_rows], axis=-1)
    return np.concatenate([linear, offset[..., None]], axis=-1)


class RandomRotation(_AffineLayer):
    """Rotate each image by a random angle while training (Keras's RandomRotation).

    Parameters
    ----------
    factor : float or (float, float)
        A fraction of a full turn: 0.1 draws angles in [-36, 36] degrees; a pair gives
        (lower, upper) fractions. Positive angles turn counter-clockwise.
    fill_mode : {'reflect', 'wrap', 'nearest', 'constant'}, default 'reflect'
    interpolation : {'bilinear', 'nearest'}, default 'bilinear'
    seed : int, optional
    fill_value : float, default 0.0
    value_range : (float, float), default (0, 255)
        Accepted for Keras's signature; a rotation mixes pixels without leaving their range,
        so nothing is clipped.

    Examples
    --------
    >>> RandomRotation(0.1, seed=0)
    <RandomRotation name='random_rotation'>
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 value_range=(0, 255), data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_range(type(self).__name__, "factor", factor)

    def _matrices(self, batch, height, width):
        angles = self._rng.uniform(*self.factor, size=batch) * 2.0 * np.pi
        cos, sin = np.cos(angles), np.sin(angles)
        # the inverse of a counter-clockwise turn (rows grow downwards): [[cos, -sin], [sin, cos]] in (x, y)
        linear = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], axis=1)
        return _about_centre(linear, height, width)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomTranslation(_AffineLayer):
    """Shift each image by a random fraction of its height and width while training.

    Parameters
    ----------
    height_factor, width_factor : float or (float, float)
        Fractions of the height and width: 0.2 draws shifts in [-20%, 20%].
    fill_mode, interpolation, seed, fill_value : as RandomRotation's
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        owner = type(self).__name__
        self.height_factor = factor_range(owner, "height_factor", height_factor, symmetric_limit=1.0)
        self.width_factor = factor_range(owner, "width_factor", width_factor, symmetric_limit=1.0)

    def _matrices(self, batch, height, width):
        shift_rows = self._rng.uniform(*self.height_factor, size=batch) * height
        shift_columns = self._rng.uniform(*self.width_factor, size=batch) * width
        # moving the content by +s reads the input at -s
        return _about_centre(np.broadcast_to(np.eye(2), (batch, 2, 2)), height, width, -shift_columns, -shift_rows)

    def get_config(self):
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": list(self.width_factor)}


class RandomZoom(_AffineLayer):
    """Zoom each image in or out by a random factor while training (Keras's RandomZoom).

    Parameters
    ----------
    height_factor : float or (float, float)
        As Keras: a positive value zooms out (the content shrinks), a negative one zooms
        in; 0.2 draws in [-20%, 20%]. Each must be above -1.
    width_factor : float or (float, float), optional
        None (default) zooms both axes alike, keeping the aspect ratio.
    fill_mode, interpolation, seed, fill_value : as RandomRotation's
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        owner = type(self).__name__
        self.height_factor = factor_range(owner, "height_factor", height_factor)
        self.width_factor = None if width_factor is None else factor_range(owner, "width_factor", width_factor)
        for factor in (self.height_factor, self.width_factor):
            if factor is not None and factor[0] <= -1:
                raise ValueError(f"{owner}: zoom factors must be above -1 (a zoom to nothing), got {factor!r}.")

    def _matrices(self, batch, height, width):
        zoom_rows = 1.0 + self._rng.uniform(*self.height_factor, size=batch)
        zoom_columns = zoom_rows if self.width_factor is None else 1.0 + self._rng.uniform(*self.width_factor,
                                                                                          size=batch)
        linear = np.zeros((batch, 2, 2))
        linear[:, 0, 0], linear[:, 1, 1] = zoom_columns, zoom_rows  # reading a wider window shrinks the content
        return _about_centre(linear, height, width)

    def get_config(self):
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": None if self.width_factor is None else list(self.width_factor)}

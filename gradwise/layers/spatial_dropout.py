"""Spatial dropout: drop whole channels (feature maps) instead of single units."""

from .. import _checks
from .dropout import Dropout


class SpatialDropout1D(Dropout):
    """Dropout of whole channels of sequences of shape (batch, steps, channels).

    One keep/drop decision per (sample, channel), shared by every step; kept channels are
    scaled by ``1 / (1 - rate)`` while training. Inference is the identity.

    Parameters
    ----------
    rate : float in [0, 1)
    seed : int, optional

    Examples
    --------
    >>> SpatialDropout1D(0.2)
    <SpatialDropout1D name='spatial_dropout1d'>
    """

    _rank = 2

    def __init__(self, rate, seed=None, **kwargs):
        if "noise_shape" in kwargs:
            raise TypeError(
                f"{type(self).__name__}: unexpected keyword argument 'noise_shape'; the mask is one value "
                "per (sample, channel). Use Dropout(rate, noise_shape=...) for another shape."
            )
        super().__init__(rate, seed=seed, **kwargs)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != self._rank:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of rank {self._rank + 1} "
                f"{self._layout()}, got per-sample shape {tuple(input_shape)}."
            )
        return tuple(input_shape)

    def _layout(self):
        return "(batch, steps, channels)"

    def _mask_shape(self, inputs):
        return (inputs.shape[0], 1, inputs.shape[2])

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]
        return config


class SpatialDropout2D(SpatialDropout1D):
    """Dropout of whole channels of images, the same decision at every (row, column).

    Parameters
    ----------
    rate : float in [0, 1)
    data_format : {'channels_last', 'channels_first'}, optional
        ``'channels_last'`` (default): (batch, height, width, channels).
    seed : int, optional

    Examples
    --------
    >>> SpatialDropout2D(0.1)
    <SpatialDropout2D name='spatial_dropout2d'>
    """

    _rank = 3

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        data_format = "channels_last" if data_format is None else data_format
        self.data_format = _checks.choice(
            "SpatialDropout2D", "data_format", data_format, {"channels_last", "channels_first"}
        )

    def _layout(self):
        if self.data_format == "channels_first":
            return "(batch, channels, height, width)"
        return "(batch, height, width, channels)"

    def _mask_shape(self, inputs):
        if self.data_format == "channels_first":
            return (inputs.shape[0], inputs.shape[1], 1, 1)
        return (inputs.shape[0], 1, 1, inputs.shape[3])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}

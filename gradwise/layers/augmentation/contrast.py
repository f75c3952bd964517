"""RandomContrast: each image's contrast scaled by a random factor about its per-channel mean, while training."""

import numbers

import numpy as np

from .base import RandomLayer


def _number(owner, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{owner}: `factor` must be a number in [0, 1] or a pair of them, got {value!r}.")
    return float(value)


class RandomContrast(RandomLayer):
    """outputs = clip((x - mean) * c + mean, value_range), c uniform in [1 - lower, 1 + upper], while training.

    The mean is each image's, per channel, over height and width (Keras's RandomContrast).

    Parameters
    ----------
    factor : float or (float, float)
        0.2 draws c in [0.8, 1.2]; each part must lie in [0, 1].
    value_range : (float, float), default (0, 255)
        The outputs are clipped to it.
    seed : int, optional
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        owner = type(self).__name__
        if isinstance(factor, (tuple, list)) and len(factor) == 2:  # (lower, upper): a contrast in [1 - lower, 1 + upper]
            lower, upper = (_number(owner, value) for value in factor)
        else:
            lower = upper = _number(owner, factor)
        if not (0 <= lower <= 1 and 0 <= upper <= 1):
            raise ValueError(f"{owner}: `factor` must lie in [0, 1] (a contrast in [1 - lower, 1 + upper]), got "
                             f"{factor!r}.")
        self.factor = (lower, upper)
        if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
                or not float(value_range[0]) < float(value_range[1])):
            raise ValueError(f"{owner}: `value_range` must be a pair (low, high) with low < high, got {value_range!r}.")
        self.value_range = (float(value_range[0]), float(value_range[1]))

    def forward(self, inputs, training=False):
        if not training:
            return inputs, None
        batch = inputs.shape[0]
        contrast = self._rng.uniform(1.0 - self.factor[0], 1.0 + self.factor[1], size=batch)
        contrast = contrast.astype(inputs.dtype).reshape(batch, 1, 1, 1)
        mean = inputs.mean(axis=(1, 2), keepdims=True)
        stretched = (inputs - mean) * contrast + mean
        low, high = self.value_range
        inside = (stretched >= low) & (stretched <= high)
        return np.clip(stretched, low, high), (contrast, inside)

    # y = c (x - m) + m with m the mean over the image's H*W pixels  =>  dx = c g + (1 - c) mean(g), g = dy inside
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        if cache is None:
            return grad_outputs
        contrast, inside = cache
        grad = np.where(inside, grad_outputs, 0)
        return grad * contrast + (1 - contrast) * grad.mean(axis=(1, 2), keepdims=True)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor), "value_range": list(self.value_range)}

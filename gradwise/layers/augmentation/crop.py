"""RandomCrop: a random height x width window of each image while training, the centred one at inference."""

import numpy as np

from ... import _checks
from .base import RandomLayer


class RandomCrop(RandomLayer):
    """Crop each image to `height` x `width` at a random place while training; centred at inference.

    Parameters
    ----------
    height, width : int
        At most the images' height and width.
    seed : int, optional
    """

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        owner = type(self).__name__
        self.height = _checks.positive_int(owner, "height", height)
        self.width = _checks.positive_int(owner, "width", width)

    def compute_output_shape(self, input_shape):
        height, width, channels = super().compute_output_shape(input_shape)
        if height < self.height or width < self.width:
            raise ValueError(f"{type(self).__name__} '{self.name}': a crop of {self.height} x {self.width} does not fit "
                             f"images of per-sample shape {tuple(input_shape)}; crop at most {height} x {width}.")
        return (self.height, self.width, channels)

    def forward(self, inputs, training=False):
        batch, height, width, _ = inputs.shape
        if training:
            tops = self._rng.integers(0, height - self.height + 1, size=batch)
            lefts = self._rng.integers(0, width - self.width + 1, size=batch)
        else:
            tops = np.full(batch, (height - self.height) // 2)
            lefts = np.full(batch, (width - self.width) // 2)
        rows = tops[:, None] + np.arange(self.height)
        columns = lefts[:, None] + np.arange(self.width)
        outputs = inputs[np.arange(batch)[:, None, None], rows[:, :, None], columns[:, None, :]]
        return outputs, (inputs.shape, rows, columns)

    # y = x[window]  =>  dx = dy placed in that window, 0 elsewhere
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        shape, rows, columns = cache
        grad_inputs = np.zeros(shape, dtype=grad_outputs.dtype)
        batch = shape[0]
        grad_inputs[np.arange(batch)[:, None, None], rows[:, :, None], columns[:, None, :]] = grad_outputs
        return grad_inputs

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}

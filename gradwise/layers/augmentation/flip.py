"""RandomFlip: each image mirrored left-right and/or upside down, each with probability 1/2, while training."""

import numpy as np

from ... import _checks
from .base import RandomLayer

MODES = {"horizontal": (False, True), "vertical": (True, False), "horizontal_and_vertical": (True, True)}


class RandomFlip(RandomLayer):
    """Randomly flip images while training (Keras's RandomFlip); the identity at inference.

    Parameters
    ----------
    mode : {'horizontal', 'vertical', 'horizontal_and_vertical'}, default 'horizontal_and_vertical'
        'horizontal' mirrors left-right (the width axis), 'vertical' upside down.
    seed : int, optional

    Examples
    --------
    >>> RandomFlip("horizontal", seed=0)
    <RandomFlip name='random_flip'>
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = _checks.choice(type(self).__name__, "mode", mode, tuple(MODES))

    @staticmethod
    def _flip(images, rows, columns):
        outputs = images.copy()
        outputs[rows] = outputs[rows, ::-1]
        outputs[columns] = outputs[columns, :, ::-1]
        return outputs

    def forward(self, inputs, training=False):
        if not training:
            return inputs, None
        vertical, horizontal = MODES[self.mode]
        batch = inputs.shape[0]
        rows = self._rng.random(batch) < 0.5 if vertical else np.zeros(batch, dtype=bool)
        columns = self._rng.random(batch) < 0.5 if horizontal else np.zeros(batch, dtype=bool)
        return self._flip(inputs, rows, columns), (rows, columns)

    # y = P x for a permutation P (a flip)  =>  dx = P^T dy = P dy (a flip is its own inverse)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        return grad_outputs if cache is None else self._flip(grad_outputs, *cache)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}

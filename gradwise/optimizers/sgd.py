"""Stochastic gradient descent with (Nesterov) momentum."""

import numpy as np

from .. import _checks
from .base import Optimizer


class SGD(Optimizer):
    """Gradient descent with optional momentum (Polyak 1964) and Nesterov momentum
    (Sutskever et al., ICML 2013), in Keras' form::

        velocity = momentum * velocity - lr * grad
        w += velocity                              (plain momentum)
        w += momentum * velocity - lr * grad       (nesterov)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"SGD: `momentum` must be a float in [0, 1], got {momentum!r}.")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _new_slots(self, param):
        return {"momentum": np.zeros_like(param)} if self.momentum > 0 else {}

    def _step(self, grad, slots, learning_rate):
        if self.momentum == 0:
            return learning_rate * grad
        velocity = slots["momentum"]
        velocity *= self.momentum
        velocity -= learning_rate * grad
        if self.nesterov:
            return learning_rate * grad - self.momentum * velocity
        return -velocity

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}

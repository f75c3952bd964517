"""Stochastic gradient descent with (Nesterov) momentum."""

import numpy as np

from .. import _checks
from .base import Optimizer


class SGD(Optimizer):
    """Gradient descent with optional momentum (Polyak, "Some methods of speeding up the
    convergence of iteration methods", 1964) and Nesterov momentum (Sutskever, Martens,
    Dahl & Hinton, "On the importance of initialization and momentum in deep learning",
    ICML 2013), in Keras' form::

        velocity = momentum * velocity - lr * grad
        w += velocity                              (plain momentum)
        w += momentum * velocity - lr * grad       (nesterov)

    With a constant learning rate this is ``torch.optim.SGD`` (whose buffer is
    ``-velocity / lr``); with a schedule, Keras scales each gradient by the rate of its own
    step while PyTorch scales the whole buffer by the current one.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.01
    momentum : float in [0, 1], default 0.0
    nesterov : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``global_clipnorm``, ``clipvalue``, ``name``.

    Examples
    --------
    >>> optimizer = SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = _checks.fraction("SGD", "momentum", momentum, closed_right=True)
        self.nesterov = bool(nesterov)

    def _new_slots(self, param):
        return {"momentum": np.zeros_like(param)} if self.momentum > 0 else {}

    def _step(self, grad, slots, learning_rate):
        update = self._scratch(grad)  # lr g, computed in place: no temporaries
        np.multiply(grad, learning_rate, out=update)
        if self.momentum == 0:
            return update
        velocity = slots["momentum"]  # v = momentum v - lr g
        velocity *= self.momentum
        velocity -= update
        if self.nesterov:  # the increment lr g - momentum v
            update -= self.momentum * velocity
            return update
        return np.negative(velocity, out=update)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}

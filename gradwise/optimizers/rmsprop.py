"""RMSprop (Tieleman & Hinton, 2012), with optional momentum and centering (Graves, 2013)."""

import numpy as np

from .. import _checks
from .base import Optimizer


class RMSprop(Optimizer):
    """RMSprop: Tieleman & Hinton, "Lecture 6.5 - RMSprop", COURSERA: Neural Networks for
    Machine Learning, 2012; the centered variant: Graves, "Generating Sequences With
    Recurrent Neural Networks", arXiv:1308.0850, 2013.

    Keras' form, with epsilon *inside* the square root::

        v = rho v + (1 - rho) g^2
        centered:  a = rho a + (1 - rho) g ;  denominator = v - a^2 + epsilon
        otherwise:                            denominator = v + epsilon
        increment = lr g / sqrt(denominator)
        momentum > 0:  buf = momentum buf + increment ;  w -= buf
        otherwise:     w -= increment

    PyTorch adds its epsilon outside the square root and multiplies by lr after the
    momentum buffer; both agree when epsilon is negligible and lr is constant.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    rho : float in [0, 1), default 0.9
        Decay rate of the mean square (PyTorch's `alpha`).
    momentum : float in [0, 1], default 0.0
    epsilon : float, default 1e-7
    centered : bool, default False
        Divide by the estimated variance of the gradient instead of its mean square.
    **kwargs
        ``weight_decay``, ``clipnorm``, ``global_clipnorm``, ``clipvalue``, ``name``.

    Examples
    --------
    >>> optimizer = RMSprop(learning_rate=1e-3, momentum=0.9, centered=True)
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = _checks.fraction("RMSprop", "rho", rho)
        self.momentum = _checks.fraction("RMSprop", "momentum", momentum, closed_right=True)
        self.epsilon = _checks.non_negative_float("RMSprop", "epsilon", epsilon)
        self.centered = bool(centered)

    def _new_slots(self, param):
        slots = {"velocity": np.zeros_like(param)}
        if self.momentum > 0:
            slots["momentum"] = np.zeros_like(param)
        if self.centered:
            slots["average_gradient"] = np.zeros_like(param)
        return slots

    def _step(self, grad, slots, learning_rate):
        velocity = slots["velocity"]
        velocity *= self.rho
        velocity += (1 - self.rho) * (grad * grad)
        if self.centered:
            average = slots["average_gradient"]
            average *= self.rho
            average += (1 - self.rho) * grad
            denominator = velocity - average * average
        else:
            denominator = velocity.copy()
        denominator += self.epsilon
        np.sqrt(denominator, out=denominator)
        increment = np.divide(grad, denominator, out=denominator)
        increment *= learning_rate
        if self.momentum == 0:
            return increment
        buffer = slots["momentum"]
        buffer *= self.momentum
        buffer += increment
        return buffer

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}

"""Adadelta (Zeiler, 2012)."""

import numpy as np

from .. import _checks
from .base import Optimizer


class Adadelta(Optimizer):
    """Adadelta: Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, 2012.

    Keras' form (identical to PyTorch's, epsilon inside both square roots)::

        E[g^2] = rho E[g^2] + (1 - rho) g^2
        delta = sqrt(E[dx^2] + epsilon) / sqrt(E[g^2] + epsilon) * g
        E[dx^2] = rho E[dx^2] + (1 - rho) delta^2
        w -= lr delta

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
        Keras' default; the paper (and PyTorch) use 1.0.
    rho : float in [0, 1), default 0.95
        Decay rate of both running averages.
    epsilon : float, default 1e-7
    **kwargs
        ``weight_decay``, ``clipnorm``, ``global_clipnorm``, ``clipvalue``, ``name``.

    Examples
    --------
    >>> optimizer = Adadelta(learning_rate=1.0, rho=0.9)
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = _checks.fraction("Adadelta", "rho", rho)
        self.epsilon = _checks.non_negative_float("Adadelta", "epsilon", epsilon)

    def _new_slots(self, param):
        return {"accumulated_grad": np.zeros_like(param), "accumulated_delta_var": np.zeros_like(param)}

    def _step(self, grad, slots, learning_rate):
        accumulated_grad, accumulated_delta = slots["accumulated_grad"], slots["accumulated_delta_var"]
        accumulated_grad *= self.rho
        accumulated_grad += (1 - self.rho) * (grad * grad)
        delta = accumulated_delta + self.epsilon
        np.sqrt(delta, out=delta)
        delta *= grad
        delta /= np.sqrt(accumulated_grad + self.epsilon)
        accumulated_delta *= self.rho
        accumulated_delta += (1 - self.rho) * (delta * delta)
        delta *= learning_rate
        return delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}

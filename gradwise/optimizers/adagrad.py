"""Adagrad (Duchi, Hazan & Singer, 2011)."""

import numpy as np

from .. import _checks
from .base import Optimizer


class Adagrad(Optimizer):
    """Adagrad: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning
    and Stochastic Optimization", JMLR 12, 2011.

    Keras' form, with epsilon *inside* the square root::

        accumulator += g^2            (starts at initial_accumulator_value)
        w -= lr g / sqrt(accumulator + epsilon)

    PyTorch adds its epsilon outside the square root; both agree when it is negligible.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    initial_accumulator_value : float, default 0.1
        Starting value of the per-element sum of squared gradients.
    epsilon : float, default 1e-7
    **kwargs
        ``weight_decay``, ``clipnorm``, ``global_clipnorm``, ``clipvalue``, ``name``.

    Examples
    --------
    >>> optimizer = Adagrad(learning_rate=0.01)
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = _checks.non_negative_float(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value)
        self.epsilon = _checks.non_negative_float("Adagrad", "epsilon", epsilon)

    def _new_slots(self, param):
        return {"accumulator": np.full_like(param, self.initial_accumulator_value)}

    def _step(self, grad, slots, learning_rate):
        accumulator = slots["accumulator"]
        accumulator += grad * grad
        denominator = accumulator + self.epsilon
        np.sqrt(denominator, out=denominator)
        increment = np.divide(grad, denominator, out=denominator)
        increment *= learning_rate
        return increment

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}

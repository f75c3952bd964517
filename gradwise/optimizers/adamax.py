"""Adamax: Adam with the infinity norm (Kingma & Ba, 2015, section 7.1)."""

import numpy as np

from .. import _checks
from .base import Optimizer


class Adamax(Optimizer):
    """Adamax: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
    section 7.1.

    Keras' form::

        m = b1 m + (1 - b1) g ;  u = max(b2 u, |g|)
        w -= lr m / ((1 - b1^t) (u + epsilon))

    PyTorch puts its epsilon inside the max, ``u = max(b2 u, |g| + epsilon)``; both agree
    when epsilon is negligible.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    beta_1, beta_2 : float in [0, 1), default 0.9 and 0.999
        Decay rates of the first moment and of the exponentially weighted infinity norm.
    epsilon : float, default 1e-7
    **kwargs
        ``weight_decay``, ``clipnorm``, ``global_clipnorm``, ``clipvalue``, ``name``.

    Examples
    --------
    >>> optimizer = Adamax(learning_rate=2e-3)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = _checks.fraction("Adamax", "beta_1", beta_1)
        self.beta_2 = _checks.fraction("Adamax", "beta_2", beta_2)
        self.epsilon = _checks.non_negative_float("Adamax", "epsilon", epsilon)

    def _new_slots(self, param):
        return {"momentum": np.zeros_like(param), "norm": np.zeros_like(param)}

    def _step(self, grad, slots, learning_rate):
        t = self.iterations + 1
        m, u = slots["momentum"], slots["norm"]
        m += (1 - self.beta_1) * (grad - m)
        u *= self.beta_2
        np.maximum(u, np.abs(grad), out=u)
        denominator = u + self.epsilon
        np.divide(m, denominator, out=denominator)
        denominator *= learning_rate / (1 - self.beta_1**t)
        return denominator

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

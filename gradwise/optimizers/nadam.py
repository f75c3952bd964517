"""Nadam: Adam with Nesterov momentum (Dozat, 2016)."""

import numpy as np

from .. import _checks
from .base import Optimizer


class Nadam(Optimizer):
    """Nadam: Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop.

    Keras 3's form, with the momentum-cache schedule ``u_t = beta_1 (1 - 0.5 * 0.96^t)``
    and its running product ``U_t = u_1 ... u_t`` (a scalar slot, ``u_product``)::

        m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
        m_hat = u_{t+1} m / (1 - U_t u_{t+1}) + (1 - u_t) g / (1 - U_t)
        w -= lr * m_hat / (sqrt(v / (1 - b2^t)) + epsilon)

    This is ``torch.optim.NAdam`` with ``momentum_decay=1.0`` (PyTorch's default 0.004
    makes the schedule ``0.96^(0.004 t)``).

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    beta_1, beta_2 : float in [0, 1), default 0.9 and 0.999
    epsilon : float, default 1e-7
    **kwargs
        ``weight_decay``, ``clipnorm``, ``global_clipnorm``, ``clipvalue``, ``name``.

    Examples
    --------
    >>> optimizer = Nadam(learning_rate=2e-3)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = _checks.fraction("Nadam", "beta_1", beta_1)
        self.beta_2 = _checks.fraction("Nadam", "beta_2", beta_2)
        self.epsilon = _checks.non_negative_float("Nadam", "epsilon", epsilon)

    def _new_slots(self, param):
        return {"momentum": np.zeros_like(param), "velocity": np.zeros_like(param),
                "u_product": np.ones((), dtype=param.dtype)}

    def _momentum_cache(self, t):
        return self.beta_1 * (1.0 - 0.5 * 0.96**t)

    def _begin_step(self, learning_rate):
        t = self.iterations + 1
        self.slots["u_product"] *= self._momentum_cache(t)  # a 0-d array: updated in place, saved by get_state

    def _step(self, grad, slots, learning_rate):
        t = self.iterations + 1
        u_t, u_next = self._momentum_cache(t), self._momentum_cache(t + 1)
        u_product = float(slots["u_product"])
        m, v = slots["momentum"], slots["velocity"]
        m += (1 - self.beta_1) * (grad - m)
        v += (1 - self.beta_2) * (grad * grad - v)
        m_hat = m * (u_next / (1 - u_product * u_next))
        m_hat += ((1 - u_t) / (1 - u_product)) * grad
        denominator = v * (1 / (1 - self.beta_2**t))
        np.sqrt(denominator, out=denominator)
        denominator += self.epsilon
        m_hat /= denominator
        m_hat *= learning_rate
        return m_hat

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

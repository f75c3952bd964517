"""Adam (Kingma & Ba, 2015) with optional AMSGrad (Reddi et al., 2018)."""

import math

import numpy as np

from .. import _checks
from .base import Optimizer


class Adam(Optimizer):
    """Adam: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015;
    AMSGrad: Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.

    Keras' form: epsilon is added to sqrt(v) and is *not* bias-corrected::

        m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2   (amsgrad: v_hat = max(v_hat, v))
        w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)

    PyTorch adds its epsilon to sqrt(v) / sqrt(1 - b2^t) instead; the two agree when
    epsilon is negligible.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    beta_1, beta_2 : float in [0, 1), default 0.9 and 0.999
        Decay rates of the first and second moment estimates.
    epsilon : float, default 1e-7
    amsgrad : bool, default False
    **kwargs
        ``weight_decay``, ``clipnorm``, ``global_clipnorm``, ``clipvalue``, ``name``.

    Examples
    --------
    >>> optimizer = Adam(learning_rate=1e-3, amsgrad=True)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = _checks.fraction(owner, "beta_1", beta_1)
        self.beta_2 = _checks.fraction(owner, "beta_2", beta_2)
        self.epsilon = _checks.non_negative_float(owner, "epsilon", epsilon)
        self.amsgrad = bool(amsgrad)

    def _new_slots(self, param):
        slots = {"momentum": np.zeros_like(param), "velocity": np.zeros_like(param)}
        if self.amsgrad:
            slots["velocity_hat"] = np.zeros_like(param)
        return slots

    def _begin_step(self, learning_rate):
        t = self.iterations + 1
        self._alpha = learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)

    def _step(self, grad, slots, learning_rate):
        m, v = slots["momentum"], slots["velocity"]
        update = self._scratch(grad)  # every pass below writes in place: no temporaries
        np.subtract(grad, m, out=update)  # m += (1 - b1) (g - m)
        update *= 1 - self.beta_1
        m += update
        np.multiply(grad, grad, out=update)  # v += (1 - b2) (g^2 - v)
        update -= v
        update *= 1 - self.beta_2
        v += update
        if self.amsgrad:
            np.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
            v = slots["velocity_hat"]
        np.sqrt(v, out=update)  # alpha m / (sqrt(v) + epsilon)
        update += self.epsilon
        np.divide(m, update, out=update)
        update *= self._alpha
        return update

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}

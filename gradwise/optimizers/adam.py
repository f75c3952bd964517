"""Adam (Kingma & Ba, 2015) with optional AMSGrad (Reddi et al., 2018)."""

import numpy as np

from .base import Optimizer


class Adam(Optimizer):
    """Adam in Keras' form: epsilon is added to sqrt(v), *not* bias-corrected::

        m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
        w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)

    PyTorch adds its epsilon to sqrt(v) / sqrt(1 - b2^t) instead; the two agree when
    epsilon is negligible.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for arg, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= value < 1.0:
                raise ValueError(f"{type(self).__name__}: `{arg}` must be a float in [0, 1), got {value!r}.")
        if not epsilon >= 0:
            raise ValueError(f"{type(self).__name__}: `epsilon` must be >= 0, got {epsilon!r}.")
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)

    def _new_slots(self, param):
        slots = {"m": np.zeros_like(param), "v": np.zeros_like(param)}
        if self.amsgrad:
            slots["v_hat"] = np.zeros_like(param)
        return slots

    def _step(self, grad, slots, learning_rate):
        t = self.iterations + 1
        alpha = learning_rate * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        m, v = slots["m"], slots["v"]
        m += (1 - self.beta_1) * (grad - m)
        v += (1 - self.beta_2) * (grad * grad - v)
        if self.amsgrad:
            np.maximum(slots["v_hat"], v, out=slots["v_hat"])
            v = slots["v_hat"]
        denominator = np.sqrt(v)
        denominator += self.epsilon
        return (alpha * m) / denominator

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}

"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""

from .. import _checks
from .adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay: Loshchilov & Hutter, "Decoupled Weight Decay
    Regularization", ICLR 2019.

    The decay ``w -= lr * weight_decay * w`` is applied by the base class before the Adam
    update, as in Keras 3 (and in ``torch.optim.AdamW``); it does not enter the moments.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule, default 0.001
    weight_decay : float, default 0.004
        Keras 3's default; PyTorch's is 0.01.
    beta_1, beta_2, epsilon, amsgrad
        As in `Adam`.
    **kwargs
        ``clipnorm``, ``global_clipnorm``, ``clipvalue``, ``name``.

    Examples
    --------
    >>> optimizer = AdamW(learning_rate=1e-3, weight_decay=0.01)
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        # AdamW without decay would silently be Adam: require a number, as Keras does.
        _checks.non_negative_float("AdamW", "weight_decay", weight_decay)
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)

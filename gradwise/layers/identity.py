"""Layers that hand their inputs on unchanged: Identity, and ActivityRegularization, which
also adds a penalty on them to the loss."""

from .. import _checks, regularizers
from .base import Layer


class Identity(Layer):
    """y = x: a placeholder in a graph (Keras's ``Identity``).

    Examples
    --------
    >>> Identity()
    <Identity name='identity'>
    """

    supports_masking = True

    def forward(self, inputs, training=False):
        return inputs, None

    # y = x  =>  dx = dy
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return grad_outputs if input_grad else None


class ActivityRegularization(Identity):
    """y = x, and ``l1 * sum|x| + l2 * sum x^2`` (per sample, averaged over the batch) joins
    the loss, as the `activity_regularizer` of any layer does.

    Parameters
    ----------
    l1, l2 : float >= 0, default 0.0

    Examples
    --------
    >>> ActivityRegularization(l1=0.01)
    <ActivityRegularization name='activity_regularization'>
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.L1L2(l1=_checks.non_negative_float("ActivityRegularization", "l1", l1),
                                                      l2=_checks.non_negative_float("ActivityRegularization", "l2", l2))

    def get_config(self):
        return {**super().get_config(), "l1": self.activity_regularizer.l1, "l2": self.activity_regularizer.l2}

"""Mean and Sum: Keras's metrics of given values, ``update_state(values, sample_weight=None)``."""

import numpy as np

from .base import Metric


def _samplewise(values, sample_weight, reduce):
    """Values and weights reduced to one per sample, as Keras's reduction metrics do.

    Weights broadcast against the values (a missing trailing axis of 1 is added or dropped);
    the values are reduced over the axes the weights lack, weighted, then over the rest.
    """
    values = np.asarray(values, dtype=np.float64)
    if sample_weight is not None:
        weight = np.asarray(sample_weight, dtype=np.float64)
        if weight.ndim == values.ndim + 1 and weight.shape[-1:] == (1,):
            weight = weight[..., 0]
        elif values.ndim == weight.ndim + 1 and values.shape[-1:] == (1,):
            values = values[..., 0]
        if values.ndim > weight.ndim:
            values = reduce(values, axis=tuple(range(weight.ndim, values.ndim)))
        try:
            weight = np.broadcast_to(weight, values.shape)
        except ValueError:
            raise ValueError(
                f"`sample_weight` of shape {np.shape(sample_weight)} does not broadcast to the values of shape "
                f"{values.shape}.") from None
        values = values * weight
        if weight.ndim > 1:
            weight = reduce(weight, axis=tuple(range(1, weight.ndim)))
    else:
        weight = None
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weight


class Sum(Metric):
    """The (weighted) sum of every value given to ``update_state(values, sample_weight=None)``.

    Examples
    --------
    >>> metric = Sum()
    >>> metric.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> metric.result()
    4.0
    """

    name = "sum"

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values, _ = _samplewise(values, sample_weight, np.sum)
        self.total += float(np.sum(values))

    def result(self):
        return self.total


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(values, sample_weight=None)``.

    A sample with several values counts once, with their mean (Keras's rule); 0 before any
    weight is seen.

    Examples
    --------
    >>> metric = Mean()
    >>> metric.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> metric.result()
    2.0
    """

    name = "mean"

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        values, weight = _samplewise(values, sample_weight, np.mean)
        self.total += float(np.sum(values))
        if weight is not None:
            self.count += float(np.sum(weight))
        else:
            self.count += values.shape[0] if values.ndim else 1

    def result(self):
        return self.total / self.count if self.count else 0.0

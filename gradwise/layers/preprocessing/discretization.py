"""Discretization: continuous values to bucket indices by bin boundaries (given, or quantiles from adapt())."""

import numpy as np

from ... import _checks
from . import encoding
from .base import PreprocessingLayer
from .encoding import encode, encoded_shape


class Discretization(PreprocessingLayer):
    """Bucket each value (Keras's Discretization): bucket i holds boundaries[i-1] <= x < boundaries[i].

    Parameters
    ----------
    bin_boundaries : list of float, optional
        Sorted; n boundaries give n + 1 buckets.
    num_bins : int, optional
        Instead of `bin_boundaries`: ``adapt`` puts the boundaries at the data's quantiles
        1/num_bins, ..., (num_bins-1)/num_bins (exact quantiles; Keras approximates them
        within `epsilon`).
    output_mode : {'int', 'one_hot', 'multi_hot', 'count'}, default 'int'

    Examples
    --------
    >>> Discretization(bin_boundaries=[0.0, 1.0, 2.0])([[-1.5, 1.0, 3.4, 0.5]]).tolist()
    [[0, 2, 3, 1]]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError(f"{owner}: give exactly one of `bin_boundaries` and `num_bins`, got "
                             f"bin_boundaries={bin_boundaries!r} and num_bins={num_bins!r}.")
        self.num_bins = None if num_bins is None else _checks.positive_int(owner, "num_bins", num_bins)
        self.epsilon = _checks.positive_float(owner, "epsilon", epsilon)
        self.output_mode = encoding.output_mode(owner, output_mode)
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` is not supported (gradwise has no sparse tensors); got True.")
        self.bin_boundaries = None if bin_boundaries is None else self._checked(bin_boundaries)

    def _checked(self, boundaries):
        values = np.asarray(boundaries, dtype=np.float64).reshape(-1)
        if not np.isfinite(values).all() or np.any(np.diff(values) < 0):
            raise ValueError(f"{type(self).__name__}: `bin_boundaries` must be finite and sorted, got "
                             f"{list(boundaries)!r}.")
        return values.tolist()

    @property
    def depth(self):
        return self.num_bins if self.bin_boundaries is None else len(self.bin_boundaries) + 1

    def _adapt_batches(self, batches):
        if self.num_bins is None:
            raise ValueError(f"{type(self).__name__}.adapt learns boundaries for `num_bins`; this layer was given "
                             "fixed bin_boundaries.")
        values = np.concatenate([np.asarray(batch, dtype=np.float64).reshape(-1) for batch in batches])
        if not np.isfinite(values).all():
            raise ValueError(f"{type(self).__name__}.adapt: `data` holds NaN or Inf; remove or impute them first.")
        quantiles = np.quantile(values, np.arange(1, self.num_bins) / self.num_bins)
        self.bin_boundaries = quantiles.tolist()

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.depth, self.output_mode)

    def forward(self, inputs, training=False):
        if self.bin_boundaries is None:
            raise ValueError(f"{type(self).__name__} '{self.name}' has no bin boundaries: call layer.adapt(data) "
                             "first (num_bins was given).")
        values = np.asarray(inputs, dtype=np.float64)
        indices = np.searchsorted(np.asarray(self.bin_boundaries), values, side="right").astype(np.int64)
        return encode(indices, self.depth, self.output_mode, self.dtype or np.float32), None

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": None if self.bin_boundaries is not None else self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode}

"""PiecewiseLinearEncoding: each number as its position in every bin between quantile edges.

Gorishniy, Rubachev and Babenko (2022), "On Embeddings for Numerical Features in Tabular Deep
Learning": a column with edges b_0 < b_1 < ... < b_T becomes T values

    e_t(x) = clip((x - b_{t-1}) / (b_t - b_{t-1}), 0, 1),   t = 1..T

1 for every bin wholly below x, x's fraction of the bin it falls in, 0 above. The number is
still a linear function of its encoding (x = b_0 + sum_t e_t (b_t - b_{t-1}) inside the
edges), so a model loses nothing; and a Dense layer on the encoding gives each bin its own
slope, so even a linear model fits a piecewise-linear curve of each column (a generalized
additive model) where on the plain number it fits one line. Values beyond the outer edges
saturate, as a tree's splits do.
"""

import numbers

import numpy as np

from .base import PreprocessingLayer


class PiecewiseLinearEncoding(PreprocessingLayer):
    """Encode chosen columns of (batch, features) inputs piecewise-linearly between bin edges.

    The outputs are the encodings of `columns`, in that order, followed by the other input
    columns unchanged (scikit-learn's ``ColumnTransformer(remainder='passthrough')``): a
    table's one-hot columns travel past the encoding of its numbers.

    Parameters
    ----------
    num_bins : int, default 8
        How many bins ``adapt`` cuts each column into, at the data's quantiles 0, 1/num_bins,
        ..., 1. Repeated quantiles merge, so a column of few distinct values gets fewer bins.
    bin_edges : list of list of float, optional
        Instead of ``adapt``: for each encoded column its sorted, distinct edges (at least two).
    columns : list of int, optional
        The input columns to encode (default: all).

    Examples
    --------
    >>> layer = PiecewiseLinearEncoding(bin_edges=[[0.0, 1.0, 3.0]])
    >>> layer([[-1.0], [0.5], [2.0], [9.0]]).tolist()
    [[0.0, 0.0], [0.5, 0.0], [1.0, 0.5], [1.0, 1.0]]
    """

    input_only = False
    normalizes = True  # every output lies in [0, 1] whatever the column's scale

    def __init__(self, num_bins=8, bin_edges=None, columns=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral) or num_bins < 1:
            raise ValueError(f"{owner}: `num_bins` must be a positive int, got {num_bins!r}.")
        self.num_bins = int(num_bins)
        if columns is not None:
            if not isinstance(columns, (list, tuple)) or not all(
                    isinstance(c, numbers.Integral) and not isinstance(c, bool) and c >= 0 for c in columns):
                raise ValueError(f"{owner}: `columns` must be a list of non-negative column indices, got {columns!r}.")
            if len(set(columns)) != len(columns):
                raise ValueError(f"{owner}: `columns` names a column twice: {list(columns)!r}.")
            columns = [int(c) for c in columns]
        self.columns = columns
        self.bin_edges = None if bin_edges is None else self._checked(bin_edges)

    @property
    def bin_edges(self):
        return self._bin_edges

    @bin_edges.setter
    def bin_edges(self, edges):
        self._bin_edges = edges
        self._layouts = {}  # features -> _pieces' arrays: derived from the edges once, not on every batch

    def _checked(self, bin_edges):
        owner = type(self).__name__
        if not isinstance(bin_edges, (list, tuple)) or not bin_edges:
            raise ValueError(f"{owner}: `bin_edges` must be a non-empty list with one list of edges per encoded column, "
                             f"got {bin_edges!r}.")
        if self.columns is not None and len(bin_edges) != len(self.columns):
            raise ValueError(f"{owner}: `bin_edges` holds {len(bin_edges)} lists of edges for {len(self.columns)} "
                             f"`columns`; give one per column.")
        checked = []
        for index, edges in enumerate(bin_edges):
            values = np.asarray(edges, dtype=np.float64).reshape(-1)
            if len(values) < 2 or not np.isfinite(values).all() or np.any(np.diff(values) <= 0):
                raise ValueError(f"{owner}: `bin_edges[{index}]` must hold at least two finite, strictly increasing "
                                 f"edges, got {list(edges)!r}.")
            checked.append(values.tolist())
        return checked

    def _encoded(self, features):
        """The input columns this layer encodes, for inputs of `features` columns."""
        encoded = list(range(features)) if self.columns is None else self.columns
        if encoded and max(encoded) >= features:
            raise ValueError(f"{type(self).__name__} '{self.name}': `columns` names column {max(encoded)}, but the "
                             f"inputs have {features} columns.")
        return encoded

    def _pieces(self, features):
        """(input column of each output piece, its lower edge, its width, the columns passed through)."""
        if features not in self._layouts:
            encoded = self._encoded(features)
            if len(self.bin_edges) != len(encoded):
                raise ValueError(f"{type(self).__name__} '{self.name}' has edges for {len(self.bin_edges)} columns, "
                                 f"but encodes {len(encoded)} of its {features} input columns.")
            column = np.concatenate([np.full(len(edges) - 1, c) for c, edges in zip(encoded, self.bin_edges)])
            lower = np.concatenate([edges[:-1] for edges in self.bin_edges])
            width = np.concatenate([np.diff(edges) for edges in self.bin_edges])
            rest = sorted(set(range(features)) - set(encoded))
            self._layouts[features] = (column.astype(np.int64), lower, width, rest)
        return self._layouts[features]

    def _adapt_batches(self, batches):
        data = np.concatenate([np.asarray(batch, dtype=np.float64) for batch in batches])
        owner = type(self).__name__
        if data.ndim != 2:
            raise ValueError(f"{owner}.adapt: `data` must be (rows, features), got shape {data.shape}.")
        if not np.isfinite(data).all():
            raise ValueError(f"{owner}.adapt: `data` holds NaN or Inf; remove or impute them first.")
        edges = []
        for c in self._encoded(data.shape[1]):
            found = np.unique(np.quantile(data[:, c], np.linspace(0.0, 1.0, self.num_bins + 1)))
            if len(found) < 2:
                raise ValueError(f"{owner}.adapt: column {c} of `data` holds one value ({float(found[0])!r}); a constant "
                                 "has no bins. Leave it out of `columns`.")
            edges.append(found.tolist())
        self.bin_edges = edges

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ValueError(f"{type(self).__name__} takes (batch, features) inputs, got per-sample shape "
                             f"{tuple(input_shape)}.")
        if self.bin_edges is None:
            raise ValueError(f"{type(self).__name__} '{self.name}' has no bin edges: call layer.adapt(data) first, "
                             "or give bin_edges=.")
        column, _, _, rest = self._pieces(input_shape[0])
        return (len(column) + len(rest),)

    def forward(self, inputs, training=False):
        if self.bin_edges is None:
            raise ValueError(f"{type(self).__name__} '{self.name}' has no bin edges: call layer.adapt(data) on the "
                             "training features before fit or predict, or give bin_edges=.")
        dtype = inputs.dtype if inputs.dtype.kind == "f" else self.dtype
        inputs = np.asarray(inputs, dtype=dtype)
        column, lower, width, rest = self._pieces(inputs.shape[1])
        position = (inputs[:, column] - lower.astype(dtype)) / width.astype(dtype)
        inside = (position > 0) & (position < 1)
        outputs = np.concatenate([np.clip(position, 0, 1), inputs[:, rest]], axis=1)
        return outputs, (inside, inputs.shape[1])

    # e = clip((x - lower) / width, 0, 1)  =>  dx = sum over x's pieces of de / width where 0 < e < 1
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        inside, features = cache
        column, _, width, rest = self._pieces(features)
        pieces = len(column)
        per_piece = grad_outputs[:, :pieces] * inside / width.astype(grad_outputs.dtype)
        grad_inputs = np.zeros((len(grad_outputs), features), dtype=grad_outputs.dtype)
        np.add.at(grad_inputs.T, column, per_piece.T)  # pieces of one column add up
        grad_inputs[:, rest] = grad_outputs[:, pieces:]
        return grad_inputs

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "bin_edges": self.bin_edges,
                "columns": self.columns}

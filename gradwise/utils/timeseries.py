"""``timeseries_dataset_from_array``: Keras's sliding windows over a series, as a PyDataset
that ``fit``, ``evaluate`` and ``predict`` take (Keras returns a tf.data.Dataset).

Window ``k`` starts at ``start_index + p_k`` with ``p_k = k * sequence_stride`` and holds
``data[start + j * sampling_rate]`` for ``j < sequence_length``; its target is
``targets[start]`` (the target of the window that *starts* there, as in Keras).
"""

import numbers

import numpy as np

from .pydataset import PyDataset


def _count(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"timeseries_dataset_from_array: `{name}` must be a positive int"
                         f"{' or None' if allow_none else ''}, got {value!r}.")
    return int(value)


class TimeseriesDataset(PyDataset):
    """The windows of a series in batches; see ``timeseries_dataset_from_array``."""

    def __init__(self, data, targets, sequence_length, sequence_stride=1, sampling_rate=1, batch_size=128,
                 shuffle=False, seed=None, start_index=None, end_index=None):
        super().__init__()
        self.data = np.asarray(data)
        if self.data.ndim < 1:
            raise ValueError("timeseries_dataset_from_array: `data` must have a time axis first, got a scalar.")
        self.targets = None if targets is None else np.asarray(targets)
        self.sequence_length = _count("sequence_length", sequence_length)
        sequence_stride = _count("sequence_stride", sequence_stride)
        self.sampling_rate = _count("sampling_rate", sampling_rate)
        self.batch_size = _count("batch_size", batch_size, allow_none=True)
        self.start_index = self._bound("start_index", start_index, 0)
        self.end_index = self._bound("end_index", end_index, len(self.data))
        if self.end_index <= self.start_index:
            raise ValueError(f"timeseries_dataset_from_array: `end_index` ({self.end_index}) must be above "
                             f"`start_index` ({self.start_index}).")
        windows = self.end_index - self.start_index - (self.sequence_length - 1) * self.sampling_rate
        if self.targets is not None:
            windows = min(windows, len(self.targets))
        if windows < 1:
            raise ValueError(
                f"timeseries_dataset_from_array: no window fits: {self.end_index - self.start_index} time steps "
                f"cannot hold a sequence of {self.sequence_length} steps {self.sampling_rate} apart.")
        self.positions = np.arange(0, windows, sequence_stride)
        self._rng = None
        if shuffle:
            self._rng = np.random.RandomState(np.random.randint(1_000_000) if seed is None else seed)
            self._rng.shuffle(self.positions)

    def _bound(self, name, value, default):
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= len(self.data):
            raise ValueError(f"timeseries_dataset_from_array: `{name}` must be an int in [0, {len(self.data)}] "
                             f"(the length of `data`), got {value!r}.")
        return int(value)

    def __len__(self):
        size = self.batch_size or 1
        return -(-len(self.positions) // size)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"batch {index} of a timeseries dataset of {len(self)} batches")
        index %= len(self)
        size = self.batch_size or 1
        starts = self.start_index + self.positions[index * size:(index + 1) * size]
        steps = starts[:, None] + self.sampling_rate * np.arange(self.sequence_length)
        windows = self.data[steps]
        targets = None if self.targets is None else self.targets[starts]
        if self.batch_size is None:  # Keras's unbatched dataset: one sample, no batch axis
            windows = windows[0]
            targets = None if targets is None else targets[0]
        return windows if targets is None else (windows, targets)

    def on_epoch_end(self):
        if self._rng is not None:  # a new order of windows for the next pass
            self._rng.shuffle(self.positions)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """Windows of `data` (time first) as batches ``(windows, targets)``, or ``windows`` alone
    when `targets` is None; Keras's arguments and defaults.

    Parameters
    ----------
    data : array, (time, ...)
    targets : array or None
        ``targets[i]`` is the target of the window starting at ``i``.
    sequence_length, sequence_stride, sampling_rate : int
        Steps per window, steps between window starts, steps between samples in a window.
    batch_size : int or None
        None: one window per item, without a batch axis.
    shuffle, seed : shuffle the windows (again after each pass of fit), from `seed`.
    start_index, end_index : int, optional
        Only time steps in [start_index, end_index) are used.

    Returns
    -------
    TimeseriesDataset
        A PyDataset: give it to ``fit``/``evaluate``/``predict`` as `x`, or iterate it.

    Examples
    --------
    >>> batches = timeseries_dataset_from_array(np.arange(10), np.arange(10) * 10, sequence_length=3,
    ...                                         batch_size=4)
    >>> windows, targets = batches[0]
    >>> windows[1].tolist(), int(targets[1])
    ([1, 2, 3], 10)
    """
    return TimeseriesDataset(data, targets, sequence_length, sequence_stride, sampling_rate, batch_size, shuffle,
                             seed, start_index, end_index)

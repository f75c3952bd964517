"""A reservoir of training rows from the first epoch, for the doctor's data summaries.

Up to `size` rows (Algorithm R, Vitter 1985) from every batch until the reservoir is
full, then from about ``SPREAD`` = 32 batches spread over the epoch. Fed by the doctor's
``on_train_step`` hook, which hands over the inputs and targets of the batches
``wants_next`` asks for (fit builds no step data for the others).
"""

import math

import numpy as np

SPREAD = 32  # batches offered after the reservoir is full: enough for rows from the whole epoch (an
# unshuffled, sorted data set), and each costs a copy of a batch and fit a step's data


class Reservoir:
    """Keep a uniform sample of up to `size` rows of the batches offered.

    Parameters
    ----------
    size : int
    steps : int
        Batches per epoch (spreads the later batches over the epoch).
    rng : numpy.random.Generator
    """

    def __init__(self, size, steps, rng):
        self.size = size
        self.collecting = True
        self.seen_rows = 0
        self._stride = max(1, math.ceil(steps / SPREAD))
        self._rng = rng
        self._rows = None
        self._several = False
        self._calls = 0

    def would_want_next(self):
        """Whether the next batch will be wanted (``wants_next`` without counting)."""
        return self.seen_rows < self.size or (self._calls + 1) % self._stride == 0

    def wants_next(self):
        """Whether the next batch is to be offered; a batch not wanted is counted here (so the strides
        stay spread over the epoch)."""
        if self.would_want_next():
            return True
        self._calls += 1
        return False

    def offer(self, inputs, targets):
        """A training batch (`inputs` an array, or a list of arrays for several inputs); kept every time
        until the reservoir is full, then every `stride`-th."""
        self._calls += 1
        if self.seen_rows < self.size or self._calls % self._stride == 0:
            several = isinstance(inputs, (list, tuple))
            self._several = several
            self._add([np.asarray(item) for item in (inputs if several else [inputs])] + [np.asarray(targets)])

    def _add(self, arrays):
        if self._rows is None:
            # in the batches' own dtypes: float32 rows are copied at half the cost, token indices stay integers
            self._rows = [np.empty((self.size,) + array.shape[1:], dtype=array.dtype) for array in arrays]
        filled = min(self.seen_rows, self.size)
        count = len(arrays[0])
        take = min(self.size - filled, count)
        for rows, array in zip(self._rows, arrays):
            rows[filled:filled + take] = array[:take]
        if take < count:  # each row seen so far is kept with the same chance
            positions = self._rng.integers(0, self.seen_rows + np.arange(take, count) + 1)
            keep = positions < self.size
            for rows, array in zip(self._rows, arrays):
                rows[positions[keep]] = array[take:][keep]
        self.seen_rows += count

    def _split(self, arrays):
        inputs = list(arrays[:-1]) if self._several else arrays[0]
        return inputs, arrays[-1]

    def peek(self):
        """The rows kept so far, as copies (the reservoir goes on collecting), or None."""
        if self._rows is None:
            return None
        count = min(self.seen_rows, self.size)
        return self._split([rows[:count].copy() for rows in self._rows])

    def stop(self):
        """Stop collecting; return the rows (inputs, targets), or None when no batch came. The inputs
        are one array, or a list of arrays for a model with several inputs."""
        self.collecting = False
        if self._rows is None:
            return None
        count = min(self.seen_rows, self.size)
        rows, self._rows = self._rows, None
        return self._split([array[:count] for array in rows])

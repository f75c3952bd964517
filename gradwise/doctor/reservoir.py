"""A reservoir of training rows from the first epoch, for the doctor's data summaries.

Up to `size` rows (Algorithm R, Vitter 1985) from every batch until the reservoir is
full, then from about 64 batches spread over the epoch. Fed by the doctor's
``on_train_step`` hook, which hands over each batch's inputs and targets.
"""

import math

import numpy as np


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
        self._stride = max(1, math.ceil(steps / 64))
        self._rng = rng
        self._rows = None
        self._calls = 0

    def offer(self, inputs, targets):
        """A training batch; kept every time until the reservoir is full, then every `stride`-th."""
        self._calls += 1
        if self.seen_rows < self.size or self._calls % self._stride == 0:
            self._add(np.asarray(inputs), np.asarray(targets))

    def _add(self, inputs, targets):
        if self._rows is None:
            self._rows = (np.empty((self.size,) + inputs.shape[1:]),
                          np.empty((self.size,) + targets.shape[1:], dtype=targets.dtype))
        rows_x, rows_y = self._rows
        filled = min(self.seen_rows, self.size)
        take = min(self.size - filled, len(inputs))
        rows_x[filled:filled + take] = inputs[:take]
        rows_y[filled:filled + take] = targets[:take]
        if take < len(inputs):  # each row seen so far is kept with the same chance
            positions = self._rng.integers(0, self.seen_rows + np.arange(take, len(inputs)) + 1)
            keep = positions < self.size
            rows_x[positions[keep]] = inputs[take:][keep]
            rows_y[positions[keep]] = targets[take:][keep]
        self.seen_rows += len(inputs)

    def peek(self):
        """The rows kept so far, as copies (the reservoir goes on collecting), or None."""
        if self._rows is None:
            return None
        count = min(self.seen_rows, self.size)
        return self._rows[0][:count].copy(), self._rows[1][:count].copy()

    def stop(self):
        """Stop collecting; return the rows (inputs, targets), or None when no batch came."""
        self.collecting = False
        if self._rows is None:
            return None
        count = min(self.seen_rows, self.size)
        rows, self._rows = self._rows, None
        return rows[0][:count], rows[1][:count]

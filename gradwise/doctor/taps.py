"""Taps: see the training data, which no callback hook carries.

The first layer's ``forward`` and the loss's ``value_and_gradient`` (and
``fused_value_and_gradient``) are wrapped by instance attributes, set only while needed
and removed at the end of fit (the classes are never touched). During the first epoch
they keep a reservoir of up to `size` training rows (Algorithm R, Vitter 1985) from at
most about 64 batches spread over the epoch; afterwards the loss tap is set only for
sampled batches, where it hands (targets, outputs) to `on_targets` (training accuracy).
"""

import math
import time

import numpy as np


class DataTaps:
    """Install the taps on `model`; `charge(seconds, recurring)` is told the time they take.

    Parameters
    ----------
    model : Sequential
    size : int
        Rows kept in the reservoir.
    steps : int
        Batches per epoch (spreads the reservoir over the epoch).
    on_targets : callable(targets, outputs, logits) or None
        Called on batches the loss tap is set for, after the first epoch's collection.
    """

    def __init__(self, model, size, steps, rng, on_targets, charge):
        self.size = size
        self.collecting = True
        self.seen_rows = 0
        self._stride = max(1, math.ceil(steps / 64))
        self._rng = rng
        self._rows = None
        self._pending = None
        self._calls = 0
        self._on_targets, self._charge = on_targets, charge
        self._first = model.layers[0]
        self._loss = model.loss
        forward = self._first.forward
        value_and_gradient, fused = self._loss.value_and_gradient, self._loss.fused_value_and_gradient
        inside = [False]

        def tapped_forward(inputs, training=False):
            if training and self.collecting:
                self._pending = inputs
            return forward(inputs, training=training)

        def tapped_value_and_gradient(y_true, outputs, sample_weight=None, logits=False):
            result = value_and_gradient(y_true, outputs, sample_weight, logits=logits)
            if not inside[0]:
                self._observe(y_true, outputs, logits)
            return result

        def tapped_fused(y_true, logits, probabilities, sample_weight=None):
            inside[0] = True
            try:
                result = fused(y_true, logits, probabilities, sample_weight)
            finally:
                inside[0] = False
            self._observe(y_true, logits, True)
            return result

        self._first.forward = tapped_forward
        self._loss_taps = (tapped_value_and_gradient, tapped_fused)
        self.loss_tap(True)

    def loss_tap(self, on):
        """Set (or, after the first epoch, remove) the loss tap: no cost on batches nobody samples."""
        if on:
            self._loss.value_and_gradient, self._loss.fused_value_and_gradient = self._loss_taps
        elif not self.collecting:
            vars(self._loss).pop("value_and_gradient", None)
            vars(self._loss).pop("fused_value_and_gradient", None)

    def _observe(self, targets, outputs, logits):
        start = time.process_time()
        if self.collecting and self._pending is not None:
            self._calls += 1
            # every batch until the reservoir is full, then batches spread over the epoch
            if self.seen_rows < self.size or self._calls % self._stride == 0:
                self._add(self._pending, np.asarray(targets))
            self._pending = None
        if self._on_targets is not None:
            self._on_targets(targets, outputs, logits)
        self._charge(time.process_time() - start, not self.collecting)

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

    def stop_collecting(self):
        """End of the first epoch: remove the forward tap; return the reservoir (inputs, targets) or None."""
        self.collecting = False
        self._pending = None
        vars(self._first).pop("forward", None)
        if self._rows is None:
            return None
        count = min(self.seen_rows, self.size)
        rows, self._rows = self._rows, None
        return rows[0][:count], rows[1][:count]

    def remove(self):
        self.collecting = False
        vars(self._first).pop("forward", None)
        vars(self._loss).pop("value_and_gradient", None)
        vars(self._loss).pop("fused_value_and_gradient", None)

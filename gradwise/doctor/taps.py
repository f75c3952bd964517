"""Taps: see every training batch and the training data, which no callback hook carries.

The loss's ``value_and_gradient`` and ``fused_value_and_gradient`` are wrapped for the
whole fit, and the first layer's ``forward`` for the first epoch, by instance attributes
removed at the end of fit (the classes are never touched). Fit computes the loss of a
batch after its forward pass and before its backward pass, so the loss tap is the
doctor's clock: it hands every batch's targets, outputs (or logits) and loss to
`on_batch`, at a moment when the previous batch's gradients are still in the gradient
buffer and its update has been applied. This costs one wrapped call per batch, where a
batch callback would make fit build batch logs (and compute every metric, an exact AUC
included) after every batch.

A fit that raises never calls ``on_train_end``: the taps it leaves are removed by the next
Doctor, or by themselves once batches keep coming without the epoch boundaries of the fit
they were made for.

During the first epoch the taps also keep a reservoir of up to `size` training rows
(Algorithm R, Vitter 1985) from at most about 64 batches spread over the epoch.
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
    on_batch : callable(targets, outputs, logits, loss)
        Called for every training batch (outputs are logits when `logits` is True).
    charge : callable(seconds, recurring)
        Told the time the reservoir takes.
    """

    def __init__(self, model, size, steps, rng, on_batch, charge):
        self.size = size
        self.collecting = True
        self.seen_rows = 0
        self._stride = max(1, math.ceil(steps / 64))
        self._rng = rng
        self._rows = None
        self._pending = None
        self._calls = 0
        self._charge = charge
        self._first = model.layers[0]
        self._loss = model.loss
        for owner, attribute in ((self._first, "forward"), (self._loss, "value_and_gradient"),
                                 (self._loss, "fused_value_and_gradient")):
            if getattr(vars(owner).get(attribute), "doctor_tap", False):
                del vars(owner)[attribute]  # left by a fit that raised before on_train_end
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
                if self.collecting:
                    self._collect(y_true)
                on_batch(y_true, outputs, logits, result[0])
            return result

        def tapped_fused(y_true, logits, probabilities, sample_weight=None):
            inside[0] = True
            try:
                result = fused(y_true, logits, probabilities, sample_weight)
            finally:
                inside[0] = False
            if self.collecting:
                self._collect(y_true)
            on_batch(y_true, logits, True, result[0])
            return result

        for tap in (tapped_forward, tapped_value_and_gradient, tapped_fused):
            tap.doctor_tap = True
        self._first.forward = tapped_forward
        self._loss.value_and_gradient, self._loss.fused_value_and_gradient = tapped_value_and_gradient, tapped_fused

    def _collect(self, targets):
        if self._pending is None:
            return
        start = time.perf_counter()
        self._calls += 1
        # every batch until the reservoir is full, then batches spread over the epoch
        if self.seen_rows < self.size or self._calls % self._stride == 0:
            self._add(self._pending, np.asarray(targets))
        self._pending = None
        self._charge(time.perf_counter() - start, False)

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

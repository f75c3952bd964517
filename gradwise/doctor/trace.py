"""Trace: everything the instruments recorded during one fit, as plain numbers.

Detectors read only a Trace, never the model, so each detector can be tested on a
trace built by hand. A trace holds:

- ``setup``: what was known at the start of fit: one dict per layer (class,
  activation, units, fans, initializer, kernel statistics), the loss, the optimizer,
  ``batch_size``/``steps``/``epochs``; after the first epoch also ``inputs`` (feature
  scales and offsets), ``labels`` (label distribution), ``baseline`` (a linear
  least-squares model's training score, a reference for underfitting) and ``reference``
  (the cross-validated score of simple smoothers, linear or not: what the data allow on
  unseen rows).
- ``samples``: one dict per sampled batch: ``epoch``, ``batch``, ``step`` and, per
  layer, ``grad_norm`` (kernel), ``grad_norms`` (every tensor), ``update_ratio``
  (||dw|| / ||w|| of the layer's tensors), ``act_mean``, ``act_std``,
  ``saturated_fraction`` and ``inactive_fraction``; ``nonfinite`` is True when a
  gradient, a weight or an activation held NaN or Inf.
- ``epochs``: one dict per finished epoch: ``logs`` (loss, metrics, val_*),
  ``train_accuracy`` (measured by the doctor on sampled batches, None for regression; on
  ``train_accuracy_rows`` rows)
  and per layer ``dead_fraction`` (ReLU units that output zero for every sample seen),
  ``saturated_fraction`` and the medians of ``grad_norm`` and ``update_ratio``.
- ``batch_losses``: (step, loss) of every training batch, as the loss computed it
  (weight penalties not included).
- ``failure``: where the loss became NaN/Inf, or None.
"""

import math

import numpy as np


# the training-accuracy log keys fit may write, in the order they are read
ACCURACY_KEYS = ("accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy")


class Trace:
    """The record of one training run (see the module docstring for the fields)."""

    def __init__(self, setup=None, samples=None, epochs=None, batch_losses=None, failure=None):
        self.setup = dict(setup or {})
        self.setup.setdefault("layers", [])
        self.samples = list(samples or [])
        self.epochs = list(epochs or [])
        self.batch_losses = list(batch_losses or [])
        self.failure = failure

    # ----- layers ----------------------------------------------------------------------
    @property
    def layers(self):
        return self.setup["layers"]

    def layer(self, name):
        for info in self.layers:
            if info["name"] == name:
                return info
        raise KeyError(name)

    def kernel_layers(self):
        """Layers with a kernel, input to output."""
        return [info for info in self.layers if info.get("fan_in")]

    def hidden_layers(self, activations):
        """Layers (not the output layer) whose activation is in `activations`."""
        return [info for info in self.layers if info.get("activation") in activations and not info.get("is_output")]

    # ----- series ----------------------------------------------------------------------
    def sample_series(self, layer, key, epochs=None):
        """Values of `key` for `layer` over the samples (optionally only within `epochs`)."""
        values = []
        for sample in self.samples:
            if epochs is not None and sample["epoch"] not in epochs:
                continue
            value = sample.get("layers", {}).get(layer, {}).get(key)
            if value is not None:
                values.append(value)
        return np.asarray(values, dtype=np.float64)

    def epoch_series(self, key):
        """A log key (e.g. 'loss', 'val_loss') over the finished epochs; NaN where missing."""
        return np.asarray([epoch["logs"].get(key, math.nan) for epoch in self.epochs], dtype=np.float64)

    def epoch_layer_series(self, layer, key):
        return np.asarray([epoch.get("layers", {}).get(layer, {}).get(key, math.nan) for epoch in self.epochs],
                          dtype=np.float64)

    @property
    def total_epochs(self):
        return int(self.setup.get("epochs") or len(self.epochs))

    # ----- reference losses ------------------------------------------------------------
    def initial_loss(self):
        """Loss at the initial weights: the first batch's (its loss is computed before its update)."""
        if self.batch_losses and self.batch_losses[0][0] == 0 and math.isfinite(self.batch_losses[0][1]):
            return float(self.batch_losses[0][1])
        early = [loss for step, loss in self.batch_losses[:3] if math.isfinite(loss)]
        if early:
            return float(np.median(early))
        losses = self.epoch_series("loss")
        return float(losses[0]) if losses.size else math.nan

    def data_loss_series(self):
        """The training loss per epoch without the weight penalty at that epoch's end: fit's loss logs
        include it (as Keras' do), while the losses they are judged against (the label prior's, the first
        batches', a variance) are losses on the data alone. Under L2(0.5) a network whose training MSE was
        0.81 logged 2.13, and the doctor read a training R² of 0.66 where it was 0.87."""
        losses = self.epoch_series("loss")
        penalties = np.asarray([epoch.get("penalty") or 0.0 for epoch in self.epochs], dtype=np.float64)
        return losses - penalties if penalties.size == losses.size else losses

    def prior_loss(self):
        """Loss of the best constant prediction (the label prior), or NaN when unknown."""
        labels = self.setup.get("labels") or {}
        value = labels.get("prior_loss")
        return math.nan if value is None else float(value)

    def final_train_accuracy(self, min_rows=512, max_epochs=None):
        """The training accuracy at the end of training: fit's compiled metric of the last epoch when it logs
        one; else the doctor's own, measured on sampled batches and pooled over the last epochs (at most
        `max_epochs`) until `min_rows` rows: one sampled batch of 64 rows has a standard error of 0.06, more
        than half the gap the progress rules judge by. NaN when unknown."""
        for key in ACCURACY_KEYS:
            series = self.epoch_series(key)
            if series.size and np.isfinite(series).all():
                return float(series[-1])
        correct = rows = 0.0
        for epoch in reversed(self.epochs[-max_epochs:] if max_epochs else self.epochs):
            accuracy, count = epoch.get("train_accuracy"), epoch.get("train_accuracy_rows")
            if accuracy is None or not count:  # a trace without row counts: the last epoch's figure
                if rows:
                    break
                return math.nan if accuracy is None else float(accuracy)
            correct, rows = correct + accuracy * count, rows + count
            if rows >= min_rows:
                break
        return correct / rows if rows else math.nan

    def train_accuracy(self):
        """Training accuracy per epoch: the compiled metric when present, else the doctor's own."""
        for key in ACCURACY_KEYS:
            series = self.epoch_series(key)
            if series.size and np.isfinite(series).all():
                return series
        return np.asarray([math.nan if epoch.get("train_accuracy") is None else epoch["train_accuracy"]
                           for epoch in self.epochs], dtype=np.float64)

    def val_accuracy(self):
        for key in ("val_accuracy", "val_acc", "val_categorical_accuracy", "val_sparse_categorical_accuracy",
                    "val_binary_accuracy"):
            series = self.epoch_series(key)
            if series.size and np.isfinite(series).all():
                return series
        return np.full(len(self.epochs), math.nan)

    def since(self, epoch):
        """A trace of the epochs from `epoch` on (same set-up): judges what happened after a change."""
        import copy

        steps = [sample["step"] for sample in self.samples if sample["epoch"] >= epoch]
        first_step = min(steps) if steps else math.inf
        setup = copy.deepcopy(self.setup)
        if setup.get("epochs"):
            setup["epochs"] = max(int(setup["epochs"]) - epoch, 0)
        failure = self.failure if self.failure and self.failure["epoch"] >= epoch else None
        return Trace(setup, [sample for sample in self.samples if sample["epoch"] >= epoch],
                     [record for record in self.epochs if record["epoch"] >= epoch],
                     [(step, loss) for step, loss in self.batch_losses if step >= first_step], failure)

    def to_dict(self):
        from .findings import _plain

        return _plain({"setup": self.setup, "samples": self.samples, "epochs": self.epochs,
                       "batch_losses": self.batch_losses, "failure": self.failure})

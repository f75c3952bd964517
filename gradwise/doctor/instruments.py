"""Instruments: cheap observers of one fit that fill a Trace.

Every batch costs a few scalar operations (the batch loss is recovered from the
running mean fit reports). Every N-th batch is *sampled*: per layer, the activation
mean and standard deviation, the fraction of saturated sigmoid/tanh outputs, which
ReLU units fired, the norm of each parameter gradient, the update-to-weight ratio
||dw|| / ||w|| (from a copy of the weights taken just before that batch) and NaN/Inf
anywhere. With ``sample_every='auto'`` N adapts so the sampled batches take about half
of ``overhead_budget`` of the measured training time (at most one epoch apart), and a
sample is skipped whenever the doctor's recurring work (samples, epoch summaries,
detectors) already exceeds ``overhead_budget`` of the training time so far.
Between full samples, *light* samples (a quarter of the budget) only note which ReLU
units fired, so dead units are counted over many batches even when full samples are
rare.
In the update ratio, ||w|| is floored at the norm a Glorot-initialized kernel of the
layer's shape would have, so a layer started at zero does not show huge ratios.

Two taps see the data, which no callback hook carries: the first layer's ``forward``
and the loss's ``value_and_gradient`` are wrapped (instance attributes, set only while
needed and removed at the end of fit). They keep a reservoir of up to
``reservoir_size`` training rows from at most about 64 batches spread over the first
epoch (feature scales, label distribution, the linear baseline), and measure the
training accuracy of sampled batches. Times are CPU times of the process
(``time.process_time``), which other processes on a busy machine do not inflate.
"""

import math
import statistics
import time

import numpy as np

from . import datastats
from .setup import DYING, SATURATING, describe_model
from .trace import Trace

# Saturated where the local derivative is below 1% of its peak:
# sigmoid s(1 - s) < 0.0025  <=>  |s - 0.5| > 0.4975;  tanh 1 - t^2 < 0.01  <=>  |t| > 0.99499.
SIGMOID_SATURATED = 0.4975
TANH_SATURATED = 0.99499


_EPOCH_KEYS = ("grad_norm", "update_ratio", "saturated_fraction", "act_std")


def _reduce(key, values):
    """Epoch summary of one per-sample quantity: the mean for fractions, else the median."""
    values = [value for value in values if value == value]  # drop NaN
    if not values:
        return math.nan
    if key == "saturated_fraction":
        return math.fsum(values) / len(values)
    return float(statistics.median(values))


class Recorder:
    """Fills ``self.trace`` from the hooks of one fit (driven by the Doctor callback).

    Parameters
    ----------
    sample_every : int or 'auto'
    overhead_budget : float
        Share of the training time the timed work of the doctor may take when 'auto'.
    reservoir_size : int
        Training rows kept from the first epoch.
    min_dead_samples : int
        Samples a dead-unit count must cover before it is reported (fewer per epoch
        are pooled over epochs), so a rarely firing unit is not called dead.
    """

    def __init__(self, sample_every="auto", overhead_budget=0.05, reservoir_size=1024, min_dead_samples=256, seed=0):
        if sample_every != "auto" and (isinstance(sample_every, bool) or not isinstance(sample_every, int)
                                       or sample_every < 1):
            raise ValueError(f"Doctor: `sample_every` must be 'auto' or a positive int, got {sample_every!r}.")
        if not 0 < overhead_budget < 1:
            raise ValueError(f"Doctor: `overhead_budget` must be in (0, 1), got {overhead_budget!r}.")
        self.sample_every = sample_every
        self.overhead_budget = float(overhead_budget)
        self.reservoir_size = int(reservoir_size)
        self.min_dead_samples = int(min_dead_samples)
        self._rng = np.random.default_rng(seed)
        self.trace = Trace()
        self._recurring = 0.0
        self.overhead_seconds = 0.0
        self.train_seconds = 0.0

    # ----- fit start --------------------------------------------------------------------
    def begin(self, model, params):
        start = time.process_time()
        self.model = model
        self.trace = Trace(setup=describe_model(model, params))
        self._batch_size = params.get("batch_size") or 32
        self._steps = params.get("steps") or 1
        parameter_set = model.parameter_set
        self._groups = {}
        for index, name in enumerate(parameter_set.names):
            layer_name, key = name.rsplit("/", 1)
            self._groups.setdefault(layer_name, []).append((key, index))
        # ||w|| in the update ratio is floored at the norm of a Glorot-scaled kernel, so layers
        # started at (or near) zero do not show huge ratios for ordinary first steps
        self._weight_floor = {}
        for layer, info in zip(model.layers, self.trace.layers):
            kernel = layer.params.get("kernel")
            if kernel is not None and info.get("fan_in"):
                self._weight_floor[layer.name] = math.sqrt(2.0 / (info["fan_in"] + info["fan_out"]) * kernel.size)
        self._observed = []
        self._active = {}
        for layer, info in zip(model.layers, self.trace.layers):
            if info["activation"] is None and not info["params"]:
                continue
            kind = "dying" if info["activation"] in DYING else "saturating" if info["activation"] in SATURATING else ""
            is_output = bool(info.get("is_output"))
            self._observed.append((layer, info["name"], kind, info["activation"], is_output))
            if kind == "dying" and not is_output:
                self._active[info["name"]] = None
        self._active_samples = 0
        self._every = 1 if self.sample_every == "auto" else self.sample_every
        self._countdown = self._every
        self._light_every = self._light_countdown = 1
        self._sample_now = True
        self._snapshot = parameter_set.values.copy()
        self._step = 0
        self._epoch_first_sample = 0
        self._epoch = None
        self._epoch_open = False
        self._last_batch = -1
        self._epoch_accuracy = [0.0, 0]
        self._cost_ema = None
        self._interval_ema = None
        self._last_sample = None
        self._pending_cost = 0.0
        self._previous_total = 0.0
        self._reservoir = None
        self._seen_rows = 0
        self._reservoir_stride = max(1, math.ceil(self._steps / 64))  # at most ~64 batches feed the reservoir
        self._pending_inputs = None
        self._collecting_data = True
        self._install_taps()
        self._fit_start = start
        self._recurring = 0.0
        self.overhead_seconds = time.process_time() - start

    def _install_taps(self):
        recorder, model = self, self.model
        self._tapped = []
        first = model.layers[0]
        forward = first.forward

        def tapped_forward(inputs, training=False):
            if training and recorder._collecting_data:
                recorder._pending_inputs = inputs
            return forward(inputs, training=training)

        first.forward = tapped_forward
        self._tapped.append((first, "forward"))
        loss = model.loss
        value_and_gradient = loss.value_and_gradient
        fused = loss.fused_value_and_gradient
        inside = [False]

        def tapped_value_and_gradient(y_true, outputs, sample_weight=None, logits=False):
            result = value_and_gradient(y_true, outputs, sample_weight, logits=logits)
            if not inside[0]:
                recorder._observe_targets(y_true, outputs, logits)
            return result

        def tapped_fused(y_true, logits, probabilities, sample_weight=None):
            inside[0] = True
            try:
                result = fused(y_true, logits, probabilities, sample_weight)
            finally:
                inside[0] = False
            recorder._observe_targets(y_true, logits, True)
            return result

        self._loss_taps = (loss, tapped_value_and_gradient, tapped_fused)
        self._loss_tap(True)

    def _loss_tap(self, on):
        """Wrap the loss only while it is needed (first epoch, sampled batches): zero cost otherwise."""
        loss, value_and_gradient, fused = self._loss_taps
        if on:
            loss.value_and_gradient, loss.fused_value_and_gradient = value_and_gradient, fused
        elif not self._collecting_data:
            loss.__dict__.pop("value_and_gradient", None)
            loss.__dict__.pop("fused_value_and_gradient", None)

    def _remove_taps(self):
        for owner, attribute in getattr(self, "_tapped", []):
            owner.__dict__.pop(attribute, None)
        self._tapped = []
        if getattr(self, "_loss_taps", None) is not None:
            self._loss_taps[0].__dict__.pop("value_and_gradient", None)
            self._loss_taps[0].__dict__.pop("fused_value_and_gradient", None)

    # ----- taps ---------------------------------------------------------------------------
    def _observe_targets(self, targets, outputs, logits):
        start = time.process_time()
        if self._collecting_data and self._pending_inputs is not None:
            # every batch until the reservoir is full, then batches spread over the epoch
            if self._seen_rows < self.reservoir_size or self._step % self._reservoir_stride == 0:
                self._reservoir_add(self._pending_inputs, np.asarray(targets))
            self._pending_inputs = None
        if self._sample_now:
            accuracy = datastats.batch_accuracy(targets, outputs, logits, self.trace.setup["loss"])
            if accuracy is not None:
                self._epoch_accuracy[0] += accuracy * len(outputs)
                self._epoch_accuracy[1] += len(outputs)
        spent = time.process_time() - start
        self.overhead_seconds += spent
        self._pending_cost += spent
        if not self._collecting_data:
            self._recurring += spent

    def _reservoir_add(self, inputs, targets):
        """Algorithm R (Vitter 1985) over rows: each training row seen is kept with equal chance."""
        size = self.reservoir_size
        if self._reservoir is None:
            self._reservoir = (np.empty((size,) + inputs.shape[1:]), np.empty((size,) + targets.shape[1:],
                                                                                dtype=targets.dtype))
        rows_x, rows_y = self._reservoir
        filled = min(self._seen_rows, size)
        take = min(size - filled, len(inputs))
        rows_x[filled:filled + take] = inputs[:take]
        rows_y[filled:filled + take] = targets[:take]
        if take < len(inputs):
            positions = self._rng.integers(0, self._seen_rows + np.arange(take, len(inputs)) + 1)
            keep = positions < size
            rows_x[positions[keep]] = inputs[take:][keep]
            rows_y[positions[keep]] = targets[take:][keep]
        self._seen_rows += len(inputs)

    # ----- epochs and batches ---------------------------------------------------------------
    def epoch_begin(self, epoch):
        self._epoch = epoch
        self._epoch_open = True
        self._last_batch = -1
        self._previous_total = 0.0
        self._epoch_accuracy = [0.0, 0]

    def batch_end(self, batch, logs):
        """Every batch: recover its loss; on sampled batches, measure (kept to a few operations)."""
        step = self._step
        self._step = step + 1
        # the running mean of fit's logs gives this batch's loss (every batch but the last is full)
        running = logs.get("loss") if logs else None
        batch_loss = None
        if running is not None and batch < self._steps - 1:
            total = running * (batch + 1) * self._batch_size
            if batch == self._last_batch + 1:
                batch_loss = (total - self._previous_total) / self._batch_size
                self.trace.batch_losses.append((step, batch_loss))
            self._previous_total = total
        self._last_batch = batch
        self._countdown -= 1
        if self._sample_now or self._countdown <= 0:
            self._sampled_batch(batch, step, batch_loss)
        elif self._active:
            self._light_countdown -= 1
            if self._light_countdown <= 0:
                self._light_sample()

    def _light_sample(self):
        """Between full samples, only note which ReLU units fired (a few cheap operations per layer)."""
        start = time.process_time()
        self._light_countdown = self._light_every
        if self.sample_every == "auto" and not self._within_budget(start):
            return
        rows = 0
        for layer, name, kind, _, _ in self._observed:
            if name in self._active and layer.outputs is not None:
                active = (layer.outputs.reshape(-1, layer.outputs.shape[-1]) > 0).any(axis=0)
                previous = self._active[name]
                self._active[name] = active if previous is None else previous | active
                rows = len(layer.outputs)
        self._active_samples += rows
        cost = time.process_time() - start
        self.overhead_seconds += cost
        self._pending_cost += cost
        self._recurring += cost
        if self.sample_every == "auto" and self._interval_ema:
            wanted = math.ceil(cost / (0.25 * self.overhead_budget * self._interval_ema))
            self._light_every = int(min(max(wanted, 1), self._steps))

    def _sampled_batch(self, batch, step, batch_loss):
        start = time.process_time()
        if self._sample_now:
            self._collect(batch, step, batch_loss)
            self._sample_now = False
            self._loss_tap(False)
            now = time.process_time()
            cost = now - start
            self._cost_ema = cost if self._cost_ema is None else 0.8 * self._cost_ema + 0.2 * cost
            if self._last_sample is not None and step > self._last_sample[0]:
                # training time per batch since the previous sample, our own time taken out
                batches = step - self._last_sample[0]
                interval = (start - self._last_sample[1] - self._pending_cost) / batches
                if interval > 0:
                    self._interval_ema = interval if self._interval_ema is None else 0.7 * self._interval_ema + 0.3 * interval
            self._last_sample = (step, now)
            self._pending_cost = 0.0
            self._adapt()
        if self._countdown <= 0:
            self._countdown = self._every
            if self.sample_every != "auto" or self._within_budget(start):
                self._sample_now = True
                self._loss_tap(True)
                np.copyto(self._snapshot, self.model.parameter_set.values)
        spent = time.process_time() - start
        self.overhead_seconds += spent
        self._recurring += spent

    def _within_budget(self, now):
        """True while the doctor's recurring work (samples, epoch summaries, detectors) stays
        within `overhead_budget` of the training time so far; one-off costs (the set-up and
        the data summaries) are left out, so short fits are not starved of samples."""
        training = now - self._fit_start - self.overhead_seconds
        return self._recurring <= self.overhead_budget * training

    def note_overhead(self, seconds):
        """Count time the doctor spent outside the recorder (the detectors) as overhead."""
        self.overhead_seconds += seconds
        self._pending_cost += seconds
        self._recurring += seconds

    def _adapt(self):
        if self.sample_every != "auto" or not self._interval_ema:
            return
        wanted = math.ceil(self._cost_ema / (0.5 * self.overhead_budget * self._interval_ema))
        self._every = int(min(max(wanted, 1), self._steps))

    def _collect(self, batch, step, batch_loss):
        with np.errstate(all="ignore"):
            layers, nonfinite = self._parameter_stats()
            rows = 0
            for layer, name, kind, activation, is_output in self._observed:
                outputs = layer.outputs
                if outputs is None:
                    continue
                record = layers.setdefault(name, {})
                flat = outputs.reshape(-1)
                # mean and std from the sum and the sum of squares (precise enough for a diagnostic);
                # in float64 when float32 overflowed, so only true NaN/Inf outputs count as non-finite
                total, squares = float(flat.sum()), float(np.dot(flat, flat))
                if not (math.isfinite(total) and math.isfinite(squares)):
                    total, squares = float(flat.sum(dtype=np.float64)), float(np.square(flat, dtype=np.float64).sum())
                mean = total / flat.size
                std = math.sqrt(max(squares / flat.size - mean * mean, 0.0))
                if not (math.isfinite(mean) and math.isfinite(std)):
                    nonfinite = True
                    record["nonfinite_outputs"] = True
                record["act_mean"], record["act_std"] = mean, std
                if kind == "dying":
                    active = (outputs.reshape(-1, outputs.shape[-1]) > 0).any(axis=0)
                    record["inactive_fraction"] = 1.0 - float(np.count_nonzero(active)) / active.size
                    if name in self._active:
                        self._active[name] = active if self._active[name] is None else self._active[name] | active
                        rows = len(outputs)
                elif kind == "saturating":
                    limit = SIGMOID_SATURATED if activation == "sigmoid" else TANH_SATURATED
                    centered = flat - 0.5 if activation == "sigmoid" else flat
                    record["saturated_fraction"] = float(np.count_nonzero(np.abs(centered) > limit)) / flat.size
        self._active_samples += rows
        self.trace.samples.append({"epoch": self._epoch, "batch": batch, "step": step, "loss": batch_loss,
                                   "layers": layers, "nonfinite": nonfinite})

    @staticmethod
    def _squares(parameter_set, flat):
        """Per-tensor sums of squares as floats; redone in float64 when float32 overflowed (|x| > 1e19)."""
        sums = parameter_set.segment_sums(np.square(flat)).tolist()
        if flat.dtype != np.float64 and not all(map(math.isfinite, sums)):
            sums = parameter_set.segment_sums(np.square(flat, dtype=np.float64)).tolist()
        return sums

    def _parameter_stats(self):
        """Per layer: gradient norms, weight norm and update ratio, from three float64 segment sums."""
        parameter_set = self.model.parameter_set
        sums = [self._squares(parameter_set, parameter_set.grads), None,
                self._squares(parameter_set, self._snapshot)]
        delta = np.subtract(parameter_set.values, self._snapshot)
        sums[1] = self._squares(parameter_set, delta)
        grad_sq, delta_sq, weight_sq = sums
        nonfinite = not all(map(math.isfinite, grad_sq + delta_sq + weight_sq))
        layers = {}
        for layer_name, entries in self._groups.items():
            norms = {key: math.sqrt(grad_sq[index]) if math.isfinite(grad_sq[index]) else math.inf
                     for key, index in entries}
            weight = sum(weight_sq[index] for _, index in entries)
            change = sum(delta_sq[index] for _, index in entries)
            floor = self._weight_floor.get(layer_name, 0.0) ** 2
            ratio = change / max(weight, floor) if max(weight, floor) > 0 else math.nan
            layers[layer_name] = {
                "grad_norms": norms, "grad_norm": norms.get("kernel", next(iter(norms.values()))),
                "weight_norm": math.sqrt(weight) if math.isfinite(weight) else math.inf,
                "update_ratio": math.sqrt(ratio) if math.isfinite(ratio) else None,
            }
        return layers, nonfinite

    def epoch_end(self, epoch, logs):
        start = time.process_time()
        self._epoch_open = False
        samples = self.trace.samples[self._epoch_first_sample:]
        self._epoch_first_sample = len(self.trace.samples)
        record = {"epoch": epoch, "logs": {key: float(value) for key, value in (logs or {}).items()},
                  "train_accuracy": self._epoch_accuracy[0] / self._epoch_accuracy[1] if self._epoch_accuracy[1] else None,
                  "samples": len(samples), "layers": {}}
        values = {}
        for sample in samples:
            for name, layer in sample["layers"].items():
                bucket = values.setdefault(name, {})
                for key in _EPOCH_KEYS:
                    value = layer.get(key)
                    if value is not None:
                        bucket.setdefault(key, []).append(value)
        for name, bucket in values.items():
            record["layers"][name] = {key: _reduce(key, items) for key, items in bucket.items()}
        regularized = [layer for layer in self.model.layers if layer.regularizers]
        if regularized:
            with np.errstate(all="ignore"):
                record["penalty"] = float(sum(layer.regularization_penalty() for layer in regularized))
        enough = min(self.min_dead_samples, self._steps * self._batch_size)
        if self._active and self._active_samples >= enough:
            for name, active in self._active.items():
                if active is not None:
                    record["layers"].setdefault(name, {})["dead_fraction"] = float(1.0 - active.mean())
                    record["layers"][name]["dead_samples"] = self._active_samples
                self._active[name] = None
            self._active_samples = 0
        self.trace.epochs.append(record)
        one_off = time.process_time()
        if self._collecting_data:
            self._summarize_data()
            self._loss_tap(self._sample_now)
        end = time.process_time()
        self.overhead_seconds += end - start
        self._pending_cost += end - start
        self._recurring += one_off - start

    def _summarize_data(self):
        """End of the first epoch: feature scales, labels and the baseline, from the reservoir."""
        self._collecting_data = False
        self._pending_inputs = None
        for owner, attribute in list(self._tapped):
            if attribute == "forward":
                owner.__dict__.pop(attribute, None)
                self._tapped.remove((owner, attribute))
        if self._reservoir is None:
            return
        count = min(self._seen_rows, self.reservoir_size)
        inputs, targets = self._reservoir[0][:count], self._reservoir[1][:count]
        self.set_data_summaries(inputs, targets)
        self._reservoir = None

    def set_data_summaries(self, inputs, targets, feature_names=None):
        """Fill ``setup['inputs']``, ``['labels']`` and ``['baseline']`` from training rows."""
        setup = self.trace.setup
        setup["inputs"] = datastats.feature_summary(inputs, feature_names)
        setup["labels"] = datastats.label_summary(targets, setup["loss"], setup["output_units"] or 1)
        setup["baseline"] = datastats.linear_baseline(inputs, targets, setup["labels"])

    # ----- fit end ------------------------------------------------------------------------
    def end(self):
        start = time.process_time()
        self._remove_taps()
        if self._collecting_data:  # fit stopped inside the first epoch
            self._summarize_data()
        if self._epoch_open:  # an epoch began and never ended: fit stopped on a NaN/Inf loss
            reason = getattr(self.model, "stop_reason", None) or ""
            kind = "NaN" if "NaN" in reason else "Inf" if "Inf" in reason else "NaN/Inf"
            self.trace.failure = {"epoch": self._epoch, "batch": self._last_batch + 1, "step": self._step,
                                  "kind": kind, "message": reason}
        end = time.process_time()
        self.overhead_seconds += end - start
        self.train_seconds = max(end - self._fit_start - self.overhead_seconds, 0.0)

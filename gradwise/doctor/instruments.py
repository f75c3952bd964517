"""Instruments: cheap observers of one fit that fill a Trace (driven by the Doctor callback).

Batches are seen through fit's ``on_train_loss`` hook, called after each batch's
optimizer step with its loss: every batch costs a few scalar operations (its loss is
recorded and a countdown checked). Only the batches it asks for get ``on_train_step``
with the batch and (gathered only when read) its outputs and every layer's outputs. Every N-th full batch is
*sampled* (``measure.py``): per layer, the activation mean and standard deviation, the
saturated fraction of sigmoid/tanh outputs and which ReLU units fired, the norm of each
parameter gradient (still in the gradient buffer), the update-to-weight ratio
||dw|| / ||w|| (from a copy of the weights taken at the end of the step before) and
NaN/Inf anywhere.

With ``sample_every='auto'`` N adapts so the sampled batches take about half of
``overhead_budget`` of the measured training time (at most ``longest_gap`` epochs apart),
and a sample is skipped whenever the doctor's recurring work (samples, epoch summaries,
detectors) already exceeds ``overhead_budget`` of the training time so far. Between
full samples, *light* samples (also half of the budget) only note which ReLU units
fired, so dead units are counted over many batches even when full samples are rare; they
are taken often enough (up to every 4th batch, budget or not) for a count to cover
``min_dead_samples`` rows within an epoch or two. A count that has not reached them after
3 epochs is reported with what it has (at least 64 rows), so old epochs never mask units
that died since. When the model computes the same in training as in inference (no
dropout or noise, no batch statistics), an epoch's count may instead be one inference
pass over ``min_dead_samples`` training rows kept from the first epoch, at the epoch's
end (a unit that outputs 0 for every one of those rows is dead), every epoch or up to
every 3rd, so the pass stays within a quarter of the budget: the second epoch is
counted that way, the pass is timed, and from then on the cheaper of the two is used
(the pass for small batches, where light samples would run every few batches; light
samples, which reuse the training pass's outputs, for larger ones). The first epoch is
always counted by light samples, so "dead from the start" means the same for every model.

A model that fit trains in one compiled call (a small Dense chain, ``models/chain_step.py``) keeps no
layer's outputs, so the doctor says before each batch whether it will ask for it (``wants_data``):
fit runs the layers' step for those batches and the compiled one for the rest. What such a batch
costs beyond a batch's usual time is charged to the doctor, so the budget spaces its samples by
their whole cost, and dead units are counted by the pass over kept rows where the model allows it
(a light sample would need the layers' step).

Times come from ``time.perf_counter`` (a fraction of a microsecond per reading; the
process's CPU-time clock costs several, more with many threads): a busy machine inflates
the doctor's costs and the training time it compares them with alike.
"""

import math
import time

import numpy as np

from . import datastats, measure
from .detectors.progress import NEAR_START, loss_from_start
from .reservoir import Reservoir
from .setup import DYING, SATURATING, describe_model
from .trace import ACCURACY_KEYS, Trace

CALM = 0.5  # the share of the budget while the epoch-end detectors find nothing (``Recorder.calm``)


class Recorder:
    """Fills ``self.trace`` from the hooks of one fit.

    Parameters
    ----------
    sample_every : int or 'auto'
    overhead_budget : float
        Share of the training time the doctor's recurring work may take when 'auto'.
    reservoir_size : int
        Training rows kept from the first epoch.
    min_dead_samples : int
        Samples a dead-unit count must cover before it is reported (fewer per epoch
        are pooled over epochs), so a rarely firing unit is not called dead.
    longest_gap : int
        Epochs that may pass between two samples when the budget holds them back.
    """

    def __init__(self, sample_every="auto", overhead_budget=0.015, reservoir_size=1024, min_dead_samples=256, seed=0,
                 longest_gap=1):
        if sample_every != "auto" and (isinstance(sample_every, bool) or not isinstance(sample_every, int)
                                       or sample_every < 1):
            raise ValueError(f"Doctor: `sample_every` must be 'auto' or a positive int, got {sample_every!r}.")
        if not 0 < overhead_budget < 1:
            raise ValueError(f"Doctor: `overhead_budget` must be in (0, 1), got {overhead_budget!r}.")
        self.sample_every = sample_every
        self.overhead_budget = float(overhead_budget)
        self.reservoir_size = int(reservoir_size)
        self.min_dead_samples = int(min_dead_samples)
        self.longest_gap = int(longest_gap)
        self._seed = seed
        self.trace = Trace()
        self.overhead_seconds = self.train_seconds = self._recurring = 0.0

    # ----- fit start ----------------------------------------------------------------------
    def begin(self, model, params):
        start = time.perf_counter()
        self.model = model
        self.trace = Trace(setup=describe_model(model, params))
        self._batch_size_known = bool(params.get("batch_size"))
        self._own_accuracy = True  # until the logs show that fit measures the training accuracy
        self._batch_size = params.get("batch_size") or 32
        self._steps = params.get("steps") or 1
        self._gap_steps = self._steps * self.longest_gap  # the most batches between two samples
        self.rows = None
        self._layout(model)
        self._epoch, self._epoch_open, self._epoch_first_sample = None, False, 0
        self._batch, self._epoch_accuracy, self._failure = -1, [0.0, 0], None
        self._cost_ema = self._interval_ema = self._last_sample = None
        self._pending_cost = self._recurring = 0.0
        self._budget = self.overhead_budget  # halved while the run is calm (``calm``)
        self.asked = 0  # batches whose step data the doctor asked fit for
        # a compiled chain's batch the doctor asks for runs the layers' step (wants_data): when it started,
        # and what it cost beyond a batch's usual
        self._asked_at, self._asked_extra = 0.0, 0.0
        self._compiled = False  # whether fit trains in a compiled step (it asks wants_data only then)
        self._reservoir = Reservoir(self.reservoir_size, self._steps, np.random.default_rng(self._seed))
        self._fit_start = self._epoch_started = start
        self.overhead_seconds = time.perf_counter() - start

    def rebuilt(self, model, params):
        """The model's layers were rebuilt in place during fit (a live repair): observe the new
        layers from the next batch on; the trace, its data summaries and the timing go on."""
        start = time.perf_counter()
        kept = {key: value for key, value in self.trace.setup.items()
                if key in ("inputs", "labels", "baseline", "reference", "lr_finder")}
        self.trace.setup.update(describe_model(model, params), **kept)
        self._layout(model)
        self._charge(time.perf_counter() - start, False)

    def _layout(self, model):
        """What to observe in `model`'s layers, and the weight snapshot the update ratios need."""
        parameter_set = model.parameter_set
        self._groups = {}
        for index, name in enumerate(parameter_set.names):
            layer_name, key = name.rsplit("/", 1)
            self._groups.setdefault(layer_name, []).append((key, index))
        self._floors, self._observed, self._active = {}, [], {}
        for layer, info in zip(model._called_layers, self.trace.layers):  # as describe_model lists them
            kernel = layer.params.get("kernel")
            if kernel is not None and info.get("fan_in"):  # the norm of a Glorot-scaled kernel of this shape
                self._floors[layer.name] = math.sqrt(2.0 / (info["fan_in"] + info["fan_out"]) * kernel.size)
            if info["activation"] is None and not info["params"]:
                continue
            kind = "dying" if info["activation"] in DYING else "saturating" if info["activation"] in SATURATING else ""
            self._observed.append((layer, info["name"], kind, info["activation"]))
            if kind == "dying" and not info.get("is_output"):
                self._active[info["name"]] = None
        self._active_samples = 0
        self._dead_rows = min(self.min_dead_samples, self._steps * self._batch_size)
        # after the first epoch, dead units are counted by one pass over kept rows (see the docstring)
        self._probe_rows, self._light_on = None, bool(self._active)
        self._probe = bool(self._active) and _same_in_inference(model)
        self._light_cost = self._probe_cost = None
        self._dead_count_chosen = False
        self._probe_every, self._since_probe = 1, 0
        self._first_epoch = None  # set by the next epoch_begin: a rebuilt model's counts start afresh
        self._regularized = [layer for layer in model._called_layers if layer.regularizers]
        # light samples at least this often (but at most every 4th batch), so a dead-unit count
        # gets its rows within one or two epochs
        self._light_most = max(4, self._steps // math.ceil(self._dead_rows / self._batch_size))
        self._pool_epochs = 0
        self._every = 1 if self.sample_every == "auto" else self.sample_every
        self._countdown, self._light_every, self._light_countdown = 1, 1, 1  # the first batch is always sampled
        self._snapshot = parameter_set.values.copy()  # the weights before the first (sampled) batch

    # ----- time accounting -------------------------------------------------------------------
    @property
    def one_off_seconds(self):
        """Doctor time not spent per batch or per epoch: set-up, data summaries, the final report."""
        return self.overhead_seconds - self._recurring

    def _charge(self, seconds, recurring=True):
        self.overhead_seconds += seconds
        self._pending_cost += seconds
        if recurring:
            self._recurring += seconds

    def calm(self, quiet):
        """The epoch-end detectors found nothing of warning or worse (`quiet`): samples and dead-unit counts
        go on within ``CALM`` of the budget, until a finding appears. A run that goes wrong shows it in
        its losses, kept for every batch whatever the sampling, and in the samples still taken."""
        self._budget = self.overhead_budget * (CALM if quiet else 1.0)

    def note_overhead(self, seconds, recurring=True):
        """Count time the doctor spent outside the recorder (the detectors) as overhead."""
        self._charge(seconds, recurring)

    def _within_budget(self, now):
        """True while the recurring work stays within `overhead_budget` of the training time so
        far; one-off costs (set-up, data summaries) are left out so short fits still get samples."""
        return self._recurring <= self._budget * (now - self._fit_start - self.overhead_seconds)

    # ----- batches ------------------------------------------------------------------------------
    def epoch_begin(self, epoch):
        self._epoch, self._epoch_open, self._batch, self._epoch_accuracy = epoch, True, -1, [0.0, 0]
        self._epoch_started = time.perf_counter()
        if self._first_epoch is None:
            self._first_epoch = epoch

    def wants_data(self, step):
        """Called by the ``wants_step_data`` hook before each batch of a model that trains in one compiled
        call (``models/chain_step.py``): whether ``on_loss`` will ask for this batch's data, given a finite
        loss (the same tests, without counting down). fit runs the layers' step for the batches it asks
        for, the compiled one for the others; the time the layers' step takes beyond a batch's usual is
        the doctor's (``_charge_layers_step``)."""
        if (self._countdown <= 1 or (self._reservoir.collecting and self._reservoir.would_want_next())
                or (self._light_on and self._light_countdown <= 1)):
            self._asked_at = time.perf_counter()
            self._compiled = True
            return True
        return False

    def _charge_layers_step(self, recurring=True):
        """Charge the doctor with what the batch it asked for cost beyond a batch's usual training time
        (fetch and metrics included: the extra is not overstated); the first epoch's kept rows are a
        one-off cost. The sample that follows counts it in its own cost (``_asked_extra``), so the
        sampling intervals the budget sets cover it too. Nothing to charge where fit did not ask
        (``wants_data``: a model that trains layer by layer)."""
        if not self._asked_at:
            return
        extra = time.perf_counter() - self._asked_at - (self._interval_ema or math.inf)
        self._asked_at = 0.0
        self._asked_extra = max(extra, 0.0)
        if extra > 0:
            self._charge(extra, recurring)

    def on_loss(self, step, loss):
        """Called by the ``on_train_loss`` hook after every training batch with its loss; True when this
        batch's data are needed (``on_step`` follows): a sample or light sample is due, the first epoch's
        rows are being kept, or the loss is not finite. Kept to a few operations: it runs after every
        batch, and other batches cost fit no ``StepData``."""
        self._batch += 1
        self.trace.batch_losses.append((step, loss))
        self._countdown -= 1
        if self._countdown <= 0 or loss - loss != 0.0:  # NaN/Inf: x - x is NaN
            self.asked += 1
            self._charge_layers_step()
            return True
        if self._reservoir.collecting and self._reservoir.wants_next():
            self.asked += 1
            self._charge_layers_step(recurring=False)
            return True
        if self._light_on:
            self._light_countdown -= 1
            if self._light_countdown <= 0:
                self.asked += 1
                self._charge_layers_step()
                return True
        if self._countdown == 1:  # the next batch is sampled: keep the weights from before its update
            start = time.perf_counter()
            np.copyto(self._snapshot, self.model.parameter_set.values)
            self._charge(time.perf_counter() - start)
        return False

    def on_step(self, step, data):
        """Called by the ``on_train_step`` hook for the batches ``on_loss`` asked for (see the module
        docstring); the batch's outputs are gathered only when a sample reads them."""
        if not data["updated"]:
            loss = data["loss"]
            self._failure = {"epoch": self._epoch, "batch": self._batch, "step": step,
                             "kind": "NaN" if loss != loss else "Inf"}
        if self._reservoir.collecting and self._reservoir.wants_next():
            start = time.perf_counter()
            self._reservoir.offer(data["inputs"], data["targets"])
            self._charge(time.perf_counter() - start, False)
        if self._countdown <= 0 and (step == 0 or _rows(data["inputs"]) == self._batch_size):
            if step == 0 and not self._batch_size_known:  # a stream: its batches' size
                self._batch_size = _rows(data["inputs"])
            self._sample(step, data)  # never an epoch's short last batch
        elif self._light_on:
            if self._light_countdown > 0:  # on_loss asked for this batch before counting it down
                self._light_countdown -= 1
            if self._light_countdown <= 0:
                self._light_sample(data["layer_outputs"])
        if self._countdown <= 1:  # the next batch is sampled: keep the weights from before its update
            start = time.perf_counter()
            np.copyto(self._snapshot, self.model.parameter_set.values)
            self._charge(time.perf_counter() - start)
        self._asked_extra = 0.0

    def _light_sample(self, layer_outputs):
        start = time.perf_counter()
        self._light_countdown = self._light_every
        pool_full = self._active_samples >= self._dead_rows  # an epoch's dead-unit count needs its rows
        if self.sample_every == "auto" and pool_full and not self._within_budget(start):
            # over budget with the count's rows in: wait the longest interval allowed, not one batch (asking
            # for every batch's step data only to skip it cost fit more than the light samples themselves)
            most = self._light_most if self._epoch == self._first_epoch else 3 * self._light_most
            self._light_countdown = max(self._light_every, most)
            return
        rows = 0
        active = self._active
        for name, seen in active.items():
            outputs = layer_outputs.get(name)
            if outputs is not None:
                fired = measure.fired(outputs)
                active[name] = fired if seen is None else np.logical_or(seen, fired, out=seen)
                rows = len(outputs)
        self._active_samples += rows
        cost = time.perf_counter() - start
        self._charge(cost)
        cost += self._asked_extra  # (charged when the batch ended)
        self._light_cost = cost if self._light_cost is None else 0.8 * self._light_cost + 0.2 * cost
        if self.sample_every == "auto" and self._interval_ema:
            wanted = math.ceil(cost / (0.5 * self._budget * self._interval_ema))
            # the first epoch's count covers its rows within the epoch ("dead from the start"); later
            # counts may pool up to 3 epochs, so light samples can be three times rarer
            most = self._light_most if self._epoch == self._first_epoch else 3 * self._light_most
            # an observing doctor (longest_gap > 1) takes only the rows a count needs; a repairing one
            # fills its budget, so a count follows each epoch
            fewest = most if self.longest_gap > 1 else 1
            self._light_every = int(min(max(wanted, fewest), most))

    def _wait(self, now, step):
        """Batches until the budget allows the sample that had to wait (at least the sampling interval),
        but never past `longest_gap` epochs after the last sample. Trying again every batch would copy
        the weights before every batch (the update ratio needs them), a cost that itself kept the budget
        exceeded."""
        trained = now - self._fit_start - self.overhead_seconds
        interval = self._interval_ema or trained / max(step, 1)
        deficit = self._recurring - self._budget * trained
        wait = math.ceil(deficit / max(self._budget * interval, 1e-12)) if deficit > 0 else 1
        until_overdue = self._gap_steps - (step - self._last_sample[0]) if self._last_sample is not None else 1
        return int(max(min(max(wait, self._every), until_overdue), 1))

    def _sample(self, step, data):
        """This batch's activations and accuracy, its gradients and its update."""
        start = time.perf_counter()
        self._countdown = self._every
        # over budget, a sample waits; but never for more than `longest_gap` epochs (the promise above)
        overdue = self._last_sample is None or step - self._last_sample[0] >= self._gap_steps
        if self.sample_every == "auto" and step > 0 and not overdue and not self._within_budget(start):
            self._countdown = self._wait(start, step)
            return
        if self._last_sample is not None and step > self._last_sample[0]:
            # training time per batch since the previous sample, the doctor's own time taken out
            interval = (start - self._last_sample[1] - self._pending_cost) / (step - self._last_sample[0])
            if interval > 0:
                previous = interval if self._interval_ema is None else self._interval_ema
                self._interval_ema = 0.7 * previous + 0.3 * interval
        outputs, logits = data["outputs"], data["logits"]
        layer_outputs = data["layer_outputs"]
        layers, nonfinite, rows = {}, False, 0
        with np.errstate(all="ignore"):
            for _, name, kind, activation in self._observed:
                values = layer_outputs.get(name)
                if values is None:
                    continue
                record, active, bad = measure.activation_stats(values, kind, activation)
                layers[name] = record
                nonfinite = nonfinite or bad
                if active is not None and name in self._active:
                    self._active[name] = active if self._active[name] is None else self._active[name] | active
                    rows = len(values)
            accuracy = None if not self._own_accuracy else datastats.batch_accuracy(
                data["targets"], outputs if logits is None else logits, logits is not None, self.trace.setup["loss"])
            if data["updated"]:  # a batch whose loss was not finite had no backward pass and no update
                stats, bad = measure.parameter_stats(self.model.parameter_set, self._snapshot, self._groups,
                                                     self._floors)
                for name, record in stats.items():
                    layers.setdefault(name, {}).update(record)
                nonfinite = nonfinite or bad
        self._active_samples += rows
        if accuracy is not None:
            self._epoch_accuracy[0] += accuracy * len(outputs)
            self._epoch_accuracy[1] += len(outputs)
        self.trace.samples.append({"epoch": self._epoch, "batch": self._batch, "step": step, "loss": data["loss"],
                                   "layers": layers, "nonfinite": nonfinite})
        now = time.perf_counter()
        cost = now - start
        self.overhead_seconds += cost
        self._recurring += cost
        cost += self._asked_extra  # (charged when the batch ended)
        previous = cost if self._cost_ema is None else self._cost_ema
        self._cost_ema = 0.8 * previous + 0.2 * cost
        if self.sample_every == "auto" and self._interval_ema:
            self._every = int(min(max(math.ceil(self._cost_ema / (0.5 * self._budget * self._interval_ema)),
                                      1), self._gap_steps))
        self._last_sample, self._pending_cost = (step, now), 0.0

    # ----- epochs -------------------------------------------------------------------------------
    def epoch_end(self, epoch, logs):
        start = time.perf_counter()
        self._epoch_open = False
        samples = self.trace.samples[self._epoch_first_sample:]
        self._epoch_first_sample = len(self.trace.samples)
        seen = self._epoch_accuracy[1]
        if self._own_accuracy and logs and any(key in logs for key in ACCURACY_KEYS):
            self._own_accuracy = False  # the trace reads fit's (trace.train_accuracy); samples skip their own
        record = {"epoch": epoch, "logs": {key: float(value) for key, value in (logs or {}).items()},
                  "train_accuracy": self._epoch_accuracy[0] / seen if seen else None, "train_accuracy_rows": seen,
                  "samples": len(samples),
                  "layers": measure.epoch_summary(samples)}
        regularized = self._regularized
        if regularized:
            with np.errstate(all="ignore"):
                record["penalty"] = float(sum(layer.regularization_penalty() for layer in regularized))
        self._pool_epochs += 1
        enough = self._active_samples >= self._dead_rows or (self._pool_epochs >= 3 and self._active_samples >= 64)
        if self._active and not self._light_on and self._probe_rows is not None:
            self._since_probe += 1
            if self._since_probe >= self._probe_every:
                self._count_dead_on_rows(record)
                self._choose_dead_count()
                # the next pass in as many epochs (at most 3) as keep it within a quarter of the budget
                epoch_seconds = max(start - self._epoch_started, 1e-9)
                wanted = math.ceil(self._probe_cost / (0.25 * self._budget * epoch_seconds))
                self._probe_every, self._since_probe = int(min(max(wanted, 1), 3)), 0
        elif self._active and enough:
            self._pool_epochs = 0
            for name, active in self._active.items():
                if active is not None:
                    record["layers"].setdefault(name, {}).update(  # count_nonzero: a tenth of bool mean's cost
                        dead_fraction=1.0 - np.count_nonzero(active) / active.size, dead_samples=self._active_samples)
                self._active[name] = None
            self._active_samples = 0
        self.trace.epochs.append(record)
        summarized = time.perf_counter()
        if self._reservoir.collecting:
            self._summarize_data()
        if len(self.trace.epochs) >= self.trace.total_epochs:  # the last planned epoch: the end-of-fit rules run now
            self.reference_when_near_start()
        if self._probe and self._light_on and self.rows is not None:  # from the next epoch on: the pass over rows
            self._light_on = False
            inputs = self.rows[0][:self.min_dead_samples]
            self._probe_rows = (inputs.astype(self.model.dtype) if inputs.dtype.kind == "f"
                                and inputs.dtype != self.model.dtype else inputs)
        self._charge(summarized - start)
        self._charge(time.perf_counter() - summarized, recurring=False)

    def _choose_dead_count(self):
        """After the first pass over kept rows: go on with it, or back to light samples when the light
        samples an epoch needs cost less (see the module docstring)."""
        if self._dead_count_chosen:
            return
        self._dead_count_chosen = True
        if self._compiled:
            # each light sample would run the layers' forward and backward in place of a compiled step (the
            # first epoch's, measured against steps that all ran the layers because of the kept rows, do not
            # show it): digits MLP 64-32, batch 32, 50-60 us more a batch, 8 of them against a pass of 110-170 us
            return
        needed = math.ceil(self._dead_rows / self._batch_size)
        if self._light_cost is not None and self._probe_cost > self._light_cost * needed:
            self._probe, self._probe_rows, self._light_on = False, None, True

    def _count_dead_on_rows(self, record):
        """This epoch's dead units: ReLU units that output 0 for every kept training row, one inference pass."""
        start = time.perf_counter()
        graph = self.model._graph
        outputs = graph.layer_outputs(graph.forward([self._probe_rows], training=False))
        rows = len(self._probe_rows)
        for name in self._active:
            values = outputs.get(name)
            if values is not None:
                fired = measure.fired(values)
                record["layers"].setdefault(name, {}).update(
                    dead_fraction=1.0 - np.count_nonzero(fired) / fired.size, dead_samples=rows)
        self._pool_epochs, self._active_samples = 0, 0
        for name in self._active:
            self._active[name] = None
        self._probe_cost = time.perf_counter() - start

    def _summarize_data(self):
        rows = self._reservoir.stop()
        self.rows = rows  # kept for a live repair that needs training rows (range test, input statistics)
        if rows is not None:
            inputs = _feature_view(rows[0], _index_inputs(self.model))
            if inputs is None:  # token indices only: their scale and a linear fit on them say nothing
                setup = self.trace.setup
                setup["labels"] = datastats.label_summary(rows[1], setup["loss"], setup["output_units"] or 1)
            else:
                self.set_data_summaries(inputs, rows[1])

    def set_data_summaries(self, inputs, targets, feature_names=None):
        """Fill ``setup['inputs']``, ``['labels']`` and ``['baseline']`` from training rows."""
        setup = self.trace.setup
        setup["inputs"] = datastats.feature_summary(inputs, feature_names)
        setup["labels"] = datastats.label_summary(targets, setup["loss"], setup["output_units"] or 1)
        setup["baseline"] = datastats.linear_baseline(inputs, targets, setup["labels"])

    def reference_when_near_start(self):
        """``setup['reference']`` (what simple smoothers reach on unseen rows) once the loss ends less than
        ``NEAR_START`` below the label prior's: only the rules for such a loss read it (progress.learned_nothing),
        and it costs tens of milliseconds, a tenth of a small fit."""
        setup = self.trace.setup
        if setup.get("reference") is not None or self.rows is None or not self.trace.epochs or not setup["labels"]:
            return
        near = loss_from_start(self.trace)
        if not (self.trace.prior_loss() > 0 and near and near["loss_drop_from_start"] < NEAR_START):
            return
        inputs = _feature_view(self.rows[0], _index_inputs(self.model))
        if inputs is not None:
            setup["reference"] = datastats.held_out_reference(inputs, self.rows[1], setup["labels"])

    def training_rows(self):
        """The training rows kept from the first epoch (so far, while it runs), or None."""
        if self.rows is None and self._reservoir.collecting:
            return self._reservoir.peek()
        return self.rows

    # ----- failed epochs -------------------------------------------------------------------------
    def mark_failure(self):
        """The NaN/Inf loss of the open epoch, as ``trace.failure`` (what ``end`` records), so the
        detectors see it before fit ends."""
        if self._failure is not None:
            self.trace.failure = {**self._failure, "message": getattr(self.model, "stop_reason", None) or ""}

    def resume(self, epoch, logs):
        """Training goes on after a failed epoch (a live repair): the epoch is closed with its logs and
        its failure stays in that epoch's record, not in the trace's."""
        failure, self._failure, self.trace.failure = self._failure, None, None
        self.epoch_end(epoch, logs)
        self.trace.epochs[-1]["failure"] = failure

    # ----- fit end ------------------------------------------------------------------------------
    def end(self):
        failed = self._failure is not None and self._epoch_open
        start = time.perf_counter()
        if self._reservoir.collecting:  # fit stopped inside the first epoch
            self._summarize_data()
        self.reference_when_near_start()  # fit stopped early (EarlyStopping, a repair)
        if failed:  # the epoch never ended: fit stopped on this NaN/Inf loss
            self.trace.failure = {**self._failure, "message": getattr(self.model, "stop_reason", None) or ""}
        end = time.perf_counter()
        self.overhead_seconds += end - start
        self.train_seconds = max(end - self._fit_start - self.overhead_seconds, 0.0)


def _index_inputs(model):
    """Positions of the model's inputs that only lookup layers read (an Embedding's token indices):
    numbers that name rows of a table, not features with a scale."""
    graph = getattr(model, "_graph", None)
    if graph is None:
        return set()
    readers = {}
    for node in graph.nodes:
        for tensor in node.inputs:
            readers.setdefault(tensor, []).append(node.layer)
    return {position for position, tensor in enumerate(graph.inputs)
            if readers.get(tensor) and all(getattr(layer, "looks_up", False) for layer in readers[tensor])}


def _feature_view(inputs, index_inputs):
    """The kept input rows the data summaries read: one array of features (several inputs side by side,
    each flattened), without the index inputs; None when every input is one."""
    arrays = inputs if isinstance(inputs, list) else [inputs]
    kept = [array.reshape(len(array), -1) for position, array in enumerate(arrays) if position not in index_inputs]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 and not isinstance(inputs, list) else np.concatenate(
        [np.asarray(array, dtype=np.float64) for array in kept], axis=1)


def _rows(inputs):
    """The rows of a batch's inputs (a list of arrays for several inputs)."""
    return len(inputs[0] if isinstance(inputs, list) else inputs)


def _same_in_inference(model):
    """True when `model` computes the same in training as in inference for a dead-unit count (no dropout
    or noise, no batch statistics) and takes one input, so an inference pass over kept rows counts dead units."""
    from ..layers.augmentation.base import RandomLayer
    from ..layers.noise import _RandomInTraining

    if not hasattr(model, "_graph") or len(getattr(model, "inputs", None) or [None]) != 1:
        return False
    return not any(layer.drops_out or layer.params_from_batches or isinstance(layer, (RandomLayer, _RandomInTraining))
                   for layer in model._all_layers())

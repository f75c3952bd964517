"""Remedies the Doctor callback applies to a model while it trains (``Doctor(repair=True)``).

Optimizer changes are applied in place: the learning rate, gradient clipping, Adam in
place of SGD, a one-off cut of the learning rate on a plateau. A learning-rate remedy is
sized by the range test (``lr_finder.sweep``) run once, on a copy of the model, over the
training rows the doctor keeps from the first epoch, not by a fixed factor.

Remedies that change the model are applied by rebuilding it in place (a Sequential
model through its own ``pop`` and ``add``; a functional model from its config edited by
``edits.py`` through ``wiring.py``, whose graph it then takes, ``Model._take_graph``),
between two epochs of the same fit: another
activation with its fitting initializer (ReLU or LeakyReLU with He kernels), batch
normalization after the hidden layers, standardized inputs (a BatchNormalization first
layer whose moving statistics start at the training rows' mean and variance, so the
model keeps taking raw inputs), a re-drawn initialization, more units, a weight penalty (or a lighter one),
dropout. A rebuild that changes what the weights mean starts from the new layers'
initializers with a fresh optimizer state, and only when at least ``RECHECK`` epochs are
left to train them (otherwise it is proposed); dropout and weight penalties keep the
trained weights. fit picks up the new layers' parameter buffer at the next epoch. The
remedies that change no layer's shape (``IN_PLACE``: another activation, initializer or
zero biases) are applied to a functional or subclassed model's own layers with every
weight re-drawn (the user's layer objects stay). A subclassed model's call() is user
code: the doctor cannot add a layer to it or widen one, so those remedies are proposed,
announced with that reason. A PLATEAU or UNDERFITTING judged at the checkpoint (a fifth of
the way) restarts training with a fifth of the epochs gone: the rebuilt model then trains
at the range test's rate when it is higher than its own (``_catch_up``).
Overfitting is also met by early stopping with the best validation weights restored.
Every change is announced and logged with the code it stands for and the finding's
evidence; a remedy that cannot be applied live (another loss, imputation, more epochs)
is logged as proposed (``applied: False``). After fit, ``after`` re-runs the detectors
on the epochs that followed each repair, as the evidence that the problem is gone.

Next remedy. ``RECHECK`` = 3 epochs after a remedy, the detectors are run on the epochs
since it; if its finding is still there, the finding's next live remedy that was not
tried yet is applied.

Never worse. The model as it was when the first remedy was applied is kept (its layers,
weights, optimizer and validation loss). At the end of fit, if the repaired run ends with
a validation loss higher than that by 2% or more (the margin ``diagnose`` uses for the
log-loss), the original layers, weights and optimizer are put back and the report says so.
Without validation data the comparison cannot be made, and the report says that too.
"""

import copy
import math
import time
import warnings

import numpy as np

from .. import activations, initializers, optimizers
from ..layers import Activation
from . import wiring
from .findings import severity_rank

RECHECK = 3
WORSE = 1.02

REINITIALIZING = ("reinitialize", "reset_bias", "relu_he", "leaky_relu", "batch_norm", "standardize_inputs",
                  "add_capacity", "fix_output")
KEEPING_WEIGHTS = ("regularize", "l2", "weaken_regularization")  # the trained weights carry over
REBUILDING = REINITIALIZING + KEEPING_WEIGHTS
# Remedies that change no layer's shape and no connection: a functional or subclassed model, which cannot
# be rebuilt in place, gets them as edits of its own layers (another activation or initializer) with
# every weight re-drawn; its other rebuilding remedies are proposed with the reason.
IN_PLACE = ("relu_he", "leaky_relu", "reinitialize", "reset_bias")
LEARNING_RATE = ("lower_learning_rate", "raise_learning_rate")
LIVE = LEARNING_RATE + ("clipnorm", "switch_to_adam", "reduce_lr_on_plateau", "early_stopping") + REBUILDING
CHECKPOINT, CHECKPOINT_MIN = 0.2, 12  # a fifth of the way, when four fifths (10 epochs or more) are left to train
RANGE_TEST_ROWS = 64  # fewer kept training rows make the range test's batches repeat too often to judge


class LiveRepairer:
    """Applies live remedies to `model` and keeps the log; `say` announces each one."""

    def __init__(self, model, say, recorder=None, params=None):
        self.model = model
        self.say = say
        self.recorder = recorder
        self.params = params or {}
        self.log = []
        self._treated = {}  # code -> {"epoch": last remedy's epoch, "checked": last recheck, "actions": tried}
        self._best_loss = math.inf
        self._best = None
        self._restore = False
        self._last_val = None
        self._original = None
        self.kept_original = None
        self._renewed_at = None  # the epoch after which the weights were last re-drawn (a rebuild, a restart)

    def remember(self, epoch, logs):
        """Keep the weights of the epoch with the lowest validation loss (for early stopping)."""
        value = (logs or {}).get("val_loss")
        self._last_val = value if value is not None and math.isfinite(value) else None
        if value is not None and math.isfinite(value) and value < self._best_loss:
            self._best_loss = value
            self._best = (epoch, self.model.get_weights())

    def treat_data(self, data, record):
        """NaN/Inf in fit's arrays, before the first epoch: rows with a non-finite target were left out
        by fit (asked in ``Doctor.on_non_finite_data``); non-finite inputs are imputed inside the model
        by a ``MeanImputation`` first layer holding the training means, so predict takes raw rows.
        `record` (``trace.setup['nonfinite_data']``) notes what was done."""
        evidence = dict(data.counts)
        if data.dropped:
            self._log_data("drop_nonfinite_targets", evidence,
                           f"left out {data.dropped['y']} training and {data.dropped['validation y']} validation "
                           "row(s) whose target is NaN or infinite", "keep = np.isfinite(y).all(axis=1); "
                           "x, y = x[keep], y[keep]")
        if not (data.counts["x"] or data.counts["validation x"]):
            return
        if len(data.x) != 1 or not (_rebuildable(self.model) or self._impute_graph(data)):
            self._log_data("impute", evidence, None, "")
            return
        if _rebuildable(self.model):
            from ..layers import MeanImputation

            layer = MeanImputation(fill=data.input_means(), name="input_imputation")
            shape = tuple(self.model.input_shape)
            layer.build_for(shape[1:] if shape and shape[0] is None else shape, None, self.model.dtype)
            _adopt(self.model, [layer] + list(self.model.layers))
        if self.recorder is not None:
            self.recorder.rebuilt(self.model, self.params)
        record["imputed"] = True
        code = ("model = Sequential([MeanImputation(fill=training_means), *model.layers])" if _rebuildable(self.model)
                else "inputs = Input(shape); outputs = model(MeanImputation(fill=training_means)(inputs)); "
                     "model = Model(inputs, outputs)")  # a functional model: the layer reads its input
        self._log_data("impute", evidence, "MeanImputation() as the first layer, holding the training means: NaN/Inf "
                       "inputs are replaced inside the model (in fit, evaluate and predict)", code)

    def _impute_graph(self, data):
        """A functional model of one input: its graph rebuilt with a MeanImputation layer reading the input,
        every other layer's weights carried over. False when it cannot be rebuilt."""
        from .spec import Spec

        if not _graph_model(self.model):
            return False
        try:
            spec = Spec.from_model(self.model).copy()
            wiring.insert_first(spec, [{"class_name": "MeanImputation", "config": {
                "name": "input_imputation", "fill": [float(value) for value in np.ravel(data.input_means())]}}])
            fresh = spec.build(input_shape=tuple(self.model.input_shape))
        except (ValueError, TypeError, KeyError):
            return False
        _carry_weights(self.model, fresh)
        self.model._take_graph(fresh)
        return True

    def _log_data(self, action, evidence, description, code):
        entry = {"finding": "NAN_INF", "epoch": None, "evidence": evidence, "action": action, "code": code,
                 "applied": description is not None}
        if description is None:
            entry["description"] = ("not applied during fit: a subclassed model (its call() is user code) or a "
                                    "model of several inputs cannot take an imputing first layer in place; "
                                    "impute the data before fit")
        else:
            entry["description"] = description
            self.say(f"gradwise doctor repair [before training] for NAN_INF: {description}")
        self.log.append(entry)

    def _still_there(self, code, state, report, epoch):
        """Whether `code` persists on the epochs since its last remedy (checked every RECHECK epochs)."""
        if epoch is None or epoch - max(state["epoch"], state["checked"]) < RECHECK:
            return False
        state["checked"] = epoch
        from .detectors import run_detectors

        later = report.trace.since(state["epoch"] + 1)
        return any(finding.code == code and finding.rank >= severity_rank("warning")
                   for finding in run_detectors(later))

    def _keep_original(self, epoch):
        if self._original is None:
            optimizer = self.model.optimizer
            self._original = {"epoch": epoch, "weights": self.model.get_weights(), "val_loss": self._last_val,
                              "structure": _structure(self.model),
                              "optimizer": optimizer, "learning_rate": optimizer.learning_rate
                              if optimizer.schedule is None else optimizer.schedule,
                              "clipnorm": optimizer.clipnorm}

    def treat(self, report, epoch):
        """Apply the next live remedy of each finding (warning or worse, not a consequence of
        another); a finding is followed per code and layer. Returns the number applied."""
        report = self._sized(report)
        applied, done = 0, set()
        renewed = {}  # the codes found on the epochs since the weights were re-drawn (made once, when asked)
        for finding in report.findings + self._checkpoint(report.trace, epoch):
            if finding.rank < severity_rank("warning") or finding.caused_by:
                continue
            state = self._treated.get(finding.key)
            if state is not None and not self._still_there(finding.code, state, report, epoch):
                continue
            if state is None and not self._new_evidence(finding, report, epoch, renewed):
                continue
            if state is None:
                state = self._treated[finding.key] = {"epoch": epoch if epoch is not None else -1, "checked": -1,
                                                      "actions": set(), "proposed": False}
            left = report.trace.total_epochs - epoch - 1 if epoch is not None else 0
            remedy = next((item for item in finding.remedies if item.action in LIVE and self._applicable(item, left)
                           and item.action not in state["actions"]), None)
            if remedy is None and (state["actions"] or state["proposed"]):
                continue  # every live remedy was tried, or the rebuild it needs was proposed once already
            entry = {"finding": finding.code, "epoch": epoch, "evidence": dict(finding.evidence)}
            if state["actions"]:
                entry["next_remedy"] = True
            if remedy is None:
                self._propose(entry, finding.remedies[0] if finding.remedies else None, state, finding.remedies)
                continue
            state["actions"].add(remedy.action)
            if (remedy.action, str(remedy.params)) in done:
                continue  # the same change, asked for by another finding in this epoch
            done.add((remedy.action, str(remedy.params)))
            state["epoch"] = epoch if epoch is not None else state["epoch"]
            self._keep_original(epoch)
            detail = self._apply(remedy, epoch, report.trace, left)
            if detail is None:
                self._propose(entry, remedy, state)
                continue
            if finding.evidence.get("judged_at_checkpoint") and remedy.action in REINITIALIZING:
                detail += self._catch_up()
            applied += 1
            entry.update(applied=True, action=remedy.action, description=remedy.description + detail, code=remedy.code)
            self.log.append(entry)
            where = "after fit" if epoch is None else f"after epoch {epoch + 1}"
            self.say(f"gradwise doctor repair [{where}] for {finding.code}: {remedy.code}{detail}")
        return applied

    def _new_evidence(self, finding, report, epoch, renewed):
        """Whether a finding seen for the first time may be treated now. Once the weights were re-drawn (a
        rebuild or a restart), the epochs before describe a model that is gone: a finding counts only when
        the ``RECHECK`` epochs since show it too (a NaN/Inf loss, and the end of fit, are treated at once).
        Without this, units that died under the old weights draw a second rebuild of a model whose units
        live."""
        if self._renewed_at is None or epoch is None or finding.code == "NAN_INF" or report.trace.failure:
            return True
        if epoch - self._renewed_at < RECHECK:
            return False
        if "codes" not in renewed:
            from .detectors import run_detectors

            renewed["codes"] = {item.code for item in run_detectors(report.trace.since(self._renewed_at + 1))
                                if item.rank >= severity_rank("warning")}
        return finding.code in renewed["codes"]

    def _checkpoint(self, trace, epoch):
        """The end-of-training verdicts (PLATEAU, UNDERFITTING), judged once at ``CHECKPOINT`` of the
        planned epochs as if training ended there, offering only the remedies that rebuild the
        model (a saddle's re-drawn initialization, more units, a lighter penalty): the rest of the
        fit then trains the rebuilt model. Fits of fewer than ``CHECKPOINT_MIN`` epochs are judged
        at their end only."""
        total = trace.total_epochs
        if epoch is None or total < CHECKPOINT_MIN or epoch + 1 != max(RECHECK + 1, round(total * CHECKPOINT)):
            return []
        from .detectors.progress import detect_progress

        if self.recorder is not None:  # what the data offer, for a loss near the prior's (weak signal or a plateau)
            self.recorder.reference_when_near_start()
        view = trace.since(0)
        view.setup["finished"] = True
        found = []
        for finding in detect_progress(view):
            finding.remedies = [item for item in finding.remedies if item.action in REBUILDING]
            finding.evidence["judged_at_checkpoint"] = epoch
            if finding.remedies:
                found.append(finding)
        return found

    def _propose(self, entry, remedy, state, remedies=()):
        state["proposed"] = True
        description = "not applied during fit: " + getattr(remedy, "description", "see the report")
        skipped = [item.action for item in [remedy, *remedies] if getattr(item, "action", None) in REBUILDING
                   and item.action not in IN_PLACE]
        if skipped and not (_rebuildable(self.model) or _graph_model(self.model)):
            entry["note"] = (f"a subclassed {type(self.model).__name__}'s call() is user code: the doctor cannot add "
                             f"a layer to it or reshape one during fit ({', '.join(dict.fromkeys(skipped))} add or "
                             "reshape layers); apply the change in the class and fit again")
            description += f" ({entry['note']})"
            where = "after fit" if entry["epoch"] is None else f"after epoch {entry['epoch'] + 1}"
            self.say(f"gradwise doctor repair [{where}] for {entry['finding']}: {description}")
        entry.update(applied=False, action=getattr(remedy, "action", None), description=description,
                     code=getattr(remedy, "code", ""))
        self.log.append(entry)

    def _sized(self, report):
        """The report with its learning-rate remedies sized by the range test, run once (on a copy
        of the model, over the kept training rows) when a finding first offers one."""
        trace = report.trace
        wanted = any(finding.rank >= severity_rank("warning") and any(item.action in LEARNING_RATE
                                                                        for item in finding.remedies)
                     for finding in report.findings)
        rows = self.recorder.training_rows() if self.recorder is not None else None
        if (not wanted or "lr_finder" in trace.setup or rows is None or isinstance(rows[0], list)
                or len(rows[0]) < RANGE_TEST_ROWS):  # several inputs: the range test takes one array
            return report
        from .detectors import run_detectors
        from .report import Report

        if self.model.optimizer.schedule is not None:
            return report
        trace.setup["lr_finder"] = self._range_test(rows)
        return Report(run_detectors(trace), trace)

    def _range_test(self, rows, fresh=True):
        """The range test (``lr_finder.sweep``) on a copy of the model (with fresh weights, or with the
        model's own when not `fresh`) over the kept training rows: the dict ``setup['lr_finder']`` holds."""
        from .lr_finder import sweep
        from .spec import Spec

        start = time.perf_counter()
        try:
            spec = Spec.from_model(self.model)
            copy_ = (spec.copy() if fresh else spec).build(input_shape=tuple(self.model.input_shape)[1:])
            copy_.optimizer = optimizers.deserialize(optimizers.serialize(self.model.optimizer))
            x, y = rows
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = sweep(copy_, x.astype(copy_.dtype), y, batch_size=min(self.params.get("batch_size") or 32,
                                                                               len(x)))
            found = {"suggestion": result.suggestion, "rule": result.rule, "optimizer": result.optimizer,
                     "diverged": result.diverged, "batches": len(result.losses), "live": True}
        except (ValueError, TypeError) as error:  # a model the range test cannot copy: fixed factors
            found = {"suggestion": None, "error": str(error)}
        if self.recorder is not None:
            self.recorder.note_overhead(time.perf_counter() - start)
        return found

    def _catch_up(self):
        """After a rebuild judged at the checkpoint (``_checkpoint``): training restarts from new weights
        with a fifth of the planned epochs gone, so the rebuilt model trains at the range test's rate when
        that is higher than the rate it has (the largest rate that still lowers the loss fast, Smith 2017):
        the shorter run covers the ground of the planned one. Never lowered here (a range test on a new
        model can suggest a rate far below a working one). Returns the account, '' when unchanged."""
        optimizer = self.model.optimizer
        rows = self.recorder.training_rows() if self.recorder is not None else None
        if (optimizer.schedule is not None or rows is None or isinstance(rows[0], list)
                or len(rows[0]) < RANGE_TEST_ROWS):
            return ""
        found = self._range_test(rows, fresh=False)
        suggestion, old = found.get("suggestion"), float(optimizer.learning_rate)
        if not suggestion or found.get("optimizer") != type(optimizer).__name__ or suggestion <= old:
            return ""
        optimizer.learning_rate = float(suggestion)
        return (f"; learning_rate {old:g} -> {suggestion:.3g}, the range test's rate for the rebuilt model (it "
                "restarts with a fifth of the planned epochs gone)")

    def _applicable(self, remedy, epochs_left=0):
        optimizer = self.model.optimizer
        if (remedy.action in REBUILDING and remedy.action not in IN_PLACE
                and not (_rebuildable(self.model) or _graph_model(self.model))):
            return False
        if remedy.action in REINITIALIZING:  # new weights need epochs to train, or they are handed back untrained
            return epochs_left >= RECHECK
        if remedy.action in ("lower_learning_rate", "raise_learning_rate", "reduce_lr_on_plateau"):
            return optimizer.schedule is None
        if remedy.action == "clipnorm":
            return optimizer.global_clipnorm is None
        return True

    def _redraw(self):
        """Re-draw every weight from the initializers with a fresh optimizer state (same layers, from a
        copy built from the model's config); False when a layer's config cannot rebuild it."""
        from .spec import Spec

        shape = tuple(self.model.input_shape)
        try:
            fresh = Spec.from_model(self.model).copy().build(
                input_shape=shape[1:] if shape and shape[0] is None else shape)
            self.model.set_weights(fresh.get_weights())
        except (ValueError, TypeError, KeyError):  # a layer its config cannot rebuild
            return False
        for mine, theirs in zip(self.model.layers, fresh.layers):
            for key, value in theirs.state.items():
                if key in mine.state:
                    mine.state[key][...] = value
        self.model.optimizer = optimizers.deserialize(optimizers.serialize(self.model.optimizer))
        self._best_loss, self._best = math.inf, None
        return True

    def _restart(self, trace):
        """Re-draw the weights from the initializers with a fresh optimizer state (same layers):
        a rate too high for the first epochs leaves weights it wrecked (dead units, saturation)
        that a lower rate does not bring back."""
        if not self._redraw():  # the lower rate alone
            return ""
        first = trace.epochs[0]["logs"].get("loss") if trace is not None and trace.epochs else None
        if trace is not None and trace.failure:
            return f" (the loss became {trace.failure['kind']}: weights re-drawn and training restarted at the new rate)"
        return (f" (the training loss made no progress from its first epoch's {first:.4g}: weights re-drawn and "
                "training restarted at the new rate in this fit)" if first is not None else
                " (weights re-drawn and training restarted at the new rate in this fit)")

    def _edit_in_place(self, remedy, trace):
        """A remedy of ``IN_PLACE`` on a model that cannot be rebuilt (functional, subclassed): its layers
        get the new activation or initializers as attributes (kept in the original, put back if the
        repaired run ends worse), then every weight is re-drawn, the edited layers' kernels and biases
        from their new initializers. None when a named layer cannot take the change."""
        by_name = {layer.name: layer for layer in self.model._all_layers()}
        action, changes = remedy.action, []
        for name in remedy.params["layers"]:
            layer = by_name.get(name)
            has_kernel = layer is not None and layer.params.get("kernel") is not None
            if action in ("relu_he", "leaky_relu"):
                if layer is None or not (has_kernel or type(layer) is Activation) or not hasattr(layer, "activation"):
                    return None
                function = "relu" if action == "relu_he" else {"name": "leaky_relu",
                                                                 "negative_slope": remedy.params["negative_slope"]}
                changes.append((layer, "activation", activations.get(function)))
                if has_kernel:
                    changes.append((layer, "kernel_initializer", initializers.get("he_normal")))
            elif not has_kernel:
                return None
            elif action == "reinitialize":
                changes.append((layer, "kernel_initializer", initializers.get(remedy.params["initializer"])))
            elif getattr(layer, "use_bias", False):  # reset_bias
                changes.append((layer, "bias_initializer", initializers.get("zeros")))
        if not changes:
            return None
        saved = self._original.setdefault("attributes", {})
        for layer, attribute, value in changes:
            saved.setdefault((id(layer), attribute), (layer, attribute, getattr(layer, attribute)))
            setattr(layer, attribute, value)
        if not self._redraw():
            for layer, attribute, _ in changes:
                setattr(layer, attribute, saved.pop((id(layer), attribute))[2])
            return None
        rng = np.random.default_rng(len(self.log))
        for layer in dict.fromkeys(layer for layer, _, _ in changes):
            for key in ("kernel", "bias"):
                value = layer.params.get(key)
                if value is not None and hasattr(layer, f"{key}_initializer"):
                    value[...] = getattr(layer, f"{key}_initializer")(value.shape, value.dtype, rng)
        if self.recorder is not None:
            self.recorder.rebuilt(self.model, self.params)
        edited = ", ".join(dict.fromkeys(layer.name for layer, _, _ in changes))
        what = {"relu_he": "ReLU with he_normal kernels", "leaky_relu": "LeakyReLU with he_normal kernels",
                "reinitialize": f"kernel_initializer='{remedy.params.get('initializer')}'",
                "reset_bias": "bias_initializer='zeros'"}[action]
        return (f": {what} in {edited} (the {type(self.model).__name__}'s layers edited in place; every weight "
                "re-drawn, training restarts from the new initialization in this fit)")

    def _rebuild(self, remedy, trace):
        """Rebuild the model in place from its edited spec (see the module docstring); returns the
        account of the change, or None when the edit does not apply to this model."""
        from .edits import EDITS
        from .spec import Spec

        keep = remedy.action in KEEPING_WEIGHTS
        shape = tuple(self.model.input_shape)
        try:
            spec = Spec.from_model(self.model)
            spec = copy.deepcopy(spec) if keep else spec.copy()  # a changed model starts from its initializers
            edit = LIVE_EDITS.get(remedy.action) or EDITS[remedy.action]
            change = edit(spec, remedy, trace)
            if change is None:
                return None
            fresh = spec.build(input_shape=shape[1:] if shape and shape[0] is None else shape)
        except (ValueError, TypeError, KeyError):  # a layer its config cannot rebuild (unregistered, custom)
            return None
        if type(fresh.loss) is not type(self.model.loss):
            return None  # fit prepared the targets for this loss: another loss needs another fit
        if remedy.action == "standardize_inputs":
            _seed_statistics(fresh.get_layer("input_standardization"),
                             self.recorder.training_rows() if self.recorder is not None else None)
        optimizer = self.model.optimizer
        if not keep:
            optimizer = optimizers.deserialize(optimizers.serialize(optimizer))  # a fresh state for new weights
            self._best_loss, self._best = math.inf, None  # earlier weights belong to the old layers
        _adopt_structure(self.model, _structure(fresh))
        self.model.loss = fresh.loss
        self.model.optimizer = optimizer  # kept weights keep their slots: the same tensors, the same layout
        if self.recorder is not None:
            self.recorder.rebuilt(self.model, self.params)
        how = "trained weights kept" if keep else "training restarts from the new initialization in this fit"
        return f": {change} (model rebuilt in place; {how})"

    def _apply(self, remedy, epoch, trace=None, epochs_left=0):
        """Apply `remedy`; returns the account of what was done ('' when the remedy says it all), or
        None when it does not apply to this model."""
        optimizer = self.model.optimizer
        action = remedy.action
        if action in REBUILDING:
            # a functional model is rebuilt from its edited graph, except for the edits its own layers can take
            graph = _graph_model(self.model) and action not in IN_PLACE
            rebuild = self._rebuild if _rebuildable(self.model) or graph else self._edit_in_place
            detail = rebuild(remedy, trace)
            if detail is not None and action in REINITIALIZING and epoch is not None:
                self._renewed_at = epoch
            if action == "regularize" and detail:
                self._restore = True
                detail += "; the best validation weights are restored at the end of fit"
            return detail
        if action in ("lower_learning_rate", "raise_learning_rate"):
            optimizer.learning_rate = remedy.params["learning_rate"]
            if action == "lower_learning_rate" and epochs_left >= RECHECK and _no_progress(trace):
                if epoch is not None:
                    self._renewed_at = epoch
                return self._restart(trace)
        elif action == "reduce_lr_on_plateau":
            optimizer.learning_rate = optimizer.learning_rate * 0.2
        elif action == "clipnorm":
            optimizer.clipnorm = remedy.params["clipnorm"]
        elif action == "switch_to_adam":
            self.model.optimizer = optimizers.Adam(learning_rate=remedy.params["learning_rate"])
        elif action in ("regularize", "early_stopping"):
            self.model.stop_training = True
            self._restore = True
            return " (applied as early stopping now, with the best validation weights restored)"
        if epoch is None:
            return " (takes effect on the next fit)"
        return ""

    def finish(self):
        """End of fit: restore the best weights if early stopping was applied; then put the original
        back if the repaired run ended worse on validation (see the module docstring)."""
        final = self._last_val
        if self._restore and self._best is not None:
            best_epoch, weights = self._best
            self.model.set_weights(weights)
            final = self._best_loss
            self.say(f"gradwise doctor repair: restored the weights of epoch {best_epoch + 1} "
                     f"(lowest val_loss {self._best_loss:.4g})")
            for entry in self.log:
                if entry.get("action") in ("regularize", "early_stopping") and entry["applied"]:
                    entry["restored_epoch"] = best_epoch
        original = self._original
        if original is None:
            return
        if original["val_loss"] is None:
            self.kept_original = {"kept": False, "note": "no validation loss: the repaired run could not be compared "
                                                         "with the original"}
            return
        if final is not None and final < WORSE * original["val_loss"]:
            self.kept_original = {"kept": False, "val_loss_before": original["val_loss"], "val_loss_after": final}
            return
        for layer, attribute, value in original.get("attributes", {}).values():  # edits made in place
            setattr(layer, attribute, value)
        if _changed(self.model, original["structure"]):
            _adopt_structure(self.model, original["structure"])
            if self.recorder is not None:
                self.recorder.rebuilt(self.model, self.params)
        self.model.set_weights(original["weights"])
        optimizer = original["optimizer"]
        self.model.optimizer = optimizer
        optimizer.learning_rate, optimizer.clipnorm = original["learning_rate"], original["clipnorm"]
        after = "a non-finite validation loss" if final is None else f"val_loss {final:.4g}"
        message = (f"the repaired run ended with {after}, worse than the {original['val_loss']:.4g} of the model when "
                   f"the first repair was applied (epoch {(original['epoch'] or 0) + 1}): that model's weights and "
                   "optimizer were put back")
        self.kept_original = {"kept": True, "val_loss_before": original["val_loss"], "val_loss_after": final,
                              "note": message}
        self.say("gradwise doctor repair: " + message)

    def after(self, run_detectors, trace):
        """Findings on the epochs after each applied repair: {'codes': [...], 'evidence': {code: ...}}."""
        applied = [entry for entry in self.log if entry["applied"] and entry["epoch"] is not None]
        if not applied:
            return None if self.kept_original is None else {"codes": [], "evidence": {},
                                                            "original": self.kept_original}
        start = min(entry["epoch"] for entry in applied) + 1
        later = trace.since(start)
        if not later.epochs:
            return {"codes": [], "evidence": {}, "since_epoch": start + 1, "note": "no epochs ran after the repair",
                    **({"original": self.kept_original} if self.kept_original is not None else {})}
        findings = [finding for finding in run_detectors(later) if finding.rank >= severity_rank("warning")]
        result = {"codes": sorted({finding.code for finding in findings}), "since_epoch": start + 1,
                  "evidence": {finding.code: finding.evidence for finding in findings}}
        if self.kept_original is not None:
            result["original"] = self.kept_original
        return result


def _no_progress(trace, share=0.9):
    """True when the last epoch's training loss is not finite or not below `share` of the first's."""
    if trace is not None and trace.failure:  # the weights left by a NaN/Inf epoch
        return True
    if trace is None or not trace.epochs:
        return False
    first, last = trace.epochs[0]["logs"].get("loss"), trace.epochs[-1]["logs"].get("loss")
    if first is None or last is None:
        return False
    return not (math.isfinite(last) and math.isfinite(first)) or last >= share * first


def _rebuildable(model):
    """A model whose layers can be replaced in place (a Sequential model: ``pop`` and ``add``)."""
    return callable(getattr(model, "pop", None)) and callable(getattr(model, "add", None)) and bool(model.layers)


def _graph_model(model):
    """A functional model (not subclassed): rebuilt in place from its edited config (``Model._take_graph``)."""
    return callable(getattr(model, "_take_graph", None)) and not getattr(model, "_define_by_run", False)


def _structure(model):
    """What ``_adopt_structure`` puts back: a Sequential's layers, or a functional model's graph (a
    shallow copy of the model holds it)."""
    return list(model.layers) if _rebuildable(model) else copy.copy(model)


def _changed(model, structure):
    if isinstance(structure, list):
        return [id(layer) for layer in model.layers] != [id(layer) for layer in structure]
    return model._graph is not structure._graph


def _adopt_structure(model, structure):
    if isinstance(structure, list):
        _adopt(model, structure)
    else:
        model._take_graph(structure)


def _carry_weights(old, new):
    """Copy each layer's weights and state from `old` into the layer of `new` of the same name and shapes."""
    by_name = {layer.name: layer for layer in old._all_layers()}
    for layer in new._all_layers():
        source = by_name.get(layer.name)
        if source is None:
            continue
        for mine, theirs in ((layer.params, source.params), (layer.state, source.state)):
            for key, value in mine.items():
                if key in theirs and np.shape(theirs[key]) == np.shape(value):
                    value[...] = theirs[key]


def _adopt(model, layers):
    """Replace `model`'s layers by `layers` (built for the same input shape), in place; fit packs
    their parameters at the next epoch."""
    while model.layers:
        model.pop()
    for layer in layers:
        model.add(layer)


def _seed_statistics(layer, rows):
    """Start a front BatchNormalization's moving statistics at the training rows' mean and variance,
    so it standardizes the inputs at inference from the first epoch on."""
    if rows is None or "moving_mean" not in layer.state:
        return
    with np.errstate(all="ignore"):
        x = np.asarray(rows[0], dtype=np.float64).reshape(len(rows[0]), -1)
        mean, variance = x.mean(axis=0), x.var(axis=0)
    if np.isfinite(mean).all() and np.isfinite(variance).all() and mean.shape == layer.state["moving_mean"].shape:
        layer.state["moving_mean"][...] = mean
        layer.state["moving_variance"][...] = variance


def _input_standardization(spec, remedy, trace):
    """Standardized inputs inside the model: a BatchNormalization first layer (the model keeps
    taking raw inputs; its statistics are seeded from the training rows)."""
    from .edits import _is_batch_norm

    first = wiring.first(spec)
    if first is not None and _is_batch_norm(first):
        return None
    wiring.insert_first(spec, [{"class_name": "BatchNormalization", "config": {"name": "input_standardization"}}])
    return "BatchNormalization() as the first layer, standardizing the inputs"


LIVE_EDITS = {"standardize_inputs": _input_standardization}

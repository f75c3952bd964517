"""One probe: build a model from a Spec, train it briefly under the Doctor, score it.

Used by ``diagnose`` (on a copy of the user's model) and by ``repair`` (on each
repaired set-up), so the before and after runs are measured the same way.
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..callbacks import EarlyStopping, NonFiniteLossWarning
from .callback import Doctor
from .detectors import check_labels, run_detectors
from .detectors.numerics import nonfinite_data
from .lr_finder import sweep
from .report import Report
from .setup import describe_model
from .spec import Preparation
from .trace import Trace

LEARNING_RATE_ACTIONS = ("lower_learning_rate", "raise_learning_rate")
CLASSIFICATION = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")


@dataclass
class ProbeResult:
    model: object
    report: Report
    score: dict
    preparation: Preparation
    error: str = None
    notes: list = field(default_factory=list)


def run_probe(spec, data, epochs, batch_size, sample_every=1, feature_names=None):
    """Train a model built from `spec` on `data` = (x_train, y_train, x_val, y_val); return a ProbeResult."""
    if spec.drop_nonfinite_targets:
        data = _finite_targets(data)
    x_train, y_train, x_val, y_val = data
    preparation = Preparation(spec, x_train, y_train)
    model = spec.build(input_shape=np.shape(x_train)[1:])
    setup = describe_model(model)
    refused = check_labels(y_train, setup)
    note = "The probe did not train: fit rejects these labels for this loss."
    if not refused:
        refused = nonfinite_data(*(preparation.inputs(x) if spec.impute and index % 2 == 0 else x
                                   for index, x in enumerate(data)))
        note = "The probe did not train: fit rejects non-finite data."
    if refused:
        trace = Trace(setup)
        findings = refused + run_detectors(trace)
        return ProbeResult(model, Report(findings, trace, notes=[note]), {}, preparation, error=note)
    doctor = Doctor(sample_every=sample_every, verbose=0)
    extra = spec.make_callbacks()
    error = None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", NonFiniteLossWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            model.fit(preparation.inputs(x_train), preparation.targets(y_train), batch_size=batch_size,
                      epochs=epochs * spec.epoch_factor, verbose=0, shuffle=True, callbacks=[doctor] + extra,
                      validation_data=(preparation.inputs(x_val), preparation.targets(y_val)))
        except (ValueError, TypeError, FloatingPointError) as caught:
            error = f"{type(caught).__name__}: {caught}"
    trace = doctor.trace
    if feature_names is not None and trace.setup.get("inputs"):
        worst = trace.setup["inputs"].get("worst") or []
        for item in worst:
            index = int(item["feature"].split()[-1]) if item["feature"].startswith("feature ") else None
            if index is not None and index < len(feature_names):
                item["feature"] = str(feature_names[index])
    for callback in extra:
        if isinstance(callback, EarlyStopping) and callback.best_weights is not None:
            trace.setup["restored_epoch"] = int(callback.best_epoch)
    findings = run_detectors(trace)
    if any(remedy.action in LEARNING_RATE_ACTIONS for finding in findings for remedy in finding.remedies):
        trace.setup["lr_finder"] = range_test(spec, preparation, x_train, y_train, batch_size)
        findings = run_detectors(trace)  # the learning-rate remedies are now sized by the range test
    notes = [] if error is None else [f"The probe stopped with an error: {error}"]
    report = Report(findings, trace, overhead=None, notes=notes)
    score = validation_score(model, preparation, x_val, y_val, trace.setup)
    return ProbeResult(model, report, score, preparation, error=error, notes=notes)


def _finite_targets(data):
    """The training and validation rows whose targets are all finite."""
    x_train, y_train, x_val, y_val = data
    kept = []
    for x, y in ((x_train, y_train), (x_val, y_val)):
        y = np.asarray(y)
        rows = np.isfinite(y.reshape(len(y), -1)).all(axis=1) if np.issubdtype(y.dtype, np.number) else slice(None)
        kept += [np.asarray(x)[rows], y[rows]]
    return tuple(kept)


def range_test(spec, preparation, x_train, y_train, batch_size):
    """The range test (``lr_finder.sweep``) on a fresh copy of the set-up, as plain data for the trace."""
    model = spec.build(input_shape=np.shape(x_train)[1:])
    x, y = preparation.inputs(x_train), preparation.targets(y_train)
    rows = np.isfinite(np.asarray(x, dtype=np.float64)).reshape(len(x), -1).all(axis=1)
    if isinstance(spec.optimizer_config.get("learning_rate"), dict) or rows.sum() < 2:
        return None
    result = sweep(model, x[rows], np.asarray(y)[rows], batch_size=batch_size)
    return {"suggestion": result.suggestion, "rule": result.rule, "optimizer": result.optimizer,
            "diverged": result.diverged, "batches": len(result.losses)}


def validation_score(model, preparation, x_val, y_val, setup):
    """Validation accuracy (classification: argmax, or 0/1 threshold) or R² (regression), and the loss."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        outputs = preparation.predictions(model.predict(preparation.inputs(x_val)))
        try:
            loss = float(model.evaluate(preparation.inputs(x_val), preparation.targets(y_val), verbose=0,
                                        return_dict=True)["loss"])
        except (ValueError, TypeError):
            loss = math.nan
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    score = {"val_loss": loss if math.isfinite(loss) else None, "loss_name": setup.get("loss")}
    if not np.isfinite(outputs).all():
        score.update(val_accuracy=None, val_r2=None, nonfinite_predictions=True)
        return score
    y = np.asarray(y_val)
    if setup.get("loss") in CLASSIFICATION:
        rows = y.reshape(len(y), -1)
        probabilities = setup.get("output_activation") in ("sigmoid", "softmax") and not setup.get("from_logits")
        if outputs.shape[1] > 1:
            truth = rows.argmax(axis=1) if rows.shape[1] > 1 else rows[:, 0].astype(np.int64)
            correct = outputs.argmax(axis=1) == truth
            if not probabilities:
                shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
                outputs = shifted / shifted.sum(axis=1, keepdims=True)
            chosen = outputs[np.arange(len(truth)), truth] / np.maximum(outputs.sum(axis=1), 1e-12)
        else:
            correct = (outputs[:, 0] > (0.5 if probabilities else 0.0)) == (rows[:, 0] >= 0.5)
            p = outputs[:, 0] if probabilities else 1.0 / (1.0 + np.exp(-np.clip(outputs[:, 0], -50, 50)))
            chosen = np.where(rows[:, 0] >= 0.5, p, 1.0 - p)
        score["val_accuracy"] = float(correct.mean())
        score["val_samples"] = int(len(correct))
        score["val_log_loss"] = float(-np.log(np.clip(chosen, 1e-7, 1.0)).mean())
        return score
    truth = y.reshape(len(y), -1).astype(np.float64)
    total = ((truth - truth.mean(axis=0)) ** 2).sum()
    score["val_r2"] = float(1.0 - ((truth - outputs) ** 2).sum() / total) if total > 0 else None
    return score


def improved(before, after, tolerance=0.005):
    """True when `after` beats `before` on validation: accuracy (or R²) by more than `tolerance`,
    or, within it, a log-loss of the predicted class probabilities lower by 2% or more (the same
    measure for both, whatever loss each was trained with)."""
    for key in ("val_accuracy", "val_r2"):
        if after.get(key) is None:
            continue
        reference = before.get(key)
        if reference is None:
            return True
        if after[key] > reference + tolerance:
            return True
        if after[key] < reference - tolerance:
            return False
        key = "val_log_loss" if key == "val_accuracy" else "val_loss"
        return bool(before.get(key) is not None and after.get(key) is not None and after[key] < 0.98 * before[key])
    return False


def worse(before, after, tolerance=0.005):
    """True when `after` scores worse on validation than `before`.

    Classification: its accuracy is lower by more than one validation sample's worth
    (1 / samples; a single sample is below what a 75/25 split can resolve), or, within
    that, its log-loss of the predicted class probabilities is higher by 2% or more.
    Regression: R² lower by more than `tolerance`, or within it a loss higher by 2% or
    more. A model without a finite score is worse than one with a score. The repairs
    never hand back a model that is worse by this rule."""
    for key, loss in (("val_accuracy", "val_log_loss"), ("val_r2", "val_loss")):
        if before.get(key) is None:
            continue
        if after.get(key) is None:
            return True
        margin = tolerance
        if key == "val_accuracy" and before.get("val_samples"):
            margin = 1.0 / before["val_samples"] + 1e-9
        if after[key] < before[key] - margin:
            return True
        return bool(after[key] <= before[key] + margin and before.get(loss) is not None
                    and after.get(loss) is not None and after[loss] >= before[loss] / 0.98)
    return False

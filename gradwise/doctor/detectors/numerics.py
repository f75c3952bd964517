"""NAN_INF: a NaN or an infinity in the loss, the gradients, the weights or the data.

Fires on any of: fit stopped because a batch loss was NaN/Inf (an epoch that began
and never ended); a sampled batch with a non-finite gradient, weight update or layer
output; input features holding NaN/Inf. There is no threshold: one non-finite value
poisons every later update. Severity: critical. The finding reports the last finite
batch losses and the largest update ratio before the failure, which the report uses
to tell whether a learning rate that was too high, unscaled inputs or an exploding
gradient came first. ``nonfinite_data`` checks the data themselves (inputs, validation
inputs, targets), which ``diagnose`` does before training since fit rejects them.
"""

import math

import numpy as np

from .. import remedies
from ..findings import Finding
from ._signals import fmt


def detect_nan_inf(trace):
    inputs = trace.setup.get("inputs") or {}
    record = trace.setup.get("nonfinite_data")  # what fit found in its arrays and handed to the doctor
    if record:
        return _data_findings(record["counts"], record.get("imputed"), record.get("dropped"))
    if inputs.get("nonfinite_features"):
        return [Finding(
            "NAN_INF", "NaN or Inf in the input data", "critical",
            f"{inputs['nonfinite_features']} input feature(s) hold NaN or Inf values. Every prediction that touches "
            "them is NaN, and so is the loss and every gradient after it.",
            {"nonfinite_features": inputs["nonfinite_features"]},
            [remedies.Remedy("impute", "Replace missing values before training.",
                             "x = sklearn.impute.SimpleImputer().fit_transform(x)", {})], epoch=None, step=-1)]
    first = next((sample for sample in trace.samples if sample["nonfinite"]), None)
    if trace.failure is None and first is None:
        return []
    if first is not None and (trace.failure is None or first["step"] <= trace.failure["step"]):
        epoch, batch, step = first["epoch"], first["batch"], first["step"]
        layer = next((name for name, record in first["layers"].items()
                      if record.get("nonfinite_outputs") or not all(
                          math.isfinite(value) for value in record.get("grad_norms", {}).values())), None)
        what = "a gradient, a weight update or a layer output"
    else:
        epoch, batch, step, layer = trace.failure["epoch"], trace.failure["batch"], trace.failure["step"], None
        what = f"the loss ({trace.failure['kind']})"
    last_losses = [loss for _, loss in trace.batch_losses if math.isfinite(loss)][-5:]
    evidence = {"epoch": epoch + 1, "batch": batch + 1, "step": step, "last_finite_batch_losses": last_losses,
                "first_loss": trace.initial_loss()}
    if trace.failure:
        evidence["stop_reason"] = trace.failure.get("message")
    fixes = [remedies.lower_learning_rate(trace.setup), remedies.clipnorm(trace.setup)]
    if max(inputs.get("max_abs_mean", 0.0), inputs.get("max_std", 0.0)) > 10:
        fixes.insert(0, remedies.standardize_inputs(trace.setup))
    labels = trace.setup.get("labels") or {}
    if labels.get("task") == "regression" and max(abs(labels.get("mean", 0)), labels.get("std", 0)) > 10:
        fixes.insert(0, remedies.standardize_targets(labels))
    trend = (f" after the batch loss went from {fmt(trace.initial_loss())} to {fmt(last_losses[-1])}"
             if last_losses else "")
    return [Finding(
        "NAN_INF", f"NaN/Inf during training (epoch {epoch + 1}, batch {batch + 1})", "critical",
        f"At epoch {epoch + 1}, batch {batch + 1}, {what} became NaN or infinite{trend}. Values overflowed the "
        "float range, and from there every update is NaN: training cannot continue.",
        evidence, fixes, epoch=epoch, batch=batch, layer=layer, step=step)]


def _count(array):
    array = np.asarray(array)
    if not np.issubdtype(array.dtype, np.number):
        return 0
    return int(array.size - np.count_nonzero(np.isfinite(array)))


def nonfinite_data(x_train, y_train, x_val, y_val):
    """NAN_INF findings for NaN/Inf cells in the data, checked before training (fit rejects them).

    No threshold: one NaN input makes its prediction, the loss and every later update NaN.
    Inputs get the imputing remedy (training means, fitted on the training rows); targets
    that are NaN or ±Inf (a log of zero) cannot be imputed honestly: their rows are dropped."""
    counts = {"x": _count(x_train), "validation x": _count(x_val), "y": _count(y_train),
              "validation y": _count(y_val)}
    return _data_findings(counts)


def _data_findings(counts, imputed=False, dropped=None):
    """The NAN_INF finding for `counts` of non-finite cells per array; once ``Doctor(repair=True)`` treated
    them inside fit (inputs `imputed` in the model, target rows `dropped`) it stays as an info finding."""
    if not any(counts.values()):
        return []
    inputs, targets = counts["x"] or counts["validation x"], counts["y"] or counts["validation y"]
    if (imputed or not inputs) and (dropped or not targets):
        treated = (["imputed inside the model (MeanImputation)"] if inputs else []) + (
            [f"{dropped['y'] + dropped['validation y']} row(s) with a non-finite target left out"] if targets else [])
        return [Finding(
            "NAN_INF", "NaN or Inf in the data, treated inside fit", "info",
            "The data hold non-finite values (" + ", ".join(f"{count} in {name}" for name, count in counts.items()
                                                            if count) + "): " + "; ".join(treated) + ".",
            {**{f"nonfinite_{name.replace(' ', '_')}": count for name, count in counts.items()},
             "imputed": bool(imputed), "dropped_rows": dropped}, [], epoch=None, step=-1)]
    where = ", ".join(f"{count} in {name}" for name, count in counts.items() if count)
    fixes = []
    if counts["x"] or counts["validation x"]:
        fixes.append(remedies.Remedy(
            "impute", "Replace the missing or infinite inputs by the training mean of their feature.",
            "imputer = sklearn.impute.SimpleImputer().fit(np.where(np.isfinite(x_train), x_train, np.nan)); "
            "x_train, x_val = imputer.transform(...), imputer.transform(...)", {}))
    if counts["y"] or counts["validation y"]:
        fixes.append(remedies.Remedy(
            "drop_nonfinite_targets", "Drop the rows whose target is NaN or infinite (e.g. a log of zero), or "
            "transform the targets with log1p instead of log.",
            "keep = np.isfinite(y).all(axis=tuple(range(1, y.ndim))); x, y = x[keep], y[keep]", {}))
    evidence = {f"nonfinite_{name.replace(' ', '_')}": count for name, count in counts.items()}
    return [Finding(
        "NAN_INF", "NaN or Inf in the data", "critical",
        f"The data hold non-finite values ({where} cell(s)). fit refuses them, and any that reached the model "
        "would make its predictions, the loss and every gradient after it NaN.",
        evidence, fixes, epoch=None, step=-1)]


DETECTORS = [detect_nan_inf]

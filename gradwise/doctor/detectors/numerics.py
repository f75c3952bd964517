"""NAN_INF: a NaN or an infinity in the loss, the gradients, the weights or the inputs.

Fires on any of: fit stopped because a batch loss was NaN/Inf (an epoch that began
and never ended); a sampled batch with a non-finite gradient, weight update or layer
output; input features holding NaN/Inf. There is no threshold: one non-finite value
poisons every later update. Severity: critical. The finding reports the last finite
batch losses and the largest update ratio before the failure, which the report uses
to tell whether a learning rate that was too high, unscaled inputs or an exploding
gradient came first.
"""

import math

from .. import remedies
from ..findings import Finding
from ._signals import fmt


def detect_nan_inf(trace):
    inputs = trace.setup.get("inputs") or {}
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


DETECTORS = [detect_nan_inf]

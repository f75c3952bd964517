"""LR_TOO_HIGH and LR_TOO_LOW: the size of the steps against what the loss does.

The step size is read from the update-to-weight ratio u = ||dw|| / ||w|| of each layer
on sampled batches (Karpathy's CS231n rule of thumb puts healthy training near 1e-3).

LR_TOO_HIGH
    Some layer's update ratio reached ``HIGH_UPDATE`` = 0.2 (a single step moved its
    weights by 20% of their norm) *and* the loss misbehaved: the rolling median of 5
    batch losses rose above ``SPIKE`` = 3x the initial loss, the loss became NaN/Inf,
    training ended worse than the constant prediction of the label prior, or the loss
    oscillated (in the second half of training it rose by more than 5% in at least 40%
    of the epochs and ended 30% above its best). Calibration: the suite's healthy runs
    peak at u = 0.07; the learning rates of 0.5 to 5 in the suite reach 0.6 to 10 when
    every batch is sampled, and 0.2 or more under the callback's sparser default sampling.
    AUTOTRAINER (ICSE'21) judges oscillation from accuracy alone, which fires on noisy
    small-batch training; requiring large steps as well removes those alarms.
    Remedies: the range test's rate (``diagnose`` runs it), then one order of magnitude
    below it (fastai's and Smith's advice brackets the good rate between the two), then
    clipping, then a cut on plateau.

LR_TOO_LOW
    The largest per-layer median update ratio is below ``LOW_UPDATE`` = 1e-4 and the
    loss fell by less than ``SLOW_PROGRESS`` = 20% of its initial value. Calibration:
    healthy runs in the suite have medians of 3e-4 and more; learning rates of 1e-5 and
    1e-6 give 1e-6 to 4e-6. Runs that took a step of ``HIGH_UPDATE`` or more at any
    time, or ended in NaN, are never called too slow, nor are runs with a hidden ReLU layer
    that was half dead (DYING_RELU's 50%) when first measured: dead units pass no gradient,
    so their tiny updates follow from the dead units (an all-positive initialization on
    inputs with negative means), not from the learning rate. The step-size condition separates this from a plateau or
    an underfitting model, which also make slow progress but take normal steps.
"""

import math

import numpy as np

from .. import remedies
from ..findings import Finding
from . import _signals
from ._signals import fmt

HIGH_UPDATE = 0.2
SPIKE = 3.0
LOW_UPDATE = 1e-4
SLOW_PROGRESS = 0.2
DEAD_FRACTION = 0.5  # the DYING_RELU threshold (activations.py)


def _peak_update(trace):
    """(largest update ratio on any sampled batch, and the step, epoch and layer where one first
    reached HIGH_UPDATE, or where the largest was seen when none did)."""
    best, first = (0.0, None, None, None), None
    for sample in trace.samples:
        for name, record in sample["layers"].items():
            ratio = record.get("update_ratio")
            if ratio is None or not math.isfinite(ratio):
                continue
            if ratio > best[0]:
                best = (ratio, sample["step"], sample["epoch"], name)
            if first is None and ratio >= HIGH_UPDATE:
                first = (sample["step"], sample["epoch"], name)
    return (best[0],) + (first or best[1:])


def _oscillates(trace):
    series = trace.epoch_series("loss")
    series = series[np.isfinite(series)]
    if series.size < 6:
        return False
    half = series[series.size // 2 - 1:]
    rises = np.count_nonzero(half[1:] > half[:-1] * 1.05)
    return rises >= 0.4 * (half.size - 1) and series[-1] > 1.3 * series.min()


def detect_lr_too_high(trace):
    ratio, step, epoch, layer = _peak_update(trace)
    if ratio < HIGH_UPDATE:
        return []
    loss = _signals.losses(trace)
    symptoms = []
    steps, smoothed = _signals.smoothed_batch_losses(trace)
    reference = max(value for value in (loss["initial"], loss["prior"], 0.0) if math.isfinite(value))
    epoch_losses = trace.epoch_series("loss")
    peak = max(float(smoothed.max()) if smoothed.size else 0.0,
               float(np.nanmax(epoch_losses)) if np.isfinite(epoch_losses).any() else 0.0)
    if reference > 0 and peak > SPIKE * reference:
        symptoms.append(f"the loss rose to {fmt(peak)} from {fmt(loss['initial'])} at the start")
    if trace.failure:
        symptoms.append(f"the loss became {trace.failure['kind']} at epoch {trace.failure['epoch'] + 1}")
    if math.isfinite(loss["prior"]) and loss["final"] >= loss["prior"]:
        symptoms.append(f"the final loss {fmt(loss['final'])} is no better than predicting the label "
                        f"frequencies ({fmt(loss['prior'])})")
    if _oscillates(trace):
        symptoms.append("the loss oscillates from epoch to epoch")
    if not symptoms:
        return []
    optimizer = trace.setup.get("optimizer", {})
    evidence = {"peak_update_ratio": ratio, "threshold": HIGH_UPDATE, "learning_rate": optimizer.get("learning_rate"),
                "initial_loss": loss["initial"], "final_loss": loss["final"], "prior_loss": loss["prior"],
                "peak_loss": peak}
    return [Finding(
        "LR_TOO_HIGH", f"Learning rate too high ({optimizer.get('class')}, {fmt(optimizer.get('learning_rate'))})",
        "error",
        f"One step changed the weights of {layer} by {fmt(ratio)} of their norm (healthy training moves them by "
        "about 0.001), and " + "; ".join(symptoms) + ". Steps this large overshoot the minimum, so the loss "
        "jumps around or diverges instead of going down.",
        evidence, [fix for fix in (remedies.lower_learning_rate(trace.setup),
                                    remedies.lower_learning_rate_further(trace.setup),
                                    remedies.clipnorm(trace.setup), remedies.reduce_lr_on_plateau()) if fix],
        epoch=epoch, batch=None, layer=layer, step=step)]


def _dead_from_start(trace):
    """True when a hidden ReLU layer was at least DEAD_FRACTION dead when first measured."""
    for info in trace.hidden_layers(("relu",)):
        series = trace.epoch_layer_series(info["name"], "dead_fraction")
        measured = series[np.isfinite(series)]
        if measured.size and measured[0] >= DEAD_FRACTION:
            return True
    return False


def detect_lr_too_low(trace):
    medians = _signals.update_ratio_medians(trace)
    if not medians:
        return []
    largest = max(medians.values())
    if largest >= LOW_UPDATE:
        return []
    if trace.failure or _peak_update(trace)[0] >= HIGH_UPDATE:
        return []  # steps were large at some point: whatever is slow now is not the learning rate
    if _dead_from_start(trace):
        return []  # dead ReLU units pass no gradient: the tiny updates follow from them
    loss = _signals.losses(trace)
    drop = _signals.relative_drop(loss["initial"], loss["final"])
    if not math.isnan(drop) and drop >= SLOW_PROGRESS:
        return []
    optimizer = trace.setup.get("optimizer", {})
    fixes = [remedies.raise_learning_rate(trace.setup)]
    if optimizer.get("class") == "SGD":
        fixes.append(remedies.switch_to_adam(trace.setup))
    evidence = {"largest_median_update_ratio": largest, "threshold": LOW_UPDATE, "loss_drop": drop,
                "learning_rate": optimizer.get("learning_rate"), "initial_loss": loss["initial"],
                "final_loss": loss["final"]}
    return [Finding(
        "LR_TOO_LOW", f"Learning rate too low ({optimizer.get('class')}, {fmt(optimizer.get('learning_rate'))})",
        "error" if math.isnan(drop) or drop < 0.05 else "warning",
        f"Each step changes the weights by at most {fmt(largest)} of their norm (healthy training: about 0.001) "
        f"and the loss fell by only {fmt(100 * drop if not math.isnan(drop) else 0.0)}% over "
        f"{loss['epochs']} epochs. The gradients are fine; the steps are just too small to get anywhere.",
        evidence, fixes, epoch=0, step=0)]


DETECTORS = [detect_lr_too_high, detect_lr_too_low]

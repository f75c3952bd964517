"""VANISHING_GRADIENT and EXPLODING_GRADIENT: how the gradient norm changes with depth and time.

Signal: r = ||dL/dW_first|| / ||dL/dW_last||, the kernel gradient norm of the first
layer over the last one, on every sampled batch; and the kernel gradient norms.

VANISHING_GRADIENT
    The median of r over an epoch is below ``VANISHING_RATIO`` = 1e-3 (AUTOTRAINER's
    beta_1, ICSE'21) in a network with at least ``MIN_DEPTH`` = 3 kernel layers.
    AUTOTRAINER tests single batches and also fires on 2-layer sigmoid networks; the
    epoch median and the depth condition remove those false alarms (calibration: the
    suite's healthy shallow sigmoid networks have r between 0.1 and 1, its 8- and
    10-layer sigmoid stacks 1e-6 to 2e-5). Samples where a gradient is exactly 0
    (dead ReLU layers, zero kernels) are left to DYING_RELU and BAD_INITIALIZATION.
    Severity: error when the loss fell by less than 20%, warning otherwise.

EXPLODING_GRADIENT
    Any of, on epoch medians: r above ``EXPLODING_RATIO`` = 70 (AUTOTRAINER's beta_3;
    a single batch of a healthy batch-normalized net reached 149 in calibration, its
    epoch medians stay below 4); a kernel gradient norm above ``EXPLODING_NORM`` = 1e3
    (the losses are batch means, so healthy norms are O(1): the suite's healthy runs
    stay below 10 in epoch medians); a gradient norm that grew ``GROWTH`` = 100x from
    the first epoch (epoch medians pool epochs with fewer than 3 samples, so a single odd
    batch, such as a batch-normalized net's last short batch, is never a median); a
    kernel gradient norm above ``INITIAL_NORM`` = 100 on the first
    batch, before any update (so not caused by the learning rate: targets or inputs on
    the wrong scale; the suite's healthy first batches stay below 3); or an infinite
    gradient. Severity: error. The two relative rules (the ratio and the growth) also need
    some epoch median of a kernel gradient norm of at least ``MIN_NORM`` = 1: gradients that
    explode are large, and near a saddle (kernels at N(0, 0.001)) the ratio reached 80 under
    the callback's sparse sampling while every norm stayed below 0.003. Every exploding run
    in the suite peaks above 100.
"""

import math

import numpy as np

from .. import remedies
from ..findings import Finding
from . import _signals
from ._signals import fmt

VANISHING_RATIO = 1e-3
MIN_DEPTH = 3
EXPLODING_RATIO = 70.0
EXPLODING_NORM = 1e3
GROWTH = 100.0
INITIAL_NORM = 100.0
MIN_NORM = 1.0


def detect_vanishing(trace):
    kernels = trace.kernel_layers()
    if len(kernels) < MIN_DEPTH:
        return []
    epochs, ratios = _signals.gradient_ratios(trace)
    if not ratios.size:
        return []
    medians = _signals.per_epoch_median(epochs, ratios)
    low = [epoch for epoch, value in sorted(medians.items()) if value < VANISHING_RATIO]
    if not low:
        return []
    epoch = low[0]
    first, last = kernels[0]["name"], kernels[-1]["name"]
    grad_first = trace.sample_series(first, "grad_norm", {epoch})
    grad_last = trace.sample_series(last, "grad_norm", {epoch})
    loss = _signals.losses(trace)
    drop = _signals.relative_drop(loss["initial"], loss["final"])
    severity = "error" if not drop >= 0.2 else "warning"
    saturating = trace.hidden_layers(("sigmoid", "tanh"))
    evidence = {
        "gradient_ratio_first_to_last": medians[epoch], "threshold": VANISHING_RATIO,
        "grad_norm_first": float(np.median(grad_first)) if grad_first.size else None,
        "grad_norm_last": float(np.median(grad_last)) if grad_last.size else None,
        "depth": len(kernels), "loss_drop": drop,
    }
    if saturating:
        cause = (f"Each {saturating[0]['activation']} layer multiplies the backward signal by its derivative "
                 "(at most 0.25 for sigmoid, 1 for tanh and usually far less), so after "
                 f"{len(kernels)} layers almost nothing is left for the first ones.")
        fixes = [remedies.relu_he(saturating), remedies.batch_norm(saturating)]
    else:
        cause = "The backward signal shrinks at every layer, so the first layers barely change."
        fixes = [remedies.batch_norm([info for info in kernels[:-1]]), remedies.reinitialize(kernels[:-1], "he_normal")]
    low_samples = [sample["step"] for sample, ratio in zip(_ratio_samples(trace), ratios)
                   if sample["epoch"] == epoch and ratio < VANISHING_RATIO]
    step = low_samples[0] if low_samples else _signals.epoch_start_step(trace, epoch)
    return [Finding(
        "VANISHING_GRADIENT", "Vanishing gradients: the first layers barely learn", severity,
        f"The gradient of the first layer ({first}) is {fmt(medians[epoch])} times that of the last ({last}). "
        + cause + " The network then learns like a shallow one, or not at all.",
        evidence, fixes, epoch=epoch, layer=first, step=step,
    )]


def _ratio_samples(trace):
    """The samples `gradient_ratios` keeps, in the same order."""
    kernels = trace.kernel_layers()
    first, last = kernels[0]["name"], kernels[-1]["name"]
    kept = []
    for sample in trace.samples:
        layers = sample["layers"]
        if first in layers and last in layers:
            top, bottom = layers[first].get("grad_norm"), layers[last].get("grad_norm")
            if top and bottom and math.isfinite(top) and math.isfinite(bottom):
                kept.append(sample)
    return kept


def _kernel_norms(trace):
    """(epochs, steps, largest kernel gradient norm) per sample."""
    names = [info["name"] for info in trace.kernel_layers()]
    epochs, steps, norms, where = [], [], [], []
    for sample in trace.samples:
        values = [(sample["layers"][name].get("grad_norm"), name) for name in names if name in sample["layers"]]
        values = [(value, name) for value, name in values if value is not None]
        if values:
            value, name = max(values, key=lambda pair: pair[0] if not math.isnan(pair[0]) else -1)
            epochs.append(sample["epoch"])
            steps.append(sample["step"])
            norms.append(value)
            where.append(name)
    return np.asarray(epochs, dtype=int), np.asarray(steps, dtype=int), np.asarray(norms, dtype=np.float64), where


def _penalty_driven(trace):
    """True when a kernel carries a weight penalty of ``progress.HEAVY_PENALTY`` or more: its gradient
    is then mostly the penalty's own (2 l2 w), so the first-to-last ratio says nothing about
    backpropagation (a heavy L2 on a healthy stack gave a ratio of 70 at norms of 33)."""
    from .progress import HEAVY_PENALTY

    return any(max(config.get("l1", 0.0), config.get("l2", 0.0)) >= HEAVY_PENALTY
               for info in trace.layers for config in (info.get("regularizers") or {}).values())


def detect_exploding(trace):
    epochs, steps, norms, where = _kernel_norms(trace)
    if not norms.size:
        return []
    reasons, first_epoch, evidence = [], None, {}
    infinite = np.isinf(norms)
    if infinite.any():
        index = int(np.argmax(infinite))
        reasons.append("a gradient overflowed to infinity")
        first_epoch = int(epochs[index])
        evidence["infinite_gradient_step"] = int(steps[index])
    if steps[0] == 0 and np.isfinite(norms[0]) and norms[0] > INITIAL_NORM:
        reasons.append(f"the gradient norm is already {fmt(norms[0])} on the first batch, before any update")
        first_epoch = 0
        evidence["initial_grad_norm"] = float(norms[0])
    finite = np.isfinite(norms)
    medians = _signals.per_epoch_median(epochs[finite], norms[finite]) if finite.any() else {}
    big = [epoch for epoch, value in sorted(medians.items()) if value > EXPLODING_NORM]
    if big:
        reasons.append(f"the kernel gradient norm reached {fmt(medians[big[0]])} (epoch median)")
        first_epoch = big[0] if first_epoch is None else min(first_epoch, big[0])
        evidence["grad_norm_epoch_median"] = medians[big[0]]
    large = bool(medians) and max(medians.values()) >= MIN_NORM  # relative rules need large gradients too
    if medians and large:
        start = medians[min(medians)]
        peak_epoch = max(medians, key=medians.get)
        if start > 0 and medians[peak_epoch] > GROWTH * start:
            reasons.append(f"the gradient norm grew {fmt(medians[peak_epoch] / start)}x since the first epoch")
            first_epoch = peak_epoch if first_epoch is None else min(first_epoch, peak_epoch)
            evidence["growth"] = medians[peak_epoch] / start
    ratio_epochs, ratios = _signals.gradient_ratios(trace)
    if ratios.size and large and not _penalty_driven(trace):
        ratio_medians = _signals.per_epoch_median(ratio_epochs, ratios)
        high = [epoch for epoch, value in sorted(ratio_medians.items()) if value > EXPLODING_RATIO]
        if high:
            reasons.append(f"the first layer's gradient is {fmt(ratio_medians[high[0]])}x the last layer's")
            first_epoch = high[0] if first_epoch is None else min(first_epoch, high[0])
            evidence["gradient_ratio_first_to_last"] = ratio_medians[high[0]]
    if not reasons:
        return []
    evidence.update({"max_grad_norm": float(np.nanmax(np.where(np.isinf(norms), np.nan, norms)))
                     if finite.any() else math.inf, "threshold_norm": EXPLODING_NORM,
                     "threshold_ratio": EXPLODING_RATIO})
    layer = where[int(np.argmax(np.where(finite, norms, np.inf)))] if norms.size else None
    above = np.flatnonzero(~np.isfinite(norms) | (norms > EXPLODING_NORM) | ((steps == 0) & (norms > INITIAL_NORM)))
    step = int(steps[above[0]]) if above.size else _signals.epoch_start_step(trace, first_epoch)
    fixes = [remedies.clipnorm(trace.setup), remedies.lower_learning_rate(trace.setup)]
    labels = trace.setup.get("labels") or {}
    if labels.get("task") == "regression" and max(abs(labels.get("mean", 0)), labels.get("std", 0)) > 10:
        fixes.insert(0, remedies.standardize_targets(labels))
    return [Finding(
        "EXPLODING_GRADIENT", "Exploding gradients", "error",
        "The gradients are growing out of proportion: " + "; ".join(reasons) + ". Each update then throws the "
        "weights far away, the loss jumps or overflows, and training diverges.",
        evidence, fixes, epoch=first_epoch, layer=layer, step=step,
    )]


DETECTORS = [detect_vanishing, detect_exploding]

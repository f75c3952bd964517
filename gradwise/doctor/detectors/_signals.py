"""Signals shared by several detectors, computed from a Trace."""

import math
import statistics

import numpy as np

from .._format import fmt  # noqa: F401  (re-exported for the detectors)


def has_hidden_layer(trace):
    """Whether the model has a layer with a kernel before its output (``setup``'s depth counts the output too);
    without one (logistic, softmax or ridge regression) the loss is convex in the weights. A set-up that does not
    say counts as having one."""
    return trace.setup.get("depth", 2) > 1


def epoch_start_step(trace, epoch):
    """Global step of the first batch of `epoch` (for ordering findings)."""
    for sample in trace.samples:
        if sample["epoch"] == epoch:
            return sample["step"]
    steps = trace.setup.get("steps") or 1
    return epoch * steps


def epoch_end_step(trace, epoch):
    """Global step of the last batch of `epoch`: when an epoch-wide measurement became known."""
    steps = [sample["step"] for sample in trace.samples if sample["epoch"] == epoch]
    if steps and trace.setup.get("steps"):
        return max(max(steps), (epoch + 1) * trace.setup["steps"] - 1)
    return max(steps) if steps else (epoch + 1) * (trace.setup.get("steps") or 1) - 1


def gradient_ratios(trace):
    """(epochs, ratios): ||grad first kernel|| / ||grad last kernel|| per sample.

    Samples where either norm is 0 (a layer with no gradient at all: dead units or
    zero kernels, explained by other detectors) or not finite are left out.
    """
    kernels = trace.kernel_layers()
    if len(kernels) < 2:
        return np.zeros(0, dtype=int), np.zeros(0)
    first, last = kernels[0]["name"], kernels[-1]["name"]
    epochs, ratios = [], []
    for sample in trace.samples:
        layers = sample["layers"]
        if first not in layers or last not in layers:
            continue
        top, bottom = layers[first].get("grad_norm"), layers[last].get("grad_norm")
        if top and bottom and math.isfinite(top) and math.isfinite(bottom):
            epochs.append(sample["epoch"])
            ratios.append(top / bottom)
    return np.asarray(epochs, dtype=int), np.asarray(ratios)


def per_epoch_median(epochs, values, min_count=3):
    """{epoch: median of values in that epoch}; epochs with fewer than `min_count` values are
    pooled with the following ones (keyed by the first), so one odd batch is never a median."""
    groups = {}
    for epoch, value in zip(np.asarray(epochs).tolist(), np.asarray(values, dtype=np.float64).tolist()):
        groups.setdefault(int(epoch), []).append(value)
    result, pooled, first = {}, [], None
    for epoch, items in sorted(groups.items()):
        first = epoch if not pooled else first
        pooled += items
        if len(pooled) >= min_count:
            result[first] = float(statistics.median(pooled))
            pooled = []
    if pooled:
        result[first] = float(statistics.median(pooled))
    return result


def losses(trace):
    """Reference losses: initial, first/final/best epoch, prior (NaN when unknown); the epochs' without
    their weight penalty, like the initial batches' and the prior's."""
    series = trace.data_loss_series()
    finite = series[np.isfinite(series)]
    return {
        "initial": trace.initial_loss(),
        "first_epoch": float(series[0]) if series.size else math.nan,
        "final": float(series[-1]) if series.size else math.nan,
        "best": float(finite.min()) if finite.size else math.nan,
        "prior": trace.prior_loss(),
        "epochs": int(series.size),
    }


def smoothed_batch_losses(trace, window=5):
    """(steps, rolling median of `window` batch losses), ignoring non-finite losses."""
    pairs = [(step, loss) for step, loss in trace.batch_losses if math.isfinite(loss)]
    if len(pairs) < window:
        return np.zeros(0, dtype=int), np.zeros(0)
    steps = np.asarray([step for step, _ in pairs])
    values = np.asarray([loss for _, loss in pairs])
    windows = np.lib.stride_tricks.sliding_window_view(values, window)
    return steps[window - 1:], np.median(windows, axis=1)


def update_ratio_medians(trace, epochs=None, exclude_output=False):
    """{layer: median update ratio} over the samples (optionally within `epochs`)."""
    result = {}
    for info in trace.layers:
        if not info["params"] or (exclude_output and info.get("is_output")):
            continue
        series = trace.sample_series(info["name"], "update_ratio", epochs)
        series = series[np.isfinite(series)]
        if series.size:
            result[info["name"]] = float(np.median(series))
    return result


def relative_drop(start, end):
    """(start - end) / start, or NaN."""
    if not (math.isfinite(start) and math.isfinite(end)) or start <= 0:
        return math.nan
    return (start - end) / start

"""What a sampled batch measures, and how an epoch's samples are summarized.

Pure functions of the model's arrays: per-layer gradient norms, weight norms and
update-to-weight ratios from per-tensor sums of squares; activation mean and standard
deviation; which ReLU units fired; the saturated fraction of sigmoid/tanh outputs.
"""

import math
import statistics

import numpy as np

# Saturated where the local derivative is below 1% of its peak:
# sigmoid s(1 - s) < 0.0025  <=>  |s - 0.5| > 0.4975;  tanh 1 - t^2 < 0.01  <=>  |t| > 0.99499.
SIGMOID_SATURATED = 0.4975
TANH_SATURATED = 0.99499
EPOCH_KEYS = ("grad_norm", "update_ratio", "saturated_fraction", "act_std")


def squares(parameter_set, flat):
    """Per-tensor sums of squares as floats; redone in float64 when float32 overflowed (|x| > 1e19)."""
    sums = parameter_set.segment_sums(np.square(flat)).tolist()
    if flat.dtype != np.float64 and not all(map(math.isfinite, sums)):
        sums = parameter_set.segment_sums(np.square(flat, dtype=np.float64)).tolist()
    return sums


def _three_squares(parameter_set, grads, snapshot, values):
    """Per-tensor sums of squares of the gradients, the weights before the step and the step, in one
    pass over the flat buffers (a sampled batch pays one reduction, not three)."""
    offsets = parameter_set.offsets[parameter_set.sizes > 0]
    stacked = np.empty((3, grads.size), dtype=grads.dtype)
    np.square(grads, out=stacked[0])
    np.square(snapshot, out=stacked[1])
    np.subtract(values, snapshot, out=stacked[2])
    np.square(stacked[2], out=stacked[2])
    if len(offsets) == len(parameter_set.names):
        sums = np.add.reduceat(stacked, offsets, axis=1)
    else:  # empty tensors sum to 0
        sums = np.zeros((3, len(parameter_set.names)), dtype=grads.dtype)
        sums[:, parameter_set.sizes > 0] = np.add.reduceat(stacked, offsets, axis=1)
    grad_sq, weight_sq, delta_sq = sums.tolist()
    if grads.dtype != np.float64 and not all(map(math.isfinite, grad_sq + weight_sq + delta_sq)):
        return (squares(parameter_set, grads), squares(parameter_set, snapshot),
                squares(parameter_set, np.subtract(values, snapshot)))
    return grad_sq, weight_sq, delta_sq


def parameter_stats(parameter_set, snapshot, groups, floors):
    """({layer: grad_norms, grad_norm, weight_norm, update_ratio}, any non-finite).

    `snapshot` holds the weights before this batch's update; `groups` maps a layer to
    its (key, tensor index) pairs; ||w|| is floored at ``floors[layer]`` (the norm of a
    Glorot-scaled kernel), so a layer started at zero does not show huge ratios.
    """
    if parameter_set.size == 0:
        return {}, False
    grad_sq, weight_sq, delta_sq = _three_squares(parameter_set, parameter_set.grads, snapshot,
                                                  parameter_set.values)
    nonfinite = not all(map(math.isfinite, grad_sq + delta_sq + weight_sq))
    layers = {}
    for layer_name, entries in groups.items():
        norms = {key: math.sqrt(grad_sq[index]) if math.isfinite(grad_sq[index]) else math.inf
                 for key, index in entries}
        weight = sum(weight_sq[index] for _, index in entries)
        change = sum(delta_sq[index] for _, index in entries)
        denominator = max(weight, floors.get(layer_name, 0.0) ** 2)
        ratio = change / denominator if denominator > 0 else math.nan
        layers[layer_name] = {
            "grad_norms": norms, "grad_norm": norms.get("kernel", next(iter(norms.values()))),
            "weight_norm": math.sqrt(weight) if math.isfinite(weight) else math.inf,
            "update_ratio": math.sqrt(ratio) if math.isfinite(ratio) else None,
        }
    return layers, nonfinite


def activation_stats(outputs, kind, activation):
    """(record, which units fired or None, non-finite) for one layer's outputs."""
    flat = outputs.reshape(-1)
    # mean and std from the sum and the sum of squares (precise enough for a diagnostic);
    # in float64 when float32 overflowed, so only true NaN/Inf outputs count as non-finite
    total, square_sum = float(flat.sum()), float(np.dot(flat, flat))
    if not (math.isfinite(total) and math.isfinite(square_sum)):
        total, square_sum = float(flat.sum(dtype=np.float64)), float(np.square(flat, dtype=np.float64).sum())
    mean = total / flat.size
    std = math.sqrt(max(square_sum / flat.size - mean * mean, 0.0))
    nonfinite = not (math.isfinite(mean) and math.isfinite(std))
    record = {"act_mean": mean, "act_std": std}
    if nonfinite:
        record["nonfinite_outputs"] = True
    active = None
    if kind == "dying":
        active = fired(outputs)
        record["inactive_fraction"] = 1.0 - float(np.count_nonzero(active)) / active.size
    elif kind == "saturating":
        limit = SIGMOID_SATURATED if activation == "sigmoid" else TANH_SATURATED
        centered = flat - 0.5 if activation == "sigmoid" else flat
        record["saturated_fraction"] = float(np.count_nonzero(np.abs(centered) > limit)) / flat.size
    return record, active, nonfinite


def fired(outputs):
    """Per unit (last axis): did it output anything above 0 for some sample of the batch?

    ReLU outputs are never negative, so a unit fired exactly when its column sums to more
    than 0: one matrix-vector product, several times faster than a boolean reduction down
    the rows (a column holding NaN counts as not fired)."""
    flat = outputs.reshape(-1, outputs.shape[-1])
    key = (len(flat), flat.dtype)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones(len(flat), dtype=flat.dtype)
    return np.dot(ones, flat) > 0


_ONES = {}  # (rows, dtype) -> a vector of ones: batch sizes repeat, so fired() allocates nothing


def _reduce(key, values):
    """Epoch summary of one per-sample quantity: the mean for fractions, else the median."""
    values = [value for value in values if value == value]  # drop NaN
    if not values:
        return math.nan
    if key == "saturated_fraction":
        return math.fsum(values) / len(values)
    return float(statistics.median(values))


def epoch_summary(samples):
    """{layer: {key: median (mean for fractions)}} over one epoch's samples."""
    values = {}
    for sample in samples:
        for name, layer in sample["layers"].items():
            bucket = values.setdefault(name, {})
            for key in EPOCH_KEYS:
                value = layer.get(key)
                if value is not None:
                    bucket.setdefault(key, []).append(value)
    return {name: {key: _reduce(key, items) for key, items in bucket.items()} for name, bucket in values.items()}

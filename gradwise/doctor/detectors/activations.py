"""DYING_RELU and SATURATION: hidden units that have stopped passing a gradient.

DYING_RELU
    A hidden ReLU unit is *dead* when it output 0 for every sample the doctor saw in an
    epoch (at least 256 samples, pooled over epochs when sampling is sparse): its
    gradient is 0 for all of them, so it cannot recover. The finding fires when a
    layer's dead fraction reaches ``DEAD_FRACTION`` = 0.5 with at least two dead units
    (error from ``DEAD_ERROR`` = 0.9). DeepDiagnosis (ICSE'22) and AUTOTRAINER (ICSE'21)
    use 0.7, but of *zero outputs in one batch*, which healthy sparse ReLU networks
    exceed; counting units dead over a whole epoch is far stricter, so a lower
    threshold is safe (calibration: the suite's healthy ReLU networks, including a wide
    sparse one, stay at or below 0.2). In a layer too narrow to fit (``progress.NARROW``)
    the first remedy is more units: a dead single unit is a symptom of the width.

    Units a weight penalty switched off are no fault. Where neither the initial biases nor
    large early steps explain the deaths, the layer's kernel carries an L1 or L2 penalty
    (or the optimizer a weight decay), and at least ``LIVE_ENOUGH`` units stay alive, the
    finding is ``info``: the penalty shrank those units' weights until they stopped
    firing, as an L1 penalty prunes, and the live units carry the layer (if the model
    underfits, UNDERFITTING says so and weakens the penalty). Measured on the final models
    ``gradwise tune`` kept (BENCHMARKS.md, thirty-eighth session): in 20 of 49 with a ReLU
    layer, a fold network's layer had half or more of its units dead, and their mean gap
    to the best scikit-learn default (+0.0030) was that of the 15 with under a fifth dead
    (+0.0038); on round H's page-blocks model (346 of 378 units dead, under L1 and L2
    penalties, on inputs that are never negative) BatchNormalization revived them and the
    validation loss stayed 0.137 -> 0.138.

SATURATION
    The share of a hidden sigmoid/tanh layer's outputs whose local derivative is below
    1% of its peak (sigmoid outputs outside [0.0025, 0.9975], tanh outside
    [-0.995, 0.995]) averages at least ``SATURATED_FRACTION`` = 0.5 over an epoch
    (DeepDiagnosis's layer threshold 0.5, with our derivative-based definition instead of
    its |z| >= 5). Error from ``SATURATED_ERROR`` = 0.9. Output layers are left out: a
    confident classifier saturates its output on purpose (calibration: the healthy runs
    stay below 0.05 in hidden layers).

    The epoch averages are judged against the batch size: an epoch's average counts only
    once it rests on at least ``MIN_ROWS`` = 32 rows (sampled batches times the batch
    size), and epochs with fewer are pooled with the following ones. With batches of one
    sample and the callback's sparse sampling, an epoch's "average" was one row of 32 tanh
    units, and a healthy momentum-SGD run on blobs reached 0.5 in one of them; 32 rows is
    the default batch, the unit at which the rule was calibrated.
"""

import math

import numpy as np

from .. import remedies
from ..findings import Finding
from . import _signals
from ._signals import fmt
from .progress import narrow_layers

DEAD_FRACTION = 0.5
DEAD_ERROR = 0.9
LIVE_ENOUGH = 8  # live units that carry a layer whose other units a penalty switched off
MIN_DEAD_UNITS = 2
SATURATED_FRACTION = 0.5
SATURATED_ERROR = 0.9
MIN_ROWS = 32


def _early_update_ratio(trace):
    medians = _signals.update_ratio_medians(trace, epochs={0}, exclude_output=True)
    return max(medians.values()) if medians else math.nan


def detect_dying_relu(trace):
    findings = []
    narrow = {info["name"] for info in narrow_layers(trace)}
    for info in trace.hidden_layers(("relu",)):
        series = trace.epoch_layer_series(info["name"], "dead_fraction")
        measured = np.flatnonzero(np.isfinite(series))
        if not measured.size:
            continue
        dead_units = np.round(series[measured] * info["units"])
        crossed = measured[(series[measured] >= DEAD_FRACTION) & (dead_units >= min(MIN_DEAD_UNITS, info["units"]))]
        if not crossed.size:
            continue
        epoch = int(crossed[0])
        fraction = float(series[epoch])
        latest = float(series[measured[-1]])
        if latest < DEAD_FRACTION:
            continue  # the units came back: not a lasting problem
        from_start = bool(series[measured[0]] >= DEAD_FRACTION)
        early_ratio = _early_update_ratio(trace)
        fixes = [remedies.leaky_relu([info]), remedies.batch_norm([info]), remedies.lower_learning_rate(trace.setup)]
        if from_start and info.get("bias_mean", 0.0) < -0.5:
            cause = (f"They were dead from the first epoch: the biases start at {fmt(info['bias_mean'])}, so most "
                     "pre-activations are negative.")
            fixes.insert(0, remedies.reset_bias([info]))
        elif early_ratio > 0.1:
            cause = (f"Early updates changed the weights by {fmt(early_ratio)} of their norm per step: large steps "
                     "push units into the region where ReLU outputs 0 for every input.")
            fixes.insert(0, fixes.pop(2))
        else:
            cause = "Their pre-activations became negative for every input."
            penalty = _weight_penalty(trace, info)
            dead = int(round(latest * info["units"]))
            if penalty and info["units"] - dead >= LIVE_ENOUGH and info["name"] not in narrow:
                findings.append(_switched_off(trace, info, latest, fraction, epoch, penalty, dead, early_ratio))
                continue
        if info["name"] in narrow:  # one or two units: the width is the fault (progress.py), so widen first
            cause += (f" With only {info['units']} unit(s) the layer is too narrow to fit the data even alive, "
                      "and one unit that dies takes the whole layer with it.")
            fixes.insert(0, remedies.add_capacity([info], 64))
        evidence = {"dead_fraction": latest, "first_dead_fraction": fraction,
                    "dead_units": int(round(latest * info["units"])),
                    "units": info["units"], "threshold": DEAD_FRACTION, "dead_from_first_epoch": from_start,
                    "early_update_ratio": early_ratio, "bias_mean": info.get("bias_mean")}
        findings.append(Finding(
            "DYING_RELU", f"Dying ReLU: {fmt(100 * latest)}% of '{info['name']}' units are dead",
            "error" if latest >= DEAD_ERROR else "warning",
            f"{int(round(latest * info['units']))} of {info['units']} ReLU units in {info['name']} output 0 for every "
            "sample, so they pass no gradient and cannot recover. " + cause,
            evidence, fixes, epoch=epoch, layer=info["name"], step=_signals.epoch_end_step(trace, epoch)))
    return findings


def _weight_penalty(trace, info):
    """What shrinks `info`'s kernel beside the loss: its L1/L2 penalty and the optimizer's weight decay, as text
    (None: nothing)."""
    kernel = (info.get("regularizers") or {}).get("kernel") or {}
    parts = [f"{key.upper()} {fmt(kernel[key])}" for key in ("l1", "l2") if kernel.get(key)]
    decay = (trace.setup.get("optimizer") or {}).get("weight_decay")
    if decay:
        parts.append(f"weight decay {fmt(decay)}")
    return ", ".join(parts) or None


def _switched_off(trace, info, latest, fraction, epoch, penalty, dead, early_ratio):
    """The ``info`` finding for units a weight penalty switched off (see the module's text)."""
    live = info["units"] - dead
    evidence = {"dead_fraction": latest, "first_dead_fraction": fraction, "dead_units": dead, "units": info["units"],
                "live_units": live, "threshold": DEAD_FRACTION, "penalty": penalty, "early_update_ratio": early_ratio,
                "bias_mean": info.get("bias_mean")}
    return Finding(
        "DYING_RELU", f"{fmt(100 * latest)}% of '{info['name']}' units are switched off by the weight penalty", "info",
        f"{dead} of {info['units']} ReLU units in {info['name']} output 0 for every sample. Neither the initial biases "
        f"nor large early steps explain it, and the kernel is penalized ({penalty}): the penalty shrank those units' "
        f"weights until they stopped firing, as an L1 penalty prunes. The {live} live units carry the layer; a "
        "narrower layer would train alike. If the model underfits, weaken the penalty.",
        evidence, [remedies.weaken_regularization([info], factor=10.0)], epoch=epoch, layer=info["name"],
        step=_signals.epoch_end_step(trace, epoch))


def detect_saturation(trace):
    findings = []
    inputs = trace.setup.get("inputs") or {}
    for info in trace.hidden_layers(("sigmoid", "tanh")):
        series = _pooled_saturation(trace, info["name"])
        hot = np.flatnonzero(series >= SATURATED_FRACTION)
        if not hot.size:
            continue
        epoch = int(hot[0])
        peak = float(np.nanmax(series))
        step = _signals.epoch_start_step(trace, epoch)
        for sample in trace.samples:
            value = sample["layers"].get(info["name"], {}).get("saturated_fraction")
            if sample["epoch"] == epoch and value is not None and value >= SATURATED_FRACTION:
                step = sample["step"]
                break
        fixes = [remedies.batch_norm([info]), remedies.relu_he([info])]
        scale = info.get("kernel_std", 0.0) / _fitting(info) if info.get("fan_in") else 0.0
        if max(inputs.get("max_abs_mean", 0.0), inputs.get("max_std", 0.0)) > 10:
            cause = "The inputs are not scaled, so the pre-activations are large."
            fixes.insert(0, remedies.standardize_inputs(trace.setup))
        elif scale > 2:
            cause = (f"The kernels start {fmt(scale)}x larger than Glorot initialization, so the pre-activations "
                     "are large.")
            fixes.insert(0, remedies.reinitialize([info], "glorot_uniform"))
        elif info.get("bias_mean") is not None and abs(info["bias_mean"]) > 2:
            cause = f"The biases start at {fmt(info['bias_mean'])}, far out on the flat part of the curve."
            fixes.insert(0, remedies.reset_bias([info]))
        else:
            cause = "The pre-activations have grown large."
        evidence = {"saturated_fraction": float(series[epoch]), "peak_saturated_fraction": peak,
                    "last_saturated_fraction": float(series[np.isfinite(series)][-1]), "threshold": SATURATED_FRACTION,
                    "kernel_scale_vs_glorot": scale}
        findings.append(Finding(
            "SATURATION", f"Saturated {info['activation']} units in '{info['name']}'",
            "error" if peak >= SATURATED_ERROR else "warning",
            f"{fmt(100 * series[epoch])}% of the outputs of {info['name']} sit on the flat ends of the "
            f"{info['activation']}, where its derivative is under 1% of its peak, so almost no gradient flows "
            "through them. " + cause,
            evidence, fixes, epoch=epoch, layer=info["name"], step=step))
    return findings


def _pooled_saturation(trace, name):
    """Per epoch, the saturated fraction pooled until it rests on MIN_ROWS rows (NaN for epochs
    folded into the next one; a last short pool keeps its value)."""
    series = trace.epoch_layer_series(name, "saturated_fraction")
    batch = trace.setup.get("batch_size")
    if not batch:
        return series
    counts = np.zeros(series.size)
    for sample in trace.samples:
        if sample["epoch"] < series.size and sample["layers"].get(name, {}).get("saturated_fraction") is not None:
            counts[sample["epoch"]] += 1
    pooled, total, rows, first = np.full(series.size, np.nan), 0.0, 0.0, None
    for epoch in range(series.size):
        if not np.isfinite(series[epoch]) or not counts[epoch]:
            continue
        first = epoch if first is None else first
        total += series[epoch] * counts[epoch]
        rows += counts[epoch]
        if rows * batch >= MIN_ROWS:
            pooled[first], total, rows, first = total / rows, 0.0, 0.0, None
    if first is not None:
        pooled[first] = total / rows
    return pooled


def _fitting(info):
    from ..setup import fitting_std

    return fitting_std(info["activation"], info["fan_in"], info["fan_out"])


DETECTORS = [detect_dying_relu, detect_saturation]

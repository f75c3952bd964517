"""BAD_INITIALIZATION: weights that break symmetry poorly or scale badly for the activation.

Rules:

- *Constant kernel* (all weights of a hidden layer equal, zeros included): every unit
  of the layer computes the same function and receives the same gradient, so they
  never become different. Error; no threshold.
- *Signal collapse or blow-up across depth*: on the first sampled batch, the standard
  deviation of the last hidden layer's activations over the first's is below
  ``DEPTH_DECAY`` = 0.1 or above ``DEPTH_GROWTH`` = 10, in a network of at least 3
  hidden layers. Glorot initialization in a deep ReLU stack halves the variance at
  every layer (He et al. 2015); N(0, 1) kernels multiply it by about fan_in / 2.
  Calibration: He-initialized and batch-normalized stacks in the suite stay within
  0.5 to 2; a 12-layer Glorot ReLU stack gives 0.01.
- *Kernels far larger than their activation can use*: a hidden sigmoid/tanh layer with
  a kernel standard deviation ``LARGE`` = 3x (or more) that of Glorot initialization
  and at least ``SATURATED_AT_START`` = 10% saturated outputs on the first batch.
- *Biases that switch units off or saturate them*: a ReLU layer whose biases average
  -1 or less and that is mostly (>= 50%) dead when first measured, or a sigmoid/tanh
  layer with |bias| >= 2 and >= 50% saturated outputs on the first batch.

- *All-positive kernels in a ReLU layer* (the smallest weight is 0 or more, say
  RandomUniform(0, 0.05)) and at least ``DEAD_AT_START`` = 50% of its units dead when
  first measured (the DYING_RELU threshold): on inputs with negative means every
  pre-activation is negative. Symmetric initializers are never all positive, so the
  static half of the rule has no threshold; the dynamic half keeps a positive kernel on
  positive inputs (which trains) silent.

The dynamic conditions keep initializations that train well silent, such as the Keras
tutorial's RandomNormal(stddev=0.05) in a two-layer Pima network.
"""

import numpy as np

from .. import remedies
from ..findings import Finding
from ..setup import fitting_std
from ._signals import fmt

DEPTH_DECAY = 0.1
DEPTH_GROWTH = 10.0
MIN_HIDDEN = 3
LARGE = 3.0
SATURATED_AT_START = 0.1
DEAD_AT_START = 0.5

NONLINEAR = ("relu", "leaky_relu", "elu", "selu", "gelu", "silu", "sigmoid", "tanh", "softplus")


def _fitting_initializer(activation):
    return "he_normal" if activation in ("relu", "leaky_relu", "elu", "gelu", "silu", "selu") else "glorot_uniform"


def _first_sample(trace, name, key):
    for sample in trace.samples:
        value = sample["layers"].get(name, {}).get(key)
        if value is not None:
            return value
    return None


def _finding(title, severity, explanation, evidence, fixes, layer, step=-1, epoch=None):
    return Finding("BAD_INITIALIZATION", title, severity, explanation, evidence, fixes, epoch=epoch, layer=layer,
                   step=step)


def detect_bad_initialization(trace):
    findings = []
    hidden_kernels = [info for info in trace.kernel_layers() if not info.get("is_output")
                      and info["name"] != trace.setup.get("output_layer")]
    constant = [info for info in hidden_kernels if info.get("kernel_constant")]
    if constant:
        info = constant[0]
        findings.append(_finding(
            f"Constant kernel in '{info['name']}'", "error",
            f"Every weight of {info['name']} starts at {fmt(info['kernel_mean'])}. All its units then compute the "
            "same function and get the same gradient, so they stay identical forever: the layer works like a "
            "single unit.", {"kernel_std": info["kernel_std"], "kernel_mean": info["kernel_mean"],
                             "layers": [item["name"] for item in constant]},
            [remedies.reinitialize(constant, _fitting_initializer(info["activation"]))], info["name"]))
    findings += _depth(trace)
    findings += _large_kernels(trace, hidden_kernels)
    findings += _biases(trace)
    findings += _positive_kernels(trace)
    return findings[:1] + [item for item in findings[1:] if item.layer != findings[0].layer]


def _depth(trace):
    activated = [info for info in trace.layers if info["activation"] in NONLINEAR and not info.get("is_output")]
    if len(activated) < MIN_HIDDEN:
        return []
    first = _first_sample(trace, activated[0]["name"], "act_std")
    last = _first_sample(trace, activated[-1]["name"], "act_std")
    if not first or last is None:
        return []
    ratio = last / first
    if DEPTH_DECAY <= ratio <= DEPTH_GROWTH:
        return []
    kernels = [info for info in trace.kernel_layers() if not info.get("is_output")]
    initializer = _fitting_initializer(activated[0]["activation"])
    direction = "shrinks" if ratio < DEPTH_DECAY else "grows"
    return [_finding(
        f"Initialization {direction} the signal through {len(activated)} layers", "warning",
        f"On the first batch the activations of {activated[-1]['name']} are {fmt(ratio)} times as spread as those of "
        f"{activated[0]['name']}: with {kernels[0].get('kernel_initializer')} kernels the signal {direction} at every "
        f"{activated[0]['activation']} layer, so deep layers see almost "
        f"{'nothing' if ratio < 1 else 'only huge values'}"
        f". {initializer} keeps the variance steady for {activated[0]['activation']}.",
        {"activation_std_first": first, "activation_std_last": last, "ratio": ratio,
         "thresholds": [DEPTH_DECAY, DEPTH_GROWTH], "hidden_layers": len(activated)},
        [remedies.reinitialize(kernels, initializer), remedies.batch_norm(kernels)], activated[0]["name"])]


def _large_kernels(trace, hidden_kernels):
    for info in hidden_kernels:
        if info["activation"] not in ("sigmoid", "tanh"):
            continue
        scale = info["kernel_std"] / fitting_std(info["activation"], info["fan_in"], info["fan_out"])
        saturated = _first_sample(trace, info["name"], "saturated_fraction")
        if scale >= LARGE and saturated is not None and saturated >= SATURATED_AT_START:
            layers = [item for item in hidden_kernels if item["activation"] in ("sigmoid", "tanh")]
            return [_finding(
                f"Kernels too large for {info['activation']} in '{info['name']}'", "warning",
                f"The kernel of {info['name']} has standard deviation {fmt(info['kernel_std'])}, {fmt(scale)} times "
                f"Glorot's for fan-in {info['fan_in']}, and {fmt(100 * saturated)}% of its outputs start saturated. "
                f"Large weights push {info['activation']} units onto their flat ends, where no gradient flows.",
                {"kernel_std": info["kernel_std"], "scale_vs_glorot": scale, "saturated_at_start": saturated,
                 "threshold_scale": LARGE, "initializer": info.get("kernel_initializer")},
                [remedies.reinitialize(layers, "glorot_uniform"), remedies.batch_norm(layers)], info["name"])]
    return []


def _biases(trace):
    for info in trace.layers:
        if info.get("is_output") or info.get("bias_mean") is None:
            continue
        if info["activation"] == "relu" and info["bias_mean"] <= -1.0:
            dead = trace.epoch_layer_series(info["name"], "dead_fraction")
            measured = dead[np.isfinite(dead)]
            if measured.size and measured[0] >= 0.5:
                effect = f"{fmt(100 * measured[0])}% of its units are dead when first measured"
            else:
                continue
        elif info["activation"] in ("sigmoid", "tanh") and abs(info["bias_mean"]) >= 2.0:
            saturated = _first_sample(trace, info["name"], "saturated_fraction")
            if saturated is None or saturated < 0.5:
                continue
            effect = f"{fmt(100 * saturated)}% of its outputs start saturated"
        else:
            continue
        return [_finding(
            f"Biases start at {fmt(info['bias_mean'])} in '{info['name']}'", "warning",
            f"The biases of {info['name']} start at {fmt(info['bias_mean'])} ({info.get('bias_initializer')}), and "
            f"{effect}. Biases should start at 0 and let the data move them.",
            {"bias_mean": info["bias_mean"], "bias_initializer": info.get("bias_initializer")},
            [remedies.reset_bias([info])], info["name"])]
    return []


def _positive_kernels(trace):
    for info in trace.hidden_layers(("relu",)):
        if info.get("kernel_min") is None or info["kernel_min"] < 0 or info.get("kernel_constant"):
            continue
        dead = trace.epoch_layer_series(info["name"], "dead_fraction")
        measured = dead[np.isfinite(dead)]
        if not measured.size or measured[0] < DEAD_AT_START:
            continue
        return [_finding(
            f"All-positive kernel in ReLU layer '{info['name']}'", "error",
            f"Every weight of {info['name']} is positive (smallest {fmt(info['kernel_min'])}, "
            f"{info.get('kernel_initializer')}), and {fmt(100 * measured[0])}% of its units are dead when first "
            "measured: on inputs with negative means a kernel without negative weights makes every pre-activation "
            "negative, so the units output 0 and pass no gradient. The tiny updates that follow are a consequence, "
            "not a learning rate that is too low.",
            {"kernel_min": info["kernel_min"], "kernel_mean": info.get("kernel_mean"),
             "dead_fraction_at_start": float(measured[0]), "threshold_dead": DEAD_AT_START},
            [remedies.reinitialize([info], "he_normal"), remedies.leaky_relu([info])], info["name"])]
    return []


DETECTORS = [detect_bad_initialization]

"""What a model looks like at the start of fit, as plain data for the trace."""

import math

import numpy as np

from .. import initializers
from ..layers._recurrent import Recurrent

SATURATING = ("sigmoid", "tanh")
DYING = ("relu",)  # outputs exactly 0 over a half-line, so a unit can stop for good


def _initializer_name(initializer):
    if initializer is None:
        return None
    return initializers.serialize(initializer)["class_name"]


def _activation(layer):
    if isinstance(layer, Recurrent):  # its tanh/sigmoid gates are part of the cell: no activation rules apply
        return None
    function = getattr(layer, "activation", None)
    name = getattr(function, "name", None)
    if name in ("relu", "leaky_relu"):  # a unit dies only when the negative slope is 0
        return "leaky_relu" if getattr(function, "negative_slope", 0.0) else "relu"
    return name


def describe_layer(layer, index):
    """Name, class, activation, units, fans, initializers and kernel statistics of `layer`."""
    kernel = layer.params.get("kernel")
    bias = layer.params.get("bias")
    info = {
        "name": layer.name, "index": index, "class": type(layer).__name__, "activation": _activation(layer),
        "units": int(layer.output_shape[-1]) if layer.output_shape else None, "trainable": layer.trainable,
        "params": int(sum(value.size for value in layer.params.values())),
        "fan_in": None, "fan_out": None,
        "kernel_initializer": _initializer_name(getattr(layer, "kernel_initializer", None)),
        "bias_initializer": _initializer_name(getattr(layer, "bias_initializer", None)),
        "regularizers": {key: reg.get_config() for key, reg in layer.regularizers.items()},
        "rate": getattr(layer, "rate", None),
        "has_kernel": layer.has_kernel, "normalizes": layer.normalizes, "drops_out": layer.drops_out,
        "recurrent": isinstance(layer, Recurrent),
    }
    if kernel is not None:
        fan_in, fan_out = initializers.compute_fans(kernel.shape)
        with np.errstate(all="ignore"):
            info.update({
                "fan_in": int(fan_in), "fan_out": int(fan_out),
                "kernel_std": float(kernel.std()), "kernel_mean": float(kernel.mean()),
                "kernel_min": float(kernel.min()) if kernel.size else None,
                "kernel_constant": bool(kernel.size > 1 and np.ptp(kernel) == 0),
            })
    if bias is not None and bias.size:
        info["bias_mean"] = float(bias.mean())
        info["bias_min"] = float(bias.min())
    return info


def _optimizer(optimizer):
    schedule = getattr(optimizer, "schedule", None)
    info = {
        "class": type(optimizer).__name__,
        "learning_rate": float(optimizer.learning_rate),
        "schedule": None if schedule is None else type(schedule).__name__,
    }
    for key in ("clipnorm", "clipvalue", "global_clipnorm", "momentum", "weight_decay"):
        value = getattr(optimizer, key, None)
        info[key] = None if value is None else float(value)
    return info


def describe_model(model, params=None):
    """The set-up part of a trace: layers, loss, optimizer and the fit parameters."""
    params = params or {}
    # the layers a graph calls, without its InputLayers (model.layers lists them first, as Keras's)
    layers = [describe_layer(layer, index) for index, layer in enumerate(model._called_layers)]
    for info, later in zip(layers, layers[1:]):  # the next layer but activations normalizes (LayerNormalization)
        follower = next((item for item in layers[later["index"]:]
                         if item["params"] or item["normalizes"] or item["activation"] is None), None)
        info["normalized_after"] = bool(follower is not None and follower["normalizes"])
    output = None
    for info in reversed(layers):  # the last layer with an activation, unless params follow it
        if info["activation"] is not None:
            output = info
            break
        if info["params"] and not info["normalizes"]:
            break
    if output is not None:
        output["is_output"] = True
    first = model._called_layers[0] if model._called_layers else None
    return {
        "layers": layers,
        "model_name": model.name,
        "loss": model.loss.name,
        "from_logits": bool(model.loss.from_logits),
        "output_activation": output["activation"] if output else "linear",
        "output_layer": output["name"] if output else (layers[-1]["name"] if layers else None),
        "output_units": int(model.output_shape[-1]) if model.output_shape else None,
        "optimizer": _optimizer(model.optimizer),
        "batch_size": params.get("batch_size"),
        "steps": params.get("steps"),
        "epochs": params.get("epochs"),
        "input_normalized_in_model": bool(first is not None and first.normalizes),
        "depth": sum(1 for info in layers if info.get("fan_in")),
        "inputs": None, "labels": None, "baseline": None, "reference": None,
    }


def fitting_std(activation, fan_in, fan_out):
    """Standard deviation of the initializer that fits `activation`: He for the ReLU
    family (He et al. 2015), Glorot otherwise (Glorot & Bengio 2010)."""
    if activation in ("relu", "leaky_relu", "elu", "gelu", "silu", "selu"):
        return math.sqrt(2.0 / fan_in)
    return math.sqrt(2.0 / (fan_in + fan_out))

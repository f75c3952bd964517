"""Hand-built traces for detector tests: a set-up, then epochs of identical samples."""

import math

from gradwise.doctor.trace import Trace


def dense(name, activation, units, fan_in, output=False, **extra):
    """The set-up record of a Dense layer (Glorot-scaled kernel unless `kernel_std` is given)."""
    info = {"name": name, "index": 0, "class": "Dense", "activation": activation, "units": units, "trainable": True,
            "params": units * (fan_in + 1), "fan_in": fan_in, "fan_out": units, "kernel_initializer": "GlorotUniform",
            "bias_initializer": "Zeros", "regularizers": {}, "rate": None,
            "kernel_std": math.sqrt(2.0 / (fan_in + units)), "kernel_mean": 0.0, "kernel_constant": False,
            "bias_mean": 0.0, "bias_min": 0.0}
    if output:
        info["is_output"] = True
    info.update(extra)
    return info


def mlp(hidden=("relu", "relu"), units=16, inputs=8, outputs=3, output_activation="softmax", **extra):
    layers, fan_in = [], inputs
    for index, activation in enumerate(hidden):
        layers.append(dense(f"hidden_{index}", activation, units, fan_in, **extra))
        fan_in = units
    layers.append(dense("out", output_activation, outputs, fan_in, output=True))
    for index, info in enumerate(layers):
        info["index"] = index
    return layers


def new_trace(layers, loss="sparse_categorical_crossentropy", epochs=10, steps=5, optimizer=None, labels=None,
              inputs=None, baseline=None, from_logits=False):
    output = next((info for info in layers if info.get("is_output")), layers[-1])
    setup = {
        "layers": layers, "loss": loss, "from_logits": from_logits, "output_activation": output["activation"],
        "output_layer": output["name"], "output_units": output["units"],
        "optimizer": optimizer or {"class": "Adam", "learning_rate": 0.001, "schedule": None, "clipnorm": None,
                                   "clipvalue": None, "global_clipnorm": None, "momentum": None, "weight_decay": None},
        "batch_size": 32, "steps": steps, "epochs": epochs, "input_normalized_in_model": False,
        "depth": sum(1 for info in layers if info.get("fan_in")),
        "inputs": inputs, "labels": labels, "baseline": baseline,
    }
    return Trace(setup)


def add_epoch(trace, logs, layers=None, samples=None, count=None, train_accuracy=None, loss=None):
    """Append one epoch: `count` samples (default: the set-up's steps) with per-layer values
    `samples` ({layer: {key: value}}), batch losses `loss` and the epoch record."""
    epoch = len(trace.epochs)
    steps = trace.setup["steps"]
    for batch in range(count if count is not None else steps):
        step = epoch * steps + batch
        trace.samples.append({"epoch": epoch, "batch": batch, "step": step, "loss": loss,
                              "layers": {name: dict(values) for name, values in (samples or {}).items()},
                              "nonfinite": False})
        if loss is not None:
            trace.batch_losses.append((step, loss))
    trace.epochs.append({"epoch": epoch, "logs": dict(logs), "train_accuracy": train_accuracy, "samples": steps,
                         "layers": {name: dict(values) for name, values in (layers or {}).items()}})
    return trace


def codes(findings):
    return sorted({finding.code for finding in findings})

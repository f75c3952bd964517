"""Spec edits: how each remedy action changes a set-up. Each returns a one-line account
of what it changed (logged with the remedy's code), or None when it does not apply."""

import copy

from .. import activations, initializers, registry, regularizers
from ..layers import Activation
from . import wiring


def _role(entry, role):
    """Whether the layer class of spec `entry` has `role` (has_kernel, normalizes, drops_out)."""
    try:
        return bool(getattr(registry.lookup("layer", entry["class_name"]), role))
    except ValueError:
        return False


def _is_batch_norm(entry):  # normalizes from batch statistics, with a scale and a shift: not Rescaling
    return _role(entry, "normalizes") and _role(entry, "params_from_batches")


def _serialized_initializer(name):
    return initializers.serialize(initializers.get(name))


def _has_kernel(entry):
    return _role(entry, "has_kernel")


def _hidden(spec):
    """Layer entries with a kernel, except the output layers' (``wiring.output_owners``)."""
    outputs = [id(entry) for entry in wiring.output_owners(spec, _has_kernel)]
    return [entry for entry in spec.layers if _has_kernel(entry) and id(entry) not in outputs]


def _kernel_owner(spec, name):
    """The entry holding the kernel for layer `name` (an Activation layer's producing Dense)."""
    _, entry = spec.layer(name)
    while entry is not None and not _has_kernel(entry):
        entry = wiring.producer(spec, entry)
    return entry


def _after(spec, entry, passes):
    """The last layer of the row that follows `entry` while `passes(follower)` (entry itself when none)."""
    follower = wiring.follower(spec, entry)
    while follower is not None and passes(follower):
        entry, follower = follower, wiring.follower(spec, follower)
    return entry


def _set_learning_rate(spec, remedy, trace):
    config = spec.optimizer_config
    old = config["learning_rate"]
    if isinstance(old, dict):
        return None
    config["learning_rate"] = remedy.params["learning_rate"]
    return f"{spec.compile['optimizer']['class_name']} learning_rate {old:g} -> {config['learning_rate']:g}"


def _clipnorm(spec, remedy, trace):
    config = spec.optimizer_config
    config["clipnorm"], config["global_clipnorm"] = remedy.params["clipnorm"], None
    return f"clipnorm={remedy.params['clipnorm']:g} on the optimizer"


def _switch_to_adam(spec, remedy, trace):
    old = spec.compile["optimizer"]["class_name"]
    spec.compile["optimizer"] = {"class_name": "Adam", "config": {"learning_rate": remedy.params["learning_rate"]}}
    return f"optimizer {old} -> Adam(learning_rate={remedy.params['learning_rate']:g})"


def _set_activation(entry, activation):
    if _role(entry, "activates") and registry.lookup("layer", entry["class_name"]) is not Activation:
        # a dedicated activation layer (ReLU, ELU, ...): its config is its function's arguments
        name = entry["config"]["name"]
        entry["class_name"] = "Activation"
        entry["config"] = {"name": name, "trainable": True}
    entry["config"]["activation"] = activation


def _leaky_relu(spec, remedy, trace):
    function = activations.serialize(activations.get({"name": "leaky_relu",
                                                      "negative_slope": remedy.params["negative_slope"]}))
    changed = []
    for name in remedy.params["layers"]:
        _, entry = spec.layer(name)
        _set_activation(entry, function)
        owner = _kernel_owner(spec, name)
        if owner is not None:
            owner["config"]["kernel_initializer"] = _serialized_initializer("he_normal")
        changed.append(name)
    slope = remedy.params["negative_slope"]
    return f"LeakyReLU(negative_slope={slope:g}) with he_normal kernels in {', '.join(changed)}"


def _relu_he(spec, remedy, trace):
    for name in remedy.params["layers"]:
        _, entry = spec.layer(name)
        _set_activation(entry, activations.serialize(activations.get("relu")))
        owner = _kernel_owner(spec, name)
        if owner is not None:
            owner["config"]["kernel_initializer"] = _serialized_initializer("he_normal")
    return f"ReLU with he_normal kernels in {', '.join(remedy.params['layers'])}"


def _batch_norm(spec, remedy, trace):
    inserted = []
    for name in remedy.params["layers"]:
        owner = _kernel_owner(spec, name)
        if owner is None:
            continue
        follower = wiring.follower(spec, _after(spec, owner, lambda entry: _role(entry, "activates")))
        if follower is not None and _role(follower, "normalizes"):
            continue  # already normalized (batch or layer normalization): another one adds only batch noise
        activation = owner["config"].get("activation") or {"name": "linear"}
        owner["config"]["activation"] = activations.serialize(activations.get(None))
        block = [{"class_name": "BatchNormalization", "config": {"name": f"{owner['config']['name']}_bn"}}]
        if activation.get("name") != "linear":
            block.append({"class_name": "Activation", "config": {"name": f"{owner['config']['name']}_act",
                                                                  "activation": activation}})
        wiring.insert_after(spec, owner, block)
        inserted.append(owner["config"]["name"])
    return f"BatchNormalization() after {', '.join(inserted)}" if inserted else None


def _reinitialize(spec, remedy, trace):
    for name in remedy.params["layers"]:
        owner = _kernel_owner(spec, name)
        if owner is not None:
            owner["config"]["kernel_initializer"] = _serialized_initializer(remedy.params["initializer"])
    return f"kernel_initializer='{remedy.params['initializer']}' in {', '.join(remedy.params['layers'])}"


def _reset_bias(spec, remedy, trace):
    for name in remedy.params["layers"]:
        owner = _kernel_owner(spec, name)
        if owner is not None:
            owner["config"]["bias_initializer"] = _serialized_initializer("zeros")
    return f"bias_initializer='zeros' in {', '.join(remedy.params['layers'])}"


def _regularize(spec, remedy, trace):
    inserted = []
    for owner in _hidden(spec):
        last = _after(spec, owner, lambda entry: _is_batch_norm(entry) or _role(entry, "activates"))
        follower = wiring.follower(spec, last)
        if follower is not None and _role(follower, "drops_out"):
            continue
        wiring.insert_after(spec, last, [{"class_name": "Dropout", "config": {
            "name": f"{owner['config']['name']}_dropout", "rate": remedy.params["rate"]}}])
        inserted.append(owner["config"]["name"])
    _early_stopping(spec, remedy, trace)
    return (f"Dropout({remedy.params['rate']:g}) after {', '.join(inserted) or 'no layer'} and "
            f"EarlyStopping(patience={remedy.params['patience']}, restore_best_weights=True)")


def _early_stopping(spec, remedy, trace):
    if not any(name == "EarlyStopping" for name, _ in spec.callbacks):
        spec.callbacks.append(("EarlyStopping", {"monitor": "val_loss", "patience": remedy.params["patience"],
                                                 "restore_best_weights": True}))
    return f"EarlyStopping(monitor='val_loss', patience={remedy.params['patience']}, restore_best_weights=True)"


def _l2(spec, remedy, trace):
    for owner in _hidden(spec):
        owner["config"]["kernel_regularizer"] = regularizers.serialize(regularizers.L2(remedy.params["l2"]))
    return f"kernel_regularizer=L2({remedy.params['l2']:g}) in the hidden layers"


def _weaken_regularization(spec, remedy, trace):
    factor = remedy.params["factor"]
    for name in remedy.params["layers"]:
        _, entry = spec.layer(name)
        for key in ("kernel_regularizer", "bias_regularizer"):
            config = entry["config"].get(key)
            if config:
                config = copy.deepcopy(config)
                for coefficient in ("l1", "l2"):
                    if coefficient in config["config"]:
                        config["config"][coefficient] = config["config"][coefficient] / factor
                entry["config"][key] = config
    return f"weight penalties divided by {factor:g} in {', '.join(remedy.params['layers'])}"


def _add_capacity(spec, remedy, trace):
    """Widen the named (narrow) hidden layers to `units`; then, when the network has fewer than
    `depth` hidden layers, add Dense layers of `units` after the last one, with its activation and
    initializers (``remedies.add_capacity`` says why)."""
    layers = remedy.params["layers"] or [entry["config"]["name"] for entry in _hidden(spec)]
    units = remedy.params["units"]
    for name in layers:
        owner = _kernel_owner(spec, name)
        if owner is not None and "units" in owner["config"]:
            owner["config"]["units"] = max(owner["config"]["units"], units)
    changes = [f"{units} units in {', '.join(layers)}"] if layers else []
    hidden = [entry for entry in _hidden(spec) if "units" in entry["config"]]
    added = []
    while hidden and len(hidden) + len(added) < remedy.params.get("depth", 1):
        last = hidden[-1] if not added else added[-1]
        row_end = _after(spec, last, lambda entry: _is_batch_norm(entry) or _role(entry, "activates")
                         or _role(entry, "drops_out"))
        entry = copy.deepcopy(hidden[-1])
        entry["config"]["name"] = _unused_name(spec, f"{hidden[-1]['config']['name']}_deeper")
        entry["config"]["units"] = max(entry["config"]["units"], units)
        if (entry["config"].get("activation") or {}).get("name", "linear") == "linear":
            activated = _after(spec, hidden[-1], lambda item: _role(item, "activates"))
            if activated is not hidden[-1] and "activation" in activated["config"]:
                entry["config"]["activation"] = copy.deepcopy(activated["config"]["activation"])
        wiring.insert_after(spec, row_end, [entry])
        added.append(entry)
    if added:
        changes.append(f"{len(added)} hidden Dense layer(s) of {units} units more after "
                       f"{hidden[-1]['config']['name']} ({', '.join(e['config']['name'] for e in added)})")
    return "; ".join(changes) if changes else None


def _unused_name(spec, name):
    names = {entry["config"].get("name") for entry in spec.layers}
    candidate, number = name, 1
    while candidate in names:
        candidate, number = f"{name}_{number}", number + 1
    return candidate


def _reduce_lr_on_plateau(spec, remedy, trace):
    spec.callbacks.append(("ReduceLROnPlateau", {"monitor": remedy.params["monitor"], "factor": 0.2, "patience": 3}))
    return f"ReduceLROnPlateau(monitor='{remedy.params['monitor']}', factor=0.2, patience=3)"


MAX_EPOCH_FACTOR = 20  # progress.MAX_EPOCH_FACTOR: the probe trains at most 20x its epochs


def _train_longer(spec, remedy, trace):
    factor = min(spec.epoch_factor * remedy.params["factor"], MAX_EPOCH_FACTOR)
    if factor == spec.epoch_factor:
        return None
    spec.epoch_factor = factor
    return f"{spec.epoch_factor}x the epochs"


def _flag(attribute, text):
    def edit(spec, remedy, trace):
        if getattr(spec, attribute):
            return None
        setattr(spec, attribute, True)
        return text
    return edit


def _fix_output(spec, remedy, trace):
    output = trace.setup.get("output_layer")
    _, entry = spec.layer(output)
    activation = remedy.params["activation"]
    _set_activation(entry, activations.serialize(activations.get(activation)))
    units = remedy.params.get("units")
    owner = _kernel_owner(spec, output)
    if units and owner is not None and owner["config"].get("units") != units:
        owner["config"]["units"] = units
    spec.compile["loss"] = {"name": remedy.params["loss"], "from_logits": bool(remedy.params["from_logits"])}
    return (f"output activation {activation or 'linear'}, loss {remedy.params['loss']}"
            + (" (from_logits=True)" if remedy.params["from_logits"] else ""))


EDITS = {
    "lower_learning_rate": _set_learning_rate, "raise_learning_rate": _set_learning_rate, "clipnorm": _clipnorm,
    "switch_to_adam": _switch_to_adam, "leaky_relu": _leaky_relu, "relu_he": _relu_he, "batch_norm": _batch_norm,
    "reinitialize": _reinitialize, "reset_bias": _reset_bias, "regularize": _regularize,
    "early_stopping": _early_stopping, "l2": _l2, "weaken_regularization": _weaken_regularization,
    "add_capacity": _add_capacity, "reduce_lr_on_plateau": _reduce_lr_on_plateau, "train_longer": _train_longer,
    "standardize_inputs": _flag("standardize_inputs", "inputs standardized with the training mean and std"),
    "standardize_targets": _flag("standardize_targets", "targets standardized with the training mean and std"),
    "impute": _flag("impute", "missing inputs replaced by the training mean"), "fix_output": _fix_output,
    "drop_nonfinite_targets": _flag("drop_nonfinite_targets", "rows with a NaN or infinite target dropped"),
}

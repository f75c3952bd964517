"""Remedies written as concrete code changes, built from what the trace knows.

Each function returns a ``Remedy`` whose ``action`` names what ``repair`` does and
whose ``code`` is the line a user would change, with the values of this model (the
optimizer class, the learning rate, the layer names and units).
"""

from ._format import fmt
from .findings import Remedy


def _optimizer(setup):
    return setup.get("optimizer") or {"class": "Optimizer", "learning_rate": 0.001}


def _range_test(setup, optimizer):
    """The learning rate the range test suggested for this set-up's optimizer, or None.

    ``diagnose`` runs ``lr_finder.sweep`` on a copy of the model when a finding offers a
    learning-rate remedy and stores the result in ``setup['lr_finder']``."""
    found = setup.get("lr_finder") or {}
    if found.get("suggestion") and found.get("optimizer") == optimizer["class"]:
        return float(found["suggestion"])
    return None


def lower_learning_rate(setup, factor=10.0, below_suggestion=1.0):
    """Down to the range test's suggestion (divided by `below_suggestion`) when it is lower;
    else `factor` times lower."""
    optimizer = _optimizer(setup)
    old = optimizer["learning_rate"]
    suggested = _range_test(setup, optimizer)
    if suggested is not None and suggested / below_suggestion < old:
        new = suggested / below_suggestion
        how = ("to the range test's suggestion (gradwise.doctor.find_learning_rate)" if below_suggestion == 1 else
               f"to {below_suggestion:g}x below the range test's suggestion")
    else:
        new, how = old / factor, f"{factor:g}x"
    return Remedy("lower_learning_rate", f"Lower the learning rate {how}.",
                  f"optimizer={optimizer['class']}(learning_rate={new:.3g})  # was {old:g}", {"learning_rate": new})


def lower_learning_rate_further(setup):
    """The next remedy when the range test's rate did not clear the finding: 10x below it, or
    nothing without a range test."""
    optimizer = _optimizer(setup)
    suggested = _range_test(setup, optimizer)
    if suggested is None or suggested / 10.0 >= optimizer["learning_rate"]:
        return None
    return lower_learning_rate(setup, below_suggestion=10.0)


def raise_learning_rate(setup, factor=None):
    """Up to the range test's suggestion when it is higher; else a fixed step (at least 10x)."""
    optimizer = _optimizer(setup)
    old = optimizer["learning_rate"]
    suggested = _range_test(setup, optimizer)
    if suggested is not None and suggested > old:
        new, how = suggested, " to the range test's suggestion (gradwise.doctor.find_learning_rate)"
    else:
        new = max(min(old * (factor or 100.0), 1e-3 if optimizer["class"] != "SGD" else 0.05), old * 10.0)
        how = ""
    return Remedy("raise_learning_rate", f"Raise the learning rate{how} (updates are far too small to make "
                  "progress).", f"optimizer={optimizer['class']}(learning_rate={new:.3g})  # was {old:g}",
                  {"learning_rate": new})


def clipnorm(setup, value=1.0):
    optimizer = _optimizer(setup)
    return Remedy("clipnorm", f"Clip each gradient tensor to norm {value:g}.",
                  f"optimizer={optimizer['class']}(learning_rate={optimizer['learning_rate']:g}, clipnorm={value:g})",
                  {"clipnorm": value})


def leaky_relu(layers, slope=0.1):
    names = [info["name"] for info in layers]
    example = layers[0] if layers else {"units": "units"}
    return Remedy("leaky_relu", "Use LeakyReLU (it never outputs a constant 0) with He initialization.",
                  f"Dense({example['units']}, activation=LeakyReLU(negative_slope={slope:g}), "
                  f"kernel_initializer='he_normal')  # in {', '.join(names)}, was activation='relu'",
                  {"layers": names, "negative_slope": slope})


def relu_he(layers):
    names = [info["name"] for info in layers]
    example = layers[0] if layers else {"units": "units", "activation": "sigmoid"}
    return Remedy("relu_he", "Use ReLU with He initialization in the hidden layers (its derivative is 1 where active).",
                  f"Dense({example['units']}, activation='relu', kernel_initializer='he_normal')  "
                  f"# in {', '.join(names)}, was activation='{example['activation']}'", {"layers": names})


def batch_norm(layers):
    """None when every layer is already followed by a normalization (a LayerNormalization, say): batch
    normalization after a layer normalization adds nothing but batch noise."""
    names = [info["name"] for info in layers if not info.get("normalized_after")]
    if not names:
        return None
    return Remedy("batch_norm", "Normalize the pre-activations with BatchNormalization.",
                  f"Dense(units) -> BatchNormalization() -> Activation(...)  # after {', '.join(names)}",
                  {"layers": names})


def standardize_inputs(setup):
    worst = ((setup.get("inputs") or {}).get("worst") or [{}])[0]
    detail = f" ('{worst['feature']}' has mean {fmt(worst['mean'])}, std {fmt(worst['std'])})" if worst else ""
    return Remedy("standardize_inputs", f"Standardize every input feature to mean 0, std 1{detail}.",
                  "scaler = sklearn.preprocessing.StandardScaler().fit(x_train); "
                  "x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)", {})


def standardize_targets(labels):
    return Remedy("standardize_targets", f"Standardize the regression targets (mean {fmt(labels.get('mean'))}, "
                  f"std {fmt(labels.get('std'))}) and undo it on the predictions.",
                  "y_mean, y_std = y_train.mean(), y_train.std(); y_train = (y_train - y_mean) / y_std; "
                  "predictions = model.predict(x) * y_std + y_mean", {})


def reinitialize(layers, initializer):
    names = [info["name"] for info in layers]
    old = layers[0].get("kernel_initializer") if layers else None
    return Remedy("reinitialize", f"Re-initialize the kernels with {initializer} (it fits the activation).",
                  f"Dense(..., kernel_initializer='{initializer}')  # in {', '.join(names)}, was {old}",
                  {"layers": names, "initializer": initializer})


def reset_bias(layers):
    names = [info["name"] for info in layers]
    return Remedy("reset_bias", "Start the biases at zero.",
                  f"Dense(..., bias_initializer='zeros')  # in {', '.join(names)}", {"layers": names})


def early_stopping(patience=5):
    return Remedy("early_stopping", "Stop when the validation loss stops improving and keep the best weights.",
                  f"callbacks=[EarlyStopping(monitor='val_loss', patience={patience}, restore_best_weights=True)]",
                  {"patience": patience})


def regularize(rate=0.3, patience=5):
    return Remedy("regularize", f"Add Dropout({rate:g}) after each hidden layer and stop early on the validation loss.",
                  f"Dense(units, ...), Dropout({rate:g})  # after each hidden layer; and callbacks=[EarlyStopping("
                  f"monitor='val_loss', patience={patience}, restore_best_weights=True)]",
                  {"rate": rate, "patience": patience})


def l2(coefficient=1e-3):
    return Remedy("l2", f"Penalize large kernels with L2({coefficient:g}).",
                  f"Dense(..., kernel_regularizer=L2({coefficient:g}))", {"l2": coefficient})


def add_capacity(layers, units, depth=2):
    """Widen `layers` to `units`, and give a network of fewer than `depth` hidden layers more of
    them. Depth 2, the tutorials' tabular network (Keras's and PyTorch's: two hidden layers):
    one hidden layer widened to 64 tanh units reached an R² of 0.79 on Friedman's target where
    two layers of 64 reach 0.94 (``bench/doctor/independent.py``, two_units_friedman)."""
    names = [info["name"] for info in layers]
    old = layers[0]["units"] if layers else "?"
    return Remedy("add_capacity", f"Give the narrow hidden layers {units} units, and the network at least {depth} "
                  "hidden layers.",
                  f"Dense({units}, ...)  # {', '.join(names)}, was Dense({old}); at least {depth} hidden layers",
                  {"layers": names, "units": units, "depth": depth})


def weaken_regularization(layers, factor=100.0):
    names = [info["name"] for info in layers]
    return Remedy("weaken_regularization", f"Weaken the weight penalty {factor:g}x.",
                  f"Dense(..., kernel_regularizer=L2(...))  # in {', '.join(names)}: "
                  f"divide the coefficient by {factor:g}",
                  {"layers": names, "factor": factor})


def reduce_lr_on_plateau(monitor="loss"):
    return Remedy("reduce_lr_on_plateau", "Lower the learning rate when the loss stalls.",
                  f"callbacks=[ReduceLROnPlateau(monitor='{monitor}', factor=0.2, patience=3)]", {"monitor": monitor})


def switch_to_adam(setup, learning_rate=1e-3):
    optimizer = _optimizer(setup)
    return Remedy("switch_to_adam", "Use Adam, whose per-parameter step sizes cross flat regions faster.",
                  f"optimizer=Adam(learning_rate={learning_rate:g})  # was {optimizer['class']}"
                  f"(learning_rate={optimizer['learning_rate']:g})", {"learning_rate": learning_rate})


def train_longer(factor=3, reason=""):
    return Remedy("train_longer", f"Train {factor:g}x as many epochs{reason}.",
                  f"model.fit(..., epochs=epochs * {factor:g})", {"factor": factor})


def fix_output(setup, activation, loss, from_logits=False):
    units = setup.get("output_units")
    loss_code = f"'{loss}'" if not from_logits else f"{_loss_class(loss)}(from_logits=True)"
    act_code = "None" if activation is None else f"'{activation}'"
    return Remedy("fix_output", f"Pair the output activation and the loss: {activation or 'linear'} with {loss}"
                  + (" from logits." if from_logits else "."),
                  f"Dense({units}, activation={act_code}) and model.compile(..., loss={loss_code})"
                  f"  # was activation='{setup.get('output_activation')}', loss='{setup.get('loss')}'",
                  {"activation": activation, "loss": loss, "from_logits": from_logits, "units": units})


def _loss_class(loss):
    return "".join(part.capitalize() for part in loss.split("_")).replace("Crossentropy", "Crossentropy")

"""What goes into a file: the weights, the optimizer state and the random generators.

Each ``*_section`` function turns part of a model into JSON-ready metadata plus named
arrays; each ``restore_*`` function checks that metadata (it comes from a file) and puts
it back, raising ``ModelFileError`` for malformed content and ``ValueError`` naming the
layer and the weight when a file does not fit the model.
"""

import numpy as np

from .errors import ModelFileError

# Bit generators a file may name (never an arbitrary attribute of np.random).
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
# The model's own generators: initialization (layers built later) and shuffling.
MODEL_GENERATORS = ("_build_rng", "_shuffle_rng")


def expect(value, kind, label, what):
    """Return `value` if it is an instance of `kind`, else raise ModelFileError about `what`."""
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ModelFileError(label, f"its {what} is malformed: the file is corrupt or not from gradwise.")
    return value


def _add_array(arrays, value):
    key = f"array_{len(arrays)}"
    arrays[key] = np.asarray(value)
    return key


def _array(arrays, key, label, what):
    if not isinstance(key, str) or key not in arrays:
        raise ModelFileError(label, f"the array of {what} is missing: the file is corrupt.")
    return arrays[key]


# ----- weights ------------------------------------------------------------------------
def weights_section(model, arrays):
    """Per layer: name, class and ``[weight name, array key]`` pairs (params then state)."""
    section = []
    for layer in model._all_layers():
        pairs = [[name, _add_array(arrays, value)] for name, value in zip(layer.weight_names(), layer.get_weights())]
        section.append({"name": layer.name, "class_name": type(layer).__name__, "weights": pairs})
    return section


def _saved_layers(section, arrays, label):
    """[(name, class_name, [(weight name, array)])] after checking the structure."""
    layers = []
    for entry in expect(section, list, label, "weights list"):
        entry = expect(entry, dict, label, "weights list")
        name = expect(entry.get("name"), str, label, "layer name")
        class_name = expect(entry.get("class_name"), str, label, "layer class name")
        weights = []
        for pair in expect(entry.get("weights"), list, label, f"weights of layer '{name}'"):
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise ModelFileError(label, f"the weights of layer '{name}' are malformed: the file is corrupt.")
            weights.append((pair[0], _array(arrays, pair[1], label, f"weight '{pair[0]}' of layer '{name}'")))
        layers.append((name, class_name, weights))
    return layers


def restore_weights(model, section, arrays, label):
    """Check every layer and weight against the model, then copy them in (all or nothing).

    Layers are matched by position, so a rebuilt model whose layers got other automatic
    names still loads; classes, weight names and shapes must agree.
    """
    saved = _saved_layers(section, arrays, label)
    layers = model._all_layers()
    if len(saved) != len(layers):
        raise ValueError(
            f"Cannot load weights from {label}: the file holds {len(saved)} layers "
            f"({', '.join(name for name, _, _ in saved)}) but the model has {len(layers)} "
            f"({', '.join(layer.name for layer in layers)})."
        )
    plan = []
    for index, ((name, class_name, weights), layer) in enumerate(zip(saved, layers)):
        where = f"layer {index} '{layer.name}' ({type(layer).__name__})"
        if class_name != type(layer).__name__:
            raise ValueError(
                f"Cannot load weights from {label} into {where}: the file has a {class_name} there ('{name}')."
            )
        names = layer.weight_names()
        if [weight_name for weight_name, _ in weights] != names:
            raise ValueError(
                f"Cannot load weights from {label} into {where}: the file has weights "
                f"{[weight_name for weight_name, _ in weights]}, the layer has {names}."
            )
        for weight_name, value in weights:
            target = layer.params[weight_name] if weight_name in layer.params else layer.state[weight_name]
            if value.shape != target.shape:
                raise ValueError(
                    f"Cannot load weights from {label} into {where}: weight '{weight_name}' has shape "
                    f"{value.shape} in the file but {target.shape} in the model."
                )
        plan.append((layer, [value for _, value in weights]))
    for layer, values in plan:
        layer.set_weights(values)


def restore_layer_names(model, section):
    """Give each layer its saved name (checked by restore_weights), which keys its optimizer slots: a
    model rebuilt by its constructor (a subclassed model) names its layers anew."""
    for layer, entry in zip(model._all_layers(), section):
        layer.name = entry["name"]


# ----- optimizer state ---------------------------------------------------------------------
def optimizer_section(optimizer, arrays):
    return [[key, _add_array(arrays, value)] for key, value in optimizer.get_state().items()]


def restore_optimizer(model, section, arrays, label, renamed=None):
    """Restore the optimizer's slots; `renamed` maps a saved layer name to the model's own where
    they differ (slots are keyed ``"layer/param/slot"``)."""
    state = {}
    for pair in expect(section, list, label, "optimizer state"):
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
            raise ModelFileError(label, "its optimizer state is malformed: the file is corrupt.")
        key = pair[0]
        if renamed and "/" in key and key.split("/", 1)[0] in renamed:
            layer, rest = key.split("/", 1)
            key = f"{renamed[layer]}/{rest}"
        state[key] = _array(arrays, pair[1], label, f"optimizer slot '{pair[0]}'")
    iterations = state.get("iterations")
    if iterations is None or iterations.shape != () or iterations.dtype.kind not in "iu" or int(iterations) < 0:
        raise ModelFileError(label, "its optimizer state has no valid 'iterations': the file is corrupt.")
    optimizer = model.optimizer
    if len(state) == 1 or not model.built:  # the optimizer had not taken a step yet
        optimizer.iterations = int(iterations)
        return
    try:
        optimizer.set_state(state, model.parameter_set)
    except (ValueError, KeyError) as error:
        raise ModelFileError(label, f"its optimizer state does not fit the model: {error}") from None


# ----- random generators -------------------------------------------------------------------
def _layer_generators(layer):
    return {name: value for name, value in vars(layer).items() if isinstance(value, np.random.Generator)}


def rng_section(model):
    """``bit_generator.state`` (a dict of ints) of the model's and each layer's generators."""
    return {
        "model": {name: getattr(model, name).bit_generator.state for name in MODEL_GENERATORS},
        "layers": [
            {name: generator.bit_generator.state for name, generator in _layer_generators(layer).items()}
            for layer in model._all_layers()
        ],
    }


def _restored_generator(current, state, label, where):
    if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
        raise ModelFileError(label, f"the random generator state of {where} is malformed.")
    if not isinstance(current, np.random.Generator) or type(current.bit_generator).__name__ != state["bit_generator"]:
        current = np.random.Generator(getattr(np.random, state["bit_generator"])())
    try:
        current.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise ModelFileError(label, f"the random generator state of {where} is malformed ({error}).") from None
    return current


def restore_rngs(model, section, label):
    section = expect(section, dict, label, "random generator states")
    saved_model = expect(section.get("model"), dict, label, "random generator states")
    saved_layers = expect(section.get("layers"), list, label, "random generator states")
    if len(saved_layers) != len(model._all_layers()):
        raise ModelFileError(label, "its random generator states do not match its layers: the file is corrupt.")
    for name in MODEL_GENERATORS:
        generator = _restored_generator(getattr(model, name), saved_model.get(name), label, f"the model ({name})")
        setattr(model, name, generator)
    for layer, states in zip(model._all_layers(), saved_layers):
        for name, state in expect(states, dict, label, "random generator states").items():
            # Only generators the rebuilt layer holds too: a file never sets other attributes.
            if not isinstance(getattr(layer, name, None), np.random.Generator):
                raise ModelFileError(label, f"the random generator states of layer '{layer.name}' are malformed.")
            generator = _restored_generator(getattr(layer, name, None), state, label, f"layer '{layer.name}' ({name})")
            setattr(layer, name, generator)

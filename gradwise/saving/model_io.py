"""save_model / load_model, save_weights / load_weights and clone_model.

A model file holds, in one archive (see ``format.py``): the architecture
(``model.get_config()``), the compile settings, every layer's weights (params and state
such as BatchNormalization's moving statistics), the optimizer state (slots and
``iterations``) and the state of every random generator (the model's shuffling and
initialization streams, Dropout's masks). Training a loaded model therefore continues
exactly, bit for bit, as the saved one would have.
"""

import io

import numpy as np

from .. import registry
from ..initializers import AllocationLimitError, allocation_limit
from . import payload
from .atomic import atomic_write, check_writable
from .compile_settings import compile_section, restore_compile, settings_from_section
from .errors import ModelFileError
from .format import read_archive, write_archive


def _model_class(class_name):
    """The registered model class `class_name` (models register themselves: see gradwise.registry)."""
    try:
        return registry.lookup("model", class_name)
    except ValueError:
        return None


def _check_layers_registered(model):
    for layer in model._all_layers():
        if not registry.is_registered("layer", type(layer)):
            name = type(layer).__name__
            raise ValueError(
                f"Cannot save layer '{layer.name}': the class registered as {name} is another one, so it could "
                "not be rebuilt when loading. Give the class a unique name (layers register by class name)."
            )


def _model_payload(model):
    """(meta, arrays) of a whole model; every check runs here, before any file is touched."""
    from .. import __version__

    _check_layers_registered(model)
    if not registry.is_registered("model", type(model)):
        raise ValueError(f"Cannot save model '{model.name}': another class is registered as {type(model).__name__}, so "
                         "loading would rebuild that one. Give the class a unique name (models register by class name).")
    arrays = {}
    meta = {
        "kind": "model",
        "gradwise_version": __version__,
        "class_name": type(model).__name__,
        "config": model.get_config(),
        "built": bool(model.built),
        "input_shape": _saved_input_shape(model) if model.built else None,  # for models whose config has none
        "compile": compile_section(model),
        "weights": payload.weights_section(model, arrays),
        "rng": payload.rng_section(model),
    }
    meta["optimizer_state"] = payload.optimizer_section(model.optimizer, arrays) if model.compiled else None
    return meta, arrays


def _saved_input_shape(model):
    """The input shape as build takes it again: a dict by input name for a subclassed model whose call
    takes a dict of inputs, else the shape (or the list of shapes)."""
    keys = getattr(model, "_call_structure", ("single", None))[1]
    if keys:
        return {key: list(shape) for key, shape in zip(keys, model.input_shape)}
    return list(model.input_shape)


def _buildable_shape(shape):
    """A saved input shape as ``build`` takes it (one shape, a list of shapes, or a dict of shapes by
    input name, as a model whose call takes several inputs was built), or None when it is not one."""
    def one(item):
        if isinstance(item, list) and item and all(isinstance(d, int) and not isinstance(d, bool) and d > 0
                                                   for d in item):
            return tuple(item)
        return None

    if isinstance(shape, dict):
        shapes = {key: one(item) for key, item in shape.items()}
        return shapes if shapes and all(isinstance(key, str) and item for key, item in shapes.items()) else None
    if isinstance(shape, list) and shape and all(isinstance(item, list) for item in shape):
        shapes = [one(item) for item in shape]
        return shapes if all(shapes) else None
    return one(shape)


def _weights_payload(model):
    from .. import __version__

    model._require_built("save_weights")
    arrays = {}
    meta = {"kind": "weights", "gradwise_version": __version__, "input_shape": _saved_input_shape(model),
            "weights": payload.weights_section(model, arrays)}
    return meta, arrays


def save_model(model, filepath, overwrite=True):
    """Save architecture, compile settings, weights, optimizer and generator states to one file.

    Parameters
    ----------
    model : Sequential
    filepath : str or os.PathLike
    overwrite : bool, default True

    Raises
    ------
    ValueError
        The path cannot be written, or something in the model cannot be saved; raised
        before any file is touched.
    """
    path = check_writable(filepath, overwrite)
    meta, arrays = _model_payload(model)
    atomic_write(path, lambda handle: write_archive(handle, meta, arrays))


def save_model_to_bytes(model):
    """The bytes ``save_model`` would write (for in-memory copies, e.g. pickling a wrapper)."""
    meta, arrays = _model_payload(model)
    buffer = io.BytesIO()
    write_archive(buffer, meta, arrays)
    return buffer.getvalue()


def _file_values(arrays):
    """How many values the file's arrays hold: the most a model rebuilt from it may allocate."""
    return sum(array.size for array in arrays.values())


def _model_from_archive(label, meta, arrays):
    if meta.get("kind") == "weights":
        raise ModelFileError(label, "it holds only weights; build the model and call model.load_weights(path).")
    if meta.get("kind") != "model":
        raise ModelFileError(label, f"its kind {meta.get('kind')!r} is not 'model': the file is corrupt.")
    try:
        return _rebuild(label, meta, arrays)
    except ModelFileError:
        raise
    except AllocationLimitError as error:
        raise ModelFileError(
            label, f"its architecture declares more weights than the file holds ({error}): refused before "
            "allocating them; the file is corrupt or hostile.") from None
    except Exception as error:  # noqa: BLE001 - untrusted content: whatever it breaks is one error
        raise ModelFileError(label, f"its content is malformed ({type(error).__name__}: {error}).") from None


def _rebuild(label, meta, arrays):
    class_name = meta.get("class_name")
    cls = _model_class(class_name) if isinstance(class_name, str) else None
    if cls is None:
        raise ModelFileError(label, f"unknown model class {class_name!r}.")
    try:
        with allocation_limit(_file_values(arrays)):
            model = cls.from_config(payload.expect(meta.get("config"), dict, label, "architecture"))
            if payload.expect(meta.get("built"), bool, label, "'built' flag") and not model.built:
                shape = meta["config"].get("input_shape") or meta["input_shape"]
                model.build(shape if isinstance(shape, dict) else tuple(shape))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        if isinstance(error, (ModelFileError, AllocationLimitError)):
            raise
        raise ModelFileError(label, f"its architecture cannot be rebuilt ({type(error).__name__}: {error}).") from None
    try:
        payload.restore_weights(model, meta.get("weights"), arrays, label)
    except ModelFileError:
        raise
    except ValueError as error:  # the file's weights do not fit its own architecture
        raise ModelFileError(label, f"its weights do not fit its architecture: {error}") from None
    payload.restore_layer_names(model, meta["weights"])  # a subclassed model's layers were named anew
    if meta.get("compile") is not None:
        restore_compile(model, payload.expect(meta["compile"], dict, label, "compile settings"), label)
        payload.restore_optimizer(model, meta.get("optimizer_state"), arrays, label)
    payload.restore_rngs(model, meta.get("rng"), label)
    return model


# Files of other kinds that packages above this one write (gradwise.tabular: "tabular_model").
_FILE_KINDS = {}


def register_file_kind(kind, loader):
    """Let ``load_model`` read files of `kind` with ``loader(label, meta, arrays) -> model``."""
    _FILE_KINDS[kind] = loader


def model_from_archive(label, meta, arrays):
    """The model of an archive already read (``format.read_archive``); for loaders of other kinds."""
    return _model_from_archive(label, meta, arrays)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved with ``model.save`` (or ``save_model``), ready to predict or train on.

    Parameters
    ----------
    filepath : str or os.PathLike
    custom_objects : dict, optional
        Keras's: names in the file mapped to classes. gradwise layers and models register
        under their class name when defined, so this is needed only where a file names a
        class by another name.
    compile : bool, default True
        False: the model comes back uncompiled (no optimizer, loss or metrics), as Keras's.
    safe_mode : bool, default True
        Accepted for Keras code; gradwise files never hold code or pickles, so every load
        is safe.

    Returns
    -------
    Sequential
        Compiled if the saved model was (and `compile`); for the ``best.gw`` of ``gradwise
        tune``, a ``gradwise.tabular.TabularModel`` that predicts from raw rows.

    Raises
    ------
    gradwise.saving.ModelFileError
        The file is missing, a folder, empty, truncated, corrupt, of another format, or
        written by a newer gradwise. The message names the file and the problem.
    """
    if not isinstance(compile, (bool, np.bool_)):
        raise TypeError(f"load_model: `compile` must be a bool, got {compile!r}.")
    label, meta, arrays = read_archive(filepath)
    kind = meta.get("kind")
    if not compile and kind == "model":
        meta = {**meta, "compile": None, "optimizer_state": None}
    loader = _FILE_KINDS.get(kind, _model_from_archive) if isinstance(kind, str) else _model_from_archive
    with registry.custom_objects(custom_objects):
        return loader(label, meta, arrays)


def restore_training_state(model, filepath):
    """Put a whole-model file's weights, optimizer state and random generators into `model`,
    which must have the file's architecture (BackupAndRestore resuming an interrupted fit).
    All or nothing for the weights; raises ModelFileError when the file does not fit."""
    label, meta, arrays = read_archive(filepath)
    if meta.get("kind") != "model":
        raise ModelFileError(label, f"its kind {meta.get('kind')!r} is not a whole model.")
    payload.restore_weights(model, meta.get("weights"), arrays, label)  # layers matched by position
    renamed = {entry["name"]: layer.name for layer, entry in zip(model._all_layers(), meta["weights"])
               if entry["name"] != layer.name}  # a model built anew names its layers anew
    if model.compiled and meta.get("optimizer_state") is not None:
        payload.restore_optimizer(model, meta["optimizer_state"], arrays, label, renamed)
    if meta.get("rng") is not None:
        payload.restore_rngs(model, meta["rng"], label)


def load_model_from_bytes(data):
    """Inverse of ``save_model_to_bytes``."""
    return _model_from_archive(*read_archive(bytes(data)))


def save_weights(model, filepath, overwrite=True):
    """Save every layer's weights (params and state) to one file, atomically.

    Raises
    ------
    ValueError
        The model is not built or the path cannot be written; the file is not touched.
    """
    path = check_writable(filepath, overwrite)
    meta, arrays = _weights_payload(model)
    atomic_write(path, lambda handle: write_archive(handle, meta, arrays))


def load_weights(model, filepath):
    """Load weights saved by ``save_weights`` or ``save`` into `model`, all or nothing.

    Layers are matched by position; an unbuilt model is first built for the saved input
    shape.

    Raises
    ------
    gradwise.saving.ModelFileError
        The file is not a readable gradwise file.
    ValueError
        The file does not fit the model; the message names the layer and the weight.
    """
    label, meta, arrays = read_archive(filepath)
    if meta.get("kind") not in ("weights", "model"):
        raise ModelFileError(label, f"its kind {meta.get('kind')!r} is not 'weights' or 'model'.")
    if not model.built:
        config = meta.get("config") if isinstance(meta.get("config"), dict) else {}
        shape = meta.get("input_shape") if meta["kind"] == "weights" else config.get("input_shape",
                                                                                     meta.get("input_shape"))
        shape = _buildable_shape(shape)
        if shape is None:
            raise ValueError(
                f"load_weights: the model is not built and {label} does not give an input shape; build it first "
                "(call it on data, or model.build(input_shape))."
            )
        try:
            with allocation_limit(_file_values(arrays)):
                model.build(shape)
        except AllocationLimitError as error:
            raise ModelFileError(
                label, f"its input shape {shape} gives the model more weights than the file holds ({error}).") from None
    try:
        payload.restore_weights(model, meta.get("weights"), arrays, label)
    except (ModelFileError, ValueError):  # a ValueError names the layer and weight that do not fit the model
        raise
    except Exception as error:  # noqa: BLE001 - untrusted content: whatever it breaks is one error
        raise ModelFileError(label, f"its weights are malformed ({type(error).__name__}: {error}).") from None


def clone_model(model, compile=True, seed=None):
    """A new model with `model`'s architecture and freshly initialized weights.

    The given model is never modified. With `compile`, the clone is compiled with the
    same settings (a new optimizer with no state).

    Parameters
    ----------
    model : Sequential
    compile : bool, default True
    seed : int, optional
        Seed of the clone; by default the clone keeps the model's seed (so a seeded
        model's clone starts from the same initial weights it started from).
    """
    config = model.get_config()
    if seed is not None:
        config["seed"] = seed
    clone = type(model).from_config(config)
    if compile and model.compiled:
        clone.compile(**settings_from_section(compile_section(model)))
    return clone

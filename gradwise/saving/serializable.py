"""Keras's serialization entry points for code that ports unchanged: a model's architecture
as JSON (``model.to_json()``, ``model_from_json``), ``register_keras_serializable`` and
``custom_object_scope``."""

import json

from .. import registry

_KINDS_BY_BASE = None  # (base class, registry kind), filled on first use (the bases import this package)


def _kinds_by_base():
    global _KINDS_BY_BASE
    if _KINDS_BY_BASE is None:
        from ..initializers import Initializer
        from ..layers import Layer
        from ..losses import Loss
        from ..metrics import Metric
        from ..models.base import BaseModel
        from ..optimizers import Optimizer
        from ..regularizers import Regularizer

        _KINDS_BY_BASE = [(BaseModel, "model"), (Layer, "layer"), (Loss, "loss"), (Metric, "metric"),
                          (Optimizer, "optimizer"), (Initializer, "initializer"), (Regularizer, "regularizer")]
    return _KINDS_BY_BASE


def register_keras_serializable(package="Custom", name=None):
    """Keras's decorator. A gradwise class already registers under its class name when it is
    defined (so saved files find it); with `name`, it is also found under that name, and
    under Keras's ``"package>name"``."""
    if not isinstance(package, str) or (name is not None and not isinstance(name, str)):
        raise TypeError(f"register_keras_serializable: `package` and `name` must be str, got {package!r}, {name!r}.")

    def decorate(cls):
        kind = next((kind for base, kind in _kinds_by_base() if isinstance(cls, type) and issubclass(cls, base)), None)
        if kind is None:
            raise TypeError(f"register_keras_serializable: {cls!r} is not a subclass of a gradwise Layer, Model, Loss, "
                            "Metric, Optimizer, Initializer or Regularizer.")
        own = name or cls.__name__
        registry.register(kind, cls, cls.__name__, own, f"{package}>{own}")
        return cls

    return decorate


def custom_object_scope(custom_objects):
    """Keras's ``with custom_object_scope({"Name": cls}):``: within the block, saved files and
    configs that name ``Name`` rebuild `cls` (see ``load_model``'s `custom_objects`)."""
    return registry.custom_objects(custom_objects)


CustomObjectScope = custom_object_scope


def model_to_json(model, **kwargs):
    """The model's architecture (no weights) as a JSON string; `kwargs` go to ``json.dumps``."""
    return json.dumps({"class_name": type(model).__name__, "config": model.get_config()}, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new, unbuilt-weights model from ``model.to_json()`` (freshly initialized weights)."""
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"model_from_json: `json_string` must be a str, got {type(json_string).__name__}.")
    try:
        spec = json.loads(json_string)
    except json.JSONDecodeError as error:
        raise ValueError(f"model_from_json: `json_string` is not JSON ({error}).") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str) or not isinstance(
            spec.get("config"), dict):
        raise ValueError("model_from_json: expected the JSON of model.to_json(), an object with 'class_name' and "
                         f"'config', got {str(json_string)[:80]!r}.")
    with registry.custom_objects(custom_objects):
        cls = registry.lookup("model", spec["class_name"])
        return cls.from_config(spec["config"])

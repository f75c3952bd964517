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
        if callable(cls) and not isinstance(cls, type):  # a function (a custom loss or activation): found by name
            own = name or cls.__name__
            registry.global_custom_objects().update({own: cls, f"{package}>{own}": cls})
            return cls
        kind = next((kind for base, kind in _kinds_by_base() if isinstance(cls, type) and issubclass(cls, base)), None)
        if kind is None:
            raise TypeError(f"register_keras_serializable: {cls!r} is not a subclass of a gradwise Layer, Model, Loss, "
                            "Metric, Optimizer, Initializer or Regularizer.")
        own = name or cls.__name__
        registry.register(kind, cls, cls.__name__, own, f"{package}>{own}")
        cls._registered_name = f"{package}>{own}"
        return cls

    return decorate


def get_custom_objects():
    """Keras's global custom objects: a dict to add ``{"Name": class_or_function}`` to; configs and
    saved files that name ``Name`` then rebuild it, in any later call of this process."""
    return registry.global_custom_objects()


def get_registered_name(obj):
    """The name `obj` (a class, an instance or a function) is saved under: Keras's ``"package>name"``
    where ``register_keras_serializable`` gave one, else its class (or function) name."""
    target = obj if isinstance(obj, type) or callable(obj) and not hasattr(obj, "get_config") else type(obj)
    return vars(target).get("_registered_name") or target.__name__  # a subclass has its own name


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class or function registered under `name` (custom objects first), or None."""
    for mapping in (custom_objects, module_objects):
        if mapping and name in mapping:
            return mapping[name]
    found = registry.find(name) if isinstance(name, str) else None
    return None if found is None else found[1]


def serialize_keras_object(obj):
    """A JSON-ready description of `obj`: ``{"module", "class_name", "config", "registered_name"}``
    for an object with ``get_config``, a function's name, and plain values as they are."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(item) for item in obj]
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if hasattr(obj, "get_config"):
        return {"module": type(obj).__module__, "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": get_registered_name(obj)}
    if callable(obj) and hasattr(obj, "__name__"):
        return obj.__name__
    raise TypeError(f"serialize_keras_object: cannot serialize {obj!r} of type {type(obj).__name__}: it has no "
                    "get_config().")


def deserialize_keras_object(config, custom_objects=None, **kwargs):
    """The object ``serialize_keras_object`` described: a name (a registered class is built with no
    arguments, a function returned), or a dict with 'class_name' and 'config'."""
    if config is None or isinstance(config, (int, float, bool)):
        return config
    with registry.custom_objects(custom_objects):
        if isinstance(config, str):
            found = get_registered_object(config)
            if found is None:
                raise ValueError(f"deserialize_keras_object: nothing is registered under {config!r}.")
            return found() if isinstance(found, type) else found
        if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
            raise TypeError("deserialize_keras_object: `config` must be a name or a dict with 'class_name' and "
                            f"'config', got {config!r}.")
        name = config.get("registered_name") or config["class_name"]
        cls = get_registered_object(name) or get_registered_object(config["class_name"])
        if cls is None:
            raise ValueError(f"deserialize_keras_object: unknown class {config['class_name']!r}; pass it in "
                             "`custom_objects` or register it (register_keras_serializable).")
        inner = config.get("config", {})
        return cls.from_config(inner) if hasattr(cls, "from_config") else cls(**inner)


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

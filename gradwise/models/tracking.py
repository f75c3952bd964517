"""Which layers a subclassed model or a block holds (Keras's attribute tracking).

A subclassed model (or a block: a ``Layer`` subclass whose ``call`` composes other
layers) holds the layers and models assigned to its attributes, directly or inside
lists, tuples and dicts, in the order they were first assigned. Its *leaves* are the
layers that hold the math (forward and backward): its own, and, in their place, the
leaves of the blocks and models it holds. Leaves are what a model builds, packs,
trains and saves, so their order is fixed by the class's ``__init__``, whatever `call`
does in a given pass.
"""

import inspect

from ..layers.base import Layer

# A model's own bookkeeping attributes, which hold layers it already tracks (or none).
_BOOKKEEPING = frozenset({"_trained_layers", "_trained_ids", "_graph", "_compiled_trainable", "_parameter_set",
                          "optimizer", "loss", "history", "_metrics", "_metric_specs", "_init_arguments"})


def is_composite(layer):
    """A block: a Layer subclass with a ``call`` and no ``forward`` of its own."""
    return isinstance(layer, Layer) and callable(getattr(layer, "call", None)) and type(layer).forward is Layer.forward


_RUNS_CALL = {}  # by class: what runs_call says (asked at every layer call of every pass)


def runs_call(target):
    """Whether calling `target` inside a recorded pass runs its ``call`` (a subclassed model or a block)."""
    cls = type(target)
    if cls not in _RUNS_CALL:
        _RUNS_CALL[cls] = bool(getattr(cls, "_define_by_run", False)) or is_composite(target)
    return _RUNS_CALL[cls]


def children(owner):
    """The layers and models in `owner`'s attributes, each once, in the order of assignment."""
    from .base import BaseModel

    found, seen = [], set()

    def visit(value):
        if isinstance(value, (Layer, BaseModel)):
            if id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    for name, value in vars(owner).items():
        if name not in _BOOKKEEPING:
            visit(value)
    return found


def leaves(owner):
    """The layers with forward and backward that `owner` holds, through blocks and nested models,
    each once, in tracking order."""
    found, seen = [], {id(owner)}

    def visit(item):
        if id(item) in seen:
            return
        seen.add(id(item))
        if runs_call(item):
            for child in children(item):
                visit(child)
        elif isinstance(item, Layer):
            found.append(item)
        else:  # a Sequential or functional model: its layers
            for child in item._all_layers():
                visit(child)

    for child in children(owner):
        visit(child)
    return found


def not_held(owner, layer, where):
    """The error for a layer `call` reaches that `owner` does not hold."""
    return ValueError(
        f"{where}: {type(layer).__name__} '{layer.name}' is not held by {type(owner).__name__} '{owner.name}'. "
        "Create each layer once in __init__ and assign it to an attribute (directly or in a list or dict); "
        "a layer made inside call would be a new, untrained layer at every call.")


_ACCEPTS_TRAINING = {}


def invoke_call(owner, inputs, training):
    """``owner.call(inputs, training=training)``, or without `training` when `call` takes no such
    argument (Keras passes it only where declared)."""
    cls = type(owner)
    if cls not in _ACCEPTS_TRAINING:
        parameters = inspect.signature(cls.call).parameters.values()
        _ACCEPTS_TRAINING[cls] = any(p.name == "training" or p.kind is p.VAR_KEYWORD for p in parameters)
    if _ACCEPTS_TRAINING[cls]:
        return owner.call(inputs, training=training)
    return owner.call(inputs)

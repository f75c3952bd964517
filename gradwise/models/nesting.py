"""A model used as a layer: called on symbolic tensors in the Functional API, or added to a Sequential.

A nested model is inlined: its graph's nodes join the outer graph, calling the same layer
objects on the outer tensors. So the outer model trains the inner model's layers (their
params are the inner model's, packed into the outer buffer while the outer trains; see
``ownership.py``), a layer the inner model calls twice is still one layer, and the engine
has nothing new to run. ``inner.trainable = False`` freezes every layer of the inner model
(Keras's rule), read at the outer ``compile``.

Structure is kept for what users see: every tensor made by inlining a call records that
call (a ``ModelCall``), so the outer model lists the inner model as one of its ``layers``,
``summary`` shows it as one row, and ``get_config`` saves it as one layer with its own
config, called once per node.
"""

import numpy as np

from .. import registry
from ..layers.symbolic import SymbolicTensor, as_symbolic, several_output_shapes
from . import structures


class ModelCall:
    """One call of `model` on the outer symbolic tensors `inputs`, making `outputs` (in the order
    of the model's outputs); `training` fixes the mode of its layers (None: the outer pass's)."""

    __slots__ = ("model", "inputs", "outputs", "training")

    def __init__(self, model, inputs, training=None):
        self.model = model
        self.inputs = list(inputs)
        self.outputs = []
        self.training = training


def is_model(item):
    from .base import BaseModel

    return isinstance(item, BaseModel)


def is_symbolic_call(value):
    """Whether a model was called on symbolic tensors (one, a list or a dict of them)."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
    return any(as_symbolic(item) is not None for item in items)


def _check_inputs(model, tensors):
    for tensor, key, expected in zip(tensors, model._input_keys, model._input_shapes):
        if expected is not None and tuple(tensor.shape) != tuple(expected):
            where = "" if len(tensors) == 1 else f" input {key!r}"
            raise ValueError(
                f"{type(model).__name__} '{model.name}' takes{where} per-sample shape {tuple(expected)} (rank "
                f"{len(expected) + 1} with the batch), but is called on {tuple(tensor.shape)} from {tensor.name!r}.")
        if model.built and tensor.dtype != model.dtype:
            raise ValueError(f"{type(model).__name__} '{model.name}' computes in {model.dtype}, but is called on a "
                             f"{tensor.dtype} tensor from {tensor.name!r}; build both in one dtype (set_floatx).")


def inlined_graph(model):
    """The graph whose nodes a call of `model` inlines: a Sequential's or functional model's own; for
    a subclassed model, one traced pass of its ``call`` on zeros (as Keras traces a subclassed
    model called on symbolic tensors): the layer calls it made, in order. So Python branches in
    ``call`` are taken once, at the trace, with ``training=False``; the layers then run in the
    outer pass's mode."""
    if not getattr(model, "_define_by_run", False):
        return model._graph
    from .graph import Graph

    if not model.built:
        raise ValueError(f"{type(model).__name__} '{model.name}' is not built; call it on symbolic tensors or arrays "
                         "first.")
    shapes = model._input_shapes
    tape = model._graph.forward([np.zeros((1, *shape), dtype=model.dtype) for shape in shapes], training=False)
    count = len(tape.values) - len(tape.outputs)
    made = {node.output for node in tape.nodes}
    constants = [number for number in range(len(shapes), count) if number not in made]
    if constants:
        raise TypeError(f"{type(model).__name__} '{model.name}': its call uses a constant array, which a model used as "
                        "a layer of a Sequential or functional graph cannot hold; make the constant a weight of a "
                        "layer, or call the model inside the call of another gradwise.Model subclass.")
    last = max((index for index in tape.output_nodes if index is not None), default=-1)
    return Graph(list(range(len(shapes))), list(tape.outputs), tape.nodes[:last + 1], count)


def call_tensors(model, inputs, training=None):
    """Inline one call of `model` on symbolic `inputs` (as its inputs are given: one, a list or a
    dict by input name); returns the list of its output tensors. `training` (True or False) fixes
    the mode of every inlined layer call whose own mode the inner model did not fix."""
    if not model.built and getattr(model, "_define_by_run", False):  # its inputs' structure comes from this call
        if isinstance(inputs, dict):
            model.build({key: as_symbolic(item).shape for key, item in inputs.items()})
        elif isinstance(inputs, (list, tuple)) and len(inputs) > 1:
            model.build([as_symbolic(item).shape for item in inputs])
    items = structures.flatten(inputs, model._input_keys, "inputs", "input", items="symbolic tensors")
    tensors = [as_symbolic(item) for item in items]
    if any(tensor is None for tensor in tensors):
        raise TypeError(f"{type(model).__name__} '{model.name}': mix of symbolic tensors and arrays in {inputs!r}; "
                        "give every input as a symbolic tensor (from Input or a layer call).")
    _check_inputs(model, tensors)
    if not model.built:
        model.build(tensors[0].shape)
    graph = inlined_graph(model)
    training = None if training is None else bool(training)
    call = ModelCall(model, tensors, training)
    values = dict(zip(graph.inputs, tensors))
    for node in graph.nodes:
        several = node.outputs is not None
        made = [SymbolicTensor(shape, model.dtype, layer=node.layer, inputs=[values[number] for number in node.inputs])
                for shape in (several_output_shapes(node.layer) if several else [node.layer.output_shape])]
        siblings = tuple(made) if several else None
        for tensor, number in zip(made, node.outputs if several else [node.output]):
            tensor.call = call
            tensor.training = training if node.training is None else node.training
            tensor.siblings = siblings
            values[number] = tensor
    call.outputs = [values[number] for number in graph.outputs]
    return call.outputs


def call_symbolic(model, inputs, training=None):
    """`model(inputs)` on symbolic tensors: its outputs, given back as the model's outputs were.

    With ``training=False`` (Keras's fine-tuning pattern ``x = base_model(inputs,
    training=False)``) the model's layers run in inference mode in this call, in fit too:
    dropout off, BatchNormalization on its moving statistics, which it leaves as they are;
    ``training=True`` keeps them in training mode, in predict too."""
    if training is not None and not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"{type(model).__name__} '{model.name}': `training` must be True, False or None, "
                        f"got {training!r}.")
    return structures.pack(call_tensors(model, inputs, training), model.output_names, model._output_form)


def top_level_calls(tensors):
    """[(item, input tensors, output tensors)] of a graph's symbolic `tensors` (in topological
    order, the Inputs included): each layer call, and each nested model call once, in order."""
    calls, seen = [], set()
    for tensor in tensors:
        call = getattr(tensor, "call", None)
        if call is None:
            if tensor.layer is not None and tensor.siblings is None:
                calls.append((tensor.layer, list(tensor.inputs), [tensor]))
            elif tensor.layer is not None and id(tensor.siblings) not in seen:  # a layer's several outputs, once
                seen.add(id(tensor.siblings))
                calls.append((tensor.layer, list(tensor.inputs), list(tensor.siblings)))
        elif id(call) not in seen:
            seen.add(id(call))
            calls.append((call.model, call.inputs, call.outputs))
    return calls


def flat_layers(items):
    """Every layer of `items` (layers and models), nested models' layers in their place, each once."""
    layers, seen = [], set()
    for item in items:
        for layer in item._all_layers() if is_model(item) else [item]:
            if id(layer) not in seen:
                seen.add(id(layer))
                layers.append(layer)
    return layers


def serialize(item):
    """A layer's or a nested model's config (a model is marked, to be found among models)."""
    from ..layers import serialize as serialize_layer

    if is_model(item):
        return {"class_name": type(item).__name__, "config": item.get_config(), "model": True}
    return serialize_layer(item)


def deserialize(config):
    from ..layers import deserialize as deserialize_layer

    if isinstance(config, dict) and config.get("model") is True:
        cls = registry.lookup("model", config.get("class_name"))
        return cls.from_config(dict(config.get("config", {})))
    return deserialize_layer(config)

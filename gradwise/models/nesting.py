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

A subclassed model is inlined as the layer calls its ``call`` makes, traced in each mode
where ``if training:`` branches differ (``modes.py``): fit runs the training branch.
"""

import numpy as np

from .. import registry
from ..layers.symbolic import SymbolicTensor, as_symbolic, several_output_shapes
from . import modes, structures
from .graph import Node


class ModelCall:
    """One call of `model` on the outer symbolic tensors `inputs`, making `outputs` (in the order
    of the model's outputs); `training` fixes the mode of its layers (None: the outer pass's)."""

    __slots__ = ("model", "inputs", "outputs", "training")

    def __init__(self, model, inputs, training=None):
        self.model = model
        self.inputs = list(inputs)
        self.outputs = []
        self.training = training


_model_class = []  # [BaseModel], filled on first use (base.py imports this module)


def is_model(item):
    if not _model_class:
        from .base import BaseModel

        _model_class.append(BaseModel)
    return isinstance(item, _model_class[0])


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


def inline_nodes(model, inputs, count, training=None):
    """The nodes of one call of `model` on the outer tensors numbered `inputs`, numbering the tensors
    they make from `count`: (nodes, the call's output tensor numbers, the next free number).
    `training` (True or False) fixes the mode of the call (see ``call_tensors``)."""
    nodes, ends = [], []
    for graph, only in modes.branches(model, training):
        numbers = dict(zip(graph.inputs, inputs))
        for node in graph.nodes:
            parents = [numbers[number] for number in node.inputs]
            if training is not None and node.only is not None and node.only != training:
                continue  # a nested model's branch of the mode this call does not run
            if training is not None and getattr(node.layer, "switches_mode", False):
                numbers[node.output] = parents[0 if training else 1]  # its branch of this call's mode
                continue
            for number in (node.output,) if node.outputs is None else node.outputs:
                numbers[number], count = count, count + 1
            mode = training if node.training is None else node.training
            branch = None if training is not None else only if node.only is None else node.only
            if node.outputs is None:
                nodes.append(Node(node.layer, parents, numbers[node.output], mode, only=branch))
            else:
                nodes.append(Node(node.layer, parents, None, mode, outputs=[numbers[n] for n in node.outputs],
                                  only=branch))
        ends.append([numbers[number] for number in graph.outputs])
    if len(ends) == 1:
        return nodes, ends[0], count
    outputs = []
    for fitting, inference, shape in zip(*ends, model._output_shapes):
        if fitting == inference:
            outputs.append(fitting)
            continue
        nodes.append(Node(_switch(shape, model.dtype), (fitting, inference), count, training))
        outputs.append(count)
        count += 1
    return nodes, outputs, count


def _switch(shape, dtype):
    switch = modes.ModeSwitch()
    switch.build_for([shape, shape], None, dtype)
    return switch


def call_tensors(model, inputs, training=None):
    """Inline one call of `model` on symbolic `inputs` (as its inputs are given: one, a list or a
    dict by input name); returns the list of its output tensors. `training` (True or False) fixes
    the mode of every inlined layer call whose own mode the inner model did not fix; a subclassed
    model whose ``call`` branches on `training` is inlined in both modes (``modes.py``)."""
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
    training = None if training is None else bool(training)
    call = ModelCall(model, tensors, training)
    first = len(tensors)
    nodes, outputs, _ = inline_nodes(model, list(range(first)), first, training)
    values = dict(enumerate(tensors))

    for node in nodes:
        parents = [values[number] for number in node.inputs]
        several = node.outputs is not None
        made = [SymbolicTensor(shape, model.dtype, layer=node.layer, inputs=parents)
                for shape in (several_output_shapes(node.layer) if several else [node.layer.output_shape])]
        for tensor, number in zip(made, node.outputs if several else [node.output]):
            tensor.call, tensor.training = call, node.training
            tensor.only = node.only  # the mode whose passes run its node (read by functional.Model)
            tensor.siblings = tuple(made) if several else None
            values[number] = tensor
    call.outputs = [values[number] for number in outputs]
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

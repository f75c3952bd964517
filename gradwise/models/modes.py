"""A subclassed model's ``if training:`` inside a Sequential or functional graph.

A subclassed model used as a layer of a graph is inlined as the layer calls its ``call``
makes (``nesting.py``). Python branches on ``training`` decide which calls those are, so
the model is traced in both modes (``trace``). When the two traces record the same
calls, one is inlined and its layers run in each pass's mode, as before. When they
differ (``if training: x = self.noise(x)``), both are inlined side by side: each node
carries the mode it belongs to (``Node.only``, so a pass runs only its own mode's
nodes) and a ``ModeSwitch`` per output hands on the branch that ran. So fit runs the
training branch, predict and evaluate the other, as Keras runs ``call`` each time.

A trace records structure only: every layer in it runs in inference mode, so tracing
the training branch moves no BatchNormalization statistic and draws no dropout mask.
"""

import numpy as np

from ..layers.base import Layer, unique_name
from .graph import Graph
from .recording import Recorder


class ModeSwitch(Layer, register=False):
    """Gives back the input of the pass's mode: ``inputs[0]`` (the training branch's tensor) in a
    training pass, ``inputs[1]`` otherwise; the other branch did not run (its value is None)."""

    multi_input = True
    supports_masking = True
    switches_mode = True  # a subclassed model's pass hands the tensor on without recording a call

    def __init__(self, **kwargs):
        super().__init__(name=unique_name("mode_switch"), **kwargs)

    def compute_output_shape(self, input_shape):
        training, inference = (tuple(shape) for shape in input_shape)
        if training != inference:
            raise ValueError(f"A subclassed model's call returns per-sample shape {training} in training and "
                             f"{inference} in inference; a model used as a layer of a graph must return one shape.")
        return training

    def compute_mask(self, inputs, mask):
        return next((item for item in (mask or []) if item is not None), None)

    def forward(self, inputs, training=False):
        taken = 0 if training else 1
        return inputs[taken], taken

    # y = x_taken  =>  dx_taken = dy; the branch not taken did not run and gets none
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        grads = [None, None]
        grads[cache] = grad_outputs
        return grads


class _StructureRecorder(Recorder):
    """Records the calls of one pass of ``call`` in `training` mode, running every layer in
    inference mode (no side effect). A layer call whose mode ``call`` fixed itself
    (``self.dropout(x, training=True)``) keeps that mode in its node."""

    def _record(self, layer, arguments, training):
        made = super()._record(layer, arguments, False)
        if training != self.training:
            self.nodes[-1].training = training
        return made


def trace(model, training):
    """The Graph of the layer calls of one pass of a subclassed `model`'s ``call`` in mode `training`
    (on zeros, as Keras traces a subclassed model called on symbolic tensors)."""
    shapes = model._input_shapes
    recorder = _StructureRecorder(model, training)
    tape = recorder.run([np.zeros((1, *shape), dtype=model.dtype) for shape in shapes], model._call_structure)
    known = {id(layer) for layer in model._graph.layers}
    reached = {id(node.layer): node.layer for node in tape.nodes if id(node.layer) not in known}
    if reached:  # built by this trace (a layer only the training branch calls): the model takes it in
        model._layers_reached(list(reached.values()), False)
    count = len(tape.values) - len(tape.outputs)
    made = {number for node in tape.nodes
            for number in ((node.output,) if node.outputs is None else node.outputs)}
    if any(number not in made for number in range(len(shapes), count)):
        raise TypeError(f"{type(model).__name__} '{model.name}': its call uses a constant array, which a model used as "
                        "a layer of a Sequential or functional graph cannot hold; make the constant a weight of a "
                        "layer, or call the model inside the call of another gradwise.Model subclass.")
    last = max((index for index in tape.output_nodes if index is not None), default=-1)
    return Graph(list(range(len(shapes))), list(tape.outputs), tape.nodes[:last + 1], count)


def _structure(graph):
    return (tuple(graph.outputs), graph.tensor_count,
            tuple((id(node.layer), node.inputs, node.output, node.outputs, node.training) for node in graph.nodes))


def branches(model, training=None):
    """[(graph, mode)] to inline for one call of `model`: its own graph (mode None: runs in every
    pass); for a subclassed model, its trace in the call's fixed mode `training`, else one trace
    when both modes call the same layers, else the training trace (mode True) and the inference
    trace (mode False)."""
    if not getattr(model, "_define_by_run", False):
        return [(model._graph, None)]
    if not model.built:
        raise ValueError(f"{type(model).__name__} '{model.name}' is not built; call it on symbolic tensors or arrays "
                         "first.")
    if training is not None:
        return [(trace(model, training), None)]
    inference, fitting = trace(model, False), trace(model, True)
    if _structure(inference) == _structure(fitting):
        return [(inference, None)]
    return [(fitting, True), (inference, False)]

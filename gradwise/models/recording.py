"""Define-by-run: one pass of a subclassed model's ``call``, recorded layer call by layer call.

A pass wraps its input in a ``RecordedTensor`` and runs ``call``. Each layer called on a
recorded tensor is run at once on the arrays and recorded as a ``Node`` (which layer, on
which tensors, making which tensor) with its cache; a block or a subclassed model called
inside runs its own ``call`` in the same pass, and a Sequential or functional model
called inside has its nodes recorded one by one. So the record holds only layers with
forward and backward, in the order they ran: a topological order. Backward replays it
in reverse through a ``Graph`` of the record (``graph.py``): gradients add up where a
tensor is read twice, and a layer called twice writes its gradient once and adds the
second call's.

Nothing of a pass is kept on the model or the layers: the pass is its ``CallTape``.
"""

import numpy as np

from .. import backend
from ..layers.base import Layer
from ..layers.recorded import RecordedTensor, register_block_runner
from ..layers.symbolic import several_output_shapes
from .graph import Graph, Node, Tape
from .ownership import note_drawn
from .tracking import invoke_call, leaves, not_held, runs_call


class CallTape(Tape):
    """A Tape of one pass of ``call``.

    ``values`` ends with the outputs once more, so ``values[-k:]`` are the pass's k outputs
    (``values[-1]`` its only one); ``caches`` holds the caches of the nodes that made the
    outputs (``call_graph.CallGraph.nodes``, whose logits a fused loss reads). The record
    itself: `nodes` in the order they ran with their `node_caches`, the outputs' tensor
    numbers `outputs` and the indices of the nodes that made them, `output_nodes` (None for
    an output that is an input of `call`); `structure` is how `call` returned them:
    ('single', None), ('list', None) or ('dict', keys).
    """

    __slots__ = ("nodes", "node_caches", "outputs", "output_nodes", "structure")

    def __init__(self, values, nodes, node_caches, outputs, output_nodes, structure):
        super().__init__(values, [node_caches[index] for index in output_nodes if index is not None])
        self.nodes = nodes
        self.node_caches = node_caches
        self.outputs = outputs
        self.output_nodes = output_nodes
        self.structure = structure

    def replay(self, trained, graphs, inputs):
        """(Graph, Tape) of this record for ``Graph.backward``, its gradients planned for the layers
        `trained` (ids, or None); `inputs`: how many inputs `call` took. `graphs` keeps the Graphs
        made before, by structure: most passes record the same calls as the previous one, and
        reuse its Graph."""
        # nodes after the last output's are dead ends: nothing of the outputs' gradients reaches them
        made = [index for index in self.output_nodes if index is not None]
        nodes = self.nodes[:max(made) + 1] if made else []
        key = (tuple(self.outputs), len(self.values), *((id(node.layer), node.inputs, node.output, node.outputs) for node in nodes))
        graph = graphs.get(key)
        if graph is None:
            if len(graphs) >= 8:  # a `call` whose structure varies: keep the latest few
                graphs.pop(next(iter(graphs)))
            graph = graphs[key] = Graph(list(range(inputs)), list(self.outputs), nodes, len(self.values))
            graph.plan_gradients(trained)
        return graph, Tape(self.values, self.node_caches)


class Recorder:
    """Records one pass of `model`'s ``call``; `model` gives the generator and dtype that build
    the layers called for the first time, and checks that each layer is one it holds."""

    def __init__(self, model, training, owner=None):
        self.model = model
        self.owner = model if owner is None else owner  # whose `call` the pass runs
        self.training = bool(training)
        self.values, self.caches, self.nodes = [], [], []
        self.producers = []  # per tensor, the name of the layer that made it (None for the inputs)
        self.scopes = [self.owner]  # whose `call` is running, innermost last (for messages)

    def where(self):
        return f"{type(self.scopes[-1]).__name__}.call"

    def tensor(self, value, producer=None):
        self.values.append(value)
        self.producers.append(producer)
        return RecordedTensor(self, len(self.values) - 1, value)

    def number(self, value, layer=None):
        """The tensor number of `value` in this pass (a constant array is added as a tensor); `layer`:
        the layer it is an input of (None: the output of `call`), for messages."""
        if isinstance(value, RecordedTensor) and value.recorder is self:
            return value.number
        what = "the output of `call`" if layer is None else f"an input of {type(layer).__name__} '{layer.name}'"
        if isinstance(value, RecordedTensor):
            if value.recorder is not self:
                raise ValueError(f"{self.where()}: {what} is a tensor from another call of a model; use only the "
                                 "inputs of this call and the outputs of layers called on them.")
            return value.number
        array = np.asarray(value)
        if not np.issubdtype(array.dtype, np.number):
            raise TypeError(f"{self.where()}: {what} must be a tensor or an array of numbers, got "
                            f"{value!r} of type {type(value).__name__}.")
        return self.tensor(array.astype(self.model.dtype, copy=False), "a constant").number

    # ----- calls ------------------------------------------------------------------------------
    def call(self, target, arguments, training=None):
        """Record `target` called on `arguments` (Layer.__call__ and a model's __call__ land here)."""
        training = self.training if training is None else bool(training)
        if runs_call(target):
            return self._run_call(target, arguments, training)
        if isinstance(target, Layer):
            return self._record(target, arguments, training)
        return self._inline(target, arguments, training)

    def run(self, inputs, structure=("single", None)):
        """The whole pass on the `inputs` arrays (a list, one per input, given to ``call`` as
        `structure` says: ('single', None), ('list', None) or ('dict', keys)): the model's
        ``call``, then the CallTape."""
        tensors = [self.tensor(array) for array in inputs]
        form, keys = structure
        arguments = tensors[0] if form == "single" else dict(zip(keys, tensors)) if form == "dict" else tensors
        result = self._invoke(self.owner, arguments, self.training, single=False)
        if isinstance(result, dict):
            returned, items = ("dict", list(result)), list(result.values())
        elif isinstance(result, (list, tuple)):
            returned, items = ("list", None), list(result)
        else:
            returned, items = ("single", None), [result]
        outputs = [self.number(item) for item in items]
        producers = {tensor: index for index, node in enumerate(self.nodes)
                     for tensor in ((node.output,) if node.outputs is None else node.outputs)}
        return CallTape(self.values + [self.values[number] for number in outputs], self.nodes, self.caches,
                        outputs, [producers.get(number) for number in outputs], returned)

    def _invoke(self, owner, arguments, training, single=False):
        """``owner.call`` in this pass; its result must be a tensor of the pass (or, for a block or model
        called inside, a list, tuple or dict of them)."""
        self.scopes.append(owner)
        try:
            result = invoke_call(owner, arguments, training)
        finally:
            self.scopes.pop()
        items = list(result.values()) if isinstance(result, dict) else result
        several = not single and isinstance(items, (list, tuple)) and len(items) > 0
        if not (isinstance(result, RecordedTensor)
                or several and all(isinstance(item, RecordedTensor) and item.recorder is self for item in items)):
            expected = "one tensor" if single else "a tensor, or a list, tuple or dict of tensors,"
            raise TypeError(f"{type(owner).__name__}.call must return {expected} made by layer calls on its inputs, "
                            f"got {result!r} (of type {type(result).__name__}).")
        return result

    def _run_call(self, owner, arguments, training):
        """A block or a subclassed model inside the pass: its ``call`` records into this pass."""
        result = self._invoke(owner, arguments, training)
        if not getattr(owner, "built", False) or getattr(owner, "output_shape", None) is None:
            shapes = [tuple(item.shape[1:]) for item in (arguments if isinstance(arguments, (list, tuple))
                                                         else [arguments])]
            input_shape = shapes if isinstance(arguments, (list, tuple)) else shapes[0]
            output_shape = (tuple(result.shape[1:]) if isinstance(result, RecordedTensor) else
                            [tuple(item.shape[1:]) for item in (result.values() if isinstance(result, dict) else result)])
            if isinstance(owner, Layer):  # a block: built by its first call, as Keras builds it
                owner.input_shape, owner.output_shape = input_shape, output_shape
                owner.dtype, owner.built = self.model.dtype, True
            else:
                owner._note_built(input_shape, output_shape)
        return result

    def _inline(self, model, arguments, training):
        """A Sequential or functional model inside the pass: each of its layer calls, recorded."""
        items = list(arguments) if isinstance(arguments, (list, tuple)) else [arguments]
        if not model.built:
            model.build(tuple(items[0].shape[1:]))
        graph = model._graph
        if len(items) != len(graph.inputs):
            raise ValueError(f"{self.where()}: model '{model.name}' takes {len(graph.inputs)} input(s), "
                             f"got {len(items)}.")
        tensors = dict(zip(graph.inputs, items))
        for node in graph.nodes:
            if node.only is not None and node.only != training:  # the other mode's branch (modes.py)
                continue
            if getattr(node.layer, "switches_mode", False):  # this pass took the branch of its mode
                tensors[node.output] = tensors[node.inputs[0 if training else 1]]
                continue
            mode = training if node.training is None else node.training
            inputs = [tensors[number] for number in node.inputs]
            made = self.call(node.layer, inputs if node.multi else inputs[0], mode)
            if node.outputs is None:
                tensors[node.output] = made
            else:
                tensors.update(zip(node.outputs, made))
        outputs = [tensors[number] for number in graph.outputs]
        return outputs[0] if len(outputs) == 1 else outputs

    def _record(self, layer, arguments, training):
        many = isinstance(arguments, (list, tuple))
        if many != bool(getattr(layer, "multi_input", False)):
            expected = "a list of tensors" if not many else "one tensor"
            raise TypeError(f"{self.where()}: {type(layer).__name__} '{layer.name}' expected {expected}, "
                            f"got {arguments!r}.")
        items = list(arguments) if many else [arguments]
        numbers = [self.number(item, layer) for item in items]
        values = [self.values[number] for number in numbers]
        shapes = [value.shape[1:] for value in values]
        shape = shapes if many else shapes[0]
        self.model._check_holds(layer, self)
        if not layer.built:
            layer.build_for(shape, self.model._build_rng, self.model.dtype)
            note_drawn(layer, getattr(self.model, "seed", None))
        elif (list(map(tuple, layer.input_shape)) if many else layer.input_shape) != shape:
            sources = ", ".join(repr(self.producers[number] or "the inputs of call") for number in numbers)
            raise ValueError(
                f"{self.where()}: {type(layer).__name__} '{layer.name}' was built for inputs of per-sample shape "
                f"{layer.input_shape}, but is called on {shape} from {sources}.")
        outputs, cache = layer.forward(values if many else values[0], training=training)
        self.caches.append(cache)
        if several_output_shapes(layer) is not None:  # several outputs (return_state): one tensor each
            made = [self.tensor(output, layer.name) for output in outputs]
            self.nodes.append(Node(layer, numbers, None, outputs=[tensor.number for tensor in made]))
            return made
        self.nodes.append(Node(layer, numbers, len(self.values)))
        return self.tensor(outputs, layer.name)


class _Alone:
    """What a pass needs from a model, for a block called by itself on arrays: the block's own
    layers, built with a fresh generator in the inputs' float dtype."""

    def __init__(self, block, dtype):
        self.block = block
        self.dtype = dtype
        self._build_rng = backend.new_rng()
        self._held_ids = {id(layer) for layer in leaves(block)}

    def _check_holds(self, layer, recorder):
        if id(layer) not in self._held_ids:
            raise not_held(self.block, layer, recorder.where())


def _run_block(block, inputs, training):
    inputs = np.asarray(inputs)
    dtype = inputs.dtype if inputs.dtype in (np.float32, np.float64) else backend.resolve_dtype(None)
    tape = Recorder(_Alone(block, dtype), bool(training), owner=block).run([inputs.astype(dtype, copy=False)])
    outputs = tape.values[len(tape.values) - len(tape.outputs):]
    if not block.built:
        shapes = [tuple(output.shape[1:]) for output in outputs]
        block.input_shape, block.output_shape = tuple(inputs.shape[1:]), shapes[0] if len(shapes) == 1 else shapes
        block.dtype, block.built = np.dtype(dtype), True
    form, keys = tape.structure
    return dict(zip(keys, outputs)) if form == "dict" else list(outputs) if form == "list" else outputs[0]


register_block_runner(_run_block)


"""Model(inputs, outputs): the Functional API, a graph of layer calls between Input and outputs.

    inputs = gradwise.Input((8,))
    hidden = Dense(16, activation="relu")(inputs)
    outputs = Dense(1, activation="sigmoid")(Add()([hidden, Dense(16)(inputs)]))
    model = gradwise.Model(inputs, outputs)

The model walks the symbolic histories back from `outputs` to `inputs` and runs the
calls as a Graph (``graph.py``): each tensor is computed once, a tensor read by several
layers sums their gradients, and a layer called several times is one layer (its
params are stored and trained once). Training is the same as Sequential's.

Not yet: several inputs or outputs, a model used as a layer, saving the architecture
(``save_weights`` works), subclassed models.
"""

import numpy as np

from .. import backend
from ..layers.symbolic import as_symbolic
from .base import BaseModel
from .graph import Graph, Node
from .summary import summary_table


def _single(value, name):
    """The one symbolic tensor in `value` (a tensor, an Input, or a list of one)."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if len(items) != 1:
        raise ValueError(f"Model: `{name}` with {len(items)} tensors is not supported yet; give one symbolic tensor.")
    tensor = as_symbolic(items[0])
    if tensor is None:
        raise TypeError(f"Model: `{name}` must be a symbolic tensor from gradwise.Input(...) or a layer call on one, "
                        f"got {items[0]!r} of type {type(items[0]).__name__}.")
    return tensor


def _topological(output):
    """Every symbolic tensor `output` depends on, each after the tensors it is computed from."""
    order, state = [], {}
    stack = [(output, False)]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            state[id(tensor)] = "done"
            order.append(tensor)
            continue
        if state.get(id(tensor)) is not None:
            continue
        state[id(tensor)] = "open"
        stack.append((tensor, True))
        stack.extend((parent, False) for parent in reversed(tensor.inputs) if state.get(id(parent)) is None)
    return order


class Model(BaseModel):
    """A graph of layer calls from `inputs` to `outputs` (Keras' Functional API).

    Parameters
    ----------
    inputs : symbolic tensor (from ``gradwise.Input``)
    outputs : symbolic tensor (from layer calls on `inputs`)
    name : str, optional
    seed : int, optional
        Seeds shuffling and dropout (the layers were built when they were called).

    Raises
    ------
    TypeError
        `inputs` or `outputs` that are not symbolic tensors.
    ValueError
        Outputs that depend on another Input than `inputs` (every output depends on some
        Input); two different layers with one name.
    """

    def __init__(self, inputs, outputs, name=None, seed=None):
        source, target = _single(inputs, "inputs"), _single(outputs, "outputs")
        tensors = _topological(target)
        sources = [tensor for tensor in tensors if tensor.layer is None]
        if any(tensor is not source for tensor in sources):
            others = [tensor.name for tensor in sources if tensor is not source]
            raise ValueError(f"Model: `outputs` depend on {others}, which is not among `inputs` ({source.name!r}); "
                             "give every Input the outputs depend on in `inputs`.")
        index = {id(source): 0}
        nodes = []
        for tensor in tensors:
            if tensor is source:
                continue
            index[id(tensor)] = len(index)
            nodes.append(Node(tensor.layer, [index[id(parent)] for parent in tensor.inputs], index[id(tensor)]))
        self.name = name or "functional"
        self.seed = seed
        self.dtype = np.dtype(target.dtype)
        rng = backend.new_rng(seed)
        self._build_rng, self._shuffle_rng = (np.random.default_rng(s) for s in rng.integers(2**63, size=2))
        self._graph = Graph([0], [index[id(target)]], nodes, len(index))
        self._check_names()
        self._input_shape = source.shape
        self._output_shape = target.shape
        self.inputs, self.outputs = [source], [target]
        self._parameter_set = None
        self._compiled_trainable = {}
        self.built = True
        self.optimizer = self.loss = self.history = None
        self.compiled = self.stop_training = False

    def _check_names(self):
        names = [layer.name for layer in self._graph.layers]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"Model: two different layers are named {duplicates}; layer names must be unique "
                             "within a model. Give them distinct `name=` arguments.")

    # ----- structure --------------------------------------------------------------------------
    def _all_layers(self):
        return list(self._graph.layers)

    @property
    def layers(self):
        return list(self._graph.layers)

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def output_shape(self):
        return self._output_shape

    def build(self, input_shape):
        if tuple(input_shape) != self._input_shape:
            raise ValueError(f"Model '{self.name}' takes inputs of per-sample shape {self._input_shape}, "
                             f"got {tuple(input_shape)}.")

    def get_layer(self, name=None, index=None):
        layers = self.layers
        if index is not None:
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r}; layers are {[layer.name for layer in layers]}.")

    def get_weights(self):
        return [weight for layer in self.layers for weight in layer.get_weights()]

    def set_weights(self, weights):
        weights = list(weights)
        expected = sum(len(layer.weight_names()) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(f"set_weights expected {expected} arrays, got {len(weights)}.")
        start = 0
        for layer in self.layers:
            count = len(layer.weight_names())
            layer.set_weights(weights[start:start + count])
            start += count

    @property
    def weights(self):
        return self.get_weights()

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=print):
        print_fn(summary_table(self))

    def _require_built(self, what):
        """A functional model is built when it is made."""

    def get_config(self):
        raise NotImplementedError(
            f"Model '{self.name}': saving a functional model's architecture is not supported yet; "
            "save its weights with model.save_weights(path) and rebuild the model in code.")

    def save(self, filepath, overwrite=True):
        """Not yet for a functional model: raises NotImplementedError (before touching the file)."""
        self.get_config()

    def save_weights(self, filepath, overwrite=True):
        from ..saving import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath):
        from ..saving import load_weights

        load_weights(self, filepath)

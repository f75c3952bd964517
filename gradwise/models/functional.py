"""Model(inputs, outputs): the Functional API, a graph of layer calls between Input and outputs.

    inputs = gradwise.Input((8,))
    hidden = Dense(16, activation="relu")(inputs)
    outputs = Dense(1, activation="sigmoid")(Add()([hidden, Dense(16)(inputs)]))
    model = gradwise.Model(inputs, outputs)

Several inputs and outputs are given as lists or dicts, ``Model({"title": a, "body": b},
[priority, department])``; fit, evaluate and predict then take and give lists or dicts
(``training.py``, ``structures.py``). An output is named after the layer that makes it,
or by its dict key.

The model walks the symbolic histories back from `outputs` to `inputs` and runs the
calls as a Graph (``graph.py``): each tensor is computed once, a tensor read by several
layers sums their gradients, and a layer called several times is one layer (its
params are stored and trained once). Training is the same as Sequential's.

``save``/``load_model`` keep the architecture as config (``get_config``): the Inputs,
each layer once and each node's layer and inbound tensors.

A model called on symbolic tensors is used as a layer: its layers join this graph
(``nesting.py``), a subclassed model too.
"""

import numpy as np

from .. import backend
from ..layers.symbolic import SymbolicTensor, as_symbolic
from . import depth_order, nesting, ownership
from .base import BaseModel
from .graph import Graph, Node
from .summary import summary_table


def _tensors(value, name):
    """(symbolic tensors, dict keys or None, form) of Model's `inputs` or `outputs`: one tensor,
    a list (a list of one is one tensor, as Keras unpacks it) or a dict."""
    if isinstance(value, dict):
        keys, items, form = list(value), list(value.values()), "dict"
    elif isinstance(value, (list, tuple)):
        keys, items, form = None, list(value), "list" if len(value) > 1 else "single"
    else:
        keys, items, form = None, [value], "single"
    if not items:
        raise ValueError(f"Model: `{name}` is empty; give at least one symbolic tensor.")
    tensors = []
    for position, item in enumerate(items):
        tensor = as_symbolic(item)
        if tensor is None:
            where = name if form == "single" else f"{name}[{(keys or range(len(items)))[position]!r}]"
            raise TypeError(f"Model: `{where}` must be a symbolic tensor from gradwise.Input(...) or a layer call on "
                            f"one, got {item!r} of type {type(item).__name__}.")
        tensors.append(tensor)
    return tensors, keys, form


def _unique(names, what, hint):
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"Model: two {what} are named {duplicates}; {hint}")


def _numbered(names):
    """Output names, one per output: Keras names an output after the layer that made it, so the
    outputs of one layer (an LSTM's sequence and its states) share a name; the second and later
    of a name become ``name_1``, ``name_2``, ... (as Keras numbers the metrics of such outputs),
    so logs, dicts of targets and losses can tell them apart."""
    taken, numbered = set(names), []
    for name in names:
        if name in numbered:
            count = 1
            while f"{name}_{count}" in taken:
                count += 1
            name = f"{name}_{count}"
            taken.add(name)
        numbered.append(name)
    return numbered


def _config_index(value, limit, what):
    """`value` checked as an index below `limit` (a count when `limit` is None)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (limit is not None and value >= limit):
        raise ValueError(f"Model.from_config: `{what}` must be an int in [0, {limit}), got {value!r}."
                         if limit is not None else f"Model.from_config: `{what}` must be a non-negative int, "
                         f"got {value!r}.")
    return value


def _structured(tensors, keys, what):
    """`tensors` as Model takes them: a dict with `keys`, a list, or one tensor ('single', the
    default of files written before a model had several inputs)."""
    if isinstance(keys, list):
        if len(keys) != len(tensors) or not all(isinstance(key, str) for key in keys):
            raise ValueError(f"Model.from_config: `{what}` must hold {len(tensors)} names, got {keys!r}.")
        return dict(zip(keys, tensors))
    if keys == "list" or len(tensors) > 1:
        return tensors
    return tensors[0]


def _topological(outputs):
    """Every symbolic tensor `outputs` depend on, each after the tensors it is computed from."""
    order, state = [], {}
    stack = [(output, False) for output in reversed(outputs)]
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
        Seeds shuffling, dropout and the initial weights of the layers drawn unseeded that
        nothing has trained or given weights yet, a nested model's included (drawn again
        from it in graph order), so two builds with one seed are identical.

    Raises
    ------
    TypeError
        `inputs` or `outputs` that are not symbolic tensors.
    ValueError
        Outputs that depend on another Input than `inputs` (every output depends on some
        Input); two different layers with one name.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        from .subclassed import adopt  # a subclass defining `call` is a subclassed model (subclassed.py)

        adopt(cls)

    def __init__(self, inputs, outputs, name=None, seed=None):
        sources, input_keys, self._input_form = _tensors(inputs, "inputs")
        targets, output_keys, self._output_form = _tensors(outputs, "outputs")
        self._check_sources(sources)
        tensors = _topological(targets)
        self._check_reached(sources, tensors)
        index = {id(source): number for number, source in enumerate(sources)}
        nodes = []
        for tensor in tensors:
            if id(tensor) in index:
                continue
            parents = [index[id(parent)] for parent in tensor.inputs]
            if tensor.siblings is not None:  # one node makes every output of the call
                for sibling in tensor.siblings:
                    index[id(sibling)] = len(index)
                nodes.append(Node(tensor.layer, parents, None, training=tensor.training,
                                  outputs=[index[id(sibling)] for sibling in tensor.siblings],
                                  only=getattr(tensor, "only", None)))
                continue
            index[id(tensor)] = len(index)
            nodes.append(Node(tensor.layer, parents, index[id(tensor)], training=tensor.training,
                              only=getattr(tensor, "only", None)))
        self.name = name or "functional"
        self.seed = seed
        self.dtype = np.dtype(targets[0].dtype)
        rng = backend.new_rng(seed)
        self._build_rng, self._shuffle_rng = (np.random.default_rng(s) for s in rng.integers(2**63, size=2))
        self._graph = Graph(list(range(len(sources))), [index[id(target)] for target in targets], nodes, len(index))
        self._draw_new_weights(seed)
        self._check_names()
        # layer calls and nested model calls, and what they list, in Keras's order (depth_order.py)
        self._calls, self._listed = depth_order.keras_order(nesting.top_level_calls(tensors), sources, targets)
        self._numbers = index  # id(symbolic tensor) -> graph tensor number
        self.input_names = [source.name for source in sources]
        self._input_keys = input_keys or self.input_names
        repeated = sorted({target.name for target in targets if sum(other is target for other in targets) > 1})
        if repeated:
            raise ValueError(f"Model: `outputs` gives the same tensor {repeated} more than once; give each output "
                             "tensor once (an identity layer such as Activation('linear') makes a second one).")
        self.output_names = output_keys or _numbered([target.name for target in targets])
        self._input_shapes = [source.shape for source in sources]
        self._input_dtypes = [getattr(source.source, "input_dtype", None) for source in sources]
        self._output_shapes = [target.shape for target in targets]
        self.inputs, self.outputs = sources, targets
        self._parameter_set = None
        self._compiled_trainable = {}
        self.built = True
        self.optimizer = self.loss = self.history = None
        self.compiled = self.stop_training = False

    def _draw_new_weights(self, seed):
        """With a `seed`, draw again from it, in graph order, the weights of the layers that were drawn
        unseeded and that nothing has trained or given weights yet: layers built by symbolic calls,
        and the layers of a nested Sequential, functional or subclassed model built without a seed.
        So two builds with one seed get identical weights, nested parts included, as a Sequential's.
        A layer given weights (set_weights, load_weights), trained, or drawn by a seeded model keeps
        its own."""
        if seed is not None:
            ownership.redraw_pending(self._graph.layers, self._build_rng)

    # what _take_graph moves: the graph and what is read from it (names, shapes, the Inputs)
    _GRAPH_PARTS = ("_graph", "_calls", "_listed", "_numbers", "inputs", "outputs", "input_names", "_input_keys",
                    "output_names", "_input_shapes", "_input_dtypes", "_output_shapes", "_input_form", "_output_form")

    def _take_graph(self, other):
        """Take the graph of `other` in place: a model built from an edited config of this one, with
        the same inputs and output names (the training doctor's live repairs add a layer or widen one
        between two epochs of fit). Compile settings, optimizer and history stay; fit packs the new
        layers' parameters at its next epoch."""
        if other.output_names != self.output_names or list(other._input_shapes) != list(self._input_shapes):
            raise ValueError(f"Model._take_graph: `other` must have this model's inputs {self._input_shapes} and "
                             f"outputs {self.output_names}, got {other._input_shapes} and {other.output_names}.")
        for part in self._GRAPH_PARTS:
            setattr(self, part, getattr(other, part))
        self._parameter_set = None

    @staticmethod
    def _check_sources(sources):
        """`inputs` must be distinct Input tensors."""
        for source in sources:
            if source.layer is not None:
                raise ValueError(f"Model: `inputs` must be tensors of gradwise.Input(...), got {source!r}, made by "
                                 f"layer '{source.layer.name}'. Start the graph from an Input of shape {source.shape}.")
        _unique([source.name for source in sources], "inputs", "each input must be a different gradwise.Input "
                "with its own name.")

    @staticmethod
    def _check_reached(sources, tensors):
        """Every Input the outputs depend on is among `inputs`, and every input reaches an output."""
        given = {id(source) for source in sources}
        used = {id(tensor) for tensor in tensors if tensor.layer is None}
        others = [tensor.name for tensor in tensors if tensor.layer is None and id(tensor) not in given]
        names = [source.name for source in sources]
        if others:
            raise ValueError(f"Model: `outputs` depend on {others}, which is not among `inputs` "
                             f"({', '.join(map(repr, names))}); give every Input the outputs depend on in `inputs`.")
        unused = [source.name for source in sources if id(source) not in used]
        if unused:
            raise ValueError(f"Model: `outputs` do not depend on input(s) {unused}; every tensor in `inputs` must "
                             f"lead to an output. Remove it from `inputs` or connect it.")

    def _check_names(self):
        _unique([layer.name for layer in self._graph.layers], "different layers",
                "layer names must be unique within a model. Give them distinct `name=` arguments.")

    # ----- structure --------------------------------------------------------------------------
    def _all_layers(self):
        # not the switches between a nested subclassed model's two modes: no weights, not saved (modes.py)
        return [layer for layer in self._graph.layers if not getattr(layer, "switches_mode", False)]

    @property
    def layers(self):
        """The InputLayers, layers and nested models, each once, in Keras's order: deepest first
        (the longest path to an output), ties in the order a walk back from the outputs meets
        them (``depth_order.py``); a chain lists its Input then its calls in order."""
        return list(self._listed)

    @property
    def _called_layers(self):
        inputs = {id(tensor.source) for tensor in self.inputs}
        return [item for item in self._listed if id(item) not in inputs]

    def _weight_layers(self):
        """The layers holding weights in ``layers``' order, a nested model's in its place (the order
        of get_weights/set_weights, as Keras's)."""
        listed, seen = [], set()
        for item in self._called_layers:
            for layer in item._weight_layers() if nesting.is_model(item) else [item]:
                if id(layer) not in seen and not getattr(layer, "switches_mode", False):
                    seen.add(id(layer))
                    listed.append(layer)
        return listed

    @property
    def input(self):
        """The Input tensor, or the list of them (Keras's ``model.input``)."""
        return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)

    @property
    def output(self):
        return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)

    @property
    def input_shape(self):
        """The per-sample input shape, or a list of them for several inputs (as Keras's)."""
        return self._input_shapes[0] if len(self._input_shapes) == 1 else list(self._input_shapes)

    @property
    def output_shape(self):
        return self._output_shapes[0] if len(self._output_shapes) == 1 else list(self._output_shapes)

    def build(self, input_shape):
        if input_shape != self.input_shape and [tuple(s) for s in input_shape] != self.input_shape:
            raise ValueError(f"Model '{self.name}' takes inputs of per-sample shape {self.input_shape}, "
                             f"got {input_shape}.")

    def get_layer(self, name=None, index=None):
        layers = self.layers
        if index is not None:
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r}; layers are {[layer.name for layer in layers]}.")

    def summary(self, print_fn=print, show_trainable=False):
        """Print a table of the Inputs and layers: output shapes, parameter counts and, as
        Keras's, the tensors each layer's calls read ("Connected to"); with `show_trainable`,
        whether each layer is trainable."""
        print_fn(summary_table(self, connected=True, show_trainable=show_trainable))

    def get_config(self):
        """The architecture as data: the Inputs, each layer and nested model once (its registered
        config) and each node (which layer, on which tensors, making which tensor; a nested
        model's node makes `outputs`, None for an output nothing reads); tensors are numbered as
        in the graph."""
        graph = self._graph
        items = self._called_layers
        position = {id(item): index for index, item in enumerate(items)}
        nodes = []
        for item, inputs, outputs in self._calls:
            node = {"layer": position[id(item)], "inputs": [self._numbers[id(tensor)] for tensor in inputs]}
            if nesting.is_model(item) or len(outputs) > 1:
                node["outputs"] = [self._numbers.get(id(tensor)) for tensor in outputs]
                training = outputs[0].call.training if nesting.is_model(item) else outputs[0].training
            else:
                node["output"] = self._numbers[id(outputs[0])]
                training = outputs[0].training
            if training is not None:  # the call's fixed mode (`base_model(x, training=False)`)
                node["training"] = training
            nodes.append(node)
        return {
            "name": self.name,
            "seed": self.seed,
            "dtype": self.dtype.name,
            "input_layers": [{"name": tensor.source.name, "shape": list(tensor.shape), "dtype": np.dtype(tensor.dtype).name,
                              **_input_dtype_entry(tensor.source)} for tensor in self.inputs],
            "input_tensors": list(graph.inputs),
            "output_tensors": list(graph.outputs),
            "tensor_count": graph.tensor_count,
            "layers": [nesting.serialize(item) for item in items],
            "nodes": nodes,
            # how `inputs` and `outputs` were given: dict keys, or 'list' / 'single'
            "input_keys": self._input_keys if self._input_form == "dict" else self._input_form,
            "output_keys": self.output_names if self._output_form == "dict" else self._output_form,
        }

    @classmethod
    def from_config(cls, config):
        """Rebuild the graph of ``get_config``: the layers are called on the Inputs again, node by
        node. Every index is checked, since a config may come from a file."""
        from ..layers.input_layer import Input

        count = _config_index(config.get("tensor_count"), None, "tensor_count") if isinstance(config, dict) else None
        if count is None:
            raise ValueError(f"Model.from_config: expected a dict with 'tensor_count', got {config!r}.")
        input_layers, input_tensors = list(config["input_layers"]), list(config["input_tensors"])
        if len(input_layers) != len(input_tensors) or not input_layers:
            raise ValueError(f"Model.from_config: {len(input_layers)} input layers for {len(input_tensors)} "
                             "input tensors; expected one layer per input tensor, at least one.")
        tensors = [None] * count
        for entry, number in zip(input_layers, input_tensors):
            source = Input(shape=tuple(entry["shape"]), name=entry["name"], dtype=entry.get("input_dtype"))
            source.symbolic_output = SymbolicTensor(source.shape, np.dtype(entry.get("dtype", config["dtype"])),
                                                    source=source)
            tensors[_config_index(number, count, "input_tensors")] = source.symbolic_output
        layers = [nesting.deserialize(layer_config) for layer_config in config["layers"]]
        with backend.seeded(0):  # building before the saved weights arrive draws nothing from the global seed
            for node in config["nodes"]:
                layer = layers[_config_index(node["layer"], len(layers), "nodes' layer")]
                arguments = [tensors[_config_index(t, count, "nodes' inputs")] for t in node["inputs"]]
                if any(argument is None for argument in arguments):
                    raise ValueError(f"Model.from_config: node of layer '{layer.name}' reads tensors {node['inputs']}, "
                                     "some of which no earlier node makes.")
                training = node.get("training")
                if training not in (None, True, False):
                    raise ValueError(f"Model.from_config: node of layer '{layer.name}' has `training` {training!r}; "
                                     "expected true, false or absent.")
                if "outputs" in node:  # a nested model (None for an output nothing reads) or a layer's several
                    made_list = (nesting.call_tensors(layer, arguments, training) if nesting.is_model(layer)
                                 else layer(arguments if getattr(layer, "multi_input", False) else arguments[0],
                                            training=training))
                    if not isinstance(made_list, list) or len(made_list) != len(node["outputs"]):
                        raise ValueError(f"Model.from_config: node of layer '{layer.name}' lists "
                                         f"{len(node['outputs'])} outputs; the layer makes another number.")
                    for number, made in zip(node["outputs"], made_list):
                        if number is not None:
                            tensors[_config_index(number, count, "nodes' outputs")] = made
                    continue
                tensors[_config_index(node["output"], count, "nodes' output")] = layer(
                    arguments if getattr(layer, "multi_input", False) else arguments[0], training=training)
        outputs = [tensors[_config_index(t, count, "output_tensors")] for t in config["output_tensors"]]
        if any(output is None for output in outputs):
            raise ValueError(f"Model.from_config: output tensors {config['output_tensors']} are not all made.")
        inputs = [tensors[number] for number in input_tensors]
        for layer in layers:  # their weights are the file's: the saved seed must not draw them again
            layer.__dict__.pop("_seed_pending", None)
        return cls(_structured(inputs, config.get("input_keys"), "input_keys"),
                   _structured(outputs, config.get("output_keys"), "output_keys"),
                   name=config.get("name"), seed=config.get("seed"))


def _input_dtype_entry(source):
    """What an Input takes, when it is not the model's floats (Input(dtype="string"), "int64")."""
    kind = getattr(source, "input_dtype", None)
    return {} if kind is None else {"input_dtype": kind}

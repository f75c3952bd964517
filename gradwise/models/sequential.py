"""Sequential: a linear stack of layers, with Keras' structure API.

The stack runs as a linear graph (``graph.py``). Training (compile/fit/evaluate/predict)
lives in ``training.py``, the flat parameter buffer and who owns a layer's params in
``ownership.py``; this module holds the structure: adding and building layers,
weights, summary and config.
"""

import numpy as np

from .. import backend
from ..layers.base import Layer
from ..layers.input_layer import Input
from ..layers.symbolic import SymbolicTensor
from .base import BaseModel
from . import nesting, ownership
from .graph import Graph, Node
from .summary import summary_table


class Sequential(BaseModel):
    """A stack of layers applied one after another.

    Parameters
    ----------
    layers : list of Layer, optional
        May start with ``Input(shape=...)``.
    name : str, optional
    seed : int, optional
        Seeds initialization, shuffling and dropout: the same seed and data give the
        same weights after training, bit for bit.
    dtype : {'float32', 'float64'}, optional
        Defaults to ``gradwise.backend.floatx()``.

    Examples
    --------
    >>> model = Sequential([Input((8,)), Dense(32, activation="relu"), Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """

    def __init__(self, layers=None, name=None, seed=None, dtype=None):
        self.name = name or "sequential"
        self.dtype = backend.resolve_dtype(dtype)
        self.seed = seed = backend.seed_of_new_model(seed)
        rng = backend.new_rng(seed)
        # Independent streams, so building later or earlier never changes the shuffles.
        self._build_rng, self._shuffle_rng = (np.random.default_rng(s) for s in rng.integers(2**63, size=2))
        self._layers = []
        self._graph = Graph.chain([])
        self._input_shape = None
        self._input_name = "input_layer"
        self._parameter_set = None
        self._compiled_trainable = {}
        self.built = False
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # ----- structure --------------------------------------------------------------------
    @property
    def layers(self):
        return list(self._layers)

    def _layers_changed(self):
        """After add or pop: the linear graph of the layers, and the parameters to pack again."""
        self._graph = self._chain_graph()
        self._parameter_set = None

    def _chain_graph(self):
        """The graph of the stack: a chain, with each nested model's graph inlined in its place."""
        if not any(nesting.is_model(item) for item in self._layers):
            return Graph.chain(self._layers)
        nodes, tensor, count = [], 0, 1
        for item in self._layers:
            if not nesting.is_model(item):
                nodes.append(Node(item, (tensor,), count))
                tensor, count = count, count + 1
                continue
            if getattr(item, "_define_by_run", False) and not item.built:  # its graph is traced at build
                return Graph([0], [0], [], 1)
            inner, (tensor,), count = nesting.inline_nodes(item, [tensor], count)
            nodes.extend(inner)
        return Graph([0], [tensor], nodes, count)

    def _all_layers(self):
        return nesting.flat_layers(self._layers)

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def output_shape(self):
        return self._layers[-1].output_shape if self.built and self._layers else None

    # one input, one output (what training.py reads for models of several)
    @property
    def input_names(self):
        return [self._input_name]

    @property
    def _input_keys(self):
        return self.input_names

    @property
    def output_names(self):
        return [self._layers[-1].name] if self._layers else ["output"]

    @property
    def _input_shapes(self):
        return [self._input_shape]

    @property
    def _output_shapes(self):
        return [self.output_shape]

    def add(self, layer):
        """Append a layer, a model (used as a layer: its layers are trained with this model's), or
        an ``Input`` giving the input shape."""
        if nesting.is_model(layer):
            if len(layer._input_shapes) != 1 or len(layer.output_names) != 1:
                raise ValueError(f"Sequential.add: a model in a Sequential must have one input and one output; "
                                 f"'{layer.name}' has {len(layer._input_shapes)} and {len(layer.output_names)}. "
                                 "Use the Functional API (gradwise.Model) to connect it.")
        elif not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a gradwise Layer or model, got {layer!r} of type "
                            f"{type(layer).__name__}.")
        if isinstance(layer, Input):
            if self._layers:
                raise ValueError("Sequential.add: Input must be the first element of a Sequential model.")
            self._input_shape = layer.shape
            self._input_name = layer.name
            self._input_dtypes = [layer.input_dtype]
            return
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"Sequential.add: a layer named '{layer.name}' is already in the model; names must be unique.")
        requested = layer.input_shape if nesting.is_model(layer) else layer.requested_input_shape
        if not self._layers and self._input_shape is None and requested is not None:
            self._input_shape = tuple(requested)
        if not self._layers and getattr(self, "_input_dtypes", None) is None and getattr(layer, "takes_strings", False):
            self._input_dtypes = ["string"]  # Keras's Sequential([StringLookup(...), ...]) fits on text without an Input
            self._strings_from_first_layer = True
        self._layers.append(layer)
        if self._input_shape is None:
            self._layers_changed()
            return
        self._parameter_set = None
        try:
            self._build(self._input_shape, extending=True)
        except BaseException:
            self._graph = self._chain_graph()  # the stack as it now is, built or not
            raise

    def pop(self):
        layer = self._layers.pop()
        if not self._layers and getattr(self, "_strings_from_first_layer", False):
            del self._input_dtypes, self._strings_from_first_layer
        self._layers_changed()
        if self.built and self._layers:
            self._trace_symbolic()  # ``model.output`` is the new last layer's (Keras rebuilds on pop)
        else:
            self._drop_trace()
        return layer

    def build(self, input_shape):
        """Build every layer for per-sample `input_shape` (no batch axis)."""
        self._build(input_shape)

    def _build(self, input_shape, extending=False):
        """`build`; `extending`: only the last layer is new (``add``), so the symbolic trace of the
        others is kept and extended instead of made again (building a stack layer by layer then
        costs each layer once, not once per layer added after it)."""
        shape = tuple(input_shape)
        self._input_shape = shape
        for layer in self._layers:
            if nesting.is_model(layer):
                shape = self._build_nested(layer, shape)
                if self.seed is not None:  # a nested model drawn unseeded and not trained yet: drawn from the seed
                    ownership.redraw_pending(layer._all_layers(), self._build_rng)
                continue
            if not layer.built:
                layer.build_for(shape, self._build_rng, self.dtype)
                ownership.note_drawn(layer, self.seed)
            elif tuple(layer.input_shape) != shape:
                raise ValueError(
                    f"{type(layer).__name__} '{layer.name}' was built for inputs of shape {layer.input_shape} "
                    f"but now receives {shape}."
                )
            shape = layer.output_shape
        self._graph = self._chain_graph()  # planned again now that every layer has its params
        self.built = bool(self._layers)
        if self.built and not (extending and self._extend_trace()):
            self._trace_symbolic()

    def _extend_trace(self):
        """Call the last layer on the traced output of the others; False when there is no such trace
        (then the whole stack is traced again)."""
        previous = self.__dict__.get("_symbolic")
        layer = self._layers[-1]
        if (previous is None or nesting.is_model(layer) or len(previous[2]) != len(self._layers) - 1
                or tuple(previous[0].shape) != tuple(self._input_shape)):
            return False
        source, tensor, made = previous
        try:
            tensor = layer(tensor)
        except Exception:  # noqa: BLE001 -- traced again from the start, which records why
            return False
        self._symbolic = (source, tensor, [*made, (layer, tensor)])
        return True

    def _trace_symbolic(self):
        """Keras's symbolic structure of a built stack: an Input and each layer called on the tensor
        before it, so ``inputs``/``outputs``/``input``/``output`` and each layer's ``output`` and
        ``input`` are defined (``Model(seq.inputs, seq.layers[-2].output)`` extracts features). Made
        again, the previous trace's tensors are let go."""
        self._drop_trace()
        source = Input(shape=self._input_shape, name=self._input_name)
        tensor = source.symbolic_output = SymbolicTensor(self._input_shape, self.dtype, source=source)
        made = []
        try:
            for layer in self._layers:
                tensor = layer(tensor)
                if not nesting.is_model(layer):
                    made.append((layer, tensor))
        except Exception as error:  # noqa: BLE001 -- a layer with no symbolic call: no structure, still a model
            for layer, item in made:
                layer.__dict__.get("_symbolic_outputs", []).remove(item)
            self._symbolic_error = f"{type(layer).__name__} '{layer.name}' cannot be called on symbolic tensors ({error})"
            return
        self._symbolic = (source.symbolic_output, tensor, made)
        self._symbolic_error = None

    def _drop_trace(self):
        """Let go of the symbolic trace: its tensors leave the layers' lists of outputs."""
        previous = self.__dict__.pop("_symbolic", None)
        if previous is not None:
            for layer, made in previous[2]:
                outputs = layer.__dict__.get("_symbolic_outputs", [])
                if made in outputs:
                    outputs.remove(made)

    def _symbolic_part(self, index, what):
        symbolic = self.__dict__.get("_symbolic")
        if symbolic is None:
            problem = getattr(self, "_symbolic_error", None) or (
                "it is not built yet: start it with Input(shape) or call build(input_shape)")
            raise AttributeError(f"Sequential '{self.name}' has no symbolic `{what}`: {problem}.")
        return symbolic[index]

    @property
    def inputs(self):
        """[the symbolic Input tensor] of a built stack (Keras's ``model.inputs``)."""
        return [self._symbolic_part(0, "inputs")]

    @property
    def outputs(self):
        """[the symbolic output tensor] of a built stack (Keras's ``model.outputs``)."""
        return [self._symbolic_part(1, "outputs")]

    @property
    def input(self):
        return self._symbolic_part(0, "input")

    @property
    def output(self):
        return self._symbolic_part(1, "output")

    def _build_nested(self, model, shape):
        """Build (or check) a nested model for inputs of `shape`; returns its output shape."""
        if not model.built:
            model.build(shape)
        elif tuple(model.input_shape) != shape:
            raise ValueError(f"{type(model).__name__} '{model.name}' takes inputs of per-sample shape "
                             f"{tuple(model.input_shape)}, but the layer before it in '{self.name}' gives {shape}.")
        if model.dtype != self.dtype:
            raise ValueError(f"{type(model).__name__} '{model.name}' computes in {model.dtype}, but '{self.name}' in "
                             f"{self.dtype}; build both in one dtype (dtype= or set_floatx).")
        return tuple(model.output_shape)

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r}; layers are {[layer.name for layer in self._layers]}.")

    # ----- summary (weights and saving are shared: see base.py) ----------------------------
    def summary(self, print_fn=print, show_trainable=False):
        """Print a table of layers, output shapes and parameter counts (shapes '?' before the model
        is built, as Keras 3 prints them; with `show_trainable`, whether each layer is trainable)."""
        print_fn(summary_table(self, show_trainable=show_trainable))

    def _require_built(self, what):
        if not self.built:
            raise ValueError(
                f"{what}: the model is not built yet. Start it with Input(shape=...), give the first "
                "layer `input_shape=`, call model.build(input_shape), or fit it on data first."
            )

    # ----- config -----------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "seed": self.seed, "dtype": self.dtype.name, "layers": []}
        if self._input_shape is not None:
            config["input_shape"] = list(self._input_shape)
        if getattr(self, "_input_dtypes", [None])[0] is not None:
            config["input_dtype"] = self._input_dtypes[0]
        config["layers"] = [nesting.serialize(layer) for layer in self._layers]
        return config

    @classmethod
    def from_config(cls, config):
        model = cls(name=config.get("name"), seed=config.get("seed"), dtype=config.get("dtype"))
        if config.get("input_shape") is not None:
            model.add(Input(shape=tuple(config["input_shape"]), dtype=config.get("input_dtype")))
        for layer_config in config["layers"]:
            model.add(nesting.deserialize(layer_config))
        return model

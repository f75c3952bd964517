"""Subclassed models: layers made in ``__init__``, composed in ``call`` (Keras's model subclassing).

    class ResidualMLP(gradwise.Model):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.hidden = Dense(units, activation="relu")
            self.skip = Dense(units)
            self.add = Add()
            self.out = Dense(1, activation="sigmoid")

        def call(self, inputs, training=False):
            return self.out(self.add([self.hidden(inputs), self.skip(inputs)]))

A subclass of ``gradwise.Model`` that defines ``call`` is made a subclass of
``SubclassedModel`` (``adopt``). Its layers are the ones assigned to its attributes
(``tracking.py``); each pass runs ``call`` and records the layer calls as they run, and
backward replays the record (``recording.py``). Training, callbacks and the flat
parameter buffer are those of every model. A NumPy operation on a tensor inside
``call`` raises a TypeError saying to do it in a layer (``gradwise.layers.Lambda``).

Saving (Keras's rule): ``save_weights`` and ``load_weights`` into a freshly constructed
instance always work, layers matched by position (the order of assignment in
``__init__``). ``save``/``load_model`` also keep the architecture when the class can be
rebuilt from ``get_config()``: by default the arguments its ``__init__`` was given,
when they are plain data (numbers, strings, lists, dicts); otherwise define
``get_config`` returning them. The class must be defined (imported) when loading:
classes register themselves by name. Nothing is pickled.
"""

import inspect
import json

import numpy as np

from .. import backend, optimizers
from ..layers.base import _snake_case, unique_name
from . import tracking
from .functional import Model
from .call_graph import CallGraph
from .training import TrainingMixin


# Keras's hooks into fit that gradwise has no way to run: they differentiate with an autograd tape.
_STEP_HOOKS = ("train_step", "test_step", "predict_step")


def adopt(cls):
    """Called for each subclass of Model: one that defines ``call`` becomes a SubclassedModel."""
    if "_define_by_run" in vars(cls):
        return
    overridden = [name for name in _STEP_HOOKS if name in vars(cls)]
    if overridden:
        raise TypeError(
            f"{cls.__name__} defines {', '.join(overridden)}, which gradwise's fit/evaluate/predict would never call: "
            "a Keras train_step differentiates with an autograd tape, and gradwise has none. Remove it: fit runs "
            "the model's own step (forward, compiled loss, each layer's backward, optimizer), and a callback's "
            "on_train_step(step, data) sees every step's inputs, outputs and loss.")
    if issubclass(cls, SubclassedModel):
        return
    if any("call" in vars(klass) for klass in cls.__mro__ if klass not in Model.__mro__) and Model in cls.__bases__:
        cls.__bases__ = tuple(SubclassedModel if base is Model else base for base in cls.__bases__)


def _per_sample(input_shape):
    """A shape without its batch axis: Keras's (None, 8) and gradwise's (8,) both give (8,)."""
    shape = tuple(input_shape)
    if shape and shape[0] is None:
        shape = shape[1:]
    if not shape or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ValueError(f"build: `input_shape` must be a tuple of positive ints such as (8,) or (None, 8), "
                         f"got {input_shape!r}.")
    return tuple(int(d) for d in shape)


def _input_structure(input_shape):
    """(form, keys, per-sample shapes) of `build`'s `input_shape`: one shape, a list of shapes or a
    dict of shapes by input name."""
    if isinstance(input_shape, dict):
        if not input_shape or not all(isinstance(key, str) for key in input_shape):
            raise ValueError(f"build: a dict `input_shape` must map input names (str) to shapes, got {input_shape!r}.")
        return "dict", list(input_shape), [_per_sample(shape) for shape in input_shape.values()]
    if isinstance(input_shape, (list, tuple)) and input_shape and all(
            isinstance(shape, (list, tuple)) for shape in input_shape):
        return "list", None, [_per_sample(shape) for shape in input_shape]
    return "single", None, [_per_sample(input_shape)]


def _plain(value):
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


class SubclassedModel(Model, register=False):
    """The base a subclass of ``gradwise.Model`` that defines ``call`` is given.

    Parameters
    ----------
    name : str, optional
        Defaults to the class name in snake case.
    seed : int, optional
        Seeds initialization, shuffling and dropout.
    dtype : {'float32', 'float64'}, optional
    trainable : bool, default True
    """

    _define_by_run = True

    def __new__(cls, *args, **kwargs):
        model = super().__new__(cls)
        model._init_arguments = (args, kwargs)  # the default get_config (Keras records them too)
        return model

    def __init__(self, *args, name=None, seed=None, dtype=None, trainable=True, **kwargs):
        if args or kwargs:
            given = [repr(arg) for arg in args] + sorted(kwargs)
            raise TypeError(
                f"{type(self).__name__} defines `call`, so Model.__init__ takes only name, seed, dtype and trainable, "
                f"got {', '.join(given)}. Create the layers in __init__ and compose them in call (inputs and outputs "
                "belong to the Functional API: gradwise.Model(inputs, outputs)).")
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.seed = seed
        self.dtype = backend.resolve_dtype(dtype)
        rng = backend.new_rng(seed)
        self._build_rng, self._shuffle_rng = (np.random.default_rng(s) for s in rng.integers(2**63, size=2))
        self._graph = CallGraph(self)
        self._input_shape = self._output_shape = None
        self._call_structure = ("single", None)  # how `call` takes its inputs: one, a list, or a dict by key
        self._held_ids = frozenset()
        self._parameter_set = None
        self._compiled_trainable = {}
        self._trainable = bool(trainable)
        self.built = False
        self.optimizer = self.loss = self.history = None
        self.compiled = self.stop_training = False

    def __getattr__(self, name):
        if "_graph" not in vars(self):
            raise AttributeError(f"{type(self).__name__}: '{name}' is missing: {type(self).__name__}.__init__ must "
                                 "call super().__init__() before anything else.")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def call(self, inputs, training=False):
        raise NotImplementedError(f"{type(self).__name__} must define call(self, inputs, training=False), composing "
                                  "the layers made in __init__.")

    # ----- structure --------------------------------------------------------------------------
    @property
    def layers(self):
        """The layers and models assigned to the model's attributes, in the order ``__init__``
        assigned them (as Keras lists them: a block or a nested model is one entry)."""
        return tracking.children(self)

    @property
    def _called_layers(self):  # no InputLayer to leave out
        return self.layers

    def _all_layers(self):
        """The layers that hold the math, a block's or nested model's in its place: what the model
        builds, trains and saves."""
        return tracking.leaves(self)

    def _weight_layers(self):
        """get_weights' order: the assignment order of ``_all_layers`` (Keras's tracking order)."""
        return self._all_layers()

    def _check_holds(self, layer, recorder):
        """Raise unless `layer`, which `recorder`'s pass calls, is one of the model's."""
        if id(layer) in self._held_ids:
            return
        self._held_ids = frozenset(id(leaf) for leaf in tracking.leaves(self))
        if id(layer) not in self._held_ids:
            raise tracking.not_held(self, layer, recorder.where())

    def _layers_reached(self, layers, training):
        """A pass reached `layers` for the first time: track them, and pack the params again."""
        self._graph.refresh()
        if any(layer.params for layer in layers) and self._parameter_set is not None:
            if training:
                names = [layer.name for layer in layers if layer.params]
                raise ValueError(
                    f"{type(self).__name__}.call: layer(s) {names} were first reached in a training pass, after the "
                    "model's weights were gathered for the optimizer, so this fit would not train them. Call them "
                    "in every pass (e.g. `self.dropout(x, training=training)`, not `if training:`), or call the "
                    "model once with training=True before compile.")
            self._parameter_set = None

    def _note_built(self, input_shape, output_shape):
        """Built by a call inside another model's pass."""
        self._input_shape, self._output_shape, self.built = tuple(input_shape), tuple(output_shape), True

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def output_shape(self):
        return self._output_shape

    # before the first call: one input, one output (the first call sets them, as it sets the shapes)
    input_names = ["inputs"]
    _input_keys = input_names
    output_names = ["output_1"]

    @property
    def _input_shapes(self):
        return [self._input_shape] if self._call_structure[0] == "single" else list(self._input_shape)

    @property
    def _output_shapes(self):
        return [self._output_shape] if self._output_form == "single" else list(self._output_shape)

    def build(self, input_shape):
        """Build every layer `call` reaches by one pass on zeros of per-sample `input_shape`: one shape
        such as (8,), a list of shapes (`call` then takes a list of inputs) or a dict of shapes by
        input name (`call` takes a dict). The outputs `call` returns (one tensor, a list or tuple,
        or a dict) name the model's outputs: 'output_1', 'output_2'... or the dict's keys."""
        form, keys, shapes = _input_structure(input_shape)
        if self.built and (form, keys) != self._call_structure[:2] or self.built and shapes != self._input_shapes:
            raise ValueError(f"{type(self).__name__} '{self.name}' was built for inputs of per-sample shape "
                             f"{self.input_shape}, got {input_shape!r}.")
        self._call_structure = (form, keys)
        self._graph.inputs = list(range(len(shapes)))
        tape = self._graph.forward([np.zeros((1, *shape), dtype=self.dtype) for shape in shapes], training=False)
        outputs = [tuple(value.shape[1:]) for value in tape.values[len(tape.values) - len(tape.outputs):]]
        self._output_form, output_keys = tape.structure
        if form == "single":
            self.input_names, self._input_shape = ["inputs"], shapes[0]
        else:
            self.input_names, self._input_shape = keys or [f"input_{k + 1}" for k in range(len(shapes))], list(shapes)
        self._input_keys = self.input_names
        self.output_names = output_keys or [f"output_{k + 1}" for k in range(len(outputs))]
        self._output_shape = outputs[0] if self._output_form == "single" else outputs
        self._graph.note_output(tape)
        self.built = True
        pending = self.__dict__.pop("_pending_compile", None)
        if pending is not None and (pending["deferred"] or self.output_names != ["output_1"]):
            # compiled before the outputs were known (Keras resolves per-output losses at the first call)
            TrainingMixin.compile(self, **pending["arguments"])

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None):
        """As every model's; before the first call (which makes the outputs known), losses, loss
        weights and metrics given per output are checked against the outputs at that call."""
        arguments = dict(optimizer=optimizer, loss=loss, metrics=metrics, loss_weights=loss_weights)
        if self.built:
            return TrainingMixin.compile(self, **arguments)
        per_output = isinstance(loss, (list, tuple, dict)) or isinstance(metrics, dict) or loss_weights is not None
        if per_output:
            self.optimizer = optimizers.get(optimizer)
            arguments["optimizer"] = self.optimizer
            self.loss, self.compiled = loss, True
            self._parameter_set = None
        else:
            TrainingMixin.compile(self, **arguments)
            arguments["optimizer"] = self.optimizer
        self._pending_compile = {"arguments": arguments, "deferred": per_output}

    def _prepare_inputs(self, x, name_x="x", keep_mapped=False, finite=True):
        """As every model's; the first call on a list or dict of arrays builds the model for several
        inputs (`call` then receives them as given)."""
        if not self.built:
            if isinstance(x, dict):
                self.build({key: tuple(np.shape(value)[1:]) for key, value in x.items()})
            elif isinstance(x, (list, tuple)) and len(x) > 1 and all(hasattr(item, "shape") for item in x):
                self.build([tuple(np.shape(item)[1:]) for item in x])
        return super()._prepare_inputs(x, name_x, keep_mapped, finite)

    def _require_built(self, what):
        if not self.built:
            raise ValueError(f"{what}: {type(self).__name__} '{self.name}' is not built yet: its layers are built by "
                             "its first call. Call it on data (model(x)), fit it, or call model.build(input_shape).")

    def get_layer(self, name=None, index=None):
        """A layer the model holds, by index in ``layers`` or by name (also inside blocks and nested
        models)."""
        layers = self.layers
        if index is not None:
            return layers[index]
        for layer in layers + self._all_layers():
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r}; layers are {[layer.name for layer in layers]}.")

    def summary(self, print_fn=print):
        """Print the layers and models the model holds (as Keras: a block is one row), with their
        output shapes and parameter counts."""
        self._require_built("summary")
        print_fn(summary_table(self))


    # ----- config -----------------------------------------------------------------------------
    def get_config(self):
        """The arguments ``__init__`` was given, when they are plain data; otherwise define get_config."""
        args, kwargs = self._init_arguments
        bound = inspect.signature(type(self).__init__).bind(self, *args, **kwargs).arguments
        bound.pop(next(iter(bound)))  # self
        config = {}
        for key, value in bound.items():
            kind = inspect.signature(type(self).__init__).parameters[key].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                config.update(value)
            elif kind is inspect.Parameter.VAR_POSITIONAL:
                if value:
                    config = None
                    break
            else:
                config[key] = value
        if config is None or not _plain(config):
            raise TypeError(
                f"{type(self).__name__}.get_config: the arguments of __init__ are not all plain data (numbers, "
                "strings, lists, dicts), so the model cannot be saved whole. Define get_config() returning "
                "__init__'s arguments as plain data, or save only the weights (model.save_weights) and load them "
                "into a freshly constructed model (load_weights).")
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def summary_table(model):
    """Keras's summary of a subclassed model: one row per layer or model it holds."""
    rows = []
    for item in model.layers:
        shape = getattr(item, "output_shape", None)
        parts = tracking.leaves(item) if tracking.runs_call(item) or not hasattr(item, "params") else [item]
        count = sum(layer.count_params() for layer in parts)
        rows.append((f"{item.name} ({type(item).__name__})", "?" if shape is None else str((None, *shape)),
                     f"{count:,}"))
    header = ("Layer (type)", "Output Shape", "Param #")
    widths = [max(len(row[i]) for row in rows + [header]) + 2 for i in range(3)]
    rule = "-" * sum(widths)
    total = model.count_params()
    trainable = sum(v.size for layer in model._all_layers() if layer.trainable for v in layer.params.values())
    return "\n".join([f'Model: "{model.name}"', rule, "".join(h.ljust(w) for h, w in zip(header, widths)),
                      rule.replace("-", "=")]
                     + ["".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
                     + [rule.replace("-", "="), f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                        f"Non-trainable params: {total - trainable:,}", rule])

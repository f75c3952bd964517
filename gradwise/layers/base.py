"""The Layer contract every layer follows.

Lifecycle (as in Keras): check arguments in ``__init__``, create weights in ``build``,
compute in ``forward``/``backward``, describe in ``get_config``.

- ``forward(inputs, training)`` returns ``(outputs, cache)``: the cache holds what this
  call's backward needs and nothing is kept on ``self``, so one layer can be called
  several times in one graph, and from several threads at once.
- ``backward(grad_outputs, cache, input_grad=True, accumulate=False)`` returns the
  gradient w.r.t. the inputs (``None`` when `input_grad` is False: a model's first
  layer, whose input gradient nobody reads) and writes the gradient w.r.t. each param
  into ``self.grads[key]``, or adds it there with `accumulate` (the later calls of a
  layer called several times in one pass: its gradient is the sum over its calls).
  Writing lets a first call put a matrix product straight into the flat gradient
  buffer, as BLAS does with beta = 0, instead of zeroing the buffer every step.
- ``params``: trainable tensors; ``grads``: same keys. The model packs them into one
  flat buffer (see ``gradwise.parameters``), so a layer never rebinds
  ``self.params[key]`` or ``self.grads[key]``; ``set_weights`` copies in place.
- ``state``: non-trainable tensors (BatchNormalization's moving statistics).
- ``regularizers``: param key -> regularizer; their penalty joins the loss and their
  gradient joins ``grads`` (done by the model, not by each layer).
- ``trainable``: whether the optimizer updates the params; as in Keras, a change takes
  effect at the model's next ``compile``.
- Masks (Keras's): a layer that makes one (``Embedding(mask_zero=True)``, ``Masking``) says
  ``produces_mask``; a boolean array of shape (batch, steps) then travels beside the
  tensors of a pass (``masking.py``). A layer with ``takes_mask`` gets it as
  ``forward(inputs, training, mask=mask)`` (recurrent layers, global pooling); one with
  ``supports_masking`` hands it on unchanged; ``compute_mask(inputs, mask)`` gives the
  mask of a layer's outputs.

Layers whose activation a loss can fuse with (Dense, Conv, Activation) are
``ActivatedLayer``s: the model hands the loss the logits ``layer.logits(cache)`` and
starts backward from their gradient with ``backward_preactivation``.
"""

import functools
import inspect
import itertools
import re

import numpy as np

from .. import _checks, registry
from ..ops import get_ops
from . import recorded, symbolic

_name_counts = {}


def _snake_case(name):
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def reset_names():
    """Forget the automatic names given so far (``backend.clear_session``)."""
    _name_counts.clear()


def unique_name(base):
    """Keras-style automatic names: dense, dense_1, dense_2, ..."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


class Layer:
    """Base class of all layers. A subclass registers itself by its class name (saved models
    and ``deserialize`` find it); an abstract one says ``class Base(Layer, register=False)``.

    Parameters
    ----------
    name : str, optional
        Unique name within a model; generated from the class name when omitted.
    trainable : bool
        Whether the optimizer updates this layer's params.
    input_shape : tuple of int, optional
        Per-sample input shape (no batch axis), for a first layer; as in older Keras.
    input_dim : int, optional
        Shorthand for ``input_shape=(input_dim,)``.
    """

    # Roles, read by the doctor (and anyone else) instead of class names.
    has_kernel = False  # an affine map with a kernel (Dense, Conv): hidden units, fans, initializers
    normalizes = False  # rescales its inputs to a standard range (BatchNormalization, Rescaling)
    drops_out = False  # zeroes random units while training (Dropout and its kin)
    activates = False  # applies an activation function and nothing else (Activation, ReLU, ...)
    params_from_batches = False  # its outputs depend on batch statistics in training (BatchNormalization)
    imputes = False  # puts values in place of NaN/Inf inputs (MeanImputation): a model starting with it takes them
    looks_up = False  # reads its inputs as indices into a table (Embedding): they have no scale to normalize
    # Masks (see masking.py): whether forward takes `mask=`, and whether a mask passes through unchanged
    takes_mask = False
    supports_masking = False

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("layer", cls)

    @property
    def ops(self):
        """The array seam in use (``gradwise.ops.get_ops()``): the kernels worth fusing or
        moving to another device go through it, so a layer file holds only its math."""
        return get_ops()

    def __init__(self, name=None, trainable=True, input_shape=None, input_dim=None, **kwargs):
        owner = type(self).__name__
        if kwargs:
            raise TypeError(f"{owner}: unexpected keyword argument(s) {sorted(kwargs)}.")
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"{owner}: `name` must be a non-empty str, got {name!r}.")
        if input_dim is not None:
            input_shape = (_checks.positive_int(owner, "input_dim", input_dim),)
        self.name = name or unique_name(_snake_case(owner))
        self._created = next(_creations)  # which layers a block of code made (``created_since``)
        self._trainable = bool(trainable)
        self.requested_input_shape = (
            None if input_shape is None else _checks.shape_tuple(owner, "input_shape", input_shape, allow_none=True)
        )
        self.params = {}
        self.grads = {}
        self.state = {}
        self.regularizers = {}
        self.constraints = {}  # param key -> constraint, applied after each optimizer step (by the model)
        self.activity_regularizer = None
        self._storage = None  # the ParameterSet holding the params, once a model packed them (models/ownership.py)
        self.built = False
        self.input_shape = None
        self.output_shape = None
        self.dtype = None

    # ----- lifecycle -------------------------------------------------------------
    def build(self, input_shape, rng):
        """Create params for per-sample `input_shape` (no batch axis). Default: none. Keras's
        ``build(self, input_shape)`` works too: its ``add_weight`` calls draw from `rng`."""

    def compute_output_shape(self, input_shape):
        """Per-sample output shape for per-sample `input_shape`. Default: unchanged."""
        return tuple(input_shape)

    def build_for(self, input_shape, rng, dtype):
        """Build once: check the input shape, create params in `dtype`, size the grads."""
        if type(self).forward is Layer.forward and callable(getattr(self, "call", None)):
            raise TypeError(
                f"{type(self).__name__} '{self.name}' is a block (its `call` composes other layers), which runs inside "
                "a subclassed model's call or called by itself on arrays; a Sequential or functional model cannot "
                "hold it yet. Call it in the call of a gradwise.Model subclass, or add its layers directly.")
        input_shape = tuple(input_shape)
        self.dtype = np.dtype(dtype)
        try:
            self.output_shape = tuple(self.compute_output_shape(input_shape))
            self.run_build(input_shape, rng)
        except TypeError:
            if None not in input_shape:  # shape arithmetic on an axis of any length (Input(shape=(None, ...)))
                raise
            raise ValueError(
                f"{type(self).__name__} '{self.name}' needs the length of every input axis, got per-sample shape "
                f"{input_shape} (None: any length). Give that length in Input(shape=...), or reduce the axis "
                "first (a recurrent layer, GlobalAveragePooling1D).") from None
        for key, value in self.params.items():
            self.params[key] = np.ascontiguousarray(value, dtype=self.dtype)
            self.grads[key] = np.zeros_like(self.params[key])
        for key, value in self.state.items():
            self.state[key] = np.ascontiguousarray(value, dtype=self.dtype)
        self.sync_weight_attributes()
        self.input_shape = input_shape
        self.built = True

    def run_build(self, input_shape, rng):
        """``build(input_shape, rng)``, or Keras's ``build(input_shape)`` whose ``add_weight`` draws
        from `rng`; then remember which attributes that build set to its weights
        (``self.kernel = self.add_weight(...)``) so ``sync_weight_attributes`` can follow them."""
        if _takes_rng(self.build):
            self.build(input_shape, rng)
        else:
            self._build_rng = rng
            try:
                self.build(input_shape)
            finally:
                del self._build_rng
        keys = {id(value): key for table in (self.params, self.state) for key, value in table.items()}
        self._weight_attributes = {attribute: keys[id(value)] for attribute, value in vars(self).items()
                                   if isinstance(value, np.ndarray) and id(value) in keys}

    def _write_grad(self, key, value, accumulate):
        """``grads[key] = value``, or ``+= value`` for a later call of a layer called several times in a pass."""
        if accumulate:
            self.grads[key] += value
        else:
            self.grads[key][...] = value

    def sync_weight_attributes(self):
        """Point the attributes a Keras-style build set (``self.kernel``) at the current weights: a
        model packs params into its own buffer and rebinds ``self.params[key]``."""
        for attribute, key in self.__dict__.get("_weight_attributes", {}).items():
            current = self.params[key] if key in self.params else self.state[key]
            if self.__dict__.get(attribute) is not current:
                self.__dict__[attribute] = current

    def apply_constraints(self):
        """Replace each constrained param by its constraint's result, in place (the model calls
        this after each optimizer step)."""
        for key, constraint in self.constraints.items():
            self.params[key][...] = constraint(self.params[key])

    @property
    def trainable(self):
        """Whether the optimizer updates this layer's params (takes effect at the next compile)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__} '{self.name}': `trainable` must be a bool, got {value!r}.")
        self._trainable = bool(value)

    def forward(self, inputs, training=False):
        """Return ``(outputs, cache)``; the cache is what ``backward`` needs from this call."""
        raise NotImplementedError

    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        """Write (or with `accumulate`, add) the param gradients into ``self.grads``; return the
        input gradient (None without `input_grad`)."""
        raise NotImplementedError

    @property
    def produces_mask(self):
        """Whether this layer makes a mask from its inputs (Embedding(mask_zero=True), Masking)."""
        return False

    def compute_mask(self, inputs, mask):
        """The mask of this call's outputs, given its inputs and their mask (None: no mask)."""
        return mask if self.supports_masking else None

    def __call__(self, inputs, training=None, rng=None, mask=None):
        """On symbolic tensors (from ``Input``): record the call, return its symbolic outputs
        (the Functional API). On an array: build from its shape if needed, return the outputs;
        `mask` (batch, steps) reaches a layer that ``takes_mask``, as Keras's ``mask=``.
        Inside a subclassed model's ``call``: recorded by that pass (``recorded.py``); `training`
        defaults to the pass's."""
        recorder = recorded.recorder_of(inputs)
        if recorder is not None:
            return recorder.call(self, inputs, training)
        if symbolic.is_symbolic(inputs):
            made = self._call_symbolic(inputs)
            if training is not None:  # this call's mode is fixed, whatever the model's pass is (Keras's)
                for tensor in made if isinstance(made, (list, tuple)) else [made]:
                    tensor.training = bool(training)
            return made
        if mask is not None and not self.takes_mask:
            raise TypeError(f"{type(self).__name__} '{self.name}' takes no `mask`; layers that do: recurrent layers, "
                            "GlobalAveragePooling1D, GlobalMaxPooling1D, Bidirectional, TimeDistributed.")
        if type(self).forward is Layer.forward and callable(getattr(self, "call", None)):
            return recorded.run_block(self, inputs, training)  # a block: its `call` composes other layers
        if getattr(self, "multi_input", False) and isinstance(inputs, (list, tuple)):
            return self._call_on_arrays(inputs, training, rng, mask)
        inputs = np.asarray(inputs)
        if not self.built:
            dtype = inputs.dtype if inputs.dtype in (np.float32, np.float64) else None
            from ..backend import new_rng, resolve_dtype

            self.build_for(inputs.shape[1:], rng or new_rng(), resolve_dtype(dtype))
        if mask is not None:
            return self.forward(inputs, training=bool(training), mask=np.asarray(mask))[0]
        outputs, _ = self.forward(inputs, training=bool(training))
        return outputs

    def _call_on_arrays(self, inputs, training, rng, mask=None):
        """A layer of several inputs (Add, Concatenate, Dot) called on a list of arrays, as in
        Keras's ``Add()([x1, x2])``: built from the list of their per-sample shapes, in the
        first's float dtype, and each array given to forward in that dtype."""
        from ..backend import new_rng, resolve_dtype

        arrays = [np.asarray(item) for item in inputs]
        if any(array.ndim < 1 for array in arrays):
            raise ValueError(f"{type(self).__name__} '{self.name}' expected a list of arrays with a batch axis, got "
                             f"shapes {[array.shape for array in arrays]}.")
        if len({array.shape[0] for array in arrays}) > 1:
            raise ValueError(f"{type(self).__name__} '{self.name}' expected arrays of one batch size, got shapes "
                             f"{[array.shape for array in arrays]}.")
        if not self.built:
            first = arrays[0].dtype
            self.build_for([array.shape[1:] for array in arrays], rng or new_rng(),
                           resolve_dtype(first if first in (np.float32, np.float64) else None))
        elif [tuple(array.shape[1:]) for array in arrays] != [tuple(shape) for shape in self.input_shape]:
            raise ValueError(f"{type(self).__name__} '{self.name}' was built for inputs of per-sample shapes "
                             f"{[tuple(shape) for shape in self.input_shape]}, got "
                             f"{[tuple(array.shape[1:]) for array in arrays]}.")
        arrays = [array.astype(self.dtype, copy=False) for array in arrays]
        if mask is not None:  # one (batch, steps) mask or None per input, for a layer that takes_mask
            masks = [None if item is None else np.asarray(item) for item in mask]
            return self.forward(arrays, training=bool(training), mask=masks)[0]
        outputs, _ = self.forward(arrays, training=bool(training))
        return outputs

    def _call_symbolic(self, inputs):
        many = isinstance(inputs, (list, tuple))
        tensors = [symbolic.as_symbolic(item) for item in (inputs if many else [inputs])]
        if any(tensor is None for tensor in tensors):
            raise TypeError(f"{type(self).__name__} '{self.name}': mix of symbolic tensors and arrays in {inputs!r}; "
                            "give every input as a symbolic tensor (from Input or a layer call).")
        if many != bool(getattr(self, "multi_input", False)):
            expected = "a list of symbolic tensors" if many is False else "one symbolic tensor"
            raise TypeError(f"{type(self).__name__} '{self.name}' expected {expected}, got {inputs!r}.")
        shape = [tensor.shape for tensor in tensors] if many else tensors[0].shape
        if not self.built:
            from ..backend import new_rng

            try:
                self.build_for(shape, new_rng(), tensors[0].dtype)
            except ValueError as error:  # say which tensors the layer did not fit
                sources = ", ".join(f"{t.name!r} of per-sample shape {t.shape}" for t in tensors)
                raise ValueError(f"{str(error).rstrip('.')}; called on {sources}.") from None
            self._seed_pending = True  # Model(..., seed=s) draws these weights again from s (functional.py)
        output_shape = self.output_shape
        if self.built and tuple(map(tuple, shape) if many else shape) != tuple(map(tuple, self.input_shape) if many
                                                                              else self.input_shape):
            output_shape = self._output_shape_on_other_inputs(shape, tensors)
        several = symbolic.several_output_shapes(output_shape)
        if several is not None:  # several outputs (LSTM(return_state=True)): one tensor each
            made = [symbolic.SymbolicTensor(shape, self.dtype, layer=self, inputs=tensors) for shape in several]
            siblings = tuple(made)
            for tensor in made:
                tensor.siblings = siblings
        else:
            made = symbolic.SymbolicTensor(output_shape, self.dtype, layer=self, inputs=tensors)
        self.__dict__.setdefault("_symbolic_outputs", []).append(made)  # the graph's structure, for `output`
        return made

    def _output_shape_on_other_inputs(self, shape, tensors):
        """The output shape of a built layer called again on inputs of another shape: Keras shares a
        layer so (one Embedding over an encoder's and a decoder's tokens of different lengths). Allowed
        for a layer that says ``reusable_on_other_lengths`` (its forward reads every length from the
        arrays) when a copy built for `shape` has weights of the very same shapes; else a ValueError."""
        def refuse(reason=""):
            raise ValueError(
                f"{type(self).__name__} '{self.name}' was built for inputs of per-sample shape {self.input_shape}, "
                f"but is called on {shape} from {', '.join(repr(t.name) for t in tensors)}{reason}.")

        if not getattr(self, "reusable_on_other_lengths", False):
            refuse()
        from ..backend import new_rng
        from ..initializers import AllocationLimitError, allocation_limit

        probe = type(self).from_config(self.get_config())
        try:  # the probe may take no more values than this layer's own weights (and none from a loader's budget)
            with allocation_limit(sum(np.size(value) for value in self.params.values())):
                probe.build_for(shape, new_rng(), self.dtype)
        except AllocationLimitError:
            refuse(" (its weights would need other shapes)")
        except (ValueError, TypeError):
            refuse()
        if {key: np.shape(value) for key, value in probe.params.items()} != \
                {key: np.shape(value) for key, value in self.params.items()}:
            refuse(" (its weights would need other shapes)")
        return probe.output_shape

    @property
    def output(self):
        """The symbolic tensor this layer made when called on symbolic tensors (Keras's
        ``layer.output``, e.g. ``Model(model.input, model.get_layer("hidden").output)``)."""
        made = self.__dict__.get("_symbolic_outputs", [])
        if len(made) != 1:
            problem = "was never called on a symbolic tensor" if not made else f"was called {len(made)} times"
            raise AttributeError(f"{type(self).__name__} '{self.name}' {problem}, so its `output` is not defined; "
                                 "keep the tensor each call returns instead.")
        return made[0]

    @property
    def input(self):
        """The symbolic tensor(s) this layer was called on (Keras's ``layer.input``): one, or a list for
        a layer taking several."""
        made = self.__dict__.get("_symbolic_outputs", [])
        if len(made) != 1:
            problem = "was never called on a symbolic tensor" if not made else f"was called {len(made)} times"
            raise AttributeError(f"{type(self).__name__} '{self.name}' {problem}, so its `input` is not defined; "
                                 "keep the tensors each call is given instead.")
        first = made[0][0] if isinstance(made[0], list) else made[0]
        return list(first.inputs) if getattr(self, "multi_input", False) else first.inputs[0]

    def zero_grads(self):
        for grad in self.grads.values():
            grad.fill(0)

    # ----- checks -----------------------------------------------------------------
    def check_input_shape(self, input_shape, expected_rank=None):
        """Raise a clear ValueError when a per-sample shape does not fit this layer."""
        if expected_rank is not None and len(input_shape) != expected_rank:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of rank {expected_rank + 1} "
                f"(batch, {', '.join(['...'] * expected_rank)}), got per-sample shape {tuple(input_shape)}."
            )

    # ----- weights ----------------------------------------------------------------
    def add_weight(self, shape=(), initializer="glorot_uniform", dtype=None, trainable=True, regularizer=None,
                   name=None, rng=None, constraint=None):
        """Keras's ``add_weight`` for a ``build``: a new param (a state entry when not trainable)
        named `name`, drawn by `initializer` from `rng` (else the generator of the build in progress),
        with an optional `regularizer` and `constraint` (applied after each optimizer step).
        Returns the array; read it back through ``self.params[name]``, which a model may rebind."""
        from .. import constraints, initializers, regularizers

        owner = f"{type(self).__name__} '{self.name}'"
        table = self.params if trainable else self.state
        if name is None:
            name = f"variable_{len(self.params) + len(self.state)}"
        if not isinstance(name, str) or not name or name in self.params or name in self.state:
            raise ValueError(f"{owner}: add_weight `name` must be a new non-empty str, got {name!r} "
                             f"(already: {self.weight_names()}).")
        shape = _checks.shape_tuple(owner, "shape", shape)
        if rng is None:
            from ..backend import new_rng

            rng = getattr(self, "_build_rng", None) or new_rng()
        dtype = np.dtype(dtype or self.dtype or "float32")
        table[name] = np.ascontiguousarray(initializers.get(initializer)(shape, dtype, rng), dtype=dtype)
        if regularizer is not None and trainable:
            self.regularizers[name] = regularizers.get(regularizer)
        constraints.attach(self, name, constraint, applies=trainable)
        return table[name]

    def weight_names(self):
        """Names of params then state, in get_weights order."""
        return list(self.params) + list(self.state)

    def get_weights(self):
        return [np.array(self.params[k] if k in self.params else self.state[k]) for k in self.weight_names()]

    # Keras's lists of a layer's weights (copies: write them back with set_weights)
    @property
    def weights(self):
        return self.get_weights()

    @property
    def trainable_weights(self):
        return [self.params[key].copy() for key in self.params] if self.trainable else []

    @property
    def non_trainable_weights(self):
        frozen = [] if self.trainable else [self.params[key].copy() for key in self.params]
        return frozen + [value.copy() for value in self.state.values()]

    variables, trainable_variables, non_trainable_variables = weights, trainable_weights, non_trainable_weights

    def set_weights(self, weights):
        self.__dict__.pop("_seed_pending", None)  # weights given: no model seed redraws them
        names = self.weight_names()
        if len(weights) != len(names):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': set_weights expected {len(names)} arrays "
                f"({', '.join(names)}), got {len(weights)}."
            )
        for key, value in zip(names, weights):
            target = self.params[key] if key in self.params else self.state[key]
            value = np.asarray(value)
            if value.shape != target.shape:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': weight '{key}' expected shape "
                    f"{target.shape}, got {value.shape}."
                )
            target[...] = value  # in place: params may be views into the model's flat buffer

    def count_params(self):
        return int(sum(v.size for v in self.params.values()) + sum(v.size for v in self.state.values()))

    # ----- regularization -----------------------------------------------------------
    def regularization_penalty(self):
        """Sum of the weight regularizers' penalties (activity penalties are added by the model)."""
        return sum(float(reg(self.params[key])) for key, reg in self.regularizers.items())

    def add_regularization_gradients(self):
        for key, reg in self.regularizers.items():
            self.grads[key] += reg.gradient(self.params[key])

    # ----- config -----------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        if self.requested_input_shape is not None:
            config["input_shape"] = list(self.requested_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class ActivatedLayer(Layer, register=False):
    """A layer whose outputs are ``activation(preactivation)``.

    Its cache is the triple ``(inner, preactivation, outputs)``, `inner` being what the
    part before the activation needs; ``backward_preactivation(grad, cache, input_grad,
    accumulate)`` runs backward from the gradient w.r.t. the pre-activation, so a loss can fuse with a
    sigmoid/softmax output (stable, and no softmax backward) and read its ``logits``.
    """

    @staticmethod
    def logits(cache):
        return cache[1]

    def backward_preactivation(self, grad_preactivation, cache, input_grad=True, accumulate=False):
        raise NotImplementedError


def _positional(function):
    """How many parameters `function` takes by position (``self`` included for a plain function)."""
    parameters = inspect.signature(function).parameters.values()
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


@functools.lru_cache(maxsize=512)
def _method_takes_rng(function):
    return _positional(function) >= 3  # self, input_shape, rng


def _takes_rng(build):
    """Whether a bound ``build`` is gradwise's ``build(input_shape, rng)`` rather than Keras's
    ``build(input_shape)``; asked of the function once (``inspect.signature`` costs tens of µs)."""
    function = getattr(build, "__func__", None)
    if function is None or not hasattr(function, "__code__"):  # not a plain method: ask the callable itself
        return _positional(build) >= 2
    return _method_takes_rng(function)


_creations = itertools.count()


def creation_mark():
    """A number below that of every layer created from now on (see ``created_since``)."""
    return next(_creations)


def created_since(mark, layer):
    """Whether `layer` was created after `mark` was taken with ``creation_mark()``."""
    return layer.__dict__.get("_created", -1) > mark

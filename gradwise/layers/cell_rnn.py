"""``RNN(cell)`` for a cell of one's own: Keras's cell contract, plus the step's backward.

A cell is a ``Layer`` subclass that computes one step, as in Keras::

    state_size             an int, or a list with one entry per state: an int (units)
                           or a list/tuple (a state of that per-sample shape)
    output_size            optional; the first state's size when absent
    get_initial_state(batch_size)   optional; zeros when absent
    build(input_shape)     the step's input shape, batch first: (None, features)
    call(inputs, states)   -> (output, new_states); `states` a list, one array per state

gradwise differentiates nothing automatically, so a cell that trains also writes the
derivative of its step::

    backward(grad_output, grad_new_states, cache) -> (grad_inputs, grad_states)

given the gradients w.r.t. the step's output and new states, it returns those w.r.t.
the step's inputs and previous states, and *adds* each weight's gradient into
``self.grads[name]`` (the layer zeroes them, then calls backward once per step, last
step first: backpropagation through time). `cache` is what the step's forward kept:
``CellStep(inputs, states, output, new_states)`` for a cell with ``call``; a cell that
keeps values of its own (gates, pre-activations) writes
``forward(inputs, states, training=False) -> ((output, new_states), cache)`` instead.
Each step's cache lives in the call's cache, never on the cell.

Masks, ``go_backwards``, ``return_sequences``, ``return_state`` and ``stateful`` are the
built-in layers' (``_recurrent.py``): at a masked step the states carry over and the
output repeats the previous one (zeros with ``zero_output_for_mask``).
"""

import inspect
from collections import namedtuple

import numpy as np

from . import masking
from ._wrapper import Wrapper
from .base import Layer, unique_name

CellStep = namedtuple("CellStep", "inputs states output new_states")
CellStep.__doc__ = "What backward gets for a step of a cell that defines `call`: its inputs, states and results."

_BACKWARD_HELP = ("define backward(self, grad_output, grad_new_states, cache) returning (grad_inputs, grad_states) "
                  "and adding each weight's gradient into self.grads[name]; cache is the step's "
                  "CellStep(inputs, states, output, new_states) (see the guide 'Cells of your own')")


def is_cell(value):
    """Whether `value` is a cell of one's own: a Layer with a ``state_size``."""
    return isinstance(value, Layer) and hasattr(value, "state_size")


def _shape(owner, name, size):
    """One per-sample shape from an int or a list/tuple of ints."""
    dims = [size] if isinstance(size, (int, np.integer)) and not isinstance(size, bool) else size
    if not isinstance(dims, (list, tuple)) or not dims or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in dims):
        raise ValueError(f"RNN: the cell {owner}'s `{name}` must be a positive int or a list of positive ints per "
                         f"state, got {size!r}.")
    return tuple(int(d) for d in dims)


def state_shapes(cell):
    """The per-sample shape of each of the cell's states (Keras: a list or tuple means several states)."""
    size = cell.state_size
    sizes = list(size) if isinstance(size, (list, tuple)) else [size]
    if not sizes:
        raise ValueError(f"RNN: the cell {type(cell).__name__}'s `state_size` is empty; give it at least one state.")
    return [_shape(type(cell).__name__, "state_size", entry) for entry in sizes]


def _plain(value):
    if isinstance(value, (list, tuple)):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    return value is None or isinstance(value, (bool, int, float, str))


def cell_config(cell):
    """The cell's get_config, or (not overridden) its ``__init__`` arguments read back from the
    attributes of the same names, as Keras records a layer's arguments."""
    cls = type(cell)
    config = cell.get_config()
    if cls.get_config is not Layer.get_config:
        return config
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or name in config or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        value = getattr(cell, name, None)
        if hasattr(cell, name) and _plain(value):
            config[name] = list(value) if isinstance(value, tuple) else value
        elif parameter.default is parameter.empty:
            raise TypeError(f"RNN: the cell {cls.__name__} is copied (Bidirectional, stacking) and saved through its "
                            f"config, but its __init__ argument `{name}` is not kept as plain data in an attribute "
                            f"of that name; define {cls.__name__}.get_config() returning {{'{name}': ..., "
                            "**super().get_config()}.")
    return config


def _takes_rng(build):
    positional = [p for p in inspect.signature(build).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2


def _sync_weight_attributes(cell):
    """Point the attributes a Keras-style build assigned (``self.kernel = self.add_weight(...)``)
    at the current params: a model packs params into its own buffer and rebinds them."""
    for attribute, key in cell.__dict__.get("_weight_attributes", {}).items():
        if cell.__dict__.get(attribute) is not cell.params[key]:
            cell.__dict__[attribute] = cell.params[key]


def build_cell(cell, step_shape, rng, dtype):
    """Build `cell` for steps of shape `step_shape` (batch first, None), its weights in `dtype`."""
    cell.dtype = np.dtype(dtype)
    cell._build_rng = rng  # for add_weight in a Keras-style build(input_shape)
    try:
        cell.build(step_shape, rng) if _takes_rng(cell.build) else cell.build(step_shape)
    finally:
        del cell._build_rng
    arrays = {id(value): key for key, value in cell.params.items()}
    cell._weight_attributes = {attribute: arrays[id(value)] for attribute, value in vars(cell).items()
                               if isinstance(value, np.ndarray) and id(value) in arrays}
    for key, value in cell.params.items():
        cell.params[key] = np.ascontiguousarray(value, dtype=cell.dtype)
        cell.grads[key] = np.zeros_like(cell.params[key])
    _sync_weight_attributes(cell)
    cell.input_shape = tuple(step_shape)
    cell.built = True


def _rows(real, array):
    """The (batch,) mask shaped to broadcast over `array`."""
    return real.reshape(real.shape + (1,) * (array.ndim - 1))


class CellRNN(Wrapper):
    """The layer ``RNN(cell)`` makes for a cell of one's own (see the module's docstring).

    Parameters
    ----------
    cell : Layer with ``state_size`` and ``call`` (or ``forward``), and ``backward`` to train
    return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask :
        as Keras's RNN (`unroll` is accepted; the loop is the same either way).
    """

    takes_mask = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, name=None, **kwargs):
        if not is_cell(cell):
            raise TypeError(f"RNN: `cell` must be a gradwise.layers.Layer subclass with `state_size`, got {cell!r}.")
        super().__init__(name=name or unique_name("rnn"), **kwargs)
        self.cell = cell
        self.state_shapes = state_shapes(cell)
        self.state_count = len(self.state_shapes)
        output_size = getattr(cell, "output_size", None)
        self.step_output_shape = (self.state_shapes[0] if output_size is None
                                  else _shape(type(cell).__name__, "output_size", output_size))
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self._carried_states = None
        self._wrap([("cell/", cell)])

    # ----- shapes and weights --------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"RNN '{self.name}' expected inputs of shape (batch, steps, features), got per-sample "
                             f"shape {tuple(input_shape)} (rank {len(input_shape) + 1}).")
        outputs = (input_shape[0], *self.step_output_shape) if self.return_sequences else self.step_output_shape
        return [outputs, *self.state_shapes] if self.return_state else outputs

    def compute_mask(self, inputs, mask):
        output_mask = mask if self.return_sequences else None
        return [output_mask] + [None] * self.state_count if self.return_state else output_mask

    def build(self, input_shape, rng):
        if not self.cell.built:
            build_cell(self.cell, (None, *input_shape[1:]), rng, self.dtype)

    # ----- states --------------------------------------------------------------------------
    @property
    def states(self):
        """A stateful layer's final states of its last call, or None (Keras's ``layer.states``)."""
        return None if self._carried_states is None else [state.copy() for state in self._carried_states]

    def reset_states(self):
        self._carried_states = None

    def _initial_states(self, batch, dtype):
        if self.stateful and self._carried_states is not None:
            if self._carried_states[0].shape[0] != batch:
                raise ValueError(f"RNN '{self.name}' is stateful: every batch must have the size of the first "
                                 f"({self._carried_states[0].shape[0]}), got a batch of {batch}.")
            return list(self._carried_states)
        if hasattr(self.cell, "get_initial_state"):  # Keras 3's get_initial_state(batch_size); tf.keras's has more
            return self._checked_states(self.cell.get_initial_state(batch_size=batch), batch, "get_initial_state")
        return [np.zeros((batch, *shape), dtype=dtype) for shape in self.state_shapes]

    def _checked_states(self, states, batch, where):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        shapes = [np.shape(state) for state in states]
        if shapes != [(batch, *shape) for shape in self.state_shapes]:
            raise ValueError(f"RNN '{self.name}': the cell {type(self.cell).__name__}'s {where} must give states of "
                             f"shapes {[(batch, *shape) for shape in self.state_shapes]} (its state_size), "
                             f"got {shapes}.")
        return [np.asarray(state) for state in states]

    # ----- forward -------------------------------------------------------------------------
    def _step(self, inputs, states, training):
        """One step of the cell: ``(output, new_states), cache``."""
        cell = self.cell
        if type(cell).forward is not Layer.forward:
            return cell.forward(inputs, states, training=training)
        if "training" in inspect.signature(cell.call).parameters:
            output, new_states = cell.call(inputs, states, training=training)
        else:
            output, new_states = cell.call(inputs, states)
        return (output, new_states), CellStep(inputs, states, output, new_states)

    def forward(self, inputs, training=False, mask=None):
        _sync_weight_attributes(self.cell)
        if inputs.ndim < 3:
            raise ValueError(f"RNN '{self.name}' expected inputs of shape (batch, steps, features), got shape "
                             f"{inputs.shape}.")
        mask = masking.check_mask(self, inputs, mask)
        batch, steps = inputs.shape[:2]
        states = self._initial_states(batch, inputs.dtype)
        output = np.zeros((batch, *self.step_output_shape), dtype=inputs.dtype)  # before the first real step
        outputs, caches = [], []
        for position in range(steps):
            time = steps - 1 - position if self.go_backwards else position
            (new_output, new_states), step_cache = self._step(inputs[:, time], list(states), training)
            new_states = self._checked_states(new_states, batch, "new states")
            new_output = np.asarray(new_output)
            if new_output.shape != output.shape:
                raise ValueError(f"RNN '{self.name}': the cell {type(self.cell).__name__}'s output must have shape "
                                 f"{output.shape} (its output_size, else its first state_size), got "
                                 f"{new_output.shape}.")
            if mask is not None:  # a masked row keeps its states and repeats its output (or outputs zeros)
                real = mask[:, time]
                new_states = [np.where(_rows(real, new), new, old) for new, old in zip(new_states, states)]
                kept = np.zeros_like(output) if self.zero_output_for_mask else output
                new_output = np.where(_rows(real, new_output), new_output, kept)
            caches.append(step_cache)
            outputs.append(new_output)
            states, output = new_states, new_output
        if self.stateful:
            self._carried_states = [state.copy() for state in states]
        result = np.stack(outputs, axis=1) if self.return_sequences else output
        cache = (caches, mask, inputs.shape, inputs.dtype)
        return ([result, *states] if self.return_state else result), cache

    # ----- backward ------------------------------------------------------------------------
    # through time, last step first: the cell's own backward per step gives d inputs_t and
    # d states_{t-1}; a masked row passes d states_t (and d output_t) straight to the step before
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        cell = self.cell
        if type(cell).backward is Layer.backward:
            raise TypeError(f"RNN '{self.name}': the cell {type(cell).__name__} has no backward, so it cannot be "
                            f"trained (gradwise writes every derivative by hand): {_BACKWARD_HELP}.")
        caches, mask, input_shape, dtype = cache
        steps, batch = len(caches), input_shape[0]
        state_grads = [None] * self.state_count
        if self.return_state:
            grad_outputs, state_grads = grad_outputs[0], list(grad_outputs[1:])
        grad_states = [np.zeros((batch, *shape), dtype=dtype) if grad is None else np.asarray(grad)
                       for shape, grad in zip(self.state_shapes, state_grads)]
        carried = np.zeros((batch, *self.step_output_shape), dtype=dtype)  # d output_t through output_{t+1}
        grad_inputs = np.zeros(input_shape, dtype=dtype)
        if not accumulate:
            for grad in cell.grads.values():
                grad.fill(0)
        for position in range(steps - 1, -1, -1):
            time = steps - 1 - position if self.go_backwards else position
            grad_output = carried
            if grad_outputs is not None and self.return_sequences:
                grad_output = grad_output + grad_outputs[:, position]
            elif grad_outputs is not None and position == steps - 1:
                grad_output = grad_output + grad_outputs
            passed = None
            if mask is not None:
                real = mask[:, time]
                passed = [np.where(_rows(real, grad), 0.0, grad) for grad in grad_states]
                carried = (np.zeros_like(carried) if self.zero_output_for_mask
                           else np.where(_rows(real, grad_output), 0.0, grad_output))
                grad_output = np.where(_rows(real, grad_output), grad_output, 0.0)
                grad_states = [np.where(_rows(real, grad), grad, 0.0) for grad in grad_states]
            else:
                carried = np.zeros_like(carried)
            grad_step, grad_previous = cell.backward(grad_output, grad_states, caches[position])
            grad_states = self._checked_grads(grad_previous, batch)
            if passed is not None:
                grad_states = [grad + through for grad, through in zip(grad_states, passed)]
            grad_inputs[:, time] = grad_step
        return grad_inputs if input_grad else None

    def _checked_grads(self, grads, batch):
        grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
        shapes = [np.shape(grad) for grad in grads]
        if shapes != [(batch, *shape) for shape in self.state_shapes]:
            raise ValueError(f"RNN '{self.name}': the cell {type(self.cell).__name__}'s backward must return "
                             f"grad_states of shapes {[(batch, *shape) for shape in self.state_shapes]} (one per "
                             f"state), got {shapes}.")
        return grads

    # ----- config --------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "cell": {"class_name": type(self.cell).__name__,
                                                 "config": cell_config(self.cell)},
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}

    @classmethod
    def from_config(cls, config):
        from . import deserialize

        config = dict(config)
        config["cell"] = deserialize(config["cell"])
        return cls(**config)

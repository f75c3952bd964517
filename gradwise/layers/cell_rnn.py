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

Nested steps, as the Keras guide's ``NestedCell``: called on a list of sequences
(``RNN(cell)([a, b])``, each (batch, steps, ...)), the cell's step gets the list of their
steps and ``build`` the list of their step shapes; an ``output_size`` listing several
shapes (``[units, [rows, columns]]``) makes the step's output, and the layer's, a list.
``backward`` then takes and returns lists in the same places.

Masks, ``go_backwards``, ``return_sequences``, ``return_state`` and ``stateful`` are the
built-in layers' (``_recurrent.py``): at a masked step the states carry over and the
output repeats the previous one (zeros with ``zero_output_for_mask``).
"""

import inspect
from collections import namedtuple

import numpy as np

from . import masking, recorded, symbolic
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


def output_shapes(cell, states):
    """The per-sample shape of each part of the step's output, and whether it is a list (nested)."""
    size = getattr(cell, "output_size", None)
    if size is None:
        return [states[0]], False
    if isinstance(size, (list, tuple)) and any(isinstance(entry, (list, tuple)) for entry in size):
        return [_shape(type(cell).__name__, "output_size", entry) for entry in size], True
    return [_shape(type(cell).__name__, "output_size", size)], False


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


def build_cell(cell, step_shape, rng, dtype):
    """Build `cell` for steps of shape `step_shape` (batch first, None), its weights in `dtype`."""
    cell.dtype = np.dtype(dtype)
    cell.run_build(step_shape, rng)  # Layer's: build(input_shape, rng) or Keras's build(input_shape)
    for key, value in cell.params.items():
        cell.params[key] = np.ascontiguousarray(value, dtype=cell.dtype)
        cell.grads[key] = np.zeros_like(cell.params[key])
    cell.sync_weight_attributes()
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
        nested_inputs = bool(kwargs.pop("nested_inputs", False))  # saved by get_config for a call on a list
        if not is_cell(cell):
            raise TypeError(f"RNN: `cell` must be a gradwise.layers.Layer subclass with `state_size`, got {cell!r}.")
        super().__init__(name=name or unique_name("rnn"), **kwargs)
        self.cell = cell
        self.multi_input = nested_inputs
        self.state_shapes = state_shapes(cell)
        self.state_count = len(self.state_shapes)
        self.step_output_shapes, self.nested_outputs = output_shapes(cell, self.state_shapes)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        if type(cell).forward is Layer.forward and not callable(getattr(cell, "call", None)):
            raise TypeError(f"RNN: the cell {type(cell).__name__} has no step: define call(self, inputs, states) "
                            "returning (output, new_states), or forward(self, inputs, states, training=False) "
                            "returning ((output, new_states), cache).")
        self._call_takes_training = (type(cell).forward is Layer.forward
                                     and "training" in inspect.signature(cell.call).parameters)
        self._carried_states = None
        self._wrap([("cell/", cell)])

    def __call__(self, inputs, training=None, rng=None, mask=None):
        """As Layer's; a list of sequences (Keras's nested inputs) gives the cell a list of steps."""
        nested = isinstance(inputs, (list, tuple))
        if not self.built:
            self.multi_input = nested
        if not nested or symbolic.is_symbolic(inputs) or recorded.recorder_of(inputs) is not None:
            return super().__call__(inputs, training, rng, mask)
        sequences = [np.asarray(sequence) for sequence in inputs]
        if not self.built:
            from ..backend import new_rng, resolve_dtype

            dtype = sequences[0].dtype if sequences[0].dtype in (np.float32, np.float64) else None
            self.build_for([sequence.shape[1:] for sequence in sequences], rng or new_rng(), resolve_dtype(dtype))
        call = {} if mask is None else {"mask": np.asarray(mask)}
        return self.forward(sequences, training=bool(training), **call)[0]

    # ----- shapes and weights --------------------------------------------------------------
    def _sequence_shapes(self, input_shape):
        shapes = [tuple(shape) for shape in input_shape] if self.multi_input else [tuple(input_shape)]
        for shape in shapes:
            if len(shape) < 2:
                raise ValueError(f"RNN '{self.name}' expected inputs of shape (batch, steps, features), got "
                                 f"per-sample shape {shape} (rank {len(shape) + 1}).")
        if len({shape[0] for shape in shapes}) > 1:
            raise ValueError(f"RNN '{self.name}': nested inputs must have the same number of steps, got per-sample "
                             f"shapes {shapes}.")
        return shapes

    def compute_output_shape(self, input_shape):
        steps = self._sequence_shapes(input_shape)[0][0]
        outputs = [(steps, *shape) if self.return_sequences else shape for shape in self.step_output_shapes]
        if self.return_state or self.nested_outputs:
            return [*outputs, *(self.state_shapes if self.return_state else [])]
        return outputs[0]

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = next((item for item in mask if item is not None), None)
        output_mask = mask if self.return_sequences else None
        masks = [output_mask] * len(self.step_output_shapes) + [None] * (self.state_count if self.return_state else 0)
        return masks if self.return_state or self.nested_outputs else output_mask

    def build(self, input_shape, rng):
        if not self.cell.built:
            step_shapes = [(None, *shape[1:]) for shape in self._sequence_shapes(input_shape)]
            build_cell(self.cell, step_shapes if self.multi_input else step_shapes[0], rng, self.dtype)

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
            return self._checked(self.cell.get_initial_state(batch_size=batch), self.state_shapes, batch,
                                 "get_initial_state")
        return [np.zeros((batch, *shape), dtype=dtype) for shape in self.state_shapes]

    def _checked(self, arrays, shapes, batch, what):
        """`arrays` (an array or a list) as a list of arrays of shapes (batch, *shape), else a ValueError."""
        arrays = list(arrays) if isinstance(arrays, (list, tuple)) else [arrays]
        expected = [(batch, *shape) for shape in shapes]
        if [np.shape(array) for array in arrays] != expected:
            sizes = "output_size, else its first state_size" if what == "output" else "state_size"
            raise ValueError(f"RNN '{self.name}': the cell {type(self.cell).__name__}'s {what} must have shape(s) "
                             f"{expected if len(expected) > 1 else expected[0]} (its {sizes}), got "
                             f"{[np.shape(array) for array in arrays] if len(arrays) > 1 else np.shape(arrays[0])}.")
        return [np.asarray(array) for array in arrays]

    # ----- forward -------------------------------------------------------------------------
    def _step(self, inputs, states, training):
        """One step of the cell: ``(output, new_states), cache``."""
        cell = self.cell
        if type(cell).forward is not Layer.forward:
            return cell.forward(inputs, states, training=training)
        if self._call_takes_training:
            output, new_states = cell.call(inputs, states, training=training)
        else:
            output, new_states = cell.call(inputs, states)
        return (output, new_states), CellStep(inputs, states, output, new_states)

    def forward(self, inputs, training=False, mask=None):
        self.cell.sync_weight_attributes()
        sequences = list(inputs) if self.multi_input else [inputs]
        if isinstance(mask, list):
            mask = next((item for item in mask if item is not None), None)
        for sequence in sequences:
            if sequence.ndim < 3 or sequence.shape[:2] != sequences[0].shape[:2]:
                raise ValueError(f"RNN '{self.name}' expected inputs of shape (batch, steps, features), the same "
                                 f"batch and steps for each, got shapes {[item.shape for item in sequences]}.")
        mask = masking.check_mask(self, sequences[0], mask)
        batch, steps = sequences[0].shape[:2]
        dtype = sequences[0].dtype
        states = self._initial_states(batch, dtype)
        outputs = [np.zeros((batch, *shape), dtype=dtype) for shape in self.step_output_shapes]  # before step 1
        sequence_parts, caches = [[] for _ in outputs], []
        for position in range(steps):
            time = steps - 1 - position if self.go_backwards else position
            step_inputs = [sequence[:, time] for sequence in sequences]
            (new_output, new_states), step_cache = self._step(step_inputs if self.multi_input else step_inputs[0],
                                                              list(states), training)
            new_states = self._checked(new_states, self.state_shapes, batch, "new states")
            new_outputs = self._checked(new_output if self.nested_outputs else [new_output], self.step_output_shapes,
                                        batch, "output")
            if mask is not None:  # a masked row keeps its states and repeats its output (or outputs zeros)
                real = mask[:, time]
                new_states = [np.where(_rows(real, new), new, old) for new, old in zip(new_states, states)]
                new_outputs = [np.where(_rows(real, new), new, np.zeros_like(old) if self.zero_output_for_mask else old)
                               for new, old in zip(new_outputs, outputs)]
            caches.append(step_cache)
            for part, output in zip(sequence_parts, new_outputs):
                part.append(output)
            states, outputs = new_states, new_outputs
        if self.stateful:
            self._carried_states = [state.copy() for state in states]
        results = [np.stack(part, axis=1) for part in sequence_parts] if self.return_sequences else outputs
        cache = (caches, mask, [sequence.shape for sequence in sequences], dtype)
        if self.return_state or self.nested_outputs:
            return [*results, *(states if self.return_state else [])], cache
        return results[0], cache

    # ----- backward ------------------------------------------------------------------------
    # through time, last step first: the cell's own backward per step gives d inputs_t and
    # d states_{t-1}; a masked row passes d states_t (and d output_t) straight to the step before
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        cell = self.cell
        if type(cell).backward is Layer.backward:
            raise TypeError(f"RNN '{self.name}': the cell {type(cell).__name__} has no backward, so it cannot be "
                            f"trained (gradwise writes every derivative by hand): {_BACKWARD_HELP}.")
        caches, mask, input_shapes, dtype = cache
        steps, batch = len(caches), input_shapes[0][0]
        count = len(self.step_output_shapes)
        grads = list(grad_outputs) if self.return_state or self.nested_outputs else [grad_outputs]
        output_grads, state_grads = grads[:count], grads[count:] or [None] * self.state_count
        grad_states = [np.zeros((batch, *shape), dtype=dtype) if grad is None else np.asarray(grad)
                       for shape, grad in zip(self.state_shapes, state_grads)]
        carried = [np.zeros((batch, *shape), dtype=dtype) for shape in self.step_output_shapes]  # via output_{t+1}
        grad_inputs = [np.zeros(shape, dtype=dtype) for shape in input_shapes]
        if not accumulate:
            for grad in cell.grads.values():
                grad.fill(0)
        for position in range(steps - 1, -1, -1):
            time = steps - 1 - position if self.go_backwards else position
            step_grads = []
            for grad, through in zip(output_grads, carried):
                if grad is not None and self.return_sequences:
                    through = through + grad[:, position]
                elif grad is not None and position == steps - 1:
                    through = through + grad
                step_grads.append(through)
            passed = None
            if mask is not None:
                real = mask[:, time]
                passed = [np.where(_rows(real, grad), 0.0, grad) for grad in grad_states]
                carried = [np.zeros_like(grad) if self.zero_output_for_mask else np.where(_rows(real, grad), 0.0, grad)
                           for grad in step_grads]
                step_grads = [np.where(_rows(real, grad), grad, 0.0) for grad in step_grads]
                grad_states = [np.where(_rows(real, grad), grad, 0.0) for grad in grad_states]
            else:
                carried = [np.zeros_like(grad) for grad in step_grads]
            grad_step, grad_previous = cell.backward(step_grads if self.nested_outputs else step_grads[0], grad_states,
                                                     caches[position])
            grad_states = self._checked(grad_previous, self.state_shapes, batch, "backward's grad_states")
            if passed is not None:
                grad_states = [grad + through for grad, through in zip(grad_states, passed)]
            step_shapes = [shape[2:] for shape in input_shapes]
            for grad_input, grad in zip(grad_inputs, self._checked(grad_step if self.multi_input else [grad_step],
                                                                   step_shapes, batch, "backward's grad_inputs")):
                grad_input[:, time] = grad
        if not input_grad:
            return None
        return grad_inputs if self.multi_input else grad_inputs[0]

    # ----- config --------------------------------------------------------------------------
    def get_config(self):
        config = {**super().get_config(), "cell": {"class_name": type(self.cell).__name__,
                                                   "config": cell_config(self.cell)},
                  "return_sequences": self.return_sequences, "return_state": self.return_state,
                  "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                  "zero_output_for_mask": self.zero_output_for_mask}
        if self.multi_input:
            config["nested_inputs"] = True
        return config

    @classmethod
    def from_config(cls, config):
        from . import deserialize

        config = dict(config)
        config["cell"] = deserialize(config["cell"])
        return cls(**config)

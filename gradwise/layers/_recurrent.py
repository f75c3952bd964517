"""What SimpleRNN, LSTM and GRU share: arguments, weights, masks, dropout and the time-major loop's frame.

Inputs (batch, steps, features) are turned time-major once, and every step's input
product is one matrix product over all steps: ``projected = [inputs, 1] @ [kernel; bias]``,
(steps, batch, gates * units). A cell subclass then runs the recurrence (``_scan``),
one (batch, units) @ (units, gates * units) product per step with all of its gates
fused, and its backward through time (``_scan_backward``), which gives the gradient
w.r.t. `projected`; the kernel, bias and input gradients are again one product each.

Masks (``masking.py``) follow Keras: at a masked step the state is carried over
unchanged and the output repeats the previous one (zeros before the first real step;
zeros at every masked step with ``zero_output_for_mask``, which Bidirectional sets
when it returns sequences). ``go_backwards`` reads the steps last to first and returns
the sequence in that order, as Keras's does.

Dropout is Keras's: one mask of the input features and one of the recurrent state per
call, the same at every step (the recurrent one applies to the state entering the
recurrent product).

Initial states are zeros, or Keras's ``initial_state=`` (arrays, or symbolic tensors in a
functional model: the call then takes the states as extra inputs and gives their
gradients back), or with ``stateful=True`` the final states of the previous call (no
gradient flows between calls: truncated backpropagation, as Keras; ``reset_states()``
returns to zeros).
"""

import numbers

import numpy as np

from .. import _checks, activations, constraints, initializers, regularizers
from ..ops.blas import one_thread_if_small
from . import masking, recorded, symbolic
from .base import Layer
from .dropout import _check_seed


def _rate(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{owner}: `{name}` must be a float in [0, 1), got {value!r}.")
    return float(value)


class Recurrent(Layer, register=False):
    """Base of the recurrent layers. A subclass sets ``gate_count`` (blocks of `units`
    columns in the kernels) and ``state_count``, and writes ``_scan``/``_scan_backward``."""

    reusable_on_other_lengths = True  # forward reads the lengths off the arrays (Layer._output_shape_on_other_inputs)

    has_kernel = True
    takes_mask = True
    gate_count = 1
    state_count = 1
    # Its matrix products are one time step each, whatever the length of its output: the
    # size that decides whether a second BLAS thread pays (see ops.model_threads).
    products_per_time_step = True

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, **kwargs):
        state_inputs = kwargs.pop("state_inputs", False)  # saved by get_config for a call with initial_state
        super().__init__(**kwargs)
        owner = type(self).__name__
        if state_inputs:
            self.multi_input = True
        self.units = _checks.positive_int(owner, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        for key, regularizer in (("kernel", self.kernel_regularizer), ("recurrent_kernel", self.recurrent_regularizer),
                                 ("bias", self.bias_regularizer if self.use_bias else None)):
            if regularizer is not None:
                self.regularizers[key] = regularizer
        self.kernel_constraint = constraints.attach(self, "kernel", kernel_constraint)
        self.recurrent_constraint = constraints.attach(self, "recurrent_kernel", recurrent_constraint)
        self.bias_constraint = constraints.attach(self, "bias", bias_constraint, applies=self.use_bias)
        self.dropout = _rate(owner, "dropout", dropout)
        self.recurrent_dropout = _rate(owner, "recurrent_dropout", recurrent_dropout)
        self.seed = _check_seed(owner, seed)
        self.stateful = bool(stateful)
        self._carried_states = None  # stateful: the final states of the last call
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.unroll = bool(unroll)  # accepted for Keras code; the loop is the same either way
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self._rng = None

    # ----- initial states ------------------------------------------------------------------
    def __call__(self, inputs, training=None, rng=None, mask=None, initial_state=None):
        """As Layer's, with Keras's `initial_state`: a list of `state_count` arrays (batch, units)
        or, in a functional or subclassed model, symbolic tensors."""
        if initial_state is None:
            return super().__call__(inputs, training, rng, mask)
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self.state_count:
            raise ValueError(f"{type(self).__name__} '{self.name}': `initial_state` must be a list of "
                             f"{self.state_count} state(s) of shape (batch, {self.units}), got {len(states)}.")
        if symbolic.is_symbolic(inputs) or recorded.recorder_of(inputs) is not None:
            if self.built and not getattr(self, "multi_input", False):
                raise ValueError(f"{type(self).__name__} '{self.name}' was first called without `initial_state`; "
                                 "use one layer object per way of calling it.")
            self.multi_input = True  # the graph passes [inputs, *states] and takes their gradients back
            return super().__call__([inputs, *states], training, rng, mask)
        if getattr(self, "multi_input", False):
            return super().__call__([np.asarray(inputs), *map(np.asarray, states)], training, rng, mask)
        inputs = np.asarray(inputs)
        if not self.built:
            from ..backend import new_rng, resolve_dtype

            self.build_for(inputs.shape[1:], rng or new_rng(), resolve_dtype(None))
        call = {} if mask is None else {"mask": np.asarray(mask)}
        return self.forward(inputs, training=bool(training), initial_state=states, **call)[0]

    @property
    def states(self):
        """A stateful layer's final states of its last call (a list of (batch, units) arrays), or
        None before its first call and after reset_states(); Keras's ``layer.states``."""
        return None if self._carried_states is None else [state.copy() for state in self._carried_states]

    def reset_states(self):
        """Start the next call of a stateful layer from zero states (Keras's reset_states)."""
        self._carried_states = None

    def _initial_states(self, initial_state, batch, dtype):
        """The states the scan starts from (a list of (batch, units) arrays), or None for zeros."""
        if initial_state is not None:
            states = []
            for number, state in enumerate(initial_state):
                state = np.asarray(state)
                if state.shape != (batch, self.units):
                    raise ValueError(f"{type(self).__name__} '{self.name}': `initial_state[{number}]` must have shape "
                                     f"(batch, units) = {(batch, self.units)}, got shape {state.shape}.")
                states.append(state.astype(dtype, copy=False))
            return states
        if self.stateful and self._carried_states is not None:
            carried = self._carried_states
            if carried[0].shape[0] != batch:
                raise ValueError(f"{type(self).__name__} '{self.name}' is stateful: every batch must have the size of "
                                 f"the first ({carried[0].shape[0]}), got a batch of {batch}. Give fit/predict a "
                                 "batch_size that divides the samples, or call reset_states() first.")
            return [state.astype(dtype, copy=False) for state in carried]
        return None

    # ----- shapes and weights --------------------------------------------------------------
    def _sequence_shape(self, input_shape):
        """The sequence's per-sample shape, checking the initial states of a call that takes them."""
        if not getattr(self, "multi_input", False):
            return input_shape
        shapes = [tuple(shape) for shape in input_shape]
        for number, shape in enumerate(shapes[1:]):
            if shape != (self.units,):
                raise ValueError(f"{type(self).__name__} '{self.name}': initial state {number} must have per-sample "
                                 f"shape ({self.units},), got {shape}.")
        return shapes[0]

    def compute_output_shape(self, input_shape):
        input_shape = self._sequence_shape(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expected inputs of shape (batch, steps, features), "
                             f"got per-sample shape {tuple(input_shape)} (rank {len(input_shape) + 1}).")
        outputs = (input_shape[0], self.units) if self.return_sequences else (self.units,)
        return [outputs] + [(self.units,)] * self.state_count if self.return_state else outputs

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask] + [None] * self.state_count if self.return_state else output_mask

    def _bias_shape(self):
        return (self.gate_count * self.units,)

    def _initial_bias(self, rng):
        return self.bias_initializer(self._bias_shape(), self.dtype, rng)

    def build(self, input_shape, rng):
        input_shape = self._sequence_shape(input_shape)
        width = self.gate_count * self.units
        self.params["kernel"] = self.kernel_initializer((input_shape[-1], width), self.dtype, rng)
        self.params["recurrent_kernel"] = self.recurrent_initializer((self.units, width), self.dtype, rng)
        if self.use_bias:
            self.params["bias"] = self._initial_bias(rng)
        self._rng = np.random.default_rng(self.seed if self.seed is not None else int(rng.integers(2**63)))

    def _input_bias(self):
        return self.params["bias"]

    # ----- forward -------------------------------------------------------------------------
    def _dropout_keeps(self, batch, features, dtype, training):
        """The scaled keep masks of this call: inputs (batch, features) and state (batch, units), or None."""
        keeps = []
        for rate, width in ((self.dropout, features), (self.recurrent_dropout, self.units)):
            if training and rate > 0:
                keep = self._rng.random((batch, width)) >= rate
                keeps.append(np.multiply(keep, 1.0 / (1.0 - rate), dtype=dtype))
            else:
                keeps.append(None)
        return keeps

    def forward(self, inputs, training=False, mask=None, initial_state=None):
        from_inputs = isinstance(inputs, (list, tuple))  # [sequence, *initial states] in a graph
        if from_inputs:
            inputs, initial_state = inputs[0], list(inputs[1:])
            mask = mask[0] if isinstance(mask, list) else mask
        features = self.params["kernel"].shape[0]
        if inputs.ndim != 3 or inputs.shape[2] != features:
            raise ValueError(f"{type(self).__name__} '{self.name}' expected inputs of shape (batch, steps, "
                             f"{features}), got shape {inputs.shape}.")
        mask = masking.check_mask(self, inputs, mask)
        batch, steps, features = inputs.shape
        input_keep, state_keep = self._dropout_keeps(batch, features, inputs.dtype, training)
        dropped = inputs if input_keep is None else inputs * input_keep[:, None, :]
        time_major = dropped.transpose(1, 0, 2)
        step_mask = None if mask is None else mask.T
        if self.go_backwards:
            time_major = time_major[::-1]
            step_mask = None if step_mask is None else step_mask[::-1]
        # [x_t, 1] @ [W; b] = x_t W + b: the bias rides the input product as a last feature of
        # ones, which saves a pass over all steps' pre-activations
        sequence = np.empty((steps, batch, features + self.use_bias), dtype=time_major.dtype)
        sequence[:, :, :features] = time_major
        weights = self.params["kernel"]
        if self.use_bias:
            sequence[:, :, features] = 1
            weights = np.concatenate([weights, self._input_bias()[None]])
        sequence = sequence.reshape(steps * batch, -1)
        projected = (sequence @ weights).reshape(steps, batch, -1)
        initial = self._initial_states(initial_state, batch, projected.dtype)
        with one_thread_if_small(batch * self.units * projected.shape[2]):
            states, scan_cache = self._scan(projected, step_mask, state_keep, initial)
        if self.stateful:
            self._carried_states = [state[-1].copy() for state in states]
        hidden = states[0]  # (steps + 1, batch, units): the zero state, then each step's
        outputs = hidden[1:]
        if self.zero_output_for_mask and step_mask is not None:
            outputs = outputs * step_mask[:, :, None]
        result = outputs.transpose(1, 0, 2) if self.return_sequences else outputs[-1]
        cache = (sequence, projected, step_mask, input_keep, state_keep, states, scan_cache, from_inputs)
        if self.return_state:
            return [result] + [state[-1] for state in states], cache
        return result, cache

    # ----- backward ------------------------------------------------------------------------
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        # backpropagation through time: each step's cell derivative (see the cell's _scan_backward),
        # then Y = X W + b over all steps  =>  dW = X^T dY, db = sum of dY, dX = dY W^T
        sequence, projected, step_mask, input_keep, state_keep, states, scan_cache, from_inputs = cache
        steps, batch = projected.shape[:2]
        state_grads = [None] * self.state_count
        if self.return_state:
            grad_outputs, state_grads = grad_outputs[0], list(grad_outputs[1:])
        grad_sequence = np.zeros((steps, batch, self.units), dtype=projected.dtype)
        if grad_outputs is not None:
            if self.return_sequences:
                grad_sequence[...] = grad_outputs.transpose(1, 0, 2)
            else:
                grad_sequence[-1] = grad_outputs
        if self.zero_output_for_mask and step_mask is not None:
            grad_sequence *= step_mask[:, :, None]
        with one_thread_if_small(batch * self.units * projected.shape[2]):
            grad_projected, initial_grads = self._scan_backward(grad_sequence, state_grads, projected, step_mask, state_keep,
                                                 states, scan_cache, accumulate)
        flat = grad_projected.reshape(steps * batch, -1)
        self._write_grad("kernel", sequence[:, :self.params["kernel"].shape[0]].T @ flat, accumulate)
        if self.use_bias:
            self._write_input_bias_grad(flat.sum(axis=0), accumulate)
        if not input_grad:
            return None
        grad_inputs = (flat @ self.params["kernel"].T).reshape(steps, batch, -1)
        if self.go_backwards:
            grad_inputs = grad_inputs[::-1]
        grad_inputs = grad_inputs.transpose(1, 0, 2)
        if input_keep is not None:
            grad_inputs = grad_inputs * input_keep[:, None, :]
        grad_inputs = np.ascontiguousarray(grad_inputs)
        return [grad_inputs, *initial_grads] if from_inputs else grad_inputs

    def _write_input_bias_grad(self, value, accumulate):
        self._write_grad("bias", value, accumulate)

    @staticmethod
    def _carry(step_mask, step, new, old):
        """new where the step is real, old (carried over) where it is masked."""
        if step_mask is None:
            return new
        return np.where(step_mask[step][:, None], new, old)

    # ----- config --------------------------------------------------------------------------
    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            **({"state_inputs": True} if getattr(self, "multi_input", False) else {}),
        }

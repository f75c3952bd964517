"""LSTM: long short-term memory, Keras's gates i, f, c, o fused in one product per step."""

import numpy as np

from .. import activations
from ._recurrent import Recurrent


class LSTM(Recurrent):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), as Keras's LSTM.

    With ``z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias`` split into four blocks
    of `units` columns in Keras's order i, f, c, o::

        i, f, o = recurrent_activation(z_i), recurrent_activation(z_f), recurrent_activation(z_o)
        c_t = f * c_{t-1} + i * activation(z_c)
        h_t = o * activation(c_t)

    PyTorch's nn.LSTM orders its gates i, f, g, o: the same order (its g is Keras's c).

    Parameters
    ----------
    units : int
    activation : default 'tanh'
    recurrent_activation : default 'sigmoid'
    unit_forget_bias : bool, default True
        Start the forget gate's bias at 1 (Jozefowicz et al., 2015), as Keras does.
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer : as Keras's
    kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer : optional
    dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards, unroll :
        as Keras's (see ``_recurrent.py``). With `return_state`, the outputs are
        ``[outputs, h, c]``.

    Examples
    --------
    >>> LSTM(64)
    <LSTM name='lstm'>
    """

    gate_count = 4
    state_count = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer, dropout,
                         recurrent_dropout, seed, return_sequences, return_state, go_backwards, stateful, unroll,
                         **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _initial_bias(self, rng):
        if not self.unit_forget_bias:
            return super()._initial_bias(rng)
        units = self.units
        return np.concatenate([self.bias_initializer((units,), self.dtype, rng), np.ones(units, dtype=self.dtype),
                               self.bias_initializer((2 * units,), self.dtype, rng)])

    def _scan(self, projected, step_mask, state_keep):
        steps, batch, width = projected.shape
        units = self.units
        recurrent_kernel = self.params["recurrent_kernel"]
        hidden = np.zeros((steps + 1, batch, units), dtype=projected.dtype)
        cell = np.zeros_like(hidden)
        gates = np.empty_like(projected)  # i, f, c, o after their activations
        new_cell = np.empty((steps, batch, units), dtype=projected.dtype)  # c_t before masking
        squashed = np.empty_like(new_cell)  # activation(c_t)
        for step in range(steps):
            previous = hidden[step]
            preactivation = projected[step]  # completed in place: the step's pre-activation z
            preactivation += (previous if state_keep is None else previous * state_keep) @ recurrent_kernel
            gate = gates[step]
            gate[...] = self.ops.activate(self.recurrent_activation, preactivation)
            gate[:, 2 * units:3 * units] = self.ops.activate(self.activation,
                                                             preactivation[:, 2 * units:3 * units])
            input_gate, forget_gate = gate[:, :units], gate[:, units:2 * units]
            candidate, output_gate = gate[:, 2 * units:3 * units], gate[:, 3 * units:]
            np.multiply(forget_gate, cell[step], out=new_cell[step])
            new_cell[step] += input_gate * candidate
            squashed[step] = self.ops.activate(self.activation, new_cell[step])
            cell[step + 1] = self._carry(step_mask, step, new_cell[step], cell[step])
            hidden[step + 1] = self._carry(step_mask, step, output_gate * squashed[step], previous)
        return [hidden, cell], (gates, new_cell, squashed)

    # h = o g(c), c = f c_prev + i g(z_c)  =>  do = dh g(c),  dc += dh o g'(c),  di = dc g(z_c),
    # df = dc c_prev,  d g(z_c) = dc i,  dc_prev = dc f;  dz = gate'(z) d gate,  dh_prev = dz U^T
    def _scan_backward(self, grad_sequence, state_grads, preactivations, step_mask, state_keep, states, scan_cache,
                       accumulate):
        gates, new_cell, squashed = scan_cache
        hidden, cell = states
        steps, batch, width = preactivations.shape
        units = self.units
        block = slice(2 * units, 3 * units)
        recurrent_kernel = self.params["recurrent_kernel"]
        grad_preactivations = np.empty_like(preactivations)
        zeros = np.zeros((batch, units), dtype=preactivations.dtype)
        grad_hidden_next = zeros if state_grads[0] is None else state_grads[0]
        grad_cell_next = zeros if state_grads[1] is None else state_grads[1]
        grad_gates = np.empty((batch, width), dtype=preactivations.dtype)
        for step in range(steps - 1, -1, -1):
            grad_hidden = grad_sequence[step] + grad_hidden_next
            grad_cell = grad_cell_next
            carried_hidden = carried_cell = 0.0
            if step_mask is not None:
                real = step_mask[step][:, None]
                carried_hidden, carried_cell = np.where(real, 0.0, grad_hidden), np.where(real, 0.0, grad_cell)
                grad_hidden, grad_cell = np.where(real, grad_hidden, 0.0), np.where(real, grad_cell, 0.0)
            gate = gates[step]
            input_gate, forget_gate = gate[:, :units], gate[:, units:2 * units]
            candidate, output_gate = gate[:, block], gate[:, 3 * units:]
            np.multiply(grad_hidden, squashed[step], out=grad_gates[:, 3 * units:])
            grad_cell = grad_cell + self.ops.activate_backward(self.activation, grad_hidden * output_gate,
                                                               new_cell[step], squashed[step])
            np.multiply(grad_cell, candidate, out=grad_gates[:, :units])
            np.multiply(grad_cell, cell[step], out=grad_gates[:, units:2 * units])
            np.multiply(grad_cell, input_gate, out=grad_gates[:, block])
            grad_z = grad_preactivations[step]
            grad_z[...] = self.ops.activate_backward(self.recurrent_activation, grad_gates, preactivations[step], gate)
            grad_z[:, block] = self.ops.activate_backward(self.activation, grad_gates[:, block],
                                                          preactivations[step][:, block], candidate)
            grad_previous = grad_z @ recurrent_kernel.T
            if state_keep is not None:
                grad_previous *= state_keep
            grad_hidden_next = grad_previous + carried_hidden
            grad_cell_next = grad_cell * forget_gate + carried_cell
        previous = hidden[:-1]
        if state_keep is not None:
            previous = previous * state_keep
        self._write("recurrent_kernel", previous.reshape(steps * batch, units).T
                    @ grad_preactivations.reshape(steps * batch, width), accumulate)
        return grad_preactivations

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config

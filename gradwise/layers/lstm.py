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
    kernel_constraint, recurrent_constraint, bias_constraint : optional
        Applied after each optimizer step (``gradwise.constraints``).
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
                 return_state=False, go_backwards=False, stateful=False, unroll=False, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer, dropout,
                         recurrent_dropout, seed, return_sequences, return_state, go_backwards, stateful, unroll,
                         kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _initial_bias(self, rng):
        if not self.unit_forget_bias:
            return super()._initial_bias(rng)
        units = self.units
        return np.concatenate([self.bias_initializer((units,), self.dtype, rng), np.ones(units, dtype=self.dtype),
                               self.bias_initializer((2 * units,), self.dtype, rng)])

    def _scan(self, projected, step_mask, state_keep, initial=None):
        # the cell (gradwise.ops.lstm_cell) runs the steps: per step one product h_{t-1} U of all four gates
        steps, batch, width = projected.shape
        units = self.units
        cell_step = self.ops.lstm_cell(self.activation, self.recurrent_activation, batch, units, projected.dtype)
        hidden = np.zeros((steps + 1, batch, units), dtype=projected.dtype)
        cell = np.zeros_like(hidden)
        if initial is not None:
            hidden[0], cell[0] = initial
        gates = np.empty_like(projected)  # i, f, c, o after their activations
        new_cell = np.empty((steps, batch, units), dtype=projected.dtype)  # c_t before masking
        squashed = np.empty_like(new_cell)  # activation(c_t)
        cell_step.forward_sequence(projected, self.params["recurrent_kernel"], hidden, cell, step_mask, state_keep,
                                   gates, new_cell, squashed)
        return [hidden, cell], (gates, new_cell, squashed)

    # through time (gradwise.ops.lstm_cell): the cell's derivative per step, then
    # z = x W + h_prev U + b  =>  dh_prev = dz U^T;  over all steps dU = h_prev^T dz
    def _scan_backward(self, grad_sequence, state_grads, preactivations, step_mask, state_keep, states, scan_cache,
                       accumulate):
        gates, new_cell, squashed = scan_cache
        hidden, cell = states
        steps, batch, width = preactivations.shape
        units = self.units
        cell_step = self.ops.lstm_cell(self.activation, self.recurrent_activation, batch, units,
                                       preactivations.dtype)
        grad_preactivations = np.empty_like(preactivations)
        grad_hidden = np.zeros((batch, units), dtype=preactivations.dtype)
        grad_cell = np.zeros_like(grad_hidden)
        for grad, state_grad in ((grad_hidden, state_grads[0]), (grad_cell, state_grads[1])):
            if state_grad is not None:
                grad[...] = state_grad
        cell_step.backward_sequence(grad_sequence, grad_hidden, grad_cell, preactivations, gates, new_cell, squashed,
                                    cell, step_mask, state_keep, self.params["recurrent_kernel"], grad_preactivations)
        previous = hidden[:-1]
        if state_keep is not None:
            previous = previous * state_keep
        self._write_grad("recurrent_kernel", previous.reshape(steps * batch, units).T
                    @ grad_preactivations.reshape(steps * batch, width), accumulate)
        return grad_preactivations, [grad_hidden, grad_cell]  # w.r.t. the initial states

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config

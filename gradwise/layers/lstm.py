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

    def _scan(self, projected, step_mask, state_keep, initial=None):
        # per step one product h_{t-1} U of all four gates, then the cell (gradwise.ops.lstm_cell)
        steps, batch, width = projected.shape
        units = self.units
        recurrent_kernel = self.params["recurrent_kernel"]
        cell_step = self.ops.lstm_cell(self.activation, self.recurrent_activation, batch, units, projected.dtype)
        hidden = np.zeros((steps + 1, batch, units), dtype=projected.dtype)
        cell = np.zeros_like(hidden)
        if initial is not None:
            hidden[0], cell[0] = initial
        gates = np.empty_like(projected)  # i, f, c, o after their activations
        new_cell = np.empty((steps, batch, units), dtype=projected.dtype)  # c_t before masking
        squashed = np.empty_like(new_cell)  # activation(c_t)
        product = np.empty((batch, width), dtype=projected.dtype)
        for step in range(steps):
            previous = hidden[step]
            np.matmul(previous if state_keep is None else previous * state_keep, recurrent_kernel, out=product)
            cell_step.forward(projected[step], product, cell[step], previous,
                              None if step_mask is None else step_mask[step], gates[step], new_cell[step],
                              squashed[step], cell[step + 1], hidden[step + 1])
        return [hidden, cell], (gates, new_cell, squashed)

    # through time: the cell's derivative per step (gradwise.ops.lstm_cell), then
    # z = x W + h_prev U + b  =>  dh_prev = dz U^T,  dU = h_prev^T dz over all steps
    def _scan_backward(self, grad_sequence, state_grads, preactivations, step_mask, state_keep, states, scan_cache,
                       accumulate):
        gates, new_cell, squashed = scan_cache
        hidden, cell = states
        steps, batch, width = preactivations.shape
        units = self.units
        cell_step = self.ops.lstm_cell(self.activation, self.recurrent_activation, batch, units,
                                       preactivations.dtype)
        transposed_kernel = np.ascontiguousarray(self.params["recurrent_kernel"].T)
        grad_preactivations = np.empty_like(preactivations)
        grad_hidden = np.zeros((batch, units), dtype=preactivations.dtype)
        grad_cell = np.zeros_like(grad_hidden)
        for grad, state_grad in ((grad_hidden, state_grads[0]), (grad_cell, state_grads[1])):
            if state_grad is not None:
                grad[...] = state_grad
        product = np.empty_like(grad_hidden)
        for step in range(steps - 1, -1, -1):
            real = None if step_mask is None else step_mask[step]
            grad_z = grad_preactivations[step]
            cell_step.backward(grad_sequence[step], grad_hidden, grad_cell, preactivations[step], gates[step],
                               new_cell[step], squashed[step], cell[step], real, grad_z)
            if real is None and state_keep is None:
                np.matmul(grad_z, transposed_kernel, out=grad_hidden)
                continue
            np.matmul(grad_z, transposed_kernel, out=product)
            if state_keep is not None:
                product *= state_keep
            if real is None:
                grad_hidden[...] = product
            else:
                grad_hidden += product  # the cell left the part carried over masked rows there
        previous = hidden[:-1]
        if state_keep is not None:
            previous = previous * state_keep
        self._write("recurrent_kernel", previous.reshape(steps * batch, units).T
                    @ grad_preactivations.reshape(steps * batch, width), accumulate)
        return grad_preactivations, [grad_hidden, grad_cell]  # w.r.t. the initial states

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config

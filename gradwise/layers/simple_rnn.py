"""SimpleRNN: h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)."""

import numpy as np

from ._recurrent import Recurrent


class SimpleRNN(Recurrent):
    """Fully connected recurrence, Keras's SimpleRNN (its arguments and defaults).

    Parameters
    ----------
    units : int
    activation : default 'tanh'
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer : as Keras's
        Defaults True, 'glorot_uniform', 'orthogonal', 'zeros'.
    kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer : optional
    kernel_constraint, recurrent_constraint, bias_constraint : optional
        Applied after each optimizer step (``gradwise.constraints``).
    dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards, unroll :
        as Keras's (see ``_recurrent.py``).

    Examples
    --------
    >>> SimpleRNN(4, return_sequences=True)
    <SimpleRNN name='simple_rnn'>
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer, dropout,
                         recurrent_dropout, seed, return_sequences, return_state, go_backwards, stateful, unroll,
                         kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, **kwargs)

    def _scan(self, projected, step_mask, state_keep, initial=None):
        steps, batch, units = projected.shape
        recurrent_kernel = self.params["recurrent_kernel"]
        hidden = np.zeros((steps + 1, batch, units), dtype=projected.dtype)
        if initial is not None:
            hidden[0] = initial[0]
        new = np.empty_like(projected)
        if self.ops.simple_rnn_scan(self.activation, projected, recurrent_kernel, hidden, new, step_mask, state_keep):
            return [hidden], new  # the whole loop ran in one call (NumbaOps: float32 tanh)
        for step in range(steps):
            previous = hidden[step]
            preactivation = projected[step]  # completed in place: the step's pre-activation
            preactivation += (previous if state_keep is None else previous * state_keep) @ recurrent_kernel
            new[step] = self.ops.activate(self.activation, preactivation)
            hidden[step + 1] = self._carry(step_mask, step, new[step], previous)
        return [hidden], new

    # h = f(z), z = x W + h_prev U + b  =>  dz = f'(z) dh,  dh_prev = dz U^T,  dU = h_prev^T dz
    def _scan_backward(self, grad_sequence, state_grads, preactivations, step_mask, state_keep, states, new,
                       accumulate):
        steps, batch, units = preactivations.shape
        grad_preactivations = np.empty_like(preactivations)
        grad_next = np.zeros((batch, units), dtype=preactivations.dtype)
        if state_grads[0] is not None:
            grad_next[...] = state_grads[0]
        if not self.ops.simple_rnn_scan_backward(self.activation, grad_sequence, grad_next, new, step_mask, state_keep,
                                                 self.params["recurrent_kernel"], grad_preactivations):
            grad_next = self._steps_backward(grad_sequence, grad_next, preactivations, step_mask, state_keep, new,
                                             grad_preactivations)
        previous = states[0][:-1]
        if state_keep is not None:
            previous = previous * state_keep
        self._write_grad("recurrent_kernel", previous.reshape(steps * batch, units).T
                    @ grad_preactivations.reshape(steps * batch, units), accumulate)
        return grad_preactivations, [grad_next]  # grad_next: w.r.t. the initial state

    def _steps_backward(self, grad_sequence, grad_next, preactivations, step_mask, state_keep, new,
                        grad_preactivations):
        # the steps' loop in Python, for any activation; returns the initial state's gradient
        recurrent_kernel = self.params["recurrent_kernel"]
        for step in range(len(preactivations) - 1, -1, -1):
            grad_hidden = grad_sequence[step] + grad_next
            carried = 0.0
            if step_mask is not None:  # a masked step passes the gradient straight to the previous state
                real = step_mask[step][:, None]
                carried = np.where(real, 0.0, grad_hidden)
                grad_hidden = np.where(real, grad_hidden, 0.0)
            grad_preactivations[step] = self.ops.activate_backward(self.activation, grad_hidden, preactivations[step],
                                                                   new[step])
            grad_previous = grad_preactivations[step] @ recurrent_kernel.T
            if state_keep is not None:
                grad_previous *= state_keep
            grad_next = grad_previous + carried
        return grad_next

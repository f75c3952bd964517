"""GRU: gated recurrent unit, Keras's gates z, r, h; reset after the recurrent product by default."""

import numpy as np

from .. import activations
from ._recurrent import Recurrent


class GRU(Recurrent):
    """Gated recurrent unit (Cho et al., 2014), as Keras's GRU.

    With ``x_t @ kernel + input_bias`` and ``h_{t-1} @ recurrent_kernel (+ recurrent_bias)``
    split into blocks z, r, h of `units` columns (Keras's order)::

        z = recurrent_activation(x_z + r_z),  r = recurrent_activation(x_r + r_r)
        hh = activation(x_h + r * (h_{t-1} @ U_h + b_h))    reset_after=True (default)
        hh = activation(x_h + (r * h_{t-1}) @ U_h)           reset_after=False
        h_t = z * h_{t-1} + (1 - z) * hh

    ``reset_after=True`` is PyTorch's nn.GRU (its gates r, z, n), with a bias of shape
    (2, 3 * units): the input bias, then the recurrent one.

    Parameters
    ----------
    units : int
    activation : default 'tanh'
    recurrent_activation : default 'sigmoid'
    reset_after : bool, default True
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer : as Keras's
    kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer : optional
    kernel_constraint, recurrent_constraint, bias_constraint : optional
        Applied after each optimizer step (``gradwise.constraints``).
    dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards, unroll :
        as Keras's (see ``_recurrent.py``).

    Examples
    --------
    >>> GRU(32, return_sequences=True)
    <GRU name='gru'>
    """

    gate_count = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer, dropout,
                         recurrent_dropout, seed, return_sequences, return_state, go_backwards, stateful, unroll,
                         kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return self.params["bias"][0] if self.reset_after else self.params["bias"]

    def _write_input_bias_grad(self, value, accumulate):
        if not self.reset_after:
            return self._write_grad("bias", value, accumulate)
        if accumulate:
            self.grads["bias"][0] += value
        else:
            self.grads["bias"][0] = value
        return None

    def _scan(self, projected, step_mask, state_keep, initial=None):
        steps, batch, width = projected.shape
        hidden = np.zeros((steps + 1, batch, self.units), dtype=projected.dtype)
        if initial is not None:
            hidden[0] = initial[0]
        gates = np.empty_like(projected)  # z, r, hh after their activations
        if self.reset_after:
            recurrent = self._scan_reset_after(projected, step_mask, state_keep, hidden, gates)
        else:
            recurrent = self._scan_reset_before(projected, step_mask, state_keep, hidden, gates)
        return [hidden], (gates, recurrent)

    def _scan_reset_after(self, projected, step_mask, state_keep, hidden, gates):
        # per step one product h_{t-1} U + b_U of all three gates, then the cell (gradwise.ops.gru_cell);
        # the products are kept: their h block is needed in backward
        steps, batch, width = projected.shape
        recurrent_kernel = self.params["recurrent_kernel"]
        recurrent_bias = self.params["bias"][1] if self.use_bias else None
        cell_step = self.ops.gru_cell(self.activation, self.recurrent_activation, batch, self.units, projected.dtype)
        recurrent = np.empty_like(projected)
        for step in range(steps):
            previous = hidden[step]
            product = recurrent[step]
            np.matmul(previous if state_keep is None else previous * state_keep, recurrent_kernel, out=product)
            if recurrent_bias is not None:
                product += recurrent_bias
            cell_step.forward(projected[step], product, previous, None if step_mask is None else step_mask[step],
                              gates[step], hidden[step + 1])
        return recurrent

    def _scan_reset_before(self, projected, step_mask, state_keep, hidden, gates):
        # hh = g(x_h + (r h_prev) U_h): the z, r product, then r * h_prev (kept for backward), then its product
        steps, batch, width = projected.shape
        units = self.units
        update_reset, candidate_block = slice(0, 2 * units), slice(2 * units, width)
        recurrent_kernel = self.params["recurrent_kernel"]
        recurrent = np.empty((steps, batch, units), projected.dtype)
        if self.ops.gru_reset_before_scan(self.activation, self.recurrent_activation, projected, recurrent_kernel,
                                          hidden, gates, recurrent, step_mask, state_keep):
            return recurrent  # the whole loop ran in one call (NumbaOps: float32, sigmoid and tanh)
        for step in range(steps):
            previous = hidden[step]
            kept = previous if state_keep is None else previous * state_keep
            preactivation = projected[step]  # completed in place: z, r and candidate pre-activations
            gate = gates[step]
            preactivation[:, update_reset] += kept @ recurrent_kernel[:, update_reset]
            gate[:, update_reset] = self.ops.activate(self.recurrent_activation, preactivation[:, update_reset])
            np.multiply(gate[:, units:2 * units], kept, out=recurrent[step])
            preactivation[:, candidate_block] += recurrent[step] @ recurrent_kernel[:, candidate_block]
            gate[:, candidate_block] = self.ops.activate(self.activation, preactivation[:, candidate_block])
            update, candidate = gate[:, :units], gate[:, candidate_block]
            new = candidate + update * (previous - candidate)  # z h_prev + (1 - z) hh
            hidden[step + 1] = self._carry(step_mask, step, new, previous)
        return recurrent

    def _scan_backward(self, grad_sequence, state_grads, preactivations, step_mask, state_keep, states, scan_cache,
                       accumulate):
        gates, recurrent = scan_cache
        hidden = states[0]
        batch = preactivations.shape[1]
        grad_next = np.zeros((batch, self.units), dtype=preactivations.dtype)
        if state_grads[0] is not None:
            grad_next[...] = state_grads[0]
        scan = self._backward_reset_after if self.reset_after else self._backward_reset_before
        grad_preactivations, grad_recurrent = scan(grad_sequence, grad_next, preactivations, step_mask, state_keep,
                                                   hidden, gates, recurrent)
        self._write_recurrent_grads(hidden, recurrent, grad_preactivations, grad_recurrent, state_keep, accumulate)
        return grad_preactivations, [grad_next]  # grad_next: w.r.t. the initial state

    # through time: the cell's derivative per step (gradwise.ops.gru_cell), then
    # product = h_prev U + b_U  =>  dh_prev = dproduct U^T + dh z (+ what masked rows carry)
    def _backward_reset_after(self, grad_sequence, grad_next, preactivations, step_mask, state_keep, hidden, gates,
                              recurrent):
        steps, batch, width = preactivations.shape
        cell_step = self.ops.gru_cell(self.activation, self.recurrent_activation, batch, self.units,
                                      preactivations.dtype)
        transposed_kernel = np.ascontiguousarray(self.params["recurrent_kernel"].T)
        grad_preactivations = np.empty_like(preactivations)
        grad_recurrent = np.empty_like(recurrent)  # w.r.t. each step's product
        direct, carried, kept = (np.empty_like(grad_next) for _ in range(3))
        for step in range(steps - 1, -1, -1):
            real = None if step_mask is None else step_mask[step]
            cell_step.backward(grad_sequence[step], grad_next, preactivations[step], gates[step], recurrent[step],
                               hidden[step], real, grad_preactivations[step], grad_recurrent[step], direct, carried)
            np.matmul(grad_recurrent[step], transposed_kernel, out=kept)
            if state_keep is not None:
                kept *= state_keep
            np.add(kept, direct, out=grad_next)
            if real is not None:
                grad_next += carried
        return grad_preactivations, grad_recurrent

    # h = z h_prev + (1 - z) hh  =>  dz = dh (h_prev - hh),  dhh = dh (1 - z),  dh_prev = dh z + (recurrent paths);
    # hh = g(x_h + (r h_prev) U_h)  =>  d(r h_prev) = dhh_pre U_h^T,  dr = that h_prev
    def _backward_reset_before(self, grad_sequence, grad_next, preactivations, step_mask, state_keep, hidden, gates,
                               recurrent):
        steps, batch, width = preactivations.shape
        units = self.units
        update_reset, candidate_block = slice(0, 2 * units), slice(2 * units, width)
        recurrent_kernel = self.params["recurrent_kernel"]
        grad_preactivations = np.empty_like(preactivations)
        grad_recurrent = np.empty_like(recurrent)  # w.r.t. r * h_prev
        if self.ops.gru_reset_before_scan_backward(self.activation, self.recurrent_activation, grad_sequence,
                                                   grad_next, hidden, gates, step_mask, state_keep, recurrent_kernel,
                                                   grad_preactivations, grad_recurrent):
            return grad_preactivations, grad_recurrent
        grad_gates = np.empty((batch, width), dtype=preactivations.dtype)
        for step in range(steps - 1, -1, -1):
            grad_hidden = grad_sequence[step] + grad_next
            carried = 0.0
            if step_mask is not None:
                real = step_mask[step][:, None]
                carried = np.where(real, 0.0, grad_hidden)
                grad_hidden = np.where(real, grad_hidden, 0.0)
            previous = hidden[step]
            kept = previous if state_keep is None else previous * state_keep
            gate = gates[step]
            update, reset, candidate = gate[:, :units], gate[:, units:2 * units], gate[:, candidate_block]
            grad_z = grad_preactivations[step]
            np.multiply(grad_hidden, previous - candidate, out=grad_gates[:, :units])
            np.multiply(grad_hidden, 1.0 - update, out=grad_gates[:, candidate_block])
            grad_z[:, candidate_block] = self.ops.activate_backward(
                self.activation, grad_gates[:, candidate_block], preactivations[step][:, candidate_block], candidate)
            grad_candidate = grad_z[:, candidate_block]
            grad_reset_input = grad_candidate @ recurrent_kernel[:, candidate_block].T  # w.r.t. r * h_kept
            np.multiply(grad_reset_input, kept, out=grad_gates[:, units:2 * units])
            grad_z[:, update_reset] = self.ops.activate_backward(
                self.recurrent_activation, grad_gates[:, update_reset], preactivations[step][:, update_reset],
                gate[:, update_reset])
            grad_recurrent[step] = grad_candidate
            grad_kept = grad_z[:, update_reset] @ recurrent_kernel[:, update_reset].T + grad_reset_input * reset
            if state_keep is not None:
                grad_kept *= state_keep
            grad_next[...] = grad_kept + grad_hidden * update + carried
        return grad_preactivations, grad_recurrent

    def _write_recurrent_grads(self, hidden, recurrent, grad_preactivations, grad_recurrent, state_keep, accumulate):
        steps, batch, width = grad_preactivations.shape
        units = self.units
        kept = hidden[:-1] if state_keep is None else hidden[:-1] * state_keep
        kept = kept.reshape(steps * batch, units)
        if self.reset_after:
            flat = grad_recurrent.reshape(steps * batch, width)
            self._write_grad("recurrent_kernel", kept.T @ flat, accumulate)
            if self.use_bias:
                if accumulate:
                    self.grads["bias"][1] += flat.sum(axis=0)
                else:
                    self.grads["bias"][1] = flat.sum(axis=0)
            return
        grad = np.empty((units, width), dtype=grad_preactivations.dtype)
        grad[:, :2 * units] = kept.T @ grad_preactivations[:, :, :2 * units].reshape(steps * batch, 2 * units)
        grad[:, 2 * units:] = recurrent.reshape(steps * batch, units).T @ grad_recurrent.reshape(steps * batch, units)
        self._write_grad("recurrent_kernel", grad, accumulate)

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config

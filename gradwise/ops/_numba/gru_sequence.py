"""A float32 GRU's whole time loop with the reset gate before the recurrent product
(Keras's ``reset_after=False``), in one compiled call each way; gates z, r, h.

As the LSTM's (``lstm_sequence.py``, whose vectorized sigmoid and tanh this uses, within two
float32 ulps): per step two products by numba's ``np.dot`` (SciPy's BLAS), h_{t-1} by the z
and r blocks of the recurrent kernel, then (r h_{t-1}) by its h block, and the gates between
them, with no Python between steps. The kernel's blocks come as contiguous copies (and
their transposes for the backward). Arrays are C-contiguous: the pre-activations, gates and
their gradients (steps, batch, 3 * units), the states (steps + 1, batch, units), r h_{t-1}
and its gradient (steps, batch, units), the mask (steps, batch), read only when ``masked``,
the recurrent dropout's keep (batch, units), read only when ``kept``.
"""

import numba
import numpy as np

from .lstm_sequence import _recurrent_product, _sigmoid, _tanh

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def forward(projected, update_reset_kernel, candidate_kernel, hidden, gates, reset_hidden, step_mask, masked,
            state_keep, kept, update_reset_product, candidate_product, kept_previous):
    # z, r = sigmoid(x_zr + h_kept U_zr), hh = tanh(x_h + (r h_kept) U_h), h_t = hh + z (h_{t-1} - hh);
    # h_kept is h_{t-1} times the recurrent keep; the pre-activations are completed in `projected`,
    # r h_kept kept in `reset_hidden`; a masked row carries h_{t-1} over
    # loops on the 3-D arrays themselves, one transcendental each, so they vectorize (as the LSTM's)
    steps, rows, width = projected.shape
    units = width // 3
    for step in range(steps):
        previous_hidden = hidden[step]
        _recurrent_product(previous_hidden, update_reset_kernel, state_keep, kept, kept_previous, update_reset_product)
        for row in range(rows):
            for j in range(2 * units):
                projected[step, row, j] += update_reset_product[row, j]
            for j in range(2 * units):
                gates[step, row, j] = _sigmoid(projected[step, row, j])
            if kept:
                for j in range(units):
                    reset_hidden[step, row, j] = gates[step, row, units + j] * (previous_hidden[row, j]
                                                                                * state_keep[row, j])
            else:
                for j in range(units):
                    reset_hidden[step, row, j] = gates[step, row, units + j] * previous_hidden[row, j]
        np.dot(reset_hidden[step], candidate_kernel, candidate_product)
        for row in range(rows):
            for j in range(units):
                projected[step, row, 2 * units + j] += candidate_product[row, j]
            for j in range(units):
                gates[step, row, 2 * units + j] = _tanh(projected[step, row, 2 * units + j])
            if masked and not step_mask[step, row]:
                for j in range(units):
                    hidden[step + 1, row, j] = previous_hidden[row, j]
            else:
                for j in range(units):
                    candidate = gates[step, row, 2 * units + j]
                    hidden[step + 1, row, j] = candidate + gates[step, row, j] * (previous_hidden[row, j] - candidate)


# h = z h_prev + (1 - z) hh  =>  dz = dh (h_prev - hh),  dhh = dh (1 - z),  dh_prev = dh z + (recurrent paths);
# hh = tanh(x_h + (r h_kept) U_h)  =>  d(r h_kept) = dz_h U_h^T,  dr = d(r h_kept) h_kept,  dh_kept += d(r h_kept) r;
# z, r = sigmoid(x_zr + h_kept U_zr)  =>  dh_kept += dz_zr U_zr^T;  dh_prev += dh_kept keep
@_jit
def backward(grad_sequence, grad_next, hidden, gates, step_mask, masked, state_keep, kept, transposed_update_reset,
             transposed_candidate, grad_preactivations, grad_reset_hidden, grad_update_reset, grad_reset_input,
             grad_kept, carried):
    # `grad_next`: dh of the final state on entry, of the initial state on return; dz into
    # `grad_preactivations`, d(r h_kept) w.r.t. the candidate's product input into `grad_reset_hidden`
    steps, rows, units = grad_sequence.shape
    zero, one = np.float32(0), np.float32(1)
    for step in range(steps - 1, -1, -1):
        for row in range(rows):  # loops on the 3-D arrays themselves, few arrays each, so they vectorize
            if masked and not step_mask[step, row]:
                for j in range(units):
                    carried[row, j] = grad_sequence[step, row, j] + grad_next[row, j]
                    grad_next[row, j] = zero  # dh_t of the step's own rows, read again below
            else:
                for j in range(units):
                    carried[row, j] = zero
                    grad_next[row, j] = grad_sequence[step, row, j] + grad_next[row, j]
            for j in range(units):
                update, candidate = gates[step, row, j], gates[step, row, 2 * units + j]
                grad_candidate = (one - candidate * candidate) * (grad_next[row, j] * (one - update))
                grad_preactivations[step, row, 2 * units + j] = grad_candidate
                grad_reset_hidden[step, row, j] = grad_candidate
            for j in range(units):
                update, candidate = gates[step, row, j], gates[step, row, 2 * units + j]
                grad_update_reset[row, j] = (one - update) * update * (grad_next[row, j]
                                                                       * (hidden[step, row, j] - candidate))
        np.dot(grad_reset_hidden[step], transposed_candidate, grad_reset_input)
        for row in range(rows):
            gate_row, previous_row = gates[step, row], hidden[step, row]
            for j in range(units):
                kept_value = previous_row[j] * state_keep[row, j] if kept else previous_row[j]
                reset = gate_row[units + j]
                grad_update_reset[row, units + j] = (one - reset) * reset * (grad_reset_input[row, j] * kept_value)
            grad_z_row = grad_preactivations[step, row]
            for j in range(2 * units):
                grad_z_row[j] = grad_update_reset[row, j]
        np.dot(grad_update_reset, transposed_update_reset, grad_kept)
        for row in range(rows):
            gate_row, next_row = gates[step, row], grad_next[row]
            for j in range(units):
                value = grad_kept[row, j] + grad_reset_input[row, j] * gate_row[units + j]
                value = value * state_keep[row, j] if kept else value
                next_row[j] = value + next_row[j] * gate_row[j] + carried[row, j]

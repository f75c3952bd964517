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
    steps, rows, width = projected.shape
    units = width // 3
    for step in range(steps):
        previous_hidden = hidden[step]
        _recurrent_product(previous_hidden, update_reset_kernel, state_keep, kept, kept_previous, update_reset_product)
        for row in range(rows):
            z_row, gate_row, product_row = projected[step, row], gates[step, row], update_reset_product[row]
            reset_row, previous_row = reset_hidden[step, row], previous_hidden[row]
            for j in range(2 * units):
                z_row[j] = z_row[j] + product_row[j]
                gate_row[j] = _sigmoid(z_row[j])
            for j in range(units):
                kept_value = previous_row[j] * state_keep[row, j] if kept else previous_row[j]
                reset_row[j] = gate_row[units + j] * kept_value
        np.dot(reset_hidden[step], candidate_kernel, candidate_product)
        for row in range(rows):
            z_row, gate_row, product_row = projected[step, row], gates[step, row], candidate_product[row]
            previous_row, hidden_row = previous_hidden[row], hidden[step + 1, row]
            skipped = masked and not step_mask[step, row]
            for j in range(units):
                z_row[2 * units + j] = z_row[2 * units + j] + product_row[j]
                candidate = _tanh(z_row[2 * units + j])
                gate_row[2 * units + j] = candidate
                new = candidate + gate_row[j] * (previous_row[j] - candidate)
                hidden_row[j] = previous_row[j] if skipped else new


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
        for row in range(rows):
            grad_row, next_row, gate_row = grad_sequence[step, row], grad_next[row], gates[step, row]
            previous_row, grad_z_row = hidden[step, row], grad_preactivations[step, row]
            skipped = masked and not step_mask[step, row]
            for j in range(units):
                grad_hidden = grad_row[j] + next_row[j]
                carried[row, j] = grad_hidden if skipped else zero
                grad_hidden = zero if skipped else grad_hidden
                next_row[j] = grad_hidden  # dh_t of the step's own rows, read again below
                update, candidate = gate_row[j], gate_row[2 * units + j]
                grad_candidate = (one - candidate * candidate) * (grad_hidden * (one - update))
                grad_z_row[2 * units + j] = grad_candidate
                grad_reset_hidden[step, row, j] = grad_candidate
                grad_update_reset[row, j] = (one - update) * update * (grad_hidden * (previous_row[j] - candidate))
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

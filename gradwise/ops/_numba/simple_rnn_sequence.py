"""A float32 SimpleRNN's (tanh) whole time loop in one compiled call each way.

As the LSTM's (``lstm_sequence.py``, whose vectorized tanh this uses, within two float32
ulps): per step the recurrent product by numba's ``np.dot`` (SciPy's BLAS) into a buffer,
then the activation, with no Python between steps. Arrays are C-contiguous: the
pre-activations and their gradients (steps, batch, units), the states (steps + 1, batch,
units), the mask (steps, batch), read only when ``masked``, and the recurrent dropout's
keep (batch, units), read only when ``kept``.
"""

import numba
import numpy as np

from .lstm_sequence import _recurrent_product, _tanh

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def forward(projected, recurrent_kernel, hidden, new, step_mask, masked, state_keep, kept, product, kept_previous):
    # z = projected + h_{t-1} U (written back into `projected`: the backward's cache), new = tanh(z),
    # h_t = new, or h_{t-1} carried over a masked row
    steps, rows, units = projected.shape
    for step in range(steps):
        previous_hidden = hidden[step]
        _recurrent_product(previous_hidden, recurrent_kernel, state_keep, kept, kept_previous, product)
        for row in range(rows):
            z_row, product_row, new_row = projected[step, row], product[row], new[step, row]
            for j in range(units):
                z_row[j] = z_row[j] + product_row[j]
                new_row[j] = _tanh(z_row[j])
            source = previous_hidden[row] if masked and not step_mask[step, row] else new_row
            hidden_row = hidden[step + 1, row]
            for j in range(units):
                hidden_row[j] = source[j]


# h = tanh(z), z = x W + h_prev U + b  =>  dz = (1 - h^2) dh,  dh_prev = dz U^T (a masked row: dh_prev = dh)
@_jit
def backward(grad_sequence, grad_next, new, step_mask, masked, state_keep, kept, transposed_kernel,
             grad_preactivations, product, carried):
    # `grad_next`: dh of the final state on entry, of the initial state on return
    steps, rows, units = grad_sequence.shape
    zero, one = np.float32(0), np.float32(1)
    for step in range(steps - 1, -1, -1):
        for row in range(rows):
            grad_row, next_row, new_row = grad_sequence[step, row], grad_next[row], new[step, row]
            grad_z_row, carried_row = grad_preactivations[step, row], carried[row]
            skipped = masked and not step_mask[step, row]
            for j in range(units):
                grad_hidden = grad_row[j] + next_row[j]
                carried_row[j] = grad_hidden if skipped else zero
                grad_hidden = zero if skipped else grad_hidden
                grad_z_row[j] = (one - new_row[j] * new_row[j]) * grad_hidden
        np.dot(grad_preactivations[step], transposed_kernel, product)
        for row in range(rows):
            for j in range(units):
                value = product[row, j] * state_keep[row, j] if kept else product[row, j]
                grad_next[row, j] = value + carried[row, j]

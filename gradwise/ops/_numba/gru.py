"""Fused kernels of a GRU step with the reset gate after the recurrent product (Keras's
default), Keras's gates z, r, h, sigmoid and tanh.

As for the LSTM (``lstm.py`` here), the exponentials and tanh are NumPy's, called between
these kernels by ``numba_gru_cell.py``; everything else of a step is one pass here, in the
NumPy cell's order of operations (``gru_cell.py``): the results are bit-identical to it.
Arrays are C-contiguous (batch, units) or (batch, 3 * units); ``real`` is the step's mask
row, read only when ``masked``.
"""

import numba
import numpy as np

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def gates_preactivation(z, product, negative_magnitude):
    # z_z, z_r += the product's z and r blocks (in place: the cached pre-activations), and -|z|
    rows = z.shape[0]
    width = negative_magnitude.shape[1]  # 2 * units
    for row in range(rows):
        z_row, product_row, magnitude_row = z[row], product[row], negative_magnitude[row]
        for j in range(width):
            value = z_row[j] + product_row[j]
            z_row[j] = value
            magnitude_row[j] = -np.abs(value)


@_jit
def reset_candidate(z, exps, product, gates):
    # z, r = sigmoid (as activations._sigmoid); z_h += r * (h_prev U_h + b_h)
    rows, width = exps.shape
    units = width // 2
    one, zero = z.dtype.type(1), z.dtype.type(0)
    for row in range(rows):
        z_row, exp_row, product_row, gate_row = z[row], exps[row], product[row], gates[row]
        for j in range(width):
            exp_negative_magnitude = exp_row[j]
            gate_row[j] = (exp_negative_magnitude if z_row[j] < zero else one) / (exp_negative_magnitude + one)
        for j in range(units):
            z_row[2 * units + j] += gate_row[units + j] * product_row[2 * units + j]


@_jit
def step_output(gates, hidden_previous, real, masked, hidden):
    # h_t = hh + z (h_prev - hh); a masked row carries h_{t-1} over
    rows, units = hidden.shape
    for row in range(rows):
        if masked and not real[row]:
            hidden[row] = hidden_previous[row]
            continue
        gate_row, previous_row, hidden_row = gates[row], hidden_previous[row], hidden[row]
        for j in range(units):
            candidate = gate_row[2 * units + j]
            hidden_row[j] = candidate + gate_row[j] * (previous_row[j] - candidate)


# dh = the step's output gradient + dh_t from later steps;  dz = dh (h_prev - hh),  dhh = dh (1 - z),
# d z_h = (1 - hh^2) dhh,  dr = d z_h a_h,  d z_{z,r} = (1 - y) y d(gate);  the product's gradient:
# its z, r blocks d z_{z,r}, its h block d z_h r;  the direct part of dh_{t-1}: dh z

@_jit
def _real_row(grad_output, grad_next, gates, product, hidden_previous, grad_z, grad_product, direct, carried,
              units, clear, one, zero):
    for j in range(units):
        grad_hidden = grad_output[j] + grad_next[j]
        if clear:
            carried[j] = zero
        update, candidate = gates[j], gates[2 * units + j]
        grad_update = grad_hidden * (hidden_previous[j] - candidate)
        grad_candidate = (one - candidate * candidate) * (grad_hidden * (one - update))
        grad_z[2 * units + j] = grad_candidate
        grad_z[j] = (one - update) * update * grad_update
        direct[j] = grad_hidden * update
    for j in range(units):
        reset, grad_candidate = gates[units + j], grad_z[2 * units + j]
        grad_z[units + j] = (one - reset) * reset * (grad_candidate * product[2 * units + j])
        grad_product[j] = grad_z[j]
        grad_product[units + j] = grad_z[units + j]
        grad_product[2 * units + j] = grad_candidate * reset


@_jit
def step_backward(grad_output, grad_next, gates, product, hidden_previous, real, masked, grad_z, grad_product,
                  direct, carried):
    rows, units = grad_output.shape
    one, zero = grad_output.dtype.type(1), grad_output.dtype.type(0)
    for row in range(rows):
        arrays = (grad_output[row], grad_next[row], gates[row], product[row], hidden_previous[row], grad_z[row],
                  grad_product[row], direct[row], carried[row])
        if masked and not real[row]:  # the gates see a zero dh; dh passes to h_{t-1} unchanged
            grad_output_row, grad_next_row, carried_row = arrays[0], arrays[1], arrays[8]
            for j in range(units):
                carried_row[j] = grad_output_row[j] + grad_next_row[j]
            _real_row(np.zeros_like(grad_output_row), np.zeros_like(grad_next_row), *arrays[2:8],
                      np.empty_like(carried_row), units, False, one, zero)
        else:
            _real_row(*arrays, units, masked, one, zero)

"""Fused kernels of an LSTM step with Keras's gates i, f, c, o, sigmoid and tanh.

The exponentials and tanh are left to NumPy (``numba_lstm_cell.py`` calls them between
these kernels): numba calls the C library once per element where NumPy's vectorized
loops are five to forty times faster, and NumPy's are the bits the NumPy cell computes.
Everything else of a step, forward or backward, is one pass here, in the NumPy cell's
order of operations (``lstm_cell.py``): the results are bit-identical to it.

Arrays are C-contiguous (batch, units) or (batch, 4 * units); ``real`` is the step's mask
row, read only when ``masked``. The loops run over row views, and the backward in three
passes of few arrays each: so written, the compiler vectorizes them (one pass over all ten
arrays took four times as long).
"""

import numba
import numpy as np

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def preactivation(z, product, negative_magnitude, candidate):
    # z += h_{t-1} U (in place: the cached pre-activation); -|z| of the sigmoid gates i, f, o packed
    # in (batch, 3 * units), which NumPy exponentiates, and z_c copied to (batch, units), which NumPy
    # squashes: contiguous, both run NumPy's fastest loops, and no exponential is spent on z_c
    rows, width = z.shape
    units = width // 4
    for row in range(rows):
        z_row, product_row = z[row], product[row]
        magnitude_row, candidate_row = negative_magnitude[row], candidate[row]
        for j in range(width):
            z_row[j] = z_row[j] + product_row[j]
        for j in range(2 * units):
            magnitude_row[j] = -np.abs(z_row[j])
        for j in range(units):
            candidate_row[j] = z_row[2 * units + j]
            magnitude_row[2 * units + j] = -np.abs(z_row[3 * units + j])


@_jit
def cell_update(z, exps, candidate, gates, cell_previous, new_cell):
    # i, f, o = sigmoid(z_i, z_f, z_o) as activations._sigmoid: exp(-|z|) / (1 + exp(-|z|)) below
    # zero, 1 / (1 + exp(-|z|)) above (`exps` packs i, f, o; `candidate` holds tanh(z_c));
    # c_t = f c_{t-1} + i g
    rows, units = new_cell.shape
    one, zero = z.dtype.type(1), z.dtype.type(0)
    for row in range(rows):
        z_row, exp_row, gate_row, candidate_row = z[row], exps[row], gates[row], candidate[row]
        previous_row, new_row = cell_previous[row], new_cell[row]
        for j in range(2 * units):
            exp_negative_magnitude = exp_row[j]
            gate_row[j] = (exp_negative_magnitude if z_row[j] < zero else one) / (exp_negative_magnitude + one)
        for j in range(units):
            exp_negative_magnitude = exp_row[2 * units + j]
            gate_row[3 * units + j] = ((exp_negative_magnitude if z_row[3 * units + j] < zero else one)
                                       / (exp_negative_magnitude + one))
            gate_row[2 * units + j] = candidate_row[j]
        for j in range(units):
            new_row[j] = gate_row[units + j] * previous_row[j] + gate_row[j] * gate_row[2 * units + j]


@_jit
def step_output(gates, squashed, new_cell, cell_previous, hidden_previous, real, masked, cell, hidden):
    # h_t = o tanh(c_t); a masked row carries c_{t-1} and h_{t-1} over
    rows, units = new_cell.shape
    for row in range(rows):
        if masked and not real[row]:
            cell[row] = cell_previous[row]
            hidden[row] = hidden_previous[row]
            continue
        gate_row, squashed_row, new_row = gates[row], squashed[row], new_cell[row]
        cell_row, hidden_row = cell[row], hidden[row]
        for j in range(units):
            cell_row[j] = new_row[j]
            hidden_row[j] = gate_row[3 * units + j] * squashed_row[j]


# The step's derivatives, with dh and dc the gradients w.r.t. h_t and c_t (the step's output and
# the later steps' together):  do = dh g(c),  dc += dh o (1 - g(c)^2),  di = dc g,  df = dc c_prev,
# dg = dc i,  dc_prev = dc f;  dz = (1 - y) y d(gate) for i, f, o and (1 - g^2) dg for c.

@_jit
def _real_row(grad_output, grad_hidden, grad_cell, gates, squashed, cell_previous, grad_z, units, clear, one, zero):
    # a step that ran; `clear`: with a mask, nothing of dh is carried over to h_{t-1} here
    for j in range(units):
        total_hidden = grad_output[j] + grad_hidden[j]
        if clear:
            grad_hidden[j] = zero
        squashed_cell, output_gate = squashed[j], gates[3 * units + j]
        grad_z[3 * units + j] = (one - output_gate) * output_gate * (total_hidden * squashed_cell)
        grad_cell[j] = grad_cell[j] + (one - squashed_cell * squashed_cell) * (total_hidden * output_gate)
    for j in range(units):
        total_cell, input_gate, candidate = grad_cell[j], gates[j], gates[2 * units + j]
        grad_z[j] = (one - input_gate) * input_gate * (total_cell * candidate)
        grad_z[2 * units + j] = (one - candidate * candidate) * (total_cell * input_gate)
    for j in range(units):
        total_cell, forget_gate = grad_cell[j], gates[units + j]
        grad_z[units + j] = (one - forget_gate) * forget_gate * (total_cell * cell_previous[j])
        grad_cell[j] = total_cell * forget_gate + zero  # + the carried 0, as NumPy adds it (-0 becomes 0)


@_jit
def _masked_row(grad_output, grad_hidden, grad_cell, gates, squashed, cell_previous, grad_z, units, one, zero):
    # a masked step: dh and dc pass to h_{t-1} and c_{t-1} unchanged; the gates see zeros
    for j in range(units):
        grad_hidden[j] = grad_output[j] + grad_hidden[j]
        input_gate, forget_gate = gates[j], gates[units + j]
        candidate, output_gate = gates[2 * units + j], gates[3 * units + j]
        squashed_cell = squashed[j]
        total_cell = zero + (one - squashed_cell * squashed_cell) * (zero * output_gate)
        grad_z[j] = (one - input_gate) * input_gate * (total_cell * candidate)
        grad_z[units + j] = (one - forget_gate) * forget_gate * (total_cell * cell_previous[j])
        grad_z[2 * units + j] = (one - candidate * candidate) * (total_cell * input_gate)
        grad_z[3 * units + j] = (one - output_gate) * output_gate * (zero * squashed_cell)
        grad_cell[j] = total_cell * forget_gate + grad_cell[j]


@_jit
def step_backward(grad_output, grad_hidden, grad_cell, gates, squashed, cell_previous, real, masked, grad_z):
    # grad_cell becomes dc_{t-1}; with a mask, grad_hidden the part of dh_{t-1} carried over masked rows
    rows, units = squashed.shape
    one, zero = squashed.dtype.type(1), squashed.dtype.type(0)
    for row in range(rows):
        arrays = (grad_output[row], grad_hidden[row], grad_cell[row], gates[row], squashed[row],
                  cell_previous[row], grad_z[row])
        if masked and not real[row]:
            _masked_row(*arrays, units, one, zero)
        else:
            _real_row(*arrays, units, masked, one, zero)

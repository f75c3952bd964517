"""A float32 LSTM's whole time loop in one compiled call each way, Keras's gates i, f, c, o.

The per-step kernels (``lstm.py``) leave the exponentials and tanh to NumPy, which costs
seven calls from Python a step. Here a step's recurrent product (BLAS, through numba's
``np.dot`` into a buffer) and its gates run inside one loop over all steps, with an
exponential written so the compiler vectorizes it: the one of Cephes's ``expf`` (range
reduction by ln 2 in two parts, a degree-7 polynomial, the power of two made from its
exponent bits), within 1.3 ulp of the exact value where NumPy's is within 1. The results are
therefore not NumPy's bits but float32's rounding of the same math (the tests hold them
to the float64 cell at float32's precision). The backward computes ``lstm.py``'s row
derivatives in the same order (a masked row through its ``_masked_row``), which need no
transcendental function, and the product by U^T per step. The loops index the 3-D arrays
directly, one transcendental function or few arrays each: so written, the compiler
vectorizes them (with row views and the sigmoid and tanh in one loop a step's gates took
about 1.5 times as long).

Arrays are C-contiguous: the pre-activations, gates and their gradients (steps, batch,
4 * units), the states (steps + 1, batch, units), the mask (steps, batch), read only
when ``masked``, and the recurrent dropout's keep (batch, units), read only when ``kept``.
"""

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

from .lstm import _masked_row

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)

_LOWEST = np.float32(-87.33654)  # ln of float32's smallest normal number: below, 2^k would underflow


@intrinsic
def _float_from_bits(typing_context, bits):
    # the float32 whose bit pattern is the int32 `bits`
    def codegen(context, builder, signature, arguments):
        return builder.bitcast(arguments[0], context.get_value_type(types.float32))

    return types.float32(types.int32), codegen


@numba.njit(inline="always", error_model="numpy")
def _exp_nonpositive(x):
    # exp(x) for float32 x <= 0: x = k ln 2 + r with |r| <= ln 2 / 2, exp(x) = 2^k exp(r)
    x = max(x, _LOWEST)
    k = np.floor(x * np.float32(1.44269504088896341) + np.float32(0.5))
    r = x - k * np.float32(0.693359375)  # ln 2 in two parts: the first exact in few bits
    r = r - k * np.float32(-2.12194440e-4)
    polynomial = (((((np.float32(1.9875691500e-4) * r + np.float32(1.3981999507e-3)) * r
                     + np.float32(8.3334519073e-3)) * r + np.float32(4.1665795894e-2)) * r
                   + np.float32(1.6666665459e-1)) * r + np.float32(5.0000001201e-1))
    power = _float_from_bits((np.int32(k) + np.int32(127)) << np.int32(23))
    return (polynomial * (r * r) + r + np.float32(1.0)) * power


@numba.njit(inline="always", error_model="numpy")
def _sigmoid(x):
    # 1 / (1 + exp(-x)), from exp(-|x|) so nothing overflows: e / (1 + e) below zero, 1 / (1 + e) above
    exp_negative_magnitude = _exp_nonpositive(-abs(x))
    return (exp_negative_magnitude if x < np.float32(0) else np.float32(1)) / (exp_negative_magnitude + np.float32(1))


@numba.njit(inline="always", error_model="numpy")
def _tanh(x):
    # Cephes's tanhf: an odd polynomial below |x| = 0.625 (no cancellation in 1 - e there),
    # (1 - e) / (1 + e) with e = exp(-2|x|) above, the sign put back
    magnitude = abs(x)
    square = x * x
    near_zero = ((((np.float32(-5.70498872745e-3) * square + np.float32(2.06390887954e-2)) * square
                   - np.float32(5.37397155531e-2)) * square + np.float32(1.33314422036e-1)) * square
                 - np.float32(3.33332819422e-1)) * square * x + x
    exp_term = _exp_nonpositive(np.float32(-2) * magnitude)
    far = (np.float32(1) - exp_term) / (np.float32(1) + exp_term)
    far = far if x >= np.float32(0) else -far
    return near_zero if magnitude < np.float32(0.625) else far


@numba.njit(inline="always", error_model="numpy")
def _recurrent_product(previous_hidden, recurrent_kernel, state_keep, kept, kept_previous, product):
    """product = (h_{t-1}, times the recurrent dropout's keep when `kept`) U, by numba's np.dot;
    shared by the LSTM's, GRU's and SimpleRNN's loops."""
    if kept:
        rows, units = kept_previous.shape
        for row in range(rows):
            for j in range(units):
                kept_previous[row, j] = previous_hidden[row, j] * state_keep[row, j]
        np.dot(kept_previous, recurrent_kernel, product)
    else:
        np.dot(previous_hidden, recurrent_kernel, product)


@_jit
def forward(projected, recurrent_kernel, hidden, cell, step_mask, masked, state_keep, kept, gates, new_cell,
            squashed, product, kept_previous):
    # per step: z = projected + h_{t-1} U (z written back into `projected`: the backward's cache),
    # i, f, o = sigmoid(z_i, z_f, z_o), g = tanh(z_c), c_t = f c_{t-1} + i g, h_t = o tanh(c_t);
    # a masked row carries c_{t-1} and h_{t-1} over; `gates`, `new_cell` (c_t before masking) and
    # `squashed` (tanh(c_t)) are kept for the backward
    steps, rows, width = projected.shape
    units = width // 4
    for step in range(steps):
        previous_hidden = hidden[step]
        _recurrent_product(previous_hidden, recurrent_kernel, state_keep, kept, kept_previous, product)
        for row in range(rows):
            for j in range(width):
                projected[step, row, j] += product[row, j]
            for j in range(2 * units):
                gates[step, row, j] = _sigmoid(projected[step, row, j])
            # written as offsets from 0 to units: a loop over range(3 * units, width) ran twice as long
            for j in range(units):
                gates[step, row, 2 * units + j] = _tanh(projected[step, row, 2 * units + j])
            for j in range(units):
                gates[step, row, 3 * units + j] = _sigmoid(projected[step, row, 3 * units + j])
            for j in range(units):
                new_cell[step, row, j] = (gates[step, row, units + j] * cell[step, row, j]
                                          + gates[step, row, j] * gates[step, row, 2 * units + j])
            for j in range(units):
                squashed[step, row, j] = _tanh(new_cell[step, row, j])
            if masked and not step_mask[step, row]:
                for j in range(units):
                    cell[step + 1, row, j] = cell[step, row, j]
                    hidden[step + 1, row, j] = previous_hidden[row, j]
            else:
                for j in range(units):
                    cell[step + 1, row, j] = new_cell[step, row, j]
                    hidden[step + 1, row, j] = gates[step, row, 3 * units + j] * squashed[step, row, j]


@_jit
def backward(grad_sequence, grad_hidden, grad_cell, gates, squashed, cell, step_mask, masked, state_keep, kept,
             transposed_kernel, grad_preactivations, product):
    # per step, last to first: the row derivatives of lstm.py give dz (into `grad_preactivations`)
    # and dc_{t-1} (into `grad_cell`); dh_{t-1} = dz U^T (times the recurrent keep), plus, with a
    # mask, what the masked rows carried over
    steps, rows, units = grad_sequence.shape
    one, zero = np.float32(1), np.float32(0)
    for step in range(steps - 1, -1, -1):
        grad_z = grad_preactivations[step]
        for row in range(rows):
            if masked and not step_mask[step, row]:
                _masked_row(grad_sequence[step, row], grad_hidden[row], grad_cell[row], gates[step, row],
                            squashed[step, row], cell[step, row], grad_z[row], units, one, zero)
                continue
            # lstm.py's _real_row, its loops on the 3-D arrays themselves: so they vectorize
            for j in range(units):
                total_hidden = grad_sequence[step, row, j] + grad_hidden[row, j]
                squashed_cell, output_gate = squashed[step, row, j], gates[step, row, 3 * units + j]
                grad_z[row, 3 * units + j] = (one - output_gate) * output_gate * (total_hidden * squashed_cell)
                grad_cell[row, j] = grad_cell[row, j] + (one - squashed_cell * squashed_cell) * (total_hidden
                                                                                                 * output_gate)
            if masked:
                for j in range(units):
                    grad_hidden[row, j] = zero  # nothing of dh is carried over a real row
            for j in range(units):
                input_gate = gates[step, row, j]
                grad_z[row, j] = (one - input_gate) * input_gate * (grad_cell[row, j] * gates[step, row, 2 * units + j])
            for j in range(units):
                candidate = gates[step, row, 2 * units + j]
                grad_z[row, 2 * units + j] = (one - candidate * candidate) * (grad_cell[row, j] * gates[step, row, j])
            for j in range(units):
                total_cell, forget_gate = grad_cell[row, j], gates[step, row, units + j]
                grad_z[row, units + j] = (one - forget_gate) * forget_gate * (total_cell * cell[step, row, j])
                grad_cell[row, j] = total_cell * forget_gate + zero  # + the carried 0, as NumPy adds it
        if not (masked or kept):
            np.dot(grad_z, transposed_kernel, grad_hidden)
            continue
        np.dot(grad_z, transposed_kernel, product)
        for row in range(rows):
            for j in range(units):
                value = product[row, j] * state_keep[row, j] if kept else product[row, j]
                grad_hidden[row, j] = grad_hidden[row, j] + value if masked else value

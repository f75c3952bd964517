"""An LSTM's time step without its matrix product: the gate nonlinearities, the cell update
and their derivatives, in NumPy.

The layer (``layers/lstm.py``) hands the whole recurrence to a cell made here:
``forward_sequence`` runs per step one product of the state by the stacked recurrent
kernel, then the step's ``forward``; ``backward_sequence`` runs backward through time,
per step ``backward`` and one product by the transposed kernel. A cell is made once per
call of the layer (``Ops.lstm_cell``) for one batch size, so implementations can keep
scratch buffers and check dtypes and activations once, not per step, and may run the
whole loop in compiled code (``numba_lstm_cell.py``).

Arrays are (batch, units) or, for the stacked pre-activations and gates, (batch, 4 * units)
in Keras's order i, f, c, o. ``real`` is the step's mask row (batch,) of booleans, or None:
where False the step is skipped, the states carried over unchanged (Keras's masking).
``NumbaOps`` replaces this cell with fused kernels (``ops/numba_lstm_cell.py``) that give
the same bits.
"""

import numpy as np


class LSTMCell:
    """The LSTM step in NumPy, for any activation and recurrent activation."""

    def __init__(self, activation, recurrent_activation, batch, units, dtype):
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        self.units = units

    def forward_sequence(self, projected, recurrent_kernel, hidden, cell, step_mask, state_keep, gates, new_cell,
                         squashed):
        """Run the recurrence over all steps: `projected` (steps, batch, 4 * units) holds x_t W + b
        and is completed in place into z; `hidden` and `cell` (steps + 1, batch, units) hold the
        initial states in row 0 and receive each step's; `gates`, `new_cell` and `squashed` (per
        step, see ``forward``) are the backward's cache. `step_mask` (steps, batch) or None;
        `state_keep` (batch, units), the recurrent dropout's scaled keep, or None."""
        product = np.empty(projected.shape[1:], dtype=projected.dtype)
        for step in range(len(projected)):
            previous = hidden[step]
            np.matmul(previous if state_keep is None else previous * state_keep, recurrent_kernel, out=product)
            self.forward(projected[step], product, cell[step], previous, None if step_mask is None else step_mask[step],
                         gates[step], new_cell[step], squashed[step], cell[step + 1], hidden[step + 1])

    # z = x W + h_prev U + b  =>  dh_prev = dz U^T (per step, after the step's derivative in ``backward``)
    def backward_sequence(self, grad_sequence, grad_hidden, grad_cell, preactivations, gates, new_cell, squashed, cell,
                          step_mask, state_keep, recurrent_kernel, grad_preactivations):
        """Backpropagate through all steps, last to first: `grad_sequence` (steps, batch, units) is
        the gradient w.r.t. each step's output, `grad_hidden` and `grad_cell` (batch, units) the
        final states' on entry and the initial states' on return; `grad_preactivations` (as
        `preactivations`) receives dz."""
        transposed_kernel = np.ascontiguousarray(recurrent_kernel.T)
        product = np.empty_like(grad_hidden)
        for step in range(len(preactivations) - 1, -1, -1):
            real = None if step_mask is None else step_mask[step]
            grad_z = grad_preactivations[step]
            self.backward(grad_sequence[step], grad_hidden, grad_cell, preactivations[step], gates[step],
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

    def _blocks(self, array):
        units = self.units
        return array[:, :units], array[:, units:2 * units], array[:, 2 * units:3 * units], array[:, 3 * units:]

    def forward(self, z, product, cell_previous, hidden_previous, real, gates, new_cell, squashed, cell, hidden):
        """Complete the pre-activation in place (``z += product``, product = h_{t-1} U) and
        write the gates after their activations, c_t before masking, activation(c_t), and
        the step's cell and hidden states after masking."""
        z += product
        gates[...] = self.recurrent_activation.forward(z)
        block = slice(2 * self.units, 3 * self.units)
        gates[:, block] = self.activation.forward(z[:, block])
        input_gate, forget_gate, candidate, output_gate = self._blocks(gates)
        np.multiply(forget_gate, cell_previous, out=new_cell)
        new_cell += input_gate * candidate
        squashed[...] = self.activation.forward(new_cell)
        cell[...] = new_cell if real is None else np.where(real[:, None], new_cell, cell_previous)
        output = output_gate * squashed
        hidden[...] = output if real is None else np.where(real[:, None], output, hidden_previous)

    # h = o g(c), c = f c_prev + i g(z_c)  =>  do = dh g(c),  dc += dh o g'(c),  di = dc g(z_c),
    # df = dc c_prev,  d g(z_c) = dc i,  dc_prev = dc f;  dz = gate'(z) d gate
    def backward(self, grad_output, grad_hidden, grad_cell, z, gates, new_cell, squashed, cell_previous, real, grad_z):
        """Write dz (the stacked pre-activations' gradient) into `grad_z` from the step's output
        gradient and the gradients w.r.t. h_t and c_t from later steps (`grad_hidden`,
        `grad_cell`). `grad_cell` is overwritten with the gradient w.r.t. c_{t-1}; with a mask,
        `grad_hidden` with the part of h_{t-1}'s gradient carried over masked rows (the rest,
        dz U^T, the layer adds); without one, `grad_hidden` is left to the layer to overwrite."""
        total_hidden = grad_output + grad_hidden
        total_cell = grad_cell
        if real is not None:
            rows = real[:, None]
            grad_hidden[...] = np.where(rows, 0.0, total_hidden)  # carried over masked rows
            carried_cell = np.where(rows, 0.0, total_cell)
            total_hidden, total_cell = np.where(rows, total_hidden, 0.0), np.where(rows, total_cell, 0.0)
        else:
            carried_cell = 0.0
        input_gate, forget_gate, candidate, output_gate = self._blocks(gates)
        grad_gates = np.empty_like(grad_z)
        grad_input, grad_forget, grad_candidate, grad_output_gate = self._blocks(grad_gates)
        np.multiply(total_hidden, squashed, out=grad_output_gate)
        total_cell = total_cell + self.activation.backward(total_hidden * output_gate, new_cell, squashed)
        np.multiply(total_cell, candidate, out=grad_input)
        np.multiply(total_cell, cell_previous, out=grad_forget)
        np.multiply(total_cell, input_gate, out=grad_candidate)
        grad_z[...] = self.recurrent_activation.backward(grad_gates, z, gates)
        block = slice(2 * self.units, 3 * self.units)
        grad_z[:, block] = self.activation.backward(grad_candidate, z[:, block], candidate)
        grad_cell[...] = total_cell * forget_gate + carried_cell

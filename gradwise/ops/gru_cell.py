"""A GRU's time step with the reset gate after the recurrent product (Keras's default
``reset_after=True``), without the product itself: the gates, the new state and their
derivatives, in NumPy.

As for the LSTM (``lstm_cell.py``), the layer (``layers/gru.py``) makes a cell once per call
(``Ops.gru_cell``) and per step computes ``product = h_{t-1} U + b_U`` (batch, 3 * units),
then calls ``forward``; backward through time calls ``backward`` per step and multiplies
the returned product gradient by the transposed kernel. Blocks are Keras's z, r, h;
``real`` is the step's mask row or None. ``NumbaOps`` replaces this cell with fused
kernels (``numba_gru_cell.py``) that give the same bits.
"""

import numpy as np


class GRUCell:
    """The reset-after GRU step in NumPy, for any activation and recurrent activation."""

    def __init__(self, activation, recurrent_activation, batch, units, dtype):
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        self.units = units

    def forward(self, z, product, hidden_previous, real, gates, hidden):
        """Complete the pre-activations in place (z, r: ``+= product``; h: ``+= r * product_h``)
        and write the gates after their activations and the step's hidden state after masking."""
        units = self.units
        update_reset, candidate_block = slice(0, 2 * units), slice(2 * units, 3 * units)
        z[:, update_reset] += product[:, update_reset]
        gates[:, update_reset] = self.recurrent_activation.forward(z[:, update_reset])
        z[:, candidate_block] += gates[:, units:2 * units] * product[:, candidate_block]
        gates[:, candidate_block] = self.activation.forward(z[:, candidate_block])
        update, candidate = gates[:, :units], gates[:, candidate_block]
        new = candidate + update * (hidden_previous - candidate)  # z h_prev + (1 - z) hh
        hidden[...] = new if real is None else np.where(real[:, None], new, hidden_previous)

    # h = z h_prev + (1 - z) hh  =>  dz = dh (h_prev - hh),  dhh = dh (1 - z),  dh_prev = dh z + (product path);
    # hh = g(x_h + r a), a = h_prev U_h + b_h  =>  da_h = dhh_pre r,  dr = dhh_pre a
    def backward(self, grad_output, grad_next, z, gates, product, hidden_previous, real, grad_z, grad_product,
                 direct, carried):
        """Write dz into `grad_z`, the gradient w.r.t. the step's product into `grad_product`, the
        direct part of dh_{t-1} (dh z) into `direct` and, with a mask, the part carried over
        masked rows into `carried`; `grad_next` is dh_t from the later steps."""
        units = self.units
        update_reset, candidate_block = slice(0, 2 * units), slice(2 * units, 3 * units)
        grad_hidden = grad_output + grad_next
        if real is not None:
            rows = real[:, None]
            carried[...] = np.where(rows, 0.0, grad_hidden)
            grad_hidden = np.where(rows, grad_hidden, 0.0)
        update, reset, candidate = gates[:, :units], gates[:, units:2 * units], gates[:, candidate_block]
        grad_gates = np.empty_like(grad_z)
        np.multiply(grad_hidden, hidden_previous - candidate, out=grad_gates[:, :units])
        np.multiply(grad_hidden, 1.0 - update, out=grad_gates[:, candidate_block])
        grad_z[:, candidate_block] = self.activation.backward(grad_gates[:, candidate_block], z[:, candidate_block],
                                                              candidate)
        grad_candidate = grad_z[:, candidate_block]
        np.multiply(grad_candidate, product[:, candidate_block], out=grad_gates[:, units:2 * units])
        grad_z[:, update_reset] = self.recurrent_activation.backward(grad_gates[:, update_reset], z[:, update_reset],
                                                                     gates[:, update_reset])
        grad_product[:, update_reset] = grad_z[:, update_reset]
        np.multiply(grad_candidate, reset, out=grad_product[:, candidate_block])
        np.multiply(grad_hidden, update, out=direct)

"""The LSTM step of NumbaOps: Keras's default sigmoid and tanh gates in fused kernels.

In float32, where SciPy is installed (numba's ``np.dot`` calls SciPy's BLAS), the whole
time loop is one compiled call each way (``_numba/lstm_sequence.py``): no Python runs
between steps, which was a fifth of an LSTM(64)'s step time at batch 64. Its exponential
is its own, so its bits are float32's rounding of the cell's math, not NumPy's. Otherwise
(float64, or no SciPy) the layer's loop calls the step kernels here, with NumPy's bits.

Forward, a step is three kernels and three NumPy calls on contiguous arrays (the exponentials and tanh, whose
vectorized loops numba cannot match: see ``_numba/lstm.py``) into buffers made once per
call of the layer; backward, one kernel. No step allocates. Any other activation, or a
dtype other than float32/float64, runs the NumPy cell (``lstm_cell.py``).
"""

import numpy as np

from .. import activations
from .lstm_cell import LSTMCell


def fusable(activation, recurrent_activation, dtype):
    """Whether the kernels compute this cell: exactly tanh and sigmoid (a subclass may compute
    something else), in float32 or float64."""
    return (type(activation) is activations.Tanh and type(recurrent_activation) is activations.Sigmoid
            and np.dtype(dtype) in (np.dtype(np.float32), np.dtype(np.float64)))


def mask_arguments(step_mask):
    """(mask, masked) for the whole-loop kernels, which take one array type: without a mask a
    dummy never read."""
    if step_mask is None:
        return np.ones((1, 1), dtype=bool), False
    return np.ascontiguousarray(step_mask, dtype=bool), True


def keep_arguments(state_keep):
    """(keep, kept) for the whole-loop kernels: without recurrent dropout a dummy never read."""
    if state_keep is None:
        return np.ones((1, 1), dtype=np.float32), False
    return state_keep, True


class FusedLSTMCell(LSTMCell):
    """LSTMCell's step in fused kernels, with the same bits."""

    def __init__(self, activation, recurrent_activation, batch, units, dtype, kernels, sequence_kernels=None):
        super().__init__(activation, recurrent_activation, batch, units, dtype)
        self._kernels = kernels
        # the whole-loop kernels, float32 only (their exponential is float32's)
        self._sequence_kernels = sequence_kernels if np.dtype(dtype) == np.dtype(np.float32) else None
        self._exps = np.empty((batch, 3 * units), dtype=dtype)  # exp(-|z|) of i, f, o: the sigmoids' exponential
        self._candidate = np.empty((batch, units), dtype=dtype)  # tanh(z_c)
        self._no_mask = np.ones(batch, dtype=bool)

    def _runs_whole_loop(self, *arrays):
        return self._sequence_kernels is not None and all(
            array.dtype == np.float32 and array.flags.c_contiguous for array in arrays)

    def forward_sequence(self, projected, recurrent_kernel, hidden, cell, step_mask, state_keep, gates, new_cell,
                         squashed):
        recurrent_kernel = np.ascontiguousarray(recurrent_kernel)
        if not self._runs_whole_loop(projected, recurrent_kernel, hidden, cell, gates, new_cell, squashed,
                                     *(() if state_keep is None else (state_keep,))):
            return super().forward_sequence(projected, recurrent_kernel, hidden, cell, step_mask, state_keep, gates,
                                            new_cell, squashed)
        batch, width = projected.shape[1:]
        self._sequence_kernels.forward(projected, recurrent_kernel, hidden, cell, *mask_arguments(step_mask),
                                       *keep_arguments(state_keep), gates, new_cell, squashed,
                                       np.empty((batch, width), dtype=np.float32),
                                       np.empty((batch, self.units), dtype=np.float32))

    def backward_sequence(self, grad_sequence, grad_hidden, grad_cell, preactivations, gates, new_cell, squashed, cell,
                          step_mask, state_keep, recurrent_kernel, grad_preactivations):
        transposed_kernel = np.ascontiguousarray(recurrent_kernel.T)
        if not self._runs_whole_loop(grad_sequence, grad_hidden, grad_cell, gates, squashed, cell, transposed_kernel,
                                     grad_preactivations, *(() if state_keep is None else (state_keep,))):
            return super().backward_sequence(grad_sequence, grad_hidden, grad_cell, preactivations, gates, new_cell,
                                             squashed, cell, step_mask, state_keep, recurrent_kernel,
                                             grad_preactivations)
        self._sequence_kernels.backward(grad_sequence, grad_hidden, grad_cell, gates, squashed, cell,
                                        *mask_arguments(step_mask), *keep_arguments(state_keep),
                                        transposed_kernel, grad_preactivations, np.empty_like(grad_hidden))

    def forward(self, z, product, cell_previous, hidden_previous, real, gates, new_cell, squashed, cell, hidden):
        kernels, exps, candidate = self._kernels, self._exps, self._candidate
        kernels.preactivation(z, product, exps, candidate)
        np.exp(exps, out=exps)
        np.tanh(candidate, out=candidate)
        kernels.cell_update(z, exps, candidate, gates, cell_previous, new_cell)
        np.tanh(new_cell, out=squashed)
        kernels.step_output(gates, squashed, new_cell, cell_previous, hidden_previous,
                            self._no_mask if real is None else real, real is not None, cell, hidden)

    def backward(self, grad_output, grad_hidden, grad_cell, z, gates, new_cell, squashed, cell_previous, real, grad_z):
        self._kernels.step_backward(grad_output, grad_hidden, grad_cell, gates, squashed, cell_previous,
                                    self._no_mask if real is None else real, real is not None, grad_z)

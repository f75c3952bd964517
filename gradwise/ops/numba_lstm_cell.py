"""The LSTM step of NumbaOps: Keras's default sigmoid and tanh gates in fused kernels.

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


class FusedLSTMCell(LSTMCell):
    """LSTMCell's step in fused kernels, with the same bits."""

    def __init__(self, activation, recurrent_activation, batch, units, dtype, kernels):
        super().__init__(activation, recurrent_activation, batch, units, dtype)
        self._kernels = kernels
        self._exps = np.empty((batch, 3 * units), dtype=dtype)  # exp(-|z|) of i, f, o: the sigmoids' exponential
        self._candidate = np.empty((batch, units), dtype=dtype)  # tanh(z_c)
        self._no_mask = np.ones(batch, dtype=bool)

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

"""The reset-after GRU step of NumbaOps: Keras's default sigmoid and tanh gates in fused
kernels (``_numba/gru.py``) around NumPy's exp and tanh, into buffers made once per call of
the layer; the same bits as the NumPy cell (``gru_cell.py``), which runs any other case."""

import numpy as np

from .gru_cell import GRUCell
from .numba_lstm_cell import fusable  # the same condition: exactly tanh and sigmoid, float32/float64


class FusedGRUCell(GRUCell):
    """GRUCell's step in fused kernels, with the same bits."""

    def __init__(self, activation, recurrent_activation, batch, units, dtype, kernels):
        super().__init__(activation, recurrent_activation, batch, units, dtype)
        self._kernels = kernels
        self._exps = np.empty((batch, 2 * units), dtype=dtype)  # exp(-|z|) of the z and r gates
        self._no_mask = np.ones(batch, dtype=bool)
        self._unused = np.empty((batch, units), dtype=dtype)  # `carried` without a mask

    def forward(self, z, product, hidden_previous, real, gates, hidden):
        kernels, exps, block = self._kernels, self._exps, slice(2 * self.units, 3 * self.units)
        kernels.gates_preactivation(z, product, exps)
        np.exp(exps, out=exps)
        kernels.reset_candidate(z, exps, product, gates)
        np.tanh(z[:, block], out=gates[:, block])
        kernels.step_output(gates, hidden_previous, self._no_mask if real is None else real, real is not None, hidden)

    def backward(self, grad_output, grad_next, z, gates, product, hidden_previous, real, grad_z, grad_product,
                 direct, carried):
        masked = real is not None
        self._kernels.step_backward(grad_output, grad_next, gates, product, hidden_previous,
                                    real if masked else self._no_mask, masked, grad_z, grad_product, direct,
                                    carried if masked else self._unused)

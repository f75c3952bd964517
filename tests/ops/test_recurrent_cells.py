"""The LSTM and GRU steps behind the seam: NumbaOps' fused kernels against the NumPy cells, bit for
bit, through whole forward and backward passes of the layers (masks, dropout, states, go_backwards,
initial states)."""

import numpy as np
import pytest

from gradwise import activations, ops
from gradwise.layers import GRU, LSTM
from gradwise.ops.gru_cell import GRUCell
from gradwise.ops.numba_gru_cell import FusedGRUCell
from gradwise.ops.lstm_cell import LSTMCell
from gradwise.ops.numba_lstm_cell import FusedLSTMCell

from ..layers.gradient_check import built

NUMPY, NUMBA = ops.NumpyOps(), ops.NumbaOps()
STEPS, FEATURES, UNITS = 6, 3, 5
MASK = np.array([[1, 1, 1, 0, 0, 1], [0, 0, 1, 1, 1, 1], [1, 0, 1, 0, 1, 0], [0, 0, 0, 0, 0, 0],
                 [1, 1, 1, 1, 1, 1]], dtype=bool)
OPTIONS = {
    "last": {},
    "sequences_backwards": {"return_sequences": True, "go_backwards": True},
    "state": {"return_state": True},
    "dropout": {"return_sequences": True, "dropout": 0.3, "recurrent_dropout": 0.4, "seed": 5},
}


def _pass(implementation, options, dtype, mask, cls=LSTM):
    """Outputs, input gradient and weight gradients of one training call under `implementation`."""
    rng = np.random.default_rng(11)
    layer = built(cls(UNITS, bias_initializer="random_normal", **options), (STEPS, FEATURES), dtype=dtype)
    inputs = rng.normal(size=(5, STEPS, FEATURES)).astype(dtype) * 2  # gates well into both sides of zero
    with ops.use_ops(implementation):
        outputs, cache = layer.forward(inputs, training=True, **({} if mask is None else {"mask": mask}))
        outputs = outputs if isinstance(outputs, list) else [outputs]
        upstream = [rng.normal(size=output.shape).astype(dtype) for output in outputs]
        grad_inputs = layer.backward(upstream if len(upstream) > 1 else upstream[0], cache)
    return [*outputs, grad_inputs, *(grad.copy() for grad in layer.grads.values())]


@pytest.mark.parametrize("cls", [LSTM, GRU])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("masked", [False, True])
def test_fused_steps_are_bit_identical_to_numpys(cls, dtype, option, masked):
    expected = _pass(NUMPY, OPTIONS[option], dtype, MASK if masked else None, cls)
    received = _pass(NUMBA, OPTIONS[option], dtype, MASK if masked else None, cls)
    assert len(received) == len(expected)
    for got, want in zip(received, expected):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_numba_fuses_the_default_gru_cell_only():
    tanh, sigmoid = activations.get("tanh"), activations.get("sigmoid")
    assert type(NUMBA.gru_cell(tanh, sigmoid, 4, 3, np.float32)) is FusedGRUCell
    for cell in (NUMBA.gru_cell(activations.get("relu"), sigmoid, 4, 3, np.float32),
                 NUMBA.gru_cell(tanh, sigmoid, 4, 3, np.float16), NUMPY.gru_cell(tanh, sigmoid, 4, 3, np.float64)):
        assert type(cell) is GRUCell


def test_numba_fuses_only_the_sigmoid_and_tanh_cell_in_float32_and_float64():
    tanh, sigmoid = activations.get("tanh"), activations.get("sigmoid")

    class Steeper(activations.Sigmoid, register=False):  # a subclass may compute something else
        def forward(self, inputs):
            return super().forward(2 * inputs)

    assert type(NUMBA.lstm_cell(tanh, sigmoid, 4, 3, np.float32)) is FusedLSTMCell
    assert type(NUMBA.lstm_cell(tanh, sigmoid, 4, 3, np.float64)) is FusedLSTMCell
    for cell in (NUMBA.lstm_cell(activations.get("elu"), sigmoid, 4, 3, np.float32),
                 NUMBA.lstm_cell(tanh, Steeper(), 4, 3, np.float32),
                 NUMBA.lstm_cell(tanh, activations.get("softplus"), 4, 3, np.float32),
                 NUMBA.lstm_cell(tanh, sigmoid, 4, 3, np.float16),
                 NUMPY.lstm_cell(tanh, sigmoid, 4, 3, np.float32)):
        assert type(cell) is LSTMCell


def test_the_fused_step_allocates_nothing_and_leaves_its_inputs_alone():
    """Forward writes only its outputs (and completes z in place); the scratch is reused."""
    rng = np.random.default_rng(3)
    batch = 4
    cell = NUMBA.lstm_cell(activations.get("tanh"), activations.get("sigmoid"), batch, UNITS, np.float32)
    z = rng.normal(size=(batch, 4 * UNITS)).astype(np.float32)
    product = rng.normal(size=z.shape).astype(np.float32)
    cell_previous, hidden_previous = (rng.normal(size=(batch, UNITS)).astype(np.float32) for _ in range(2))
    copies = [array.copy() for array in (product, cell_previous, hidden_previous)]
    scratch = cell._exps
    outputs = [np.empty_like(z)] + [np.empty((batch, UNITS), np.float32) for _ in range(4)]
    expected_z = z + product
    cell.forward(z, product, cell_previous, hidden_previous, None, *outputs)
    np.testing.assert_array_equal(z, expected_z)
    for array, copy in zip((product, cell_previous, hidden_previous), copies):
        np.testing.assert_array_equal(array, copy)
    assert cell._exps is scratch

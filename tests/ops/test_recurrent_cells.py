"""The LSTM and GRU steps behind the seam: NumbaOps' fused kernels against the NumPy cells, bit for
bit, through whole forward and backward passes of the layers (masks, dropout, states, go_backwards,
initial states); the float32 LSTM's whole-loop kernels, with their own exponential, against the
float64 cell at float32's precision."""

import numpy as np
import pytest

from gradwise import activations, ops
from gradwise.layers import GRU, LSTM, SimpleRNN
from gradwise.ops.gru_cell import GRUCell
from gradwise.ops.numba_gru_cell import FusedGRUCell
from gradwise.ops.lstm_cell import LSTMCell
from gradwise.ops.numba_lstm_cell import FusedLSTMCell

from ..layers.gradient_check import built

NUMPY, NUMBA = ops.NumpyOps(), ops.NumbaOps()
NUMBA_STEPS = ops.NumbaOps()
NUMBA_STEPS._lstm_sequence = None  # as without SciPy: the layer's loop calls the step kernels
NUMBA_STEPS._simple_rnn_sequence = None
NUMBA_STEPS._gru_sequence = None
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
    received = _pass(NUMBA_STEPS, OPTIONS[option], dtype, MASK if masked else None, cls)
    assert len(received) == len(expected)
    for got, want in zip(received, expected):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def _gru_reset_before(units, **options):
    return GRU(units, reset_after=False, **options)


@pytest.mark.parametrize("cls", [LSTM, SimpleRNN, _gru_reset_before])
@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("masked", [False, True])
def test_float32_whole_loops_are_as_accurate_as_numpys_float32_cells(cls, option, masked):
    """The whole-loop kernels' float32 results differ from NumPy's float32 bits, by no more than
    NumPy's own float32 results differ from the float64 truth (same weights, same inputs)."""
    mask = MASK if masked else None
    truth = _pass(NUMPY, OPTIONS[option], np.float64, mask, cls)
    numpy_float32 = _pass(NUMPY, OPTIONS[option], np.float32, mask, cls)
    received = _pass(NUMBA, OPTIONS[option], np.float32, mask, cls)
    steps = _pass(NUMBA_STEPS, OPTIONS[option], np.float32, mask, cls)  # the Python loop, for comparison
    assert any(not np.array_equal(got, step_result) for got, step_result in zip(received, steps))  # it did run
    assert len(received) == len(truth)
    for got, reference, want in zip(received, numpy_float32, truth):
        assert got.dtype == np.float32
        numpy_error = np.max(np.abs(reference - want))
        error = np.max(np.abs(got - want))
        assert error <= 2 * numpy_error + 2e-7 * np.max(np.abs(want)), (error, numpy_error)
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6 * np.max(np.abs(want)))


def test_the_whole_loop_runs_in_float32_only():
    tanh, sigmoid = activations.get("tanh"), activations.get("sigmoid")
    assert NUMBA.lstm_cell(tanh, sigmoid, 4, 3, np.float32)._sequence_kernels is not None
    assert NUMBA.lstm_cell(tanh, sigmoid, 4, 3, np.float64)._sequence_kernels is None
    assert NUMBA_STEPS.lstm_cell(tanh, sigmoid, 4, 3, np.float32)._sequence_kernels is None


@pytest.mark.parametrize("implementation, activation, dtype, expected", [
    (NUMBA, "tanh", np.float32, True), (NUMBA, "tanh", np.float64, False), (NUMBA, "relu", np.float32, False),
    (NUMBA_STEPS, "tanh", np.float32, False), (NUMPY, "tanh", np.float32, False)])
def test_the_simple_rnn_whole_loop_runs_for_float32_tanh_only(implementation, activation, dtype, expected):
    steps, batch, units = 3, 2, 4
    rng = np.random.default_rng(0)
    projected = rng.normal(size=(steps, batch, units)).astype(dtype)
    hidden = np.zeros((steps + 1, batch, units), dtype=dtype)
    ran = implementation.simple_rnn_scan(activations.get(activation), projected,
                                         rng.normal(size=(units, units)).astype(dtype), hidden,
                                         np.empty_like(projected), None, None)
    assert ran is expected
    assert bool(np.any(hidden[1:] != 0)) is expected  # what did not run wrote nothing


def test_the_whole_loops_exponential_sigmoid_and_tanh_are_within_two_float32_ulps():
    import numba

    from gradwise.ops._numba import lstm_sequence

    @numba.njit
    def apply(inputs, exps, sigmoids, tanhs):
        for index in range(inputs.size):
            exps[index] = lstm_sequence._exp_nonpositive(-abs(inputs[index]))
            sigmoids[index] = lstm_sequence._sigmoid(inputs[index])
            tanhs[index] = lstm_sequence._tanh(inputs[index])

    rng = np.random.default_rng(0)
    inputs = np.concatenate([rng.normal(scale=scale, size=20_000) for scale in (1e-6, 1e-2, 0.5, 3, 30)])
    inputs = np.concatenate([inputs, [0.0, -0.0, 0.625, -0.625, 86.0, -86.0, 200.0, -200.0]]).astype(np.float32)
    received = [np.empty_like(inputs) for _ in range(3)]
    apply(inputs, *received)
    exact = inputs.astype(np.float64)
    expected = [np.exp(-np.abs(exact)), 1 / (1 + np.exp(-exact)), np.tanh(exact)]
    for got, want in zip(received, expected):
        normal = np.abs(want) >= 2 * np.finfo(np.float32).tiny  # exp(-200) is below float32's normal numbers
        ulps = np.abs(got[normal] - want[normal]) / np.spacing(want[normal].astype(np.float32))
        assert ulps.max() <= 2, ulps.max()
        assert np.all(got[~normal] < 1e-37)  # kept at float32's smallest normal magnitude, never negative or NaN
        assert np.all(got[~normal] >= 0)


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


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("kept", [False, True])
def test_the_float32_whole_loop_backward_is_the_numpy_cells_given_the_same_forward(masked, kept):
    """The whole-loop backward has no transcendental function: from the same forward caches it
    computes the NumPy cell's row derivatives in the same order (dz, dc_{t-1}, dh_{t-1} through
    the products), so it agrees with LSTMCell.backward_sequence to float32 rounding of the products."""
    rng = np.random.default_rng(3)
    steps, batch, units, dtype = 7, 9, 20, np.float32
    tanh, sigmoid = activations.get("tanh"), activations.get("sigmoid")
    fused = NUMBA.lstm_cell(tanh, sigmoid, batch, units, dtype)
    assert fused._sequence_kernels is not None
    step_mask = rng.random((steps, batch)) > 0.3 if masked else None
    state_keep = (rng.random((batch, units)) > 0.4).astype(dtype) / dtype(0.6) if kept else None
    recurrent_kernel = rng.normal(scale=0.3, size=(units, 4 * units)).astype(dtype)
    preactivations = rng.normal(scale=2, size=(steps, batch, 4 * units)).astype(dtype)
    hidden = np.zeros((steps + 1, batch, units), dtype)
    cell = np.zeros_like(hidden)
    hidden[0], cell[0] = rng.normal(size=(2, batch, units))
    gates = np.empty_like(preactivations)
    new_cell, squashed = np.empty((2, steps, batch, units), dtype)
    fused.forward_sequence(preactivations, recurrent_kernel, hidden, cell, step_mask, state_keep, gates, new_cell,
                           squashed)
    grad_sequence = rng.normal(size=(steps, batch, units)).astype(dtype)
    final_grads = rng.normal(size=(2, batch, units)).astype(dtype)
    results = []
    for implementation in (fused, LSTMCell(tanh, sigmoid, batch, units, dtype)):
        grad_hidden, grad_cell = final_grads.copy()
        grad_preactivations = np.empty_like(preactivations)
        implementation.backward_sequence(grad_sequence, grad_hidden, grad_cell, preactivations, gates, new_cell,
                                         squashed, cell, step_mask, state_keep, recurrent_kernel, grad_preactivations)
        results.append((grad_preactivations, grad_hidden, grad_cell))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * np.max(np.abs(want)))

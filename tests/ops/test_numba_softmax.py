"""numba's softmax output and sparse cross-entropy kernels against their NumPy twins: the
softmax within 1e-6 relative (the C library's exp, an in-order row sum), the gradient from
given probabilities bit-identical."""

import numpy as np
import pytest

from gradwise import activations, losses
from gradwise.ops import NumbaOps, NumpyOps

NUMPY, NUMBA = NumpyOps(), NumbaOps()
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("with_bias", [True, False])
def test_softmax_forward_matches_numpy(rng, dtype, with_bias):
    function = activations.Softmax()
    assert NUMBA._kernels(function) is not None  # the kernel, not the fallback, is tested
    logits = (rng.normal(size=(37, 10)) * 20).astype(dtype)
    logits[0] = 500.0  # overflow-prone row: the shift by the maximum keeps it finite
    bias = rng.normal(size=10).astype(dtype) if with_bias else None
    numpy_pre, numba_pre = logits.copy(), logits.copy()
    expected = NUMPY.activate(function, numpy_pre, bias)
    got = NUMBA.activate(function, numba_pre, bias)
    np.testing.assert_array_equal(numba_pre, numpy_pre)  # the biased logits are kept alike
    assert got.dtype == dtype and np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype] * 1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_backward_matches_numpy(rng, dtype):
    function = activations.Softmax()
    logits = rng.normal(size=(3, 5, 7)).astype(dtype)
    outputs = function.forward(logits.copy())
    grad = rng.normal(size=logits.shape).astype(dtype)
    expected = function.backward(grad, logits, outputs)
    got = NUMBA.activate_backward(function, grad, logits, outputs)
    np.testing.assert_allclose(got, expected, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype] * np.abs(expected).max())


def test_softmax_over_another_axis_runs_numpys_code(rng):
    function = activations.Softmax(axis=1)
    assert NUMBA._kernels(function) is None
    logits = rng.normal(size=(4, 3, 5))
    np.testing.assert_array_equal(NUMBA.activate(function, logits.copy()), function.forward(logits.copy()))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_cross_entropy_matches_numpy(rng, dtype):
    probabilities = activations.Softmax().forward(rng.normal(size=(50, 10)).astype(dtype) * 3)
    labels = rng.integers(0, 10, size=50)
    tiny = losses._TINY[dtype]
    (got_losses, got_grad), (losses_, grad) = (NUMBA.sparse_cross_entropy(probabilities, labels, tiny),
                                               NUMPY.sparse_cross_entropy(probabilities, labels, tiny))
    np.testing.assert_array_equal(got_grad, grad)
    np.testing.assert_allclose(got_losses, losses_, rtol=TOLERANCE[dtype])


@pytest.mark.parametrize("poison", [0.0, np.nan])
def test_an_underflowed_or_nan_probability_asks_for_the_logits(rng, poison):
    probabilities = np.full((4, 3), 1 / 3, dtype=np.float32)
    probabilities[2] = [poison, 0.5, 0.5]
    labels = np.array([0, 1, 0, 2])
    for ops in (NUMPY, NUMBA):
        found, grad = ops.sparse_cross_entropy(probabilities, labels, losses._TINY[np.float32])
        assert found is None
        np.testing.assert_array_equal(grad[2], [poison - 1, 0.5, 0.5])


def test_the_fused_loss_takes_underflowed_rows_from_the_logits():
    loss = losses.SparseCategoricalCrossentropy()
    logits = np.array([[0.0, 200.0, -200.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    probabilities = activations.Softmax().forward(logits.copy())
    value, grad = loss.fused_value_and_gradient(np.array([2, 0]), logits, probabilities)
    expected = np.mean([400.0, np.log(np.exp(-2.0) + np.exp(-1.0) + 1.0) + 2.0])
    assert value == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(grad, (probabilities - np.eye(3, dtype=np.float32)[[2, 0]]) / 2, rtol=1e-6)

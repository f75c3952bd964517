"""numba's batch normalization kernels against NumPy's twins (gradwise.ops): bit-identical
statistics, outputs and gradients, features last; other layouts run NumPy's code."""

import numpy as np
import pytest

from gradwise.layers import BatchNormalization
from gradwise.ops import NumbaOps, NumpyOps, use_ops

from ..layers.gradient_check import built

NUMPY, NUMBA = NumpyOps(), NumbaOps()


def _run(ops, layer, inputs, upstream, training, input_grad=True):
    with use_ops(ops):
        outputs, cache = layer.forward(inputs, training=training)
        grad_inputs = layer.backward(upstream, cache, input_grad=input_grad)
    state = {name: value.copy() for name, value in layer.state.items()}
    return outputs, grad_inputs, {name: grad.copy() for name, grad in layer.grads.items()}, state


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5,), (6, 5, 3)])
@pytest.mark.parametrize("options", [{}, {"center": False}, {"scale": False}, {"center": False, "scale": False}])
@pytest.mark.parametrize("training", [True, False])
def test_batch_normalization_is_bit_identical(rng, dtype, shape, options, training):
    inputs = (rng.normal(size=(33, *shape)) * 3 + 1).astype(dtype)
    inputs[0, ..., 0] = -0.0  # signed zeros in the sums
    upstream = rng.normal(size=inputs.shape).astype(dtype)
    moving_mean = rng.normal(size=shape[-1])
    results = []
    for ops in (NUMPY, NUMBA):
        layer = built(BatchNormalization(**options), shape, dtype=dtype, seed=3)
        layer.state["moving_mean"][...] = moving_mean
        layer.state["moving_variance"][...] = 2.5
        results.append(_run(ops, layer, inputs, upstream, training))
    (outputs, grad_inputs, grads, state), (outputs_b, grad_inputs_b, grads_b, state_b) = results
    np.testing.assert_array_equal(outputs_b, outputs)
    np.testing.assert_array_equal(grad_inputs_b, grad_inputs)
    assert outputs_b.dtype == grad_inputs_b.dtype == dtype
    for name in grads:
        np.testing.assert_array_equal(grads_b[name], grads[name])
    for name in state:
        np.testing.assert_array_equal(state_b[name], state[name])


def test_kernels_match_the_numpy_twins_directly(rng):
    inputs = rng.normal(size=(40, 7)).astype(np.float32)
    for got, expected in zip(NUMBA.moments(inputs, (0,)), NUMPY.moments(inputs, (0,))):
        np.testing.assert_array_equal(got, expected)
    grad = rng.normal(size=(40, 7)).astype(np.float32)
    scale = rng.uniform(0.5, 2, size=7).astype(np.float32)
    for statistics in (True, False):
        got = NUMBA.normalize_backward(grad, inputs, (0,), (1, 7), scale, statistics, True)
        expected = NUMPY.normalize_backward(grad, inputs, (0,), (1, 7), scale, statistics, True)
        for array, reference in zip(got, expected):
            np.testing.assert_array_equal(array, reference)
    beta, gamma, none = NUMBA.normalize_backward(grad, inputs, (0,), (1, 7), scale, True, False)
    assert none is None
    np.testing.assert_array_equal(beta, grad.sum(axis=0))


def test_features_first_and_mixed_dtypes_run_numpys_code(rng):
    inputs = rng.normal(size=(8, 3, 4, 5))
    layer = built(BatchNormalization(axis=1), (3, 4, 5))
    upstream = rng.normal(size=inputs.shape)
    expected = _run(NUMPY, layer, inputs, upstream, True)
    got = _run(NUMBA, layer, inputs, upstream, True)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    float32_inputs = rng.normal(size=(8, 5)).astype(np.float32)  # float32 inputs, float64 statistics
    mean, inv_std = np.zeros(5), np.ones(5)
    for array, reference in zip(NUMBA.normalize(float32_inputs, mean, inv_std, None, None, (1, 5)),
                                NUMPY.normalize(float32_inputs, mean, inv_std, None, None, (1, 5))):
        assert array.dtype == reference.dtype
        np.testing.assert_array_equal(array, reference)


def test_the_layer_runs_the_kernels_not_the_fallback(rng, monkeypatch):
    def refuse(*args):
        raise AssertionError("NumPy's batch normalization ran")

    for name in ("moments", "normalize", "normalize_backward"):
        monkeypatch.setattr(NumpyOps, name, refuse)
    layer = built(BatchNormalization(), (4, 4, 3), dtype=np.float32)
    inputs = rng.normal(size=(6, 4, 4, 3)).astype(np.float32)
    _run(NUMBA, layer, inputs, np.ones_like(inputs), True)
    _run(NUMBA, layer, inputs, np.ones_like(inputs), False)

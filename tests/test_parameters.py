"""ParameterSet: tensors packed into one flat buffer, per-tensor views, segment sums."""

import numpy as np

from gradwise.parameters import ParameterSet


def test_views_share_the_flat_buffers_and_keep_values(rng):
    tensors = {"a/kernel": rng.normal(size=(3, 4)), "a/bias": rng.normal(size=4), "b/kernel": rng.normal(size=(4, 1))}
    ps = ParameterSet(tensors, np.float64)
    assert ps.size == 12 + 4 + 4 and len(ps) == 3
    for name, value in tensors.items():
        np.testing.assert_array_equal(ps.value_views[name], value)
    ps.values[:] = np.arange(ps.size)
    np.testing.assert_array_equal(ps.value_views["a/bias"], [12, 13, 14, 15])
    ps.grad_views["b/kernel"][...] = 2.0
    np.testing.assert_array_equal(ps.grads[16:], 2.0)


def test_segment_sums_and_expand(rng):
    ps = ParameterSet({"x": np.zeros(2), "empty": np.zeros(0), "y": np.zeros((2, 2))}, np.float64)
    flat = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    np.testing.assert_array_equal(ps.segment_sums(flat), [3.0, 0.0, 18.0])
    np.testing.assert_array_equal(ps.expand(np.array([1.0, 9.0, 2.0])), [1, 1, 2, 2, 2, 2])

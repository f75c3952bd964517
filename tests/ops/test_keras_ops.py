"""Keras's keras.ops math read from gradwise.ops: NumPy's functions, activations, and the
few written here, against PyTorch and NumPy."""

import numpy as np
import pytest
import torch

from gradwise import ops
from gradwise.ops import keras_ops


def test_every_numpy_name_exists_and_is_numpys():
    for name in keras_ops.NUMPY_NAMES:
        assert getattr(ops, name) is getattr(np, name)


def test_the_array_seam_keeps_its_own_names():
    assert callable(ops.get_ops) and ops.NumpyOps.name == "numpy"
    with pytest.raises(AttributeError, match="has no attribute 'no_such_op'"):
        ops.no_such_op


@pytest.mark.parametrize("name, reference", [
    ("sigmoid", torch.sigmoid), ("relu", torch.relu), ("softplus", torch.nn.functional.softplus),
    ("gelu", torch.nn.functional.gelu), ("silu", torch.nn.functional.silu), ("mish", torch.nn.functional.mish),
    ("log_sigmoid", torch.nn.functional.logsigmoid), ("softmax", lambda t: torch.softmax(t, -1)),
    ("log_softmax", lambda t: torch.log_softmax(t, -1))])
def test_activation_ops_match_torch(rng, name, reference):
    x = rng.normal(size=(3, 5)) * 3
    np.testing.assert_allclose(getattr(ops, name)(x), reference(torch.from_numpy(x)).numpy(), rtol=1e-10, atol=1e-12)


def test_own_ops(rng):
    x = rng.normal(size=(4, 6))
    np.testing.assert_allclose(ops.logsumexp(x, axis=1), torch.logsumexp(torch.from_numpy(x), 1).numpy(), rtol=1e-12)
    assert ops.logsumexp(x, axis=1, keepdims=True).shape == (4, 1)
    values, indices = ops.top_k(x, 3)
    expected = torch.topk(torch.from_numpy(x), 3)
    np.testing.assert_array_equal(values, expected.values.numpy())
    np.testing.assert_array_equal(indices, expected.indices.numpy())
    np.testing.assert_array_equal(ops.in_top_k(indices[:, 0], x, 1), np.ones(4, dtype=bool))
    np.testing.assert_array_equal(ops.one_hot(np.array([0, 2, 1]), 3),
                                  torch.nn.functional.one_hot(torch.tensor([0, 2, 1]), 3).numpy())
    assert ops.one_hot(np.array([[1, 0]]), 2, axis=1).shape == (1, 2, 2)
    assert ops.cast(np.array([1.7]), "int32").dtype == np.int32 and ops.shape(x) == (4, 6)
    np.testing.assert_allclose(ops.norm(x, axis=1), np.linalg.norm(x, axis=1))
    assert isinstance(ops.convert_to_numpy([1, 2]), np.ndarray)
    assert ops.convert_to_tensor([1], "float32").dtype == np.float32

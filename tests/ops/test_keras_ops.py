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


def test_linear_algebra_names_are_numpy_linalgs():
    for name in keras_ops.LINALG_NAMES:
        assert getattr(ops, name) is getattr(np.linalg, name)


def test_linear_algebra_ops_against_torch(rng):
    a = rng.normal(size=(4, 4))
    spd, b = a @ a.T + 4 * np.eye(4), rng.normal(size=(4, 2))
    t = torch.from_numpy
    np.testing.assert_allclose(ops.cholesky(spd), torch.linalg.cholesky(t(spd)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ops.cholesky(spd, upper=True), torch.linalg.cholesky(t(spd), upper=True).numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(ops.lstsq(a, b), torch.linalg.lstsq(t(a), t(b)).solution.numpy(), rtol=1e-8)
    np.testing.assert_allclose(ops.logdet(spd), torch.logdet(t(spd)).item(), rtol=1e-12)
    np.testing.assert_allclose(ops.solve_triangular(np.tril(spd), b, lower=True),
                               torch.linalg.solve_triangular(t(np.tril(spd)), t(b), upper=False).numpy(), rtol=1e-10)
    assert ops.matrix_rank(np.ones((3, 3))) == 1


def test_elementwise_and_reduction_ops_against_torch(rng):
    x, p = rng.normal(size=(4, 5)), rng.uniform(0.05, 0.95, size=(4, 5))
    t = torch.from_numpy
    np.testing.assert_allclose(ops.erf(x), torch.erf(t(x)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ops.erfc(x), torch.erfc(t(x)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ops.erfinv(p), torch.erfinv(t(p)).numpy(), rtol=1e-10)
    np.testing.assert_allclose(ops.rsqrt(p), torch.rsqrt(t(p)).numpy(), rtol=1e-12)
    zeros = np.where(p > 0.5, p, 0.0)
    np.testing.assert_array_equal(ops.divide_no_nan(x, zeros), np.where(zeros == 0, 0, x / np.where(zeros, zeros, 1)))
    mean, variance = ops.moments(x, axes=[0])
    np.testing.assert_allclose(variance, torch.var_mean(t(x), 0, correction=0)[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(mean, x.mean(axis=0))
    np.testing.assert_allclose(ops.normalize(x), torch.nn.functional.normalize(t(x), dim=-1, eps=1e-7).numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(ops.cdist(x, x[:2]), torch.cdist(t(x), t(x[:2])).numpy(), rtol=1e-10, atol=1e-12)
    assert [u.shape for u in ops.unstack(x, axis=1)] == [(4,)] * 5
    with pytest.raises(ValueError, match="`num` must equal"):
        ops.unstack(x, num=3)
    assert ops.dtype(x.astype("float32")) == "float32" and ops.is_tensor(x) and ops.stop_gradient(x) is x
    np.testing.assert_array_equal(ops.saturate_cast(np.array([-300.0, 5.7, 300.0]), "int8"), [-128, 5, 127])


def test_crossentropy_ops_against_torch(rng):
    p = rng.uniform(0.05, 0.95, size=(4, 3))
    targets = (rng.random((4, 3)) > 0.5).astype(float)
    t = torch.from_numpy
    np.testing.assert_allclose(ops.binary_crossentropy(targets, p),
                               torch.nn.functional.binary_cross_entropy(t(p), t(targets), reduction="none").numpy(),
                               rtol=1e-10)
    logits = np.log(p)
    np.testing.assert_allclose(
        ops.binary_crossentropy(targets, logits, from_logits=True),
        torch.nn.functional.binary_cross_entropy_with_logits(t(logits), t(targets), reduction="none").numpy(),
        rtol=1e-10)
    labels = np.array([0, 2, 1, 2])
    expected = torch.nn.functional.cross_entropy(t(logits), t(labels), reduction="none").numpy()
    np.testing.assert_allclose(ops.sparse_categorical_crossentropy(labels, logits, from_logits=True), expected,
                               rtol=1e-10)
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ops.categorical_crossentropy(np.eye(3)[labels], softmax), expected, rtol=1e-6)


def test_indexing_segment_and_control_flow_ops():
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(ops.slice(x, [1, 1], [2, 2]), x[1:3, 1:3])
    updated = ops.slice_update(x, [0, 2], np.zeros((2, 2)))
    assert updated[:2, 2:].sum() == 0 and x[0, 2] == 2  # a copy
    np.testing.assert_array_equal(ops.scatter(np.array([[0, 1], [0, 1], [2, 0]]), np.array([1.0, 2.0, 5.0]), (3, 2)),
                                  [[0, 3], [0, 0], [5, 0]])
    np.testing.assert_array_equal(ops.scatter_update(np.zeros((2, 2)), np.array([[1, 1]]), np.array([7.0])),
                                  [[0, 0], [0, 7]])
    np.testing.assert_array_equal(ops.segment_sum(x, np.array([0, 0, 2]), num_segments=3),
                                  torch.zeros(3, 4, dtype=torch.float64).index_add_(
                                      0, torch.tensor([0, 0, 2]), torch.from_numpy(x)).numpy())
    np.testing.assert_array_equal(ops.segment_max(x, np.array([1, 0, 1])), [x[1], np.maximum(x[0], x[2])])
    np.testing.assert_array_equal(ops.multi_hot(np.array([[0, 2], [1, 1]]), 4), [[1, 0, 1, 0], [0, 1, 0, 0]])
    assert ops.cond(True, lambda: 1, lambda: 2) == 1 and ops.switch(5, [lambda v: v, lambda v: -v], 3) == -3
    assert ops.fori_loop(0, 4, lambda i, v: v + i, 0) == 6
    assert ops.while_loop(lambda a, b: a < 5, lambda a, b: (a + 1, b * 2), (0, 1)) == (5, 32)
    assert ops.while_loop(lambda a: a < 10, lambda a: a + 1, 0, maximum_iterations=3) == 3
    carry, outputs = ops.scan(lambda c, v: (c + v, c * v), 0.0, np.array([1.0, 2.0, 3.0]))
    assert carry == 6.0 and outputs.tolist() == [0.0, 2.0, 9.0]
    np.testing.assert_array_equal(ops.map(lambda r: r.sum(), x), x.sum(axis=1))
    np.testing.assert_array_equal(ops.vectorized_map(lambda r: r * 2, x), x * 2)
    assert ops.get_item(x, (1, 2)) == 6.0


def test_nn_ops_against_torch(rng):
    x, y = rng.normal(size=(3, 4, 6)), rng.normal(size=(3, 4, 6))
    t = torch.from_numpy
    np.testing.assert_allclose(ops.glu(x), torch.nn.functional.glu(t(x), -1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ops.hard_shrink(x, 0.3), torch.nn.functional.hardshrink(t(x), 0.3).numpy())
    np.testing.assert_allclose(ops.threshold(x, 0.1, -2.0), torch.nn.functional.threshold(t(x), 0.1, -2.0).numpy())
    scale = np.linspace(0.5, 1.0, 6)
    np.testing.assert_allclose(ops.rms_normalization(x, scale),
                               torch.nn.functional.rms_norm(t(x), (6,), t(scale), eps=1e-7).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ops.layer_normalization(x, scale, scale),
                               torch.nn.functional.layer_norm(t(x), (6,), t(scale), t(scale), eps=1e-7).numpy(),
                               rtol=1e-10)
    statistics = [rng.random(4) + 0.5 for _ in range(4)]
    expected = torch.nn.functional.batch_norm(t(x), *map(t, statistics[:2]), t(statistics[3]), t(statistics[2]),
                                              eps=1e-3).numpy()  # channels on axis 1
    np.testing.assert_allclose(ops.batch_normalization(x, *statistics[:2], 1, statistics[2], statistics[3]), expected,
                               rtol=1e-10)
    np.testing.assert_allclose(ops.psnr(x, y, 2.0), 20 * np.log10(2.0) - 10 * np.log10(np.mean((x - y) ** 2)))
    frames = ops.extract_sequences(np.arange(10.0), 4, 3)
    np.testing.assert_array_equal(frames, [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]])


def test_dot_product_attention_against_torch(rng):
    query, key, value = (rng.normal(size=(2, steps, 2, 4)) for steps in (3, 5, 5))
    mask = rng.random((2, 2, 3, 5)) > 0.3
    mask[..., 0] = True  # every row keeps a step

    def torch_attention(**kwargs):
        t = [torch.from_numpy(a.transpose(0, 2, 1, 3)) for a in (query, key, value)]
        return torch.nn.functional.scaled_dot_product_attention(*t, **kwargs).numpy().transpose(0, 2, 1, 3)

    np.testing.assert_allclose(ops.dot_product_attention(query, key, value), torch_attention(), rtol=1e-10)
    np.testing.assert_allclose(ops.dot_product_attention(query, key, value, mask=mask),
                               torch_attention(attn_mask=torch.from_numpy(mask)), rtol=1e-10)
    np.testing.assert_allclose(ops.dot_product_attention(query, key, value, scale=0.3),
                               torch_attention(scale=0.3), rtol=1e-10)
    square = [a[:, :3] for a in (key, value)]
    t = [torch.from_numpy(a.transpose(0, 2, 1, 3)) for a in (query, *square)]
    causal = torch.nn.functional.scaled_dot_product_attention(*t, is_causal=True).numpy().transpose(0, 2, 1, 3)
    np.testing.assert_allclose(ops.dot_product_attention(query, *square, is_causal=True), causal, rtol=1e-10)


def test_sparsemax_is_the_projection_onto_the_simplex(rng):
    np.testing.assert_allclose(ops.sparsemax(np.array([[0.5, 1.2, -0.3, 0.9]])), [[0.0, 0.65, 0.0, 0.35]])
    x = rng.normal(size=(5, 7)) * 2
    projected = ops.sparsemax(x)
    np.testing.assert_allclose(projected.sum(axis=-1), 1.0, rtol=1e-12)
    assert projected.min() >= 0
    for row, point in zip(x, projected):  # no other point of the simplex is closer (random candidates)
        candidates = rng.dirichlet(np.ones(7), size=200)
        assert np.linalg.norm(row - point) <= np.linalg.norm(row - candidates, axis=1).min() + 1e-12
    np.testing.assert_allclose(ops.sparsemax(x.T, axis=0), projected.T, rtol=1e-12)

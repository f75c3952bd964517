"""Regularizers: penalties and gradients against closed forms, finite differences and PyTorch."""

import json

import numpy as np
import pytest
import torch

from gradwise import regularizers

CASES = [
    regularizers.L1(0.02),
    regularizers.L2(0.03),
    regularizers.L1L2(l1=0.01, l2=0.05),
    regularizers.L1L2(l1=0.0, l2=0.0),
]
IDS = [f"{type(r).__name__}-{r.get_config()}" for r in CASES]


def _weights(rng, shape=(4, 3, 5)):
    """Random weights at least 0.05 away from 0, where |w| has its kink."""
    weights = rng.normal(size=shape)
    weights[np.abs(weights) < 0.05] += 0.1
    return weights


def _torch_penalty(regularizer, weights):
    l1, l2 = regularizer.get_config().get("l1", 0.0), regularizer.get_config().get("l2", 0.0)
    return l1 * torch.sum(torch.abs(weights)) + l2 * torch.sum(weights**2)


@pytest.mark.parametrize("regularizer", CASES, ids=IDS)
def test_penalty_matches_closed_form_and_torch(rng, regularizer):
    weights = _weights(rng)
    l1, l2 = getattr(regularizer, "l1"), getattr(regularizer, "l2")
    penalty = regularizer(weights)
    assert isinstance(penalty, float)
    assert penalty == pytest.approx(l1 * np.abs(weights).sum() + l2 * (weights**2).sum(), rel=1e-13)
    torch_penalty = _torch_penalty(regularizer, torch.tensor(weights)).item()
    assert penalty == pytest.approx(torch_penalty, rel=1e-13, abs=1e-15)


def test_hand_worked_penalty():
    weights = np.array([[1.0, -2.0], [0.5, 0.0]])
    # |w| sums to 3.5, w^2 sums to 5.25
    assert regularizers.L1(0.1)(weights) == pytest.approx(0.35)
    assert regularizers.L2(0.1)(weights) == pytest.approx(0.525)
    assert regularizers.L1L2(0.1, 0.1)(weights) == pytest.approx(0.875)
    np.testing.assert_allclose(regularizers.L1L2(0.1, 0.1).gradient(weights), [[0.3, -0.5], [0.2, 0.0]])


@pytest.mark.parametrize("regularizer", CASES[:3], ids=IDS[:3])
def test_gradient_matches_finite_differences(rng, regularizer):
    weights = _weights(rng)
    analytic = regularizer.gradient(weights)
    numeric = np.zeros_like(weights)
    shifted = weights.copy()
    eps = 1e-6
    for index in np.ndindex(weights.shape):
        shifted[index] = weights[index] + eps
        plus = regularizer(shifted)
        shifted[index] = weights[index] - eps
        minus = regularizer(shifted)
        shifted[index] = weights[index]
        numeric[index] = (plus - minus) / (2 * eps)
    error = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    assert error < 1e-6


@pytest.mark.parametrize("regularizer", CASES, ids=IDS)
def test_gradient_matches_torch_autograd(rng, regularizer):
    weights = _weights(rng)
    weights[0, 0, :2] = 0.0  # torch's |w| has gradient sign(0) = 0 at 0, the subgradient Keras uses
    torch_weights = torch.tensor(weights, requires_grad=True)
    _torch_penalty(regularizer, torch_weights).backward()
    grad = regularizer.gradient(weights)
    np.testing.assert_allclose(grad, torch_weights.grad.numpy(), rtol=1e-13, atol=1e-16)
    assert grad.shape == weights.shape


def test_l1_subgradient_at_zero_is_zero():
    np.testing.assert_array_equal(regularizers.L1(0.5).gradient(np.zeros(3)), np.zeros(3))


def test_float32_is_kept_and_weights_are_not_modified(rng):
    weights = _weights(rng).astype(np.float32)
    saved = weights.copy()
    grad = regularizers.L1L2(0.01, 0.01).gradient(weights)
    assert grad.dtype == np.float32
    np.testing.assert_array_equal(weights, saved)
    assert regularizers.L1L2(0.01, 0.01)(weights) == pytest.approx(
        regularizers.L1L2(0.01, 0.01)(weights.astype(np.float64)), rel=1e-6)


def test_integer_weights_are_accepted():
    assert regularizers.L2(0.5)([1, 2]) == pytest.approx(2.5)
    np.testing.assert_array_equal(regularizers.L1L2(1.0, 1.0).gradient([1, -2]), [3.0, -5.0])


@pytest.mark.parametrize("name, cls, factors", [
    ("l1", regularizers.L1, {"l1": 0.01}),
    ("l2", regularizers.L2, {"l2": 0.01}),
    ("l1_l2", regularizers.L1L2, {"l1": 0.01, "l2": 0.01}),
    ("L1", regularizers.L1, {"l1": 0.01}),
])
def test_strings_give_factors_of_one_hundredth(name, cls, factors):
    regularizer = regularizers.get(name)
    assert type(regularizer) is cls
    assert regularizer.get_config() == factors
    weights = np.array([3.0, -4.0])
    expected = factors.get("l1", 0.0) * 7.0 + factors.get("l2", 0.0) * 25.0
    assert regularizer(weights) == pytest.approx(expected)


def test_keras_defaults():
    assert regularizers.L1().get_config() == {"l1": 0.01}
    assert regularizers.L2().get_config() == {"l2": 0.01}
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}


@pytest.mark.parametrize("regularizer", CASES, ids=IDS)
def test_serialize_round_trip(rng, regularizer):
    config = json.loads(json.dumps(regularizers.serialize(regularizer)))
    rebuilt = regularizers.deserialize(config)
    assert type(rebuilt) is type(regularizer)
    assert rebuilt.get_config() == regularizer.get_config()
    assert type(regularizers.get(config)) is type(regularizer)
    weights = _weights(rng)
    assert rebuilt(weights) == regularizer(weights)


def test_none_and_objects_pass_through():
    assert regularizers.get(None) is None
    assert regularizers.serialize(None) is None and regularizers.deserialize(None) is None
    l2 = regularizers.L2(0.2)
    assert regularizers.get(l2) is l2


@pytest.mark.parametrize("build, pattern", [
    (lambda: regularizers.L1(-0.1), r"L1: `l1` must be a non-negative finite number, got -0.1"),
    (lambda: regularizers.L2(-1), r"L2: `l2` must be a non-negative finite number, got -1"),
    (lambda: regularizers.L1L2(l1=0.1, l2=-0.5), r"L1L2: `l2` must be a non-negative finite number, got -0.5"),
    (lambda: regularizers.L1L2(l1=float("nan")), r"L1L2: `l1` must be a non-negative finite number, got nan"),
    (lambda: regularizers.L2("0.1"), r"L2: `l2` must be a non-negative finite number, got '0.1'"),
])
def test_bad_factors(build, pattern):
    with pytest.raises(ValueError, match=pattern):
        build()


def test_unknown_identifiers():
    with pytest.raises(ValueError, match=r"Unknown regularizer 'l3'. Valid names: l1, l1_l2, l2"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match=r"Unknown regularizer 'L3'. Valid names: l1, l1l2, l2"):
        regularizers.deserialize({"class_name": "L3", "config": {}})
    with pytest.raises(TypeError, match=r"regularizer must be None, 'l1', 'l2', 'l1_l2' or a gradwise Regularizer"):
        regularizers.get(0.01)

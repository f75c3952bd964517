"""Gradient clipping, done by the base class before every optimizer's update (Keras 3:
clipnorm per tensor, else global_clipnorm, else clipvalue)."""

import numpy as np
import pytest
import torch

from gradwise.optimizers import SGD, Adam
from gradwise.parameters import ParameterSet


def applied_gradient(optimizer_kwargs, grads):
    """The gradient actually applied: SGD with lr 1 moves the params by exactly it."""
    parameter_set = ParameterSet({name: np.zeros_like(g) for name, g in grads.items()}, np.float64)
    for name, grad in grads.items():
        parameter_set.grad_views[name][...] = grad
    SGD(1.0, **optimizer_kwargs).step(parameter_set)
    return {name: -view for name, view in parameter_set.value_views.items()}


def torch_clipped(grads, clip):
    tensors = [torch.tensor(g) for g in grads.values()]
    params = [torch.zeros_like(t, requires_grad=True) for t in tensors]
    for param, tensor in zip(params, tensors):
        param.grad = tensor
    clip(params)
    return {name: p.grad.numpy() for name, p in zip(grads, params)}


@pytest.fixture
def grads(rng):
    # norms 50.0 and about 0.37: one tensor above a clipnorm of 5, one below
    big = rng.normal(size=(3, 4))
    return {"big": 50.0 * big / np.linalg.norm(big), "small": rng.uniform(-0.3, 0.3, size=(2,))}


def test_clipvalue_clips_each_element(grads):
    clipped = applied_gradient({"clipvalue": 0.2}, grads)
    for name in grads:
        np.testing.assert_array_equal(clipped[name], np.clip(grads[name], -0.2, 0.2))
    reference = torch_clipped(grads, lambda p: torch.nn.utils.clip_grad_value_(p, 0.2))
    for name in grads:
        np.testing.assert_array_equal(clipped[name], reference[name])


def test_clipnorm_rescales_each_tensor_separately(grads):
    clipped = applied_gradient({"clipnorm": 5.0}, grads)
    np.testing.assert_allclose(clipped["big"], grads["big"] * (5.0 / 50.0), rtol=1e-14)
    np.testing.assert_array_equal(clipped["small"], grads["small"])  # below the norm: untouched
    assert np.linalg.norm(clipped["big"]) == pytest.approx(5.0, rel=1e-14)
    # torch's clip_grad_norm_ divides by (norm + 1e-6): equal to about 1e-6 / norm
    for name in grads:
        reference = torch_clipped({name: grads[name]}, lambda p: torch.nn.utils.clip_grad_norm_(p, 5.0))[name]
        np.testing.assert_allclose(clipped[name], reference, rtol=1e-7)


@pytest.mark.parametrize("global_clipnorm", [5.0, 60.0])
def test_global_clipnorm_rescales_all_tensors_together(grads, global_clipnorm):
    clipped = applied_gradient({"global_clipnorm": global_clipnorm}, grads)
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    scale = min(1.0, global_clipnorm / total)
    for name in grads:
        np.testing.assert_allclose(clipped[name], grads[name] * scale, rtol=1e-14)
    reference = torch_clipped(grads, lambda p: torch.nn.utils.clip_grad_norm_(p, global_clipnorm))
    for name in grads:
        np.testing.assert_allclose(clipped[name], reference[name], rtol=1e-7)


def test_clipnorm_takes_precedence_over_clipvalue_as_in_keras(grads):
    clipped = applied_gradient({"clipnorm": 5.0, "clipvalue": 0.01}, grads)
    np.testing.assert_allclose(clipped["big"], grads["big"] * 0.1, rtol=1e-14)
    np.testing.assert_array_equal(clipped["small"], grads["small"])


def test_clipping_feeds_the_optimizer_and_leaves_the_gradients_alone(rng, grads):
    # Adam with clipnorm equals Adam fed the clipped gradients
    clipped = applied_gradient({"clipnorm": 5.0}, grads)
    results = []
    for kwargs, step_grads in (({"clipnorm": 5.0}, grads), ({}, clipped)):
        parameter_set = ParameterSet({name: np.ones_like(g) for name, g in grads.items()}, np.float64)
        for name, grad in step_grads.items():
            parameter_set.grad_views[name][...] = grad
        Adam(0.1, **kwargs).step(parameter_set)
        results.append(parameter_set.values.copy())
        np.testing.assert_array_equal(parameter_set.grad_views["big"], step_grads["big"])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-15)


def test_clipnorm_with_an_empty_tensor_and_a_zero_gradient():
    grads = {"empty": np.zeros((0, 3)), "zero": np.zeros(3), "one": np.array([3.0, 4.0])}
    clipped = applied_gradient({"clipnorm": 1.0}, grads)
    np.testing.assert_array_equal(clipped["zero"], np.zeros(3))
    np.testing.assert_allclose(clipped["one"], [0.6, 0.8], rtol=1e-15)
    assert clipped["empty"].shape == (0, 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"clipnorm": 1.0, "global_clipnorm": 1.0}, "set at most one of `clipnorm` and `global_clipnorm`"),
    ({"clipnorm": -1.0}, "`clipnorm` must be a positive finite number, got -1.0"),
    ({"global_clipnorm": 0.0}, "`global_clipnorm` must be a positive finite number, got 0.0"),
    ({"clipvalue": float("inf")}, "`clipvalue` must be a positive finite number, got inf"),
])
def test_bad_clipping_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SGD(**kwargs)

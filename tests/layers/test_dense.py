import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import Dense

from .gradient_check import built, check_layer_gradients


@pytest.mark.parametrize("kwargs", [
    {},
    {"use_bias": False},
    {"activation": "tanh", "bias_initializer": "random_normal"},
    {"activation": "softmax", "bias_initializer": "random_normal"},
])
def test_gradients_match_finite_differences(rng, kwargs):
    layer = built(Dense(3, **kwargs), (4,))
    assert set(layer.grads) == ({"kernel"} if kwargs.get("use_bias") is False else {"kernel", "bias"})
    check_layer_gradients(layer, rng.normal(size=(5, 4)), rng)


def _assert_matches_torch_linear(layer, inputs, upstream, parameter_rtol):
    """The layer's outputs and gradients against F.linear with the same weights, in float64."""
    outputs, cache = layer.forward(inputs)
    grad_inputs = layer.backward(upstream, cache)
    x = torch.from_numpy(inputs).requires_grad_(True)
    weight = torch.from_numpy(layer.params["kernel"].T.copy()).requires_grad_(True)  # torch: (out, in)
    bias = torch.from_numpy(layer.params["bias"].copy()).requires_grad_(True)
    y = F.linear(x, weight, bias)
    y.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(outputs, y.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(layer.grads["kernel"], weight.grad.numpy().T, rtol=parameter_rtol)
    np.testing.assert_allclose(layer.grads["bias"], bias.grad.numpy(), rtol=parameter_rtol)


def test_forward_and_gradients_match_torch_linear(rng):
    layer = built(Dense(3, bias_initializer="random_normal"), (4,))
    _assert_matches_torch_linear(layer, rng.normal(size=(6, 4)), rng.normal(size=(6, 3)), parameter_rtol=1e-13)


def test_first_layer_skips_the_input_gradient(rng):
    layer = built(Dense(2), (3,))
    _, cache = layer.forward(rng.normal(size=(4, 3)))
    assert layer.backward(np.ones((4, 2)), cache, input_grad=False) is None
    assert np.all(layer.grads["bias"] == 4.0)


@pytest.mark.parametrize("kwargs", [{}, {"activation": "softmax", "bias_initializer": "random_normal"}])
def test_inputs_of_higher_rank_are_mapped_on_their_last_axis(rng, kwargs):
    # Keras's Dense on (batch, steps, features): one affine map per step, shared weights
    layer = built(Dense(3, **kwargs), (2, 5, 4))
    assert layer.compute_output_shape((2, 5, 4)) == (2, 5, 3)
    check_layer_gradients(layer, rng.normal(size=(3, 2, 5, 4)), rng)
    inputs = rng.normal(size=(3, 2, 5, 4))
    outputs, _ = layer.forward(inputs)
    flat = built(Dense(3, **kwargs), (4,))
    flat.params["kernel"][...] = layer.params["kernel"]
    flat.params["bias"][...] = layer.params["bias"]
    np.testing.assert_array_equal(outputs, flat.forward(inputs.reshape(-1, 4))[0].reshape(3, 2, 5, 3))


def test_sequence_inputs_match_torch_linear(rng):
    layer = built(Dense(3, bias_initializer="random_normal"), (7, 4))
    _assert_matches_torch_linear(layer, rng.normal(size=(6, 7, 4)), rng.normal(size=(6, 7, 3)), parameter_rtol=1e-12)


def test_inputs_of_the_wrong_width_or_rank_are_rejected_with_the_layer_name_and_shape(rng):
    dense = built(Dense(4, name="body"), (5,))
    with pytest.raises(ValueError, match=r"Dense 'body' expected inputs with shape \(batch, 5\), got shape \(2, 3, 5\)"):
        dense.forward(rng.normal(size=(2, 3, 5)))
    sequence = built(Dense(4, name="steps"), (None, 5))
    with pytest.raises(ValueError, match=r"Dense 'steps' expected inputs with shape \(batch, None, 5\), got shape \(2, 3, 6\)"):
        sequence.forward(rng.normal(size=(2, 3, 6)))
    with pytest.raises(ValueError, match=r"Dense 'open' expected inputs \(batch, \.\.\., features\) with a known number "
                                         r"of features, got per-sample shape \(3, None\)"):
        built(Dense(4, name="open"), (3, None))


@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True])
def test_units_must_be_a_positive_int(units):
    with pytest.raises(ValueError, match=r"Dense: `units` must be a positive int"):
        Dense(units)

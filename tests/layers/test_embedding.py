"""Embedding: lookup by hand and against torch.nn.Embedding, gradients by finite differences, the mask
it makes, and the token errors."""

import numpy as np
import pytest
import torch

from gradwise.layers import Embedding

from .gradient_check import built, numeric_gradient, relative_error


def test_lookup_and_gradients_match_torch(rng):
    layer = built(Embedding(10, 4), (6,))
    tokens = rng.integers(0, 10, size=(5, 6))
    tokens[0, :3] = 7  # a repeated token sums its gradients
    outputs, cache = layer.forward(tokens.astype(np.float64))
    upstream = rng.normal(size=outputs.shape)
    grad_inputs = layer.backward(upstream, cache)
    reference = torch.nn.Embedding(10, 4).double()
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.params["embeddings"]))
    expected = reference(torch.from_numpy(tokens))
    (expected * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_array_equal(outputs, expected.detach().numpy())
    np.testing.assert_allclose(layer.grads["embeddings"], reference.weight.grad.numpy(), rtol=1e-14)
    np.testing.assert_array_equal(grad_inputs, np.zeros((5, 6)))  # indices are constants
    assert layer.backward(upstream, cache, input_grad=False) is None


def test_embeddings_gradient_matches_finite_differences_and_accumulates(rng):
    layer = built(Embedding(6, 3, embeddings_initializer="random_normal"), (4,))
    tokens = rng.integers(0, 6, size=(3, 4))
    upstream = rng.normal(size=(3, 4, 3))
    _, cache = layer.forward(tokens)
    layer.grads["embeddings"][...] = np.nan
    layer.backward(upstream, cache)
    numeric = numeric_gradient(lambda: float(np.sum(layer.forward(tokens)[0] * upstream)), layer.params["embeddings"])
    assert relative_error(layer.grads["embeddings"], numeric) < 1e-6
    first = layer.grads["embeddings"].copy()
    layer.backward(upstream, cache, accumulate=True)
    np.testing.assert_allclose(layer.grads["embeddings"], 2 * first)


def test_defaults_shapes_and_the_zero_mask():
    layer = built(Embedding(1000, 8, mask_zero=True), (5,))
    assert layer.output_shape == (5, 8) and layer.params["embeddings"].shape == (1000, 8)
    assert np.abs(layer.params["embeddings"]).max() <= 0.05  # 'uniform': U(-0.05, 0.05), Keras's default
    assert layer.produces_mask and not Embedding(3, 2).produces_mask
    tokens = np.array([[4, 0, 2, 0, 0]])
    np.testing.assert_array_equal(layer.compute_mask(tokens, None), [[True, False, True, False, False]])
    assert Embedding(3, 2).compute_mask(tokens, None) is None
    assert Embedding(50, 4, input_length=7).requested_input_shape == (7,)  # Keras 2's argument
    assert built(Embedding(9, 2), (2, 3)).output_shape == (2, 3, 2)


@pytest.mark.parametrize("tokens, message", [
    ([[1, 12, 3]], r"Embedding 'vocab': token index 12 at position \(0, 1\) is out of range; `input_dim` is 12, so "
                   r"indices must lie in \[0, 11\]\. Raise `input_dim` to the vocabulary size"),
    ([[1, -1, 3]], r"token index -1 at position \(0, 1\) is out of range"),
    ([[1.0, 2.5, 3.0]], r"Embedding 'vocab' expected integer token indices, got 2.5 at position \(0, 1\)"),
])
def test_bad_tokens_are_named(tokens, message):
    layer = built(Embedding(12, 2, name="vocab"), (3,))
    with pytest.raises(ValueError, match=message):
        layer.forward(np.array(tokens))


@pytest.mark.parametrize("arguments, message", [
    ((0, 4), r"Embedding: `input_dim` must be a positive int, got 0"),
    ((10, 2.5), r"Embedding: `output_dim` must be a positive int, got 2.5"),
])
def test_bad_arguments_are_named(arguments, message):
    with pytest.raises(ValueError, match=message):
        Embedding(*arguments)
    with pytest.raises(TypeError, match=r"`mask_zero` must be a bool, got 'yes'"):
        Embedding(3, 2, mask_zero="yes")

"""GaussianNoise, GaussianDropout, AlphaDropout: the identity in inference, their noise's
statistics while training, fixed-noise gradients, and AlphaDropout's formula against PyTorch."""

import numpy as np
import pytest
import torch

from gradwise import Input, Sequential, layers
from gradwise.layers import AlphaDropout, GaussianDropout, GaussianNoise

from .gradient_check import built, check_layer_gradients

FACTORIES = {"gaussian_noise": lambda **kw: GaussianNoise(0.5, **kw),
             "gaussian_dropout": lambda **kw: GaussianDropout(0.3, **kw),
             "alpha_dropout": lambda **kw: AlphaDropout(0.2, **kw)}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_inference_is_the_identity_and_training_is_not(rng, name):
    layer = built(FACTORIES[name](seed=1), (5,))
    inputs = rng.normal(size=(4, 5))
    outputs, cache = layer.forward(inputs, training=False)
    np.testing.assert_array_equal(outputs, inputs)
    upstream = rng.normal(size=inputs.shape)
    np.testing.assert_array_equal(layer.backward(upstream, cache), upstream)
    assert not np.allclose(layer.forward(inputs, training=True)[0], inputs)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_seed_and_model_seed_make_the_noise_reproducible(name):
    inputs = np.ones((8, 20))
    first, second = built(FACTORIES[name](seed=3), (20,), seed=0), built(FACTORIES[name](seed=3), (20,), seed=1)
    np.testing.assert_array_equal(first.forward(inputs, True)[0], second.forward(inputs, True)[0])
    unseeded = [built(FACTORIES[name](), (20,), seed=s) for s in (5, 5, 6)]
    draws = [layer.forward(inputs, True)[0] for layer in unseeded]
    np.testing.assert_array_equal(draws[0], draws[1])
    assert not np.array_equal(draws[0], draws[2])
    assert not np.array_equal(first.forward(inputs, True)[0], first.forward(inputs, True)[0])  # fresh per call


def test_gaussian_noise_statistics():
    layer = built(GaussianNoise(0.5, seed=0), (1000,))
    noise = layer.forward(np.full((1000, 1000), 3.0), training=True)[0] - 3.0
    assert abs(noise.mean()) < 5 * 0.5 / 1000  # five standard errors of the mean of 1e6 draws
    assert abs(noise.std() - 0.5) < 0.005


def test_gaussian_dropout_statistics_match_dropout_of_the_same_rate():
    rate = 0.3
    noise = built(GaussianDropout(rate, seed=0), (1000,)).forward(np.ones((1000, 1000)), training=True)[0]
    dropout = torch.nn.functional.dropout(torch.ones(1000, 1000, dtype=torch.float64), p=rate).numpy()
    # mean 1 and variance rate / (1 - rate): those of inverted dropout's multiplier
    assert abs(noise.mean() - 1) < 0.002 and abs(dropout.mean() - 1) < 0.005
    assert abs(noise.var() - rate / (1 - rate)) < 0.003 and abs(dropout.var() - rate / (1 - rate)) < 0.006


@pytest.mark.parametrize("rate", [0.1, 0.5])
def test_alpha_dropout_matches_torch_formula_with_torchs_own_mask(rng, rate):
    inputs = rng.normal(size=(50, 40))
    reference = torch.nn.functional.alpha_dropout(torch.from_numpy(inputs), p=rate, training=True).numpy()
    layer = built(AlphaDropout(rate), (40,))
    a, b, saturation = layer._affine()
    dropped = np.isclose(reference, a * saturation + b, rtol=0, atol=1e-12)  # torch's mask, read off its outputs
    assert 0 < dropped.sum() < dropped.size
    layer.fix_mask(~dropped)
    np.testing.assert_allclose(layer.forward(inputs, training=True)[0], reference, rtol=1e-12, atol=1e-12)


def test_alpha_dropout_keeps_standardized_inputs_standardized():
    layer = built(AlphaDropout(0.3, seed=0), (1000,))
    outputs = layer.forward(np.random.default_rng(1).normal(size=(1000, 1000)), training=True)[0]
    assert abs(outputs.mean()) < 0.01 and abs(outputs.std() - 1) < 0.01


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_gradients_with_fixed_noise(rng, name):
    layer = built(FACTORIES[name](), (3, 4))
    inputs = rng.normal(size=(5, 3, 4))
    if name == "alpha_dropout":
        layer.fix_mask(rng.random((5, 3, 4)) > 0.3)
    else:
        layer.fix_noise(rng.normal(size=(5, 3, 4)))
    check_layer_gradients(layer, inputs, rng, training=True)


def test_fixed_noise_is_what_is_added_or_multiplied(rng):
    inputs, noise = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    additive, multiplicative = built(GaussianNoise(1.0), (3,)), built(GaussianDropout(0.5), (3,))
    additive.fix_noise(noise)
    multiplicative.fix_noise(noise)
    np.testing.assert_array_equal(additive.forward(inputs, True)[0], inputs + noise)
    np.testing.assert_array_equal(multiplicative.forward(inputs, True)[0], inputs * noise)


def test_noise_is_active_in_fit_only(rng):
    model = Sequential([Input((6,)), layers.GaussianNoise(1.0), layers.Dense(1, kernel_initializer="ones")], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(size=(8, 6))
    np.testing.assert_allclose(model.predict(x, verbose=0), x.sum(axis=1, keepdims=True), rtol=1e-6)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`stddev` must be a non-negative finite number, got -0.1"):
        GaussianNoise(-0.1)
    with pytest.raises(ValueError, match=r"`rate` must be a float in \[0, 1\), got 1"):
        GaussianDropout(1)
    with pytest.raises(ValueError, match=r"`rate` must be a float in \[0, 1\), got 1.5"):
        AlphaDropout(1.5)
    with pytest.raises(ValueError, match="`seed` must be a non-negative int or None"):
        GaussianNoise(0.1, seed=-1)

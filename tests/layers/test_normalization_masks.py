"""Normalization layers and Keras masks: BatchNormalization's training statistics come from the real
steps only (as Keras's), checked by finite differences and against the statistics of the real steps
gathered alone; LayerNormalization and UnitNormalization hand the mask on."""

import numpy as np
import pytest

import gradwise
from gradwise import layers

from .gradient_check import TOLERANCE, built, numeric_gradient, relative_error

MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 1]], dtype=bool)


def _batch_norm():
    return built(layers.BatchNormalization(beta_initializer="random_normal", gamma_initializer="random_normal"),
                 (5, 3))


def test_masked_batch_statistics_are_those_of_the_real_steps_alone(rng):
    inputs = rng.normal(size=(4, 5, 3)) * 2 + 1
    layer = _batch_norm()
    outputs, _ = layer.forward(inputs, training=True, mask=MASK)
    real = inputs[MASK]  # (real steps, features)
    mean, variance = real.mean(axis=0), real.var(axis=0)
    expected = (inputs - mean) / np.sqrt(variance + layer.epsilon) * layer.params["gamma"] + layer.params["beta"]
    np.testing.assert_allclose(outputs, expected, rtol=1e-12, atol=1e-12)  # every step, with the real steps' stats
    np.testing.assert_allclose(layer.state["moving_mean"], 0.01 * mean, rtol=1e-12)
    unmasked = _batch_norm()
    unmasked.forward(inputs, training=True)
    assert not np.allclose(unmasked.state["moving_mean"], layer.state["moving_mean"])


def test_masked_batch_norm_gradients_match_finite_differences(rng):
    layer = _batch_norm()
    inputs = rng.normal(size=(4, 5, 3))
    upstream = rng.normal(size=inputs.shape)

    def scalar():
        moving = {key: value.copy() for key, value in layer.state.items()}
        value = float(np.sum(layer.forward(inputs, training=True, mask=MASK)[0] * upstream))
        layer.state.update(moving)
        return value

    _, cache = layer.forward(inputs, training=True, mask=MASK)
    grad_inputs = layer.backward(upstream, cache)
    grads = {key: grad.copy() for key, grad in layer.grads.items()}
    assert relative_error(grad_inputs, numeric_gradient(scalar, inputs)) < TOLERANCE
    for key in ("gamma", "beta"):
        assert relative_error(grads[key], numeric_gradient(scalar, layer.params[key])) < TOLERANCE


def test_inference_ignores_the_mask_and_a_wrong_mask_is_named(rng):
    layer = _batch_norm()
    inputs = rng.normal(size=(4, 5, 3))
    np.testing.assert_array_equal(layer.forward(inputs, mask=MASK)[0], layer.forward(inputs)[0])
    with pytest.raises(ValueError, match=r"`mask` must have shape \(batch, steps\) = \(4, 5\)"):
        layer.forward(inputs, training=True, mask=MASK[:, :3])


@pytest.mark.parametrize("normalization", [layers.BatchNormalization, layers.LayerNormalization,
                                           layers.UnitNormalization])
def test_normalization_between_embedding_and_lstm_keeps_the_mask(normalization, rng):
    """A padded step changes nothing downstream: the mask reached the LSTM through the normalization."""
    inputs = gradwise.Input((None,))
    hidden = layers.Embedding(20, 4, mask_zero=True)(inputs)
    hidden = normalization()(hidden)
    model = gradwise.Model(inputs, layers.LSTM(3)(hidden), seed=0)
    tokens = rng.integers(1, 20, size=(6, 4))
    padded = np.concatenate([tokens, np.zeros((6, 3), dtype=int)], axis=1)
    with_padding, without = model.predict(padded, verbose=0), model.predict(tokens, verbose=0)
    np.testing.assert_allclose(with_padding, without, rtol=1e-6, atol=1e-7)


def test_group_normalization_hands_the_mask_on_with_keras_statistics_over_every_step(rng):
    """Keras 3's GroupNormalization supports masking and its call takes no mask: the outputs are
    those of the unmasked layer (padding in the statistics) and the next layer gets the mask."""
    inputs = rng.normal(size=(4, 5, 6))
    layer = built(layers.GroupNormalization(groups=2, gamma_initializer="random_normal"), (5, 6))
    unmasked, _ = layer.forward(inputs, training=True)
    group = inputs[..., :3].reshape(4, -1)  # the first group of each sample, every step included
    expected = (inputs[..., :3] - group.mean(axis=1)[:, None, None]) / np.sqrt(
        group.var(axis=1)[:, None, None] + layer.epsilon) * layer.params["gamma"][:3]
    np.testing.assert_allclose(unmasked[..., :3], expected, rtol=1e-12, atol=1e-12)
    assert layer.compute_mask(inputs, MASK) is MASK

    sequence = gradwise.Input((5, 6))
    masked = layers.Masking(0.0)(sequence)
    normalized = layers.GroupNormalization(groups=2)(masked)
    outputs = layers.LSTM(3, return_sequences=True)(normalized)
    model = gradwise.Model(sequence, outputs, seed=0)
    padded = inputs.copy()
    padded[~MASK] = 0.0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "does not support masking" warning: the mask goes on
        predicted = model.predict(padded, verbose=0)
    for row in range(4):  # a masked step repeats the previous output: the LSTM saw the mask
        for step in range(1, 5):
            if not MASK[row, step]:
                np.testing.assert_array_equal(predicted[row, step], predicted[row, step - 1])

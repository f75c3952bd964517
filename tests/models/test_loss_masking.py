"""Loss masking as Keras: when an output carries a mask (Embedding(mask_zero=True) upstream, layers
that hand it on), padded steps count neither in the loss nor in its gradient; the loss is the mean
over the real steps (times sample weights), in fit, compute_gradients and evaluate alike."""

import numpy as np
import pytest

import gradwise
from gradwise import layers

TOKENS = np.array([[3, 5, 2, 0, 0], [7, 1, 0, 0, 0], [4, 4, 4, 4, 9], [8, 0, 0, 0, 0]])
REAL = TOKENS != 0


def _tagger(loss="mse", units=1, activation=None, metrics=None):
    inputs = gradwise.Input((None,))
    hidden = layers.Embedding(10, 4, mask_zero=True)(inputs)
    hidden = layers.LSTM(3, return_sequences=True)(hidden)
    outputs = layers.TimeDistributed(layers.Dense(units, activation=activation))(hidden)
    model = gradwise.Model(inputs, outputs, seed=0)
    model.compile(optimizer="sgd", loss=loss, metrics=metrics)
    return model


def test_padded_steps_count_neither_in_the_loss_nor_in_its_gradient(rng):
    model = _tagger()
    y = rng.normal(size=(4, 5, 1))
    predictions = model.predict(TOKENS, verbose=0)
    expected = np.mean((predictions[REAL] - y[REAL]) ** 2)  # the mean over the real steps only
    loss, grads = model.compute_gradients(TOKENS, y, training=False)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    other = y.copy()
    other[~REAL] = 1e3  # whatever the targets of padded steps are
    other_loss, other_grads = model.compute_gradients(TOKENS, other, training=False)
    assert other_loss == loss
    for key in grads:
        np.testing.assert_array_equal(other_grads[key], grads[key])
    np.testing.assert_allclose(model.evaluate(TOKENS, y, verbose=0), expected, rtol=1e-5)
    np.testing.assert_allclose(model.evaluate(TOKENS, other, batch_size=4, verbose=0), expected, rtol=1e-5)


def test_sample_weights_multiply_the_real_steps(rng):
    model = _tagger()
    y = rng.normal(size=(4, 5, 1))
    weights = np.array([1.0, 0.0, 2.0, 0.5])
    squared = (model.predict(TOKENS, verbose=0)[..., 0] - y[..., 0]) ** 2
    expected = np.sum(squared * REAL * weights[:, None]) / REAL.sum()
    loss, _ = model.compute_gradients(TOKENS, y, sample_weight=weights, training=False)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_a_masked_sparse_categorical_tagger_trains_on_real_steps_only(rng):
    model = _tagger("sparse_categorical_crossentropy", units=3, activation="softmax")
    labels = np.where(REAL, TOKENS % 3, 0)
    probabilities = model.predict(TOKENS, verbose=0)
    picked = np.take_along_axis(probabilities, labels[..., None], axis=-1)[..., 0]
    expected = -np.mean(np.log(picked[REAL]))
    loss, _ = model.compute_gradients(TOKENS, labels, training=False)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    history = model.fit(np.tile(TOKENS, (8, 1)), np.tile(labels, (8, 1)), epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_an_output_without_a_mask_is_unchanged(rng):
    inputs = gradwise.Input((5, 2))
    outputs = layers.TimeDistributed(layers.Dense(1))(layers.LSTM(3, return_sequences=True)(inputs))
    model = gradwise.Model(inputs, outputs, seed=0)
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.normal(size=(4, 5, 2)), rng.normal(size=(4, 5, 1))
    loss, _ = model.compute_gradients(x, y, training=False)
    np.testing.assert_allclose(loss, np.mean((model.predict(x, verbose=0) - y) ** 2), rtol=1e-5)


def test_compiled_metrics_skip_the_padded_steps_as_keras(rng):
    model = _tagger("sparse_categorical_crossentropy", units=3, activation="softmax", metrics=["accuracy"])
    labels = np.where(REAL, TOKENS % 3, 0)
    probabilities = model.predict(TOKENS, verbose=0)
    right = probabilities.argmax(axis=-1) == labels
    weights = np.array([1.0, 0.0, 2.0, 0.5])
    _, accuracy = model.evaluate(TOKENS, labels, verbose=0)
    np.testing.assert_allclose(accuracy, right[REAL].mean(), rtol=1e-6)
    wrong_pads = np.where(REAL, labels, (labels + 1) % 3)  # padded steps' labels do not matter
    assert model.evaluate(TOKENS, wrong_pads, verbose=0)[1] == accuracy
    _, weighted = model.evaluate(TOKENS, labels, sample_weight=weights, verbose=0)
    step_weights = REAL * weights[:, None]
    np.testing.assert_allclose(weighted, (right * step_weights).sum() / step_weights.sum(), rtol=1e-6)
    history = model.fit(TOKENS, labels, epochs=1, batch_size=4, shuffle=False, verbose=0).history
    assert set(history) >= {"loss", "accuracy"}
    regression = _tagger("mse", metrics=["mae"])
    y = rng.normal(size=(4, 5, 1))
    errors = np.abs(regression.predict(TOKENS, verbose=0) - y)[..., 0]
    np.testing.assert_allclose(regression.evaluate(TOKENS, y, verbose=0)[1], errors[REAL].mean(), rtol=1e-5)

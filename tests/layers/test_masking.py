"""Keras masks: the Masking layer, masked global pooling, and masks flowing through Sequential and
functional models into the recurrent layers (a padded sequence predicts as its real steps alone)."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import (GRU, LSTM, Activation, Dense, Dropout, Embedding, Flatten, GlobalAveragePooling1D,
                             GlobalMaxPooling1D, Masking, SimpleRNN)

from ..models.test_model_gradients import finite_difference_check
from .gradient_check import built, check_layer_gradients
from .recurrent_check import check_masked_gradients

MASK = np.array([[1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 0, 0]], dtype=bool)


# ----- Masking -----------------------------------------------------------------------------------
def test_masking_zeroes_the_masked_steps_and_makes_the_mask(rng):
    layer = built(Masking(mask_value=-1.0), (4, 3))
    inputs = rng.normal(size=(2, 4, 3))
    inputs[0, 1] = -1.0
    inputs[1, 3] = -1.0
    outputs = layer.forward(inputs)[0]
    expected = inputs.copy()
    expected[0, 1] = expected[1, 3] = 0.0
    np.testing.assert_array_equal(outputs, expected)
    np.testing.assert_array_equal(layer.compute_mask(inputs, None), [[1, 0, 1, 1], [1, 1, 1, 0]])
    inputs[0, 2, 0] = -1.0  # one feature at the mask value does not mask the step
    assert layer.compute_mask(inputs, None)[0, 2]
    _, cache = layer.forward(inputs)
    grad = layer.backward(np.ones_like(inputs), cache)
    keep = np.array([[1, 0, 1, 1], [1, 1, 1, 0]], dtype=float)[:, :, None]
    np.testing.assert_array_equal(grad, np.broadcast_to(keep, inputs.shape))  # nothing flows to a masked step
    # central differences away from the jumps (a whole step at the mask value)
    check_layer_gradients(layer, rng.normal(size=(2, 4, 3)), rng)
    with pytest.raises(ValueError, match=r"Masking: `mask_value` must be a number, got 'x'"):
        Masking("x")
    with pytest.raises(ValueError, match=r"Masking 'masking_\w+' expected inputs of shape \(batch, steps, features\)"):
        built(Masking(), (4,))


# ----- global pooling over the real steps ----------------------------------------------------------
@pytest.mark.parametrize("cls", [GlobalAveragePooling1D, GlobalMaxPooling1D])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_leaves_out_masked_steps(cls, keepdims, rng):
    layer = built(cls(keepdims=keepdims), (4, 2))
    inputs = rng.permutation(24).reshape(3, 4, 2) * 0.1 - 1.0  # no ties
    outputs = layer.forward(inputs, mask=MASK)[0].reshape(3, 2)
    reduce = np.mean if cls is GlobalAveragePooling1D else np.max
    for row in range(2):
        np.testing.assert_allclose(outputs[row], reduce(inputs[row, MASK[row]], axis=0), rtol=1e-14)
    np.testing.assert_array_equal(outputs[2], 0.0)  # no real step: zeros, not NaN
    check_masked_gradients(layer, inputs, MASK, rng)
    assert layer.compute_mask(inputs, MASK) is None


def test_a_wrong_mask_for_pooling_is_named(rng):
    layer = built(GlobalAveragePooling1D(name="pool"), (4, 2))
    with pytest.raises(ValueError, match=r"GlobalAveragePooling1D 'pool': `mask` must have shape \(batch, steps\) = "
                                         r"\(3, 4\) to match inputs of shape \(3, 4, 2\), got shape \(3,\)"):
        layer.forward(rng.normal(size=(3, 4, 2)), mask=np.ones(3, bool))
    with pytest.raises(TypeError, match=r"Dense 'dense\w*' takes no `mask`"):
        Dense(2)(rng.normal(size=(3, 4)), mask=np.ones((3, 4), bool))


# ----- masks through models ------------------------------------------------------------------------
def _padded_tokens(rng):
    """Sequences of 6 steps holding 3 real tokens: left-padded, right-padded and with gaps."""
    real = rng.integers(1, 20, size=(3, 3))
    padded = np.zeros((3, 3, 6), dtype=int)
    padded[0, :, 3:] = real  # left
    padded[1, :, :3] = real  # right
    padded[2, :, [0, 2, 5]] = real.T  # gaps
    return real, padded


@pytest.mark.parametrize("recurrent", [LSTM, GRU, SimpleRNN])
def test_padding_changes_no_prediction_of_a_sequential_model(recurrent, rng):
    def model(steps):
        return gw.Sequential([gw.Input((steps,)), Embedding(20, 4, mask_zero=True), Dropout(0.2),
                              Activation("linear"), recurrent(5, return_sequences=True), recurrent(3),
                              Dense(2, activation="softmax")], seed=1)

    real, padded = _padded_tokens(rng)
    short, long = model(3), model(6)
    long.set_weights(short.get_weights())
    expected = short.predict(real, verbose=0)
    for layout in padded:
        np.testing.assert_allclose(long.predict(layout, verbose=0), expected, rtol=1e-5, atol=1e-6)
    unmasked = gw.Sequential([gw.Input((6,)), Embedding(20, 4), recurrent(5, return_sequences=True), recurrent(3),
                              Dense(2, activation="softmax")])
    unmasked.set_weights(short.get_weights())
    assert not np.allclose(unmasked.predict(padded[0], verbose=0), expected, atol=1e-4)  # the mask matters


def test_padding_changes_no_prediction_of_a_functional_model(rng):
    def model(steps):
        inputs = gw.Input((steps,))
        embedded = Embedding(20, 4, mask_zero=True, name="embed")(inputs)
        pooled = GlobalAveragePooling1D(name="mean")(embedded)
        encoded = LSTM(3, name="encode")(embedded)
        return gw.Model(inputs, Dense(1, name="out")(gw.Concatenate(name="both")([pooled, encoded])))

    real, padded = _padded_tokens(rng)
    short, long = model(3), model(6)
    long.set_weights(short.get_weights())
    for layout in padded:
        np.testing.assert_allclose(long.predict(layout, verbose=0), short.predict(real, verbose=0), rtol=1e-5,
                                   atol=1e-6)


def test_masked_model_gradients_match_finite_differences(float64, rng):
    sequences = rng.normal(size=(4, 5, 3))
    sequences[0, 3:] = 0.0
    sequences[1, :2] = 0.0
    sequences[2, 2] = 0.0
    model = gw.Sequential([gw.Input((5, 3)), Masking(), LSTM(3, return_sequences=True, bias_initializer="random_normal"),
                           GRU(2, return_sequences=True, go_backwards=True), GlobalMaxPooling1D(),
                           Dense(2, activation="softmax")], seed=0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    finite_difference_check(model, sequences, rng.integers(0, 2, size=4))


def test_a_mask_reaching_a_layer_without_masking_warns_and_stops_there(rng):
    model = gw.Sequential([gw.Input((4,)), Embedding(9, 2, mask_zero=True), Flatten(name="flat"), Dense(1)])
    with pytest.warns(UserWarning, match=r"Layer 'flat' \(Flatten\) was passed inputs with a mask, but does not "
                                         r"support masking"):
        model.predict(np.array([[1, 2, 0, 0]]), verbose=0)


def test_a_masked_recurrent_model_saves_loads_and_resumes(tmp_path, rng):
    tokens = rng.integers(0, 30, size=(16, 7))
    tokens[:, :2] = 0
    labels = rng.integers(0, 2, size=16)
    model = gw.Sequential([gw.Input((7,)), Embedding(30, 4, mask_zero=True), LSTM(4, return_sequences=True),
                           GRU(3, reset_after=False), Dense(1, activation="sigmoid")], seed=3)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(tokens, labels, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "model.gw")
    loaded = gw.load_model(tmp_path / "model.gw")
    assert [type(layer).__name__ for layer in loaded.layers] == ["Embedding", "LSTM", "GRU", "Dense"]
    assert loaded.layers[0].mask_zero and loaded.layers[2].reset_after is False
    np.testing.assert_array_equal(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0))
    model.fit(tokens, labels, epochs=1, batch_size=8, verbose=0)
    loaded.fit(tokens, labels, epochs=1, batch_size=8, verbose=0)
    np.testing.assert_array_equal(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0))


def test_merged_masks_follow_keras(rng):
    """Add: real where every masked input is real; Concatenate along the steps joins the masks."""
    from gradwise.layers import Add, Concatenate

    first, second = np.array([[1, 1, 0]], bool), np.array([[0, 1, 1]], bool)
    arrays = [rng.normal(size=(1, 3, 2))] * 2
    np.testing.assert_array_equal(Add().compute_mask(arrays, [first, second]), [[0, 1, 0]])
    np.testing.assert_array_equal(Add().compute_mask(arrays, [first, None]), first)
    assert Add().compute_mask(arrays, [None, None]) is None
    np.testing.assert_array_equal(Concatenate(axis=1).compute_mask(arrays, [first, None]), [[1, 1, 0, 1, 1, 1]])
    np.testing.assert_array_equal(Concatenate().compute_mask(arrays, [first, second]), [[0, 1, 0]])

    def model(steps):
        inputs = gw.Input((steps,))
        words, tags = Embedding(20, 3, mask_zero=True, name="words"), Embedding(20, 3, name="tags")
        merged = gw.Add(name="add")([words(inputs), tags(inputs)])
        return gw.Model(inputs, Dense(1, name="out")(LSTM(2, name="encode")(merged)))

    real, padded = _padded_tokens(rng)
    short, long = model(3), model(6)
    long.set_weights(short.get_weights())
    np.testing.assert_allclose(long.predict(padded[2], verbose=0), short.predict(real, verbose=0), rtol=1e-5,
                               atol=1e-6)

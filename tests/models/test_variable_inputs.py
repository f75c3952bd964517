"""Inputs Keras users declare beyond fixed float shapes: Input(shape=(None, ...)) for sequences of
any length, and Input(dtype="string") for text going into a StringLookup."""

import numpy as np
import pytest

import gradwise
from gradwise import layers


def _sequence_model():
    inputs = gradwise.Input(shape=(None,), dtype="int64")
    hidden = layers.Embedding(30, 6, mask_zero=True)(inputs)
    hidden = layers.LSTM(5)(hidden)
    model = gradwise.Model(inputs, layers.Dense(1, activation="sigmoid")(hidden), seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def _padded(rows, length):
    return np.array([row + [0] * (length - len(row)) for row in rows])


def test_sequences_of_any_length_train_and_padding_does_not_change_predictions(rng):
    rows = [list(rng.integers(1, 30, size=rng.integers(2, 7))) for _ in range(24)]
    labels = rng.integers(0, 2, size=24).astype(np.float32)
    model = _sequence_model()
    assert model.input_shape == (None,)
    model.fit(_padded(rows, 7), labels, batch_size=8, epochs=2, verbose=0)
    # masked (zero) steps carry the state over: the same rows padded to other lengths give the same bits
    short, long = model.predict(_padded(rows, 6), verbose=0), model.predict(_padded(rows, 15), verbose=0)
    assert short.shape == long.shape == (24, 1)
    np.testing.assert_array_equal(short, long)
    before = model.get_weights()
    model.fit(_padded(rows, 11), labels, batch_size=8, epochs=1, verbose=0)  # another length trains too
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_a_generator_may_change_the_length_of_a_none_axis_but_not_of_a_fixed_one(rng):
    model = gradwise.Sequential([gradwise.Input((None, 3)), layers.LSTM(4, return_sequences=True),
                                 layers.TimeDistributed(layers.Dense(1))], seed=0)
    model.compile(optimizer="adam", loss="mse")

    def batches(widths):
        for length, width in widths:
            yield rng.normal(size=(4, length, width)), rng.normal(size=(4, length, 1))

    history = model.fit(batches([(3, 3), (8, 3), (5, 3)]), steps_per_epoch=3, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    assert model.predict(rng.normal(size=(2, 9, 3)), verbose=0).shape == (2, 9, 1)
    with pytest.raises(ValueError, match=r"per-sample shape \(6, 4\) but the model expects \(None, 3\)"):
        model.fit(batches([(3, 3), (6, 4)]), steps_per_epoch=2, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"`x` has per-sample shape \(5, 2\) but the model expects \(None, 3\)"):
        model.predict(rng.normal(size=(2, 5, 2)), verbose=0)


def test_a_layer_that_needs_the_length_of_a_none_axis_says_so():
    with pytest.raises(ValueError, match=r"Flatten 'flat' needs the length of every input axis, got per-sample "
                                         r"shape \(None, 3\)"):
        gradwise.Sequential([gradwise.Input((None, 3)), layers.Flatten(name="flat"), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"must be a tuple of positive ints or None, got \(0, 3\)"):
        gradwise.Input((0, 3))


def test_strings_go_through_string_lookup_and_embedding_in_fit_predict_and_save(rng, tmp_path):
    words = np.array(["cat", "dog", "fish", "bird"])
    x = words[rng.integers(0, 4, size=64)].reshape(-1, 1)
    y = np.isin(x[:, 0], ["cat", "fish"]).astype(np.float32)
    lookup = layers.StringLookup(vocabulary=list(words))
    inputs = gradwise.Input(shape=(1,), dtype="string")
    hidden = layers.Flatten()(layers.Embedding(lookup.vocabulary_size(), 3)(lookup(inputs)))
    model = gradwise.Model(inputs, layers.Dense(1, activation="sigmoid")(hidden), seed=0)
    model.compile(optimizer=gradwise.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x.astype(object), y, epochs=15, verbose=0)  # object arrays of str, as pandas gives
    assert history.history["accuracy"][-1] == 1.0
    asked = np.array([["cat"], ["dog"], ["unseen"]])
    predictions = model.predict(asked, verbose=0)
    assert predictions[0, 0] > 0.5 > predictions[1, 0]
    np.testing.assert_array_equal(model.predict(np.array(["cat", "dog", "unseen"]), verbose=0), predictions)
    model.save(tmp_path / "words.gw")
    np.testing.assert_array_equal(gradwise.load_model(tmp_path / "words.gw").predict(asked, verbose=0), predictions)
    with pytest.raises(TypeError, match=r"`x` must hold strings \(the model's Input has dtype='string'\), got an "
                                        r"array of dtype float64"):
        model.predict(np.zeros((2, 1)), verbose=0)


def test_input_dtypes_are_checked():
    assert gradwise.Input((3,), dtype="int32").input_dtype == "int32"
    assert gradwise.Input((1,), dtype=str).input_dtype == "string"
    config = gradwise.Input((None,), name="text", dtype="string").get_config()
    assert config == {"name": "text", "shape": [None], "dtype": "string"}
    assert gradwise.Input(**config).get_config() == config
    assert "dtype" not in gradwise.Input((3,)).get_config()
    with pytest.raises(ValueError, match=r"Input: `dtype` must be a number dtype \(e.g. 'float32', 'int64'\) or "
                                         r"'string', got 'complex64'"):
        gradwise.Input((3,), dtype="complex64")

"""Text into a Sequential, as Keras writes it: with ``Input(dtype="string")`` or with a StringLookup first."""

import numpy as np
import pytest

import gradwise as gw

WORDS = np.array(["red", "green", "blue", "gray"])  # "gray" is out of the vocabulary


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.choice(WORDS, size=(96, 3))
    return x, (x[:, 0] == "red").astype("float32")


def _model(with_input):
    layers = [gw.layers.StringLookup(vocabulary=["red", "green", "blue"]), gw.layers.Embedding(5, 4),
              gw.layers.Flatten(), gw.layers.Dense(1, activation="sigmoid")]
    if with_input:
        layers.insert(0, gw.Input((3,), dtype="string"))
    model = gw.Sequential(layers, seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("with_input", [True, False])
def test_a_sequential_learns_from_strings_and_predicts_strings(with_input):
    x, y = _data()
    model = _model(with_input)
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] == 1.0  # the first word decides the label
    probabilities = model.predict(np.array([["red", "gray", "blue"], ["gray", "red", "red"]]), verbose=0).ravel()
    assert probabilities[0] > 0.9 > 0.1 > probabilities[1]
    assert model.evaluate(x, y, verbose=0)[1] == 1.0


@pytest.mark.parametrize("with_input", [True, False])
def test_a_string_sequential_saves_and_loads_with_its_vocabulary(tmp_path, with_input):
    x, y = _data()
    model = _model(with_input)
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    model.save(tmp_path / "text.gw")
    loaded = gw.load_model(tmp_path / "text.gw")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_numbers_given_to_a_string_sequential_are_refused_clearly():
    model = _model(with_input=False)
    with pytest.raises(TypeError, match="`x` must hold strings"):
        model.fit(np.zeros((4, 3)), np.zeros(4), epochs=1, verbose=0)


def test_popping_the_lookup_forgets_the_string_input():
    model = gw.Sequential([gw.layers.StringLookup(vocabulary=["a", "b"])])
    model.pop()
    model.add(gw.layers.Dense(1))
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 1)

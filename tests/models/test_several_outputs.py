"""Layers with several outputs in graphs: LSTM/GRU/Bidirectional(return_state=True) called on a
symbolic tensor give one symbolic tensor per output; the gradients of every output used add up."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import GRU, LSTM, Bidirectional, Concatenate, Dense

from .test_model_gradients import finite_difference_check


def _encoder_decoder():
    """An encoder whose sequence, hidden state and cell state feed two heads."""
    inputs = gw.Input((5, 3), name="steps")
    sequence, hidden, cell = LSTM(4, return_state=True, return_sequences=True, name="encoder")(inputs)
    summary = GRU(3, name="reader")(sequence)
    joined = Concatenate(name="join")([hidden, cell, summary])
    return gw.Model(inputs, [Dense(2, activation="softmax", name="kind")(joined), Dense(1, name="size")(hidden)],
                    seed=0)


def test_lstm_states_feed_later_layers_and_train(rng):
    model = _encoder_decoder()
    encoder = model.get_layer("encoder")
    assert [layer.name for layer in model.layers] == ["steps", "encoder", "reader", "join", "kind", "size"]
    x = rng.normal(size=(16, 5, 3))
    y = [rng.integers(0, 2, size=16), rng.normal(size=(16, 1))]
    model.compile("adam", ["sparse_categorical_crossentropy", "mse"])
    before = encoder.params["kernel"].copy()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert not np.array_equal(encoder.params["kernel"], before)
    sequence, hidden, cell = encoder(x)
    kind, size = model.predict(x, verbose=0)
    dense = model.get_layer("size")
    assert np.allclose(size, hidden @ dense.params["kernel"] + dense.params["bias"], atol=1e-5)
    assert "encoder[0][1]" in _summary(model)


def _summary(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_finite_differences_through_every_used_output(float64, rng):
    model = _encoder_decoder()
    model.compile("sgd", ["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5])
    finite_difference_check(model, rng.normal(size=(4, 5, 3)), [rng.integers(0, 2, size=4), rng.normal(size=(4, 1))])


def test_finite_differences_when_only_a_state_is_used(float64, rng):
    inputs = gw.Input((4, 2))
    _, hidden, _ = LSTM(3, return_state=True, name="rnn")(inputs)
    model = gw.Model(inputs, Dense(1, name="out")(hidden), seed=1)
    model.compile("sgd", "mse")
    finite_difference_check(model, rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 1)))


def test_bidirectional_states_in_a_graph(float64, rng):
    inputs = gw.Input((4, 2))
    merged, *states = Bidirectional(GRU(3, return_state=True), name="both")(inputs)
    assert [state.shape for state in states] == [(3,), (3,)] and merged.shape == (6,)
    model = gw.Model(inputs, Dense(1, name="out")(Concatenate()([merged, states[1]])), seed=2)
    model.compile("sgd", "mse")
    finite_difference_check(model, rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 1)))


def test_a_graph_with_states_is_saved_and_loaded(tmp_path, rng):
    model = _encoder_decoder()
    model.compile("adam", ["sparse_categorical_crossentropy", "mse"])
    x = rng.normal(size=(6, 5, 3))
    model.save(tmp_path / "states.gw")
    loaded = gw.load_model(tmp_path / "states.gw")
    for ours, theirs in zip(model.predict(x, verbose=0), loaded.predict(x, verbose=0)):
        assert np.array_equal(ours, theirs)


def test_states_inside_a_subclassed_model(float64, rng):
    class Reader(gw.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.rnn = LSTM(3, return_state=True)
            self.out = Dense(1)

        def call(self, inputs, training=False):
            _, hidden, _ = self.rnn(inputs)
            return self.out(hidden)

    model = Reader(seed=0)
    model.compile("sgd", "mse")
    finite_difference_check(model, rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 1)))


def test_a_state_is_not_one_tensor():
    outputs = LSTM(3, return_state=True)(gw.Input((4, 2)))
    assert isinstance(outputs, list) and len(outputs) == 3
    with pytest.raises(TypeError, match=r"Dense '.*' expected one symbolic tensor, got \["):
        Dense(1)(outputs)


def test_the_rnn_guide_encoder_states_start_the_decoder(float64, rng):
    """Keras's encoder-decoder: the encoder's returned states are the decoder's initial_state."""
    encoder_input = gw.Input((6,))
    encoded = gw.layers.Embedding(50, 8)(encoder_input)
    _, state_h, state_c = LSTM(5, return_state=True, name="encoder")(encoded)
    decoder_input = gw.Input((4,))
    decoded = gw.layers.Embedding(60, 8)(decoder_input)
    decoder_output = LSTM(5, name="decoder")(decoded, initial_state=[state_h, state_c])
    model = gw.Model([encoder_input, decoder_input], Dense(3, activation="softmax")(decoder_output), seed=0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    x = [rng.integers(0, 50, size=(4, 6)), rng.integers(0, 60, size=(4, 4))]
    finite_difference_check(model, x, rng.integers(0, 3, size=4))
    assert "encoder[0][1], encoder[0][2]" in _summary(model)

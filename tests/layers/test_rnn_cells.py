"""Keras's RNN(cell) with SimpleRNNCell, LSTMCell and GRUCell: the same layer, weights and outputs
as SimpleRNN, LSTM and GRU with those arguments; wrong uses named."""

import numpy as np
import pytest

import gradwise
from gradwise import layers


@pytest.mark.parametrize("cell, plain", [
    (lambda: layers.SimpleRNNCell(4, activation="relu"), lambda **kw: layers.SimpleRNN(4, activation="relu", **kw)),
    (lambda: layers.LSTMCell(4, unit_forget_bias=False), lambda **kw: layers.LSTM(4, unit_forget_bias=False, **kw)),
    (lambda: layers.GRUCell(4, reset_after=False), lambda **kw: layers.GRU(4, reset_after=False, **kw)),
])
def test_rnn_of_a_cell_is_the_layer_with_its_arguments(cell, plain, rng):
    wrapped = layers.RNN(cell(), return_sequences=True, go_backwards=True)
    reference = plain(return_sequences=True, go_backwards=True)
    assert type(wrapped) is type(reference)
    config, expected = wrapped.get_config(), reference.get_config()
    config.pop("name"), expected.pop("name")
    assert config == expected
    x = rng.normal(size=(3, 5, 2))
    outputs = wrapped(x)
    reference.build_for((5, 2), np.random.default_rng(0), np.float64)
    reference.set_weights(wrapped.get_weights())
    np.testing.assert_array_equal(reference(x), outputs)


def test_rnn_of_an_lstm_cell_trains_in_a_model(rng):
    model = gradwise.Sequential([gradwise.Input((6, 2)), layers.RNN(layers.LSTMCell(8)), layers.Dense(1)], seed=0)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(rng.normal(size=(32, 6, 2)), rng.normal(size=(32, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and layers.LSTMCell(8).state_size == [8, 8]


def test_wrong_uses_of_rnn_and_cells_are_named():
    with pytest.raises(TypeError, match=r"`cell` must be a SimpleRNNCell, LSTMCell or GRUCell, a cell of one's own "
                                        r"\(a gradwise.layers.Layer subclass with `state_size` and `call`\), or a "
                                        r"list of them \(a StackedRNNCells\), got 'lstm'"):
        layers.RNN("lstm")
    with pytest.raises(TypeError, match=r"LSTMCell: `return_sequences` belongs to RNN\(...\), not to the cell"):
        layers.LSTMCell(4, return_sequences=True)
    with pytest.raises(ValueError, match=r"`units` must be a positive int, got 0"):
        layers.GRUCell(0)

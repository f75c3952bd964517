"""Keras's RNN(StackedRNNCells([...])) and RNN([cell, ...]): the cells run one after the other at
every step. Checked against a step-by-step loop written here from Keras's definition (masks and
go_backwards included), by finite differences (return_state included) and through saving."""

import numpy as np
import pytest

import gradwise
from gradwise import layers

from .gradient_check import built
from .recurrent_check import check_masked_gradients

MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)


def _stack(**options):
    return layers.RNN(layers.StackedRNNCells([layers.SimpleRNNCell(4, bias_initializer="random_normal"),
                                              layers.SimpleRNNCell(3, bias_initializer="random_normal")]), **options)


def _step_by_step(layer, inputs, mask, go_backwards):
    """Keras's stacked step: h1 = tanh(x W1 + h1 U1 + b1), h2 = tanh(h1 W2 + h2 U2 + b2), the output h2;
    a masked step keeps both states and repeats the previous output."""
    kernel_1, recurrent_1, bias_1, kernel_2, recurrent_2, bias_2 = layer.get_weights()
    batch, steps, _ = inputs.shape
    first, second = np.zeros((batch, 4)), np.zeros((batch, 3))
    outputs = []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for step in order:
        new_first = np.tanh(inputs[:, step] @ kernel_1 + first @ recurrent_1 + bias_1)
        new_second = np.tanh(new_first @ kernel_2 + second @ recurrent_2 + bias_2)
        real = np.ones(batch, dtype=bool) if mask is None else mask[:, step]
        first = np.where(real[:, None], new_first, first)
        second = np.where(real[:, None], new_second, second)
        outputs.append(second)
    return np.stack(outputs, axis=1), first, second


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_the_stack_computes_keras_stacked_steps(go_backwards, masked, rng):
    layer = built(_stack(return_sequences=True, return_state=True, go_backwards=go_backwards), (5, 2))
    inputs = rng.normal(size=(3, 5, 2))
    mask = MASK if masked else None
    (sequence, first, second), _ = layer.forward(inputs, **({} if mask is None else {"mask": mask}))
    expected_sequence, expected_first, expected_second = _step_by_step(layer, inputs, mask, go_backwards)
    np.testing.assert_allclose(sequence, expected_sequence, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(first, expected_first, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(second, expected_second, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "go_backwards": True},
                                     {"return_state": True}])
@pytest.mark.parametrize("masked", [False, True])
def test_finite_differences_through_the_stack(options, masked, rng):
    cells = [layers.LSTMCell(3, bias_initializer="random_normal"), layers.GRUCell(2, bias_initializer="random_normal")]
    layer = built(layers.RNN(cells, **options), (5, 2))
    check_masked_gradients(layer, rng.normal(size=(3, 5, 2)), MASK if masked else None, rng)


def test_weights_are_keras_order_and_the_stack_equals_its_layers_in_a_row(rng):
    layer = built(layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], return_sequences=True), (6, 2))
    assert [w.shape for w in layer.get_weights()] == [(2, 16), (4, 16), (16,), (4, 9), (3, 9), (2, 9)]
    model = gradwise.Sequential([gradwise.Input((6, 2)), layers.LSTM(4, return_sequences=True),
                                 layers.GRU(3, return_sequences=True)], dtype="float64")
    model.set_weights(layer.get_weights())
    inputs = rng.normal(size=(2, 6, 2))
    np.testing.assert_allclose(layer(inputs), model.predict(inputs, verbose=0), rtol=1e-12, atol=1e-12)
    assert layers.StackedRNNCells([layers.LSTMCell(4), layers.GRUCell(3)]).state_size == [[4, 4], 3]


def test_a_stacked_rnn_trains_saves_and_loads(tmp_path, rng):
    model = gradwise.Sequential([gradwise.Input((5, 2)),
                                 layers.RNN(layers.StackedRNNCells([layers.LSTMCell(6), layers.LSTMCell(4)])),
                                 layers.Dense(1)], seed=0)
    model.compile(optimizer="adam", loss="mse")
    inputs, targets = rng.normal(size=(16, 5, 2)), rng.normal(size=(16, 1))
    history = model.fit(inputs, targets, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "stacked.keras"
    model.save(path)
    loaded = gradwise.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))


def test_wrong_stacks_are_named():
    with pytest.raises(TypeError, match=r"StackedRNNCells: `cells` must be a non-empty list of SimpleRNNCell"):
        layers.StackedRNNCells([])
    with pytest.raises(TypeError, match=r"StackedRNNCells: `cells` must be a non-empty list"):
        layers.RNN([layers.LSTMCell(3), layers.LSTM(3)])

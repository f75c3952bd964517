"""Dense on sequences, as Keras: (batch, steps, features) -> (batch, steps, units), a tagger's head."""

import numpy as np

import gradwise as gw
from gradwise.layers import LSTM, Dense, Embedding, Input, TimeDistributed

from .test_model_gradients import finite_difference_check


def _tagger(head, seed=0):
    model = gw.Sequential([Input((None,)), Embedding(12, 4, mask_zero=True), LSTM(5, return_sequences=True), head],
                          seed=seed)
    model.compile(optimizer=gw.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    return model


def _tokens(rng):
    x = rng.integers(1, 12, size=(6, 5))
    x[:2, 3:] = 0  # padded tails: masked out of the loss
    return x, rng.integers(0, 3, size=(6, 5))


def test_a_tagger_head_gradients_match_finite_differences(float64, rng):
    model = _tagger(Dense(3, activation="softmax"))
    x, y = _tokens(rng)
    finite_difference_check(model, x, y)


def test_dense_on_steps_trains_exactly_as_time_distributed_dense(rng):
    x, y = _tokens(rng)
    plain, wrapped = _tagger(Dense(3, activation="softmax")), _tagger(TimeDistributed(Dense(3, activation="softmax")))
    wrapped.set_weights(plain.get_weights())
    assert plain.layers[-1].output_shape == (None, 3)  # per sample: (steps, units)
    plain_history = plain.fit(x, y, epochs=3, batch_size=3, shuffle=False, verbose=0).history["loss"]
    wrapped_history = wrapped.fit(x, y, epochs=3, batch_size=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(plain_history, wrapped_history, rtol=1e-6)
    for mine, theirs in zip(plain.get_weights(), wrapped.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-7)
    assert plain.predict(x, verbose=0).shape == (6, 5, 3)
    assert plain_history[-1] < plain_history[0]

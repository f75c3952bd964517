"""diagnose() and find_learning_rate() take functional and subclassed models, as they take a Sequential."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.doctor import diagnose, find_learning_rate
from gradwise.layers import Dense


class TwoLayers(gw.Model):
    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(units, activation="relu")
        self.out = Dense(1, activation="sigmoid")

    def call(self, inputs, training=False):
        return self.out(self.hidden(inputs))


def _functional():
    inputs = gw.Input((4,))
    return gw.Model(inputs, Dense(1, activation="sigmoid")(Dense(8, activation="relu")(inputs)), seed=0)


@pytest.mark.parametrize("make", [_functional, lambda: TwoLayers(seed=0)], ids=["functional", "subclassed"])
def test_the_doctor_takes_graph_models(make):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4)) * 40.0  # unnormalized inputs: a fault the doctor names
    y = (x[:, 0] > 0).astype(float)
    model = make()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    weights = [array.copy() for array in model.get_weights()] if model.built else None
    report = diagnose(model, x, y, epochs=3, verbose=0)
    assert "UNNORMALIZED_INPUT" in [finding.code for finding in report.findings]
    if weights is not None:  # the user's model is left as it was
        assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    result = find_learning_rate(model, x / 40.0, y)
    assert len(result.losses) > 5 and np.isfinite(result.losses[0])
    assert result.suggestion is not None and 1e-6 < result.suggestion < 10

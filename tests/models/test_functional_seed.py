"""Model(inputs, outputs, seed=s): the weights of layers built on symbolic tensors come from s."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Add, BatchNormalization, Dense, Dropout


def _build(seed):
    inputs = gw.Input((4,))
    hidden = Dense(8, activation="relu")(inputs)
    joined = Add()([Dense(8)(inputs), BatchNormalization()(hidden)])
    return gw.Model(inputs, Dense(2)(Dropout(0.3)(joined)), seed=seed)


def _weights(model):
    return model.get_weights()


def test_two_builds_with_one_seed_have_identical_weights_and_training(rng):
    first, second, other = _build(3), _build(3), _build(4)
    assert all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(second)))
    assert not all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(other)))
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 2))
    for model in (first, second):
        model.compile("adam", "mse")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)  # shuffling and dropout seeded too
    assert all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(second)))


def test_a_seed_leaves_the_weights_of_layers_already_in_a_model_or_given():
    inputs = gw.Input((4,))
    base_layer = Dense(8, name="base_dense")
    features = base_layer(inputs)
    base = gw.Model(inputs, features, seed=1)
    kept = [array.copy() for array in base_layer.get_weights()]
    given = Dense(3, name="given")
    head = given(features)
    chosen = [np.full((8, 3), 0.5), np.zeros(3)]
    given.set_weights(chosen)
    gw.Model(inputs, Dense(1)(head), seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(base_layer.get_weights(), kept))
    assert all(np.array_equal(a, b) for a, b in zip(given.get_weights(), chosen))


def test_a_model_without_seed_follows_set_random_seed():
    gw.utils.set_random_seed(7)
    first = _build(None)
    gw.utils.set_random_seed(7)
    second = _build(None)
    gw.set_random_seed(None)
    assert all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(second)))


class _Block(gw.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Dense(3, activation="tanh")
        self.drop = Dropout(0.5)

    def call(self, inputs, training=False):
        return self.drop(self.inner(inputs), training=training)


def _nested(seed, sequential=False):
    stack = gw.Sequential([gw.Input((4,)), Dense(6, activation="relu"), Dropout(0.2), Dense(5)])
    code = gw.Input((5,))
    mapper = gw.Model(code, Dense(5, activation="tanh")(code))
    if sequential:
        return gw.Sequential([gw.Input((4,)), stack, mapper, _Block(), Dense(1)], seed=seed)
    inputs = gw.Input((4,))
    return gw.Model(inputs, Dense(1)(_Block()(mapper(stack(inputs)))), seed=seed)


@pytest.mark.parametrize("sequential", [False, True], ids=["functional", "sequential"])
def test_a_seed_draws_the_weights_of_nested_models_too(rng, sequential):
    first, second, other = _nested(3, sequential), _nested(3, sequential), _nested(4, sequential)
    assert len(_weights(first)) == 10  # the layers of three nested models and the head
    assert all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(second)))
    assert not any(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(other)) if a.ndim == 2)  # every kernel
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 1))
    for model in (first, second):
        model.compile("adam", "mse")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)  # nested dropout masks seeded too
    assert all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(second)))


def test_a_seed_leaves_nested_models_trained_given_or_seeded(rng, tmp_path):
    trained = gw.Sequential([gw.Input((4,)), Dense(3)])
    trained.compile("sgd", "mse")
    trained.fit(rng.normal(size=(8, 4)), rng.normal(size=(8, 3)), epochs=1, verbose=0)
    given = gw.Sequential([gw.Input((3,)), Dense(3)])
    given.save_weights(tmp_path / "given.gw")
    loaded = gw.Sequential([gw.Input((3,)), Dense(3)])
    loaded.load_weights(tmp_path / "given.gw")
    seeded = gw.Sequential([gw.Input((3,)), Dense(2)], seed=9)
    before = [model.get_weights() for model in (trained, loaded, seeded)]
    inputs = gw.Input((4,))
    gw.Model(inputs, seeded(loaded(trained(inputs))), seed=1)
    after = [model.get_weights() for model in (trained, loaded, seeded)]
    assert all(np.array_equal(a, b) for old, new in zip(before, after) for a, b in zip(old, new))

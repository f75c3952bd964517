"""Who trains a layer: `trainable` read at compile, frozen BatchNormalization, a layer in two models."""

import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import BatchNormalization, Dense, Input


@pytest.fixture
def data(rng):
    x = rng.normal(size=(64, 4))
    return x, (x[:, 0] - x[:, 1] > 0).astype(float)


def _model(*layers, seed=0):
    model = gw.Sequential([Input((4,)), *layers], seed=seed)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def _fit(model, data, epochs=2):
    model.fit(*data, epochs=epochs, batch_size=16, verbose=0)


def test_freeze_after_fit_takes_effect_at_compile_and_unfreeze_trains_again(data):
    hidden, head = Dense(8, activation="relu"), Dense(1, activation="sigmoid")
    model = _model(hidden, head)
    _fit(model, data)
    hidden.trainable = False
    model.compile(optimizer="adam", loss="binary_crossentropy")
    frozen, before_head = hidden.get_weights(), head.get_weights()
    _fit(model, data)
    for now, then in zip(hidden.get_weights(), frozen):
        np.testing.assert_array_equal(now, then)
    assert not np.array_equal(head.get_weights()[0], before_head[0])
    assert model.parameter_set.names == [f"{head.name}/kernel", f"{head.name}/bias"]
    hidden.trainable = True
    model.compile(optimizer="adam", loss="binary_crossentropy")
    _fit(model, data)
    assert not np.array_equal(hidden.get_weights()[0], frozen[0])


def test_fit_without_recompiling_warns_and_trains_as_compiled(data):
    hidden = Dense(8, activation="relu")
    model = _model(hidden, Dense(1, activation="sigmoid"))
    _fit(model, data, epochs=1)
    hidden.trainable = False
    before = hidden.get_weights()[0]
    with pytest.warns(UserWarning, match=rf"`trainable` of layer\(s\) \['{hidden.name}'\] changed since compile"):
        _fit(model, data, epochs=1)
    assert not np.array_equal(hidden.get_weights()[0], before)  # Keras's rule: compile decides


def test_frozen_batch_normalization_runs_in_inference_mode(data, rng):
    norm = BatchNormalization()
    model = _model(Dense(6), norm, Dense(1, activation="sigmoid"))
    _fit(model, data, epochs=1)
    norm.trainable = False
    model.compile(optimizer="adam", loss="binary_crossentropy")
    statistics = [value.copy() for value in norm.state.values()]
    weights = norm.get_weights()
    _fit(model, data)
    for now, then in zip(norm.state.values(), statistics):
        np.testing.assert_array_equal(now, then)  # moving statistics untouched by training batches
    for now, then in zip(norm.get_weights(), weights):
        np.testing.assert_array_equal(now, then)
    inputs = rng.normal(size=(5, 6))
    np.testing.assert_array_equal(norm.forward(inputs, training=True)[0], norm.forward(inputs, training=False)[0])


def test_a_layer_in_two_models_is_trained_by_both(data):
    shared = Dense(8, activation="tanh", name="shared")
    first = _model(shared, Dense(1, activation="sigmoid", name="head_a"))
    second = _model(shared, Dense(1, activation="sigmoid", name="head_b"), seed=1)
    _fit(first, data, epochs=1)
    after_first = shared.get_weights()[0]
    _fit(second, data, epochs=1)
    after_second = shared.get_weights()[0]
    assert not np.array_equal(after_second, after_first)  # the second model trained it
    _fit(first, data, epochs=1)
    after_third = shared.get_weights()[0]
    assert not np.array_equal(after_third, after_second)  # and the first still does, from where it was
    # each model's predictions use the shared layer's current weights
    x = data[0]
    hidden = np.tanh(x @ shared.params["kernel"] + shared.params["bias"])
    head = first.get_layer("head_a")
    logits = hidden @ head.params["kernel"] + head.params["bias"]
    np.testing.assert_allclose(first.predict(x, verbose=0), 1 / (1 + np.exp(-logits)), rtol=1e-5)
    assert shared.params["kernel"].base is first.parameter_set.values


def test_a_shared_layer_keeps_the_optimizer_state_across_the_hand_over(data):
    shared = Dense(8, activation="tanh")
    first = _model(shared, Dense(1, activation="sigmoid"))
    second = _model(shared, Dense(1, activation="sigmoid"), seed=1)
    _fit(first, data, epochs=1)
    moments = first.optimizer.get_state()
    _fit(second, data, epochs=1)
    first.parameter_set  # takes the shared layer back
    for key, value in first.optimizer.get_state().items():
        np.testing.assert_array_equal(value, moments[key])


def test_two_layers_with_one_name_are_refused(data):
    model = gw.Sequential([Input((4,)), Dense(3, name="twin")])
    model.add(Dense(1, activation="sigmoid", name="other"))
    model._layers[1].name = "twin"  # names are checked on add; here they collide afterwards
    model.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"two different layers are named \['twin'\]"):
        _fit(model, data, epochs=1)


def test_no_warning_when_trainable_is_unchanged(data):
    model = _model(Dense(3), Dense(1, activation="sigmoid"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fit(model, data, epochs=1)

"""Models used as layers: a Sequential or a Model called on symbolic tensors or added to a Sequential,
sharing its layers with the inner model; freezing, saving, summary, finite differences, bad calls."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Concatenate, Dense, Dropout, Input, Softmax

from .test_model_gradients import finite_difference_check


def _encoder(name="encoder"):
    return gw.Sequential([Input((6,)), Dense(5, activation="relu", name=f"{name}_hidden"),
                          Dense(4, activation="tanh", name=f"{name}_code")], name=name)


def _classifier(seed=0):
    """A Sequential encoder and a functional tower (called twice) inside one functional model."""
    with gw.backend.seeded(seed):
        encoder = _encoder()
        tower_in = gw.Input((4,), name="tower_in")
        tower = gw.Model(tower_in, Dropout(0.2, name="tower_drop")(Dense(4, activation="relu", name="tower_dense")(
            tower_in)), name="tower")
        left, right = gw.Input((6,), name="left"), gw.Input((6,), name="right")
        joined = Concatenate(name="joined")([tower(encoder(left)), tower(encoder(right))])
        return gw.Model([left, right], Dense(1, activation="sigmoid", name="same")(joined), seed=seed)


def _pairs(rng, samples=64):
    left, right = rng.normal(size=(samples, 6)), rng.normal(size=(samples, 6))
    return [left, right], (left[:, 0] * right[:, 0] > 0).astype(float)


def test_a_nested_model_is_one_layer_whose_layers_the_outer_model_trains(rng):
    model = _classifier()
    encoder, tower = model.get_layer("encoder"), model.get_layer("tower")
    assert [layer.name for layer in model.layers] == ["left", "right", "encoder", "tower", "joined", "same"]
    assert isinstance(encoder, gw.Sequential) and isinstance(tower, gw.Model)
    assert model.parameter_set.names == ["encoder_hidden/kernel", "encoder_hidden/bias", "encoder_code/kernel",
                                         "encoder_code/bias", "tower_dense/kernel", "tower_dense/bias",
                                         "same/kernel", "same/bias"]  # called twice, stored once
    x, y = _pairs(rng)
    before = encoder.get_weights()
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, encoder.get_weights()))
    codes = encoder.predict(x[0], verbose=0)  # the inner model sees the trained weights
    hidden = encoder.get_layer("encoder_hidden")
    first = np.maximum(x[0] @ hidden.params["kernel"] + hidden.params["bias"], 0)
    code = encoder.get_layer("encoder_code")
    np.testing.assert_allclose(codes, np.tanh(first @ code.params["kernel"] + code.params["bias"]), rtol=1e-5,
                               atol=1e-6)
    assert len(model.get_weights()) == 8 and model.count_params() == encoder.count_params() + 20 + 9


def test_an_inner_model_frozen_with_trainable_false_stays_until_unfrozen(rng):
    model = _classifier(1)
    x, y = _pairs(rng)
    encoder = model.get_layer("encoder")
    encoder.trainable = False
    assert not any(layer.trainable for layer in encoder.layers)
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy")
    frozen, head = encoder.get_weights(), model.get_layer("same").get_weights()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    for a, b in zip(frozen, encoder.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(head[0], model.get_layer("same").get_weights()[0])
    lines = []
    model.summary(print_fn=lines.append)
    assert f"Non-trainable params: {encoder.count_params():,}" in lines[0]
    encoder.trainable = True
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert not np.array_equal(frozen[0], encoder.get_weights()[0])


def test_models_inside_a_sequential_build_and_train(rng):
    with gw.backend.seeded(2):
        unbuilt = gw.Sequential([Dense(5, activation="relu", name="inner_a"), Dense(3, name="inner_b")], name="inner")
        outer = gw.Sequential([Input((6,)), unbuilt, Softmax(name="probabilities")], name="outer", seed=2)
    assert unbuilt.built and unbuilt.input_shape == (6,) and outer.output_shape == (3,)
    assert outer._graph._chain  # a Sequential inlined in a Sequential is still a chain
    x, y = rng.normal(size=(48, 6)), rng.integers(0, 3, size=48)
    outer.compile(optimizer=gw.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = outer.fit(x, y, epochs=15, batch_size=16, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    logits = unbuilt.predict(x, verbose=0)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(outer.predict(x, verbose=0), probabilities, rtol=1e-5)
    # the basic classification tutorial's probability model: Sequential([model, Softmax()])
    probability_model = gw.Sequential([unbuilt, Softmax()])
    np.testing.assert_allclose(probability_model.predict(x, verbose=0), probabilities, rtol=1e-5)


@pytest.mark.parametrize("build", ["functional", "sequential"])
def test_save_and_load_keep_the_nesting_with_identical_predictions_and_exact_resume(tmp_path, rng, build):
    if build == "functional":
        model = _classifier(3)
        x, y = _pairs(rng)
    else:
        with gw.backend.seeded(3):
            tower_in = gw.Input((5,))
            tower = gw.Model(tower_in, Dropout(0.3)(Dense(5, activation="relu", name="t")(tower_in)), name="tower")
            head = gw.Sequential([Dense(1, activation="sigmoid", name="last")], name="head")  # built by the outer
            model = gw.Sequential([Input((4,)), Dense(5, name="first"), tower, head], seed=3)
        x = rng.normal(size=(64, 4))
        y = (x[:, 0] > 0).astype(float)
    config = model.get_config()
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "nested.gw")
    loaded = gw.models.load_model(tmp_path / "nested.gw")
    assert loaded.get_config() == config
    assert [type(item).__name__ for item in loaded.layers] == [type(item).__name__ for item in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    resumed = loaded.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    continued = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    assert resumed == continued  # same optimizer state, shuffles and the nested Dropout's masks
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_summary_shows_a_nested_model_as_one_connected_row():
    lines = []
    model = _classifier()
    model.summary(print_fn=lines.append)
    rows = {line.split()[0]: line for line in lines[0].splitlines()[4:10]}
    encoder = model.get_layer("encoder")
    assert rows["encoder"].split()[1:5] == ["(Sequential)", "(None,", "4)", f"{encoder.count_params():,}"]
    assert rows["encoder"].endswith("left[0][0], right[0][0]")
    assert rows["tower"].split()[1] == "(Functional)" and rows["tower"].endswith("encoder[0][0], encoder[1][0]")
    assert rows["joined"].endswith("tower[0][0], tower[1][0]")


def test_a_nested_sequential_matches_finite_differences(float64, rng):
    encoder = gw.Sequential([Input((4,)), Dense(5, activation="tanh", bias_initializer="random_normal"),
                             Dense(3, activation="sigmoid")], seed=0)
    inputs = gw.Input((4,))
    code = encoder(inputs)
    outputs = Dense(3, activation="softmax")(Concatenate()([code, encoder(Dense(4, activation="tanh")(inputs))]))
    model = gw.Model(inputs, outputs, seed=0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    finite_difference_check(model, rng.normal(size=(6, 4)), rng.integers(0, 3, size=6))


def test_bad_calls_of_layers_and_nested_models_are_named():
    encoder = _encoder()
    wide = gw.Input((7,), name="wide")
    with pytest.raises(ValueError, match=r"Sequential 'encoder' takes per-sample shape \(6,\) \(rank 2 with the "
                                         r"batch\), but is called on \(7,\) from 'wide'"):
        encoder(wide)
    with pytest.raises(ValueError, match=r"Conv2D 'flat_conv' expected inputs of shape \(batch, height, width, "
                                         r"channels\), got per-sample shape \(7,\).*; called on 'wide' of per-sample "
                                         r"shape \(7,\)"):
        gw.layers.Conv2D(2, 3, name="flat_conv")(wide)
    a, b = gw.Input((2,), name="p"), gw.Input((2,), name="q")
    two = gw.Model([a, b], Dense(1)(gw.layers.Add()([a, b])))
    with pytest.raises(ValueError, match=r"a model in a Sequential must have one input and one output; '.*' has 2 and 1"):
        gw.Sequential([two])
    with pytest.raises(ValueError, match=r"`inputs` must be a list of 2 symbolic tensors \(one per input: 'p', 'q'\)"):
        two(gw.Input((2,)))
    with pytest.raises(TypeError, match=r"Sequential.add: expected a gradwise Layer or model, got 3"):
        gw.Sequential([3])
    clash = gw.Sequential([Input((6,)), Dense(2, name="encoder_code")])
    inputs = gw.Input((6,))
    with pytest.raises(ValueError, match=r"two different layers are named \['encoder_code'\]"):
        gw.Model(inputs, Concatenate()([encoder(inputs), clash(inputs)]))


def test_layer_output_and_model_input_build_feature_models():
    inputs = gw.Input((3,), name="x")
    hidden_layer = Dense(4, name="hidden")
    hidden = hidden_layer(inputs)
    model = gw.Model(inputs, Dense(2, name="out")(hidden))
    assert model.input is inputs.output and hidden_layer.output is hidden
    features = gw.Model(model.input, model.get_layer("hidden").output)
    assert features.layers == [inputs, hidden_layer]
    twice = Dense(3, name="twice")
    twice(twice(inputs))
    with pytest.raises(AttributeError, match=r"Dense 'twice' was called 2 times, so its `output` is not defined"):
        twice.output
    with pytest.raises(AttributeError, match=r"Dense 'never' was never called on a symbolic tensor"):
        Dense(2, name="never").output
    lines = []
    model.get_layer("out").trainable = False
    model.summary(print_fn=lines.append, show_trainable=True)
    rows = lines[0].splitlines()
    assert rows[2].split()[-1] == "Trainable" and rows[6].split()[-1] == "N" and rows[5].split()[-1] == "Y"

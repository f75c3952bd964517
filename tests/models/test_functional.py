"""Model(inputs, outputs): graphs with fan-out, fan-in and a layer called twice, by finite differences;
predictions by hand; the bad inputs of the Functional API."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Add, Concatenate, Dense, Dropout, Multiply

from .test_model_gradients import finite_difference_check


def _residual(seed=0):
    inputs = gw.Input((5,))
    trunk = Dense(4, activation="tanh", name="trunk", bias_initializer="random_normal")(inputs)  # read 3 times
    square = Dense(4, activation="tanh", name="square")  # called twice
    twice = square(square(trunk))
    merged = Concatenate(name="cat")([Add(name="add")([trunk, twice]), Multiply(name="mul")([trunk, twice])])
    outputs = Dense(3, activation="softmax", name="out")(merged)
    return gw.Model(inputs, outputs, seed=seed)


def test_graph_gradients_match_finite_differences(float64, rng):
    model = _residual()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert isinstance(model.layers[0], gw.layers.InputLayer) and model.layers[0] is model.inputs[0].source  # Keras's
    assert [layer.name for layer in model.layers[1:]] == ["trunk", "square", "add", "mul", "cat", "out"]
    assert model.parameter_set.names.count("square/kernel") == 1  # one layer, stored once
    finite_difference_check(model, rng.normal(size=(6, 5)), rng.integers(0, 3, size=6))


def test_predictions_follow_the_graph(float64, rng):
    model = _residual()
    x = rng.normal(size=(7, 5))

    def dense(name, inputs):
        layer = model.get_layer(name)
        return inputs @ layer.params["kernel"] + layer.params["bias"]

    trunk = np.tanh(dense("trunk", x))
    twice = np.tanh(dense("square", np.tanh(dense("square", trunk))))
    logits = dense("out", np.concatenate([trunk + twice, trunk * twice], axis=-1))
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-10)


def test_a_functional_model_trains_with_the_sequential_training_loop(rng):
    inputs = gw.Input((4,))
    hidden = Dropout(0.1)(Dense(8, activation="relu")(inputs))
    outputs = Dense(1, activation="sigmoid")(Add()([hidden, Dense(8)(inputs)]))
    model = gw.Model(inputs, outputs, seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    x = rng.normal(size=(256, 4))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9 > history.history["accuracy"][0]


def test_bad_graphs_get_clear_errors(rng):
    inputs, other = gw.Input((3,), name="a"), gw.Input((3,), name="b")
    dense = Dense(2, name="d")(inputs)
    with pytest.raises(TypeError, match=r"(?s)Model: `inputs` must be a symbolic tensor from gradwise.Input.*ndarray"):
        gw.Model(np.zeros((2, 3)), dense)
    with pytest.raises(TypeError, match=r"Model: `outputs` must be a symbolic tensor"):
        gw.Model(inputs, "dense")
    with pytest.raises(ValueError, match=r"`outputs` depend on \['a'\], which is not among `inputs` \('b'\)"):
        gw.Model(other, dense)
    joined = Add()([dense, Dense(2)(other)])
    with pytest.raises(ValueError, match=r"`outputs` depend on \['b'\], which is not among `inputs` \('a'\)"):
        gw.Model(inputs, joined)
    with pytest.raises(ValueError, match=r"Dense 'd' was built for inputs of per-sample shape \(3,\), but is called "
                                         r"on \(2,\) from 'd'"):
        dense.layer(dense)  # the layer takes width 3; its own width 2 outputs do not fit
    twins = Dense(2, name="twin")(Dense(2, name="twin")(inputs))
    with pytest.raises(ValueError, match=r"two different layers are named \['twin'\]"):
        gw.Model(inputs, twins)


def test_numpy_on_a_symbolic_tensor_says_to_write_a_layer():
    inputs = gw.Input((3,))
    with pytest.raises(TypeError, match=r"NumPy operations cannot run on it.*Layer subclass whose forward"):
        np.tanh(Dense(2)(inputs))


def test_weights_round_trip(tmp_path, rng):
    model, copy = _residual(seed=0), _residual(seed=1)
    model.save_weights(tmp_path / "weights.gw")
    copy.load_weights(tmp_path / "weights.gw")
    x = rng.normal(size=(4, 5)).astype(model.dtype)
    np.testing.assert_array_equal(copy.predict(x, verbose=0), model.predict(x, verbose=0))


def _fan_out(seed):
    inputs = gw.Input((5,))
    shared = Dense(6, activation="relu", name="shared")(inputs)  # read by three layers
    heads = [Dense(3, activation="tanh", name=f"head{k}")(shared) for k in range(3)]
    outputs = Dense(1, activation="sigmoid", name="out")(Concatenate(name="cat")(heads))
    return gw.Model(inputs, outputs, seed=seed)


def _shared_layer(seed):
    inputs = gw.Input((5,))
    square = Dense(5, activation="tanh", name="square")  # one layer called three times
    outputs = Dense(1, activation="sigmoid", name="out")(square(square(square(inputs))))
    return gw.Model(inputs, outputs, seed=seed)


def _merges(seed):
    inputs = gw.Input((5,))
    a = Dense(4, name="a")(inputs)
    b = Dropout(0.3, name="drop")(Dense(4, activation="relu", name="b")(inputs))
    merged = [merge(name=merge.__name__.lower())([a, b]) for merge in
              (Add, Multiply, gw.layers.Subtract, gw.layers.Average, gw.layers.Maximum, gw.layers.Minimum)]
    outputs = Dense(1, activation="sigmoid", name="out")(Concatenate(axis=-1, name="cat")(merged))
    return gw.Model(inputs, outputs, seed=seed)


def _residual_block(seed):
    inputs = gw.Input((5,))
    hidden = Dense(5, activation="relu", name="h1")(inputs)
    hidden = Add(name="skip1")([inputs, Dense(5, name="h2")(hidden)])
    hidden = Add(name="skip2")([hidden, Dense(5, activation="relu", name="h3")(hidden)])
    return gw.Model(inputs, Dense(1, activation="sigmoid", name="out")(hidden), seed=seed)


@pytest.mark.parametrize("build", [_residual_block, _fan_out, _shared_layer, _merges, lambda seed: _binary(seed)])
def test_save_and_load_model_give_identical_predictions_and_resume_training_exactly(tmp_path, rng, build):
    x = rng.normal(size=(64, 5))
    y = (x[:, 0] + x[:, 1] > 0).astype(float)
    model = build(0)
    before = model.get_config()
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "model.gw")
    loaded = gw.models.load_model(tmp_path / "model.gw")
    assert type(loaded) is gw.Model and loaded.get_config() == before
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.parameter_set.names == model.parameter_set.names  # a shared layer is stored once again
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    resumed = loaded.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    continued = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    assert resumed == continued  # same optimizer state, same shuffles and dropout masks
    for mine, theirs in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(mine, theirs)


def _binary(seed):
    model = _residual(seed)
    return gw.Model(model.inputs[0], Dense(1, activation="sigmoid", name="bin")(model.outputs[0]), seed=seed)


def test_load_model_keeps_the_input_dtype_and_refuses_a_broken_graph(tmp_path, float64, rng):
    model = _residual_block(0)
    model.save(tmp_path / "model.gw")
    gw.set_floatx("float32")
    try:
        loaded = gw.models.load_model(tmp_path / "model.gw")
    finally:
        gw.set_floatx("float64")
    assert loaded.dtype == np.float64 and all(w.dtype == np.float64 for w in loaded.get_weights())
    config = model.get_config()
    config["nodes"][1]["inputs"] = [99]
    with pytest.raises(ValueError, match=r"`nodes' inputs` must be an int in \[0, 7\), got 99"):
        gw.Model.from_config(config)
    config["nodes"][1]["inputs"] = [config["nodes"][3]["output"]]  # a tensor made later
    with pytest.raises(ValueError, match=r"node of layer 'h2' reads tensors \[4\], some of which no earlier node"):
        gw.Model.from_config(config)


def test_summary_connects_each_layer_to_the_tensors_its_calls_read():
    lines = []
    _residual().summary(print_fn=lines.append)
    rows = {line.split()[0]: line for line in lines[0].splitlines()[4:11]}
    assert lines[0].splitlines()[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#", "Connected", "to"]
    assert list(rows)[1:] == ["trunk", "square", "add", "mul", "cat", "out"]
    source = list(rows)[0]
    assert rows[source].split()[1:] == ["(InputLayer)", "(None,", "5)", "0", "-"]
    assert rows["trunk"].endswith(f"{source}[0][0]")
    assert rows["square"].endswith("trunk[0][0], square[0][0]")  # the shared layer's second call reads its first
    assert rows["add"].endswith("trunk[0][0], square[1][0]")
    assert rows["cat"].endswith("add[0][0], mul[0][0]") and "(None, 8)" in rows["cat"]
    assert rows["out"].split()[1:5] == ["(Dense)", "(None,", "3)", "27"] and rows["out"].endswith("cat[0][0]")


def test_layers_start_with_the_input_layers_as_in_keras(tmp_path):
    inputs = gw.Input((784,), name="img")  # the functional-API guide's first model: Keras lists 4 layers
    hidden = Dense(64, activation="relu")(Dense(64, activation="relu")(inputs))
    model = gw.Model(inputs, Dense(10)(hidden), name="mnist_model")
    assert len(model.layers) == 4 and isinstance(model.layers[0], gw.layers.InputLayer)
    assert model.get_layer(index=0) is model.get_layer("img") is inputs
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0].count("(InputLayer)") == 1 and lines[0].count("(Dense)") == 3
    rebuilt = gw.Model.from_config(model.get_config())
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["Input", "Dense", "Dense", "Dense"]
    model.save(tmp_path / "mnist.gw")
    loaded = gw.load_model(tmp_path / "mnist.gw")
    assert len(loaded.layers) == 4 and isinstance(loaded.layers[0], gw.layers.InputLayer)
    a, b = gw.Input((3,), name="a"), gw.Input((3,), name="b")
    two = gw.Model([a, b], Dense(1)(Add()([b, a])))
    # Keras lists inputs by depth, ties in the order a walk back from the output meets them: b first
    assert [layer.name for layer in two.layers[:2]] == ["b", "a"] and len(two.layers) == 4


def _shared_over_two_lengths(seed=0):
    # Keras shares a layer over inputs of other lengths (an encoder's and a decoder's tokens)
    short, long = gw.Input((3,), dtype="int32"), gw.Input((5,), dtype="int32")
    embed = gw.layers.Embedding(7, 4, name="embed")
    project = Dense(3, activation="tanh", name="project")
    read = gw.layers.LSTM(2, name="read")
    encoded = [read(project(embed(tokens))) for tokens in (short, long)]
    outputs = Dense(1, name="out")(Concatenate(name="cat")(encoded))
    return gw.Model([short, long], outputs, seed=seed)


def test_a_layer_shared_over_inputs_of_other_lengths(float64, rng, tmp_path):
    model = _shared_over_two_lengths()
    assert model.get_layer("project").output_shape == (3, 3)  # its first call's
    assert [t.shape for t in model.get_layer("cat").input] == [(2,), (2,)]
    model.compile(optimizer="sgd", loss="mse")
    x = [rng.integers(0, 7, size=(4, 3)), rng.integers(0, 7, size=(4, 5))]
    finite_difference_check(model, x, rng.normal(size=(4, 1)))  # each shared weight sums both calls' gradients
    model.save(tmp_path / "shared.gw")
    np.testing.assert_allclose(gw.load_model(tmp_path / "shared.gw").predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-12)
    dense = Dense(2)
    dense(gw.Input((3, 4)))
    with pytest.raises(ValueError, match=r"its weights would need other shapes"):
        dense(gw.Input((3, 5)))  # another feature count: not the same weights
    conv = gw.layers.Conv1D(2, 3)
    conv(gw.Input((6, 2)))
    with pytest.raises(ValueError, match=r"was built for inputs of per-sample shape \(6, 2\)"):
        conv(gw.Input((8, 2)))  # a layer that does not say it reads its lengths off the arrays

"""get_config / from_config round trips through JSON (what a saved file stores).

Every registered layer, optimizer (with every schedule), initializer, regularizer and
loss is covered by iterating the registries, so new classes are tested automatically:
a rebuilt object must have the same config *and* compute the same thing.
"""

import inspect
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from gradwise import Dense, Dropout, Input, Sequential, initializers, layers, losses, optimizers, regularizers
from gradwise.optimizers import schedules
from gradwise.parameters import ParameterSet
from gradwise.saving import clone_model

from ..layers.cells import ElmanCell

# Values for required constructor arguments, by (Keras) argument name.
EXAMPLE_ARGUMENTS = {
    "units": 3, "rate": 0.25, "scale": 0.5, "target_shape": (2, 3), "activation": "tanh", "filters": 2,
    "kernel_size": 3, "initial_learning_rate": 0.1, "decay_steps": 3, "first_decay_steps": 4, "decay_rate": 0.5,
    "boundaries": [2, 4], "values": [0.1, 0.05, 0.01], "axes": -1, "input_dim": 5, "output_dim": 2,
    "dims": (2, 1), "n": 2, "stddev": 0.1,
    "layer": layers.LSTM(2, return_sequences=True),  # for the wrappers
    "layers": [layers.LSTM(2), layers.GRU(3)],  # for StackedRNN (RNN of stacked cells)
    "cell": ElmanCell,  # for CellRNN (RNN of a cell of one's own): a new cell for each example (_example)
    "factor": 0.2, "height_factor": 0.2, "width_factor": 0.1, "height": 2, "width": 2, "num_bins": 3,
    "num_heads": 2, "key_dim": 3,
}
TOKEN_LAYERS = {"Embedding"}  # their inputs are token indices below EXAMPLE_ARGUMENTS["input_dim"]
EXTRA_ARGUMENTS = {"Input": {"shape": (6,)}, "CategoryEncoding": {"num_tokens": 4},
                   "Discretization": {"bin_boundaries": [0.0, 1.0]}, "StringLookup": {"vocabulary": ["1", "2"]},
                   "IntegerLookup": {"vocabulary": [2, 1]}, "Normalization": {"mean": 0.5, "variance": 2.0},
                   "GroupNormalization": {"groups": 3},
                   "PiecewiseLinearEncoding": {"bin_edges": [[-1.0, 0.0, 1.0], [0.0, 2.0]], "columns": [4, 1]}}
INPUT_SHAPES = [(6,), (8, 3), (8, 8, 3)]
# Layers holding Python functions: gradwise never pickles, so their get_config refuses (checked below).
UNSERIALIZABLE = {"Lambda": lambda: layers.Lambda(np.tanh, derivative=lambda x: 1 - np.tanh(x) ** 2)}


def _json(config):
    return json.loads(json.dumps(config))


def _example(cls):
    required = [
        p.name for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    missing = [name for name in required if name not in EXAMPLE_ARGUMENTS]
    if missing:
        pytest.fail(f"Add example values for {missing} (required by {cls.__name__}) to EXAMPLE_ARGUMENTS.")
    arguments = {name: EXAMPLE_ARGUMENTS[name] for name in required}
    if "cell" in arguments:  # a cell belongs to the layer wrapping it: each example its own, unbuilt
        arguments["cell"] = arguments["cell"](3)
    return cls(**arguments, **EXTRA_ARGUMENTS.get(cls.__name__, {}))


# ----- layers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("class_name", sorted(UNSERIALIZABLE))
def test_a_layer_holding_functions_refuses_to_serialize(class_name):
    with pytest.raises(TypeError, match=r"holds Python functions, which gradwise does not save \(it never pickles\)"):
        layers.serialize(UNSERIALIZABLE[class_name]())


@pytest.mark.parametrize("class_name", sorted(set(layers._REGISTRY) - set(UNSERIALIZABLE)))
def test_every_registered_layer_config_round_trips_through_json(class_name):
    layer = _example(layers._REGISTRY[class_name])
    config = layers.serialize(layer)
    rebuilt = layers.deserialize(_json(config))
    assert type(rebuilt) is type(layer)
    assert _json(layers.serialize(rebuilt)) == _json(config)


def _build(layer, seed=0):
    for shape in INPUT_SHAPES:
        try:
            layer.build_for(shape, np.random.default_rng(seed), np.float64)
            return shape
        except ValueError:
            continue
    pytest.fail(f"{type(layer).__name__} builds for none of {INPUT_SHAPES}; extend INPUT_SHAPES.")


def _tokens_for(layer, inputs):
    """Lookups, hashing and encodings take tokens: small integers (as text for a StringLookup)."""
    if not getattr(layer, "input_only", False):
        return inputs
    tokens = np.abs(np.rint(inputs)) % 3
    return tokens.astype(int).astype(str) if isinstance(layer, layers.StringLookup) else tokens


@pytest.mark.parametrize("class_name", sorted(set(layers._REGISTRY) - {"Input"} - set(UNSERIALIZABLE)))
def test_every_registered_layer_rebuilt_from_config_computes_the_same(class_name, rng):
    layer = _example(layers._REGISTRY[class_name])
    rebuilt = layers.deserialize(_json(layers.serialize(layer)))
    if getattr(layer, "multi_input", False):  # a merge layer: two inputs of one shape; attention: two sequences
        shapes = [(3, 6), (5, 6)] if class_name in ("Attention", "MultiHeadAttention") else [(6,), (6,)]
        for merge in (layer, rebuilt):
            merge.build_for(shapes, np.random.default_rng(0), np.float64)
        inputs = [rng.normal(size=(4, *shape)) + 0.1 for shape in shapes]
    else:
        shape = _build(layer)
        _build(rebuilt)
        inputs = _tokens_for(layer, rng.normal(size=(4, *shape)) + 0.1)
        if class_name in TOKEN_LAYERS:
            inputs = rng.integers(0, EXAMPLE_ARGUMENTS["input_dim"], size=(4, *shape))
    for original, copy in zip(layer.get_weights(), rebuilt.get_weights()):
        assert np.array_equal(original, copy)
    assert np.array_equal(layer.forward(inputs, training=False)[0], rebuilt.forward(inputs, training=False)[0])


@settings(max_examples=40, deadline=None)
@given(
    units=st.integers(1, 8),
    activation=st.sampled_from([None, "relu", "tanh", "sigmoid", "softmax", "elu"]),
    use_bias=st.booleans(),
    kernel_initializer=st.sampled_from(sorted(initializers._REGISTRY)),
    l1=st.floats(0, 1), l2=st.floats(0, 1),
    name=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
)
def test_dense_with_any_arguments_round_trips(units, activation, use_bias, kernel_initializer, l1, l2, name):
    layer = Dense(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                  kernel_regularizer=regularizers.L1L2(l1, l2), name=name)
    rebuilt = layers.deserialize(_json(layers.serialize(layer)))
    assert rebuilt.get_config() == layer.get_config()
    inputs = np.linspace(-1, 1, 12).reshape(3, 4)
    layer.build_for((4,), np.random.default_rng(0), np.float64)
    rebuilt.build_for((4,), np.random.default_rng(0), np.float64)
    assert np.array_equal(layer.forward(inputs)[0], rebuilt.forward(inputs)[0])
    assert rebuilt.regularization_penalty() == layer.regularization_penalty()


@settings(max_examples=30, deadline=None)
@given(rate=st.floats(0, 0.99), seed=st.none() | st.integers(0, 2**31), trainable=st.booleans())
def test_dropout_with_any_arguments_round_trips(rate, seed, trainable):
    layer = Dropout(rate, seed=seed, trainable=trainable)
    assert layers.deserialize(_json(layers.serialize(layer))).get_config() == layer.get_config()


# ----- models -------------------------------------------------------------------------------------
def test_model_config_round_trips_and_the_seed_gives_the_same_initial_weights():
    model = Sequential([Input((4,)), Dense(5, activation="relu"), Dropout(0.2), Dense(2)], name="net", seed=9)
    rebuilt = Sequential.from_config(_json(model.get_config()))
    assert rebuilt.get_config() == model.get_config()
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), rebuilt.get_weights()))


def test_clone_model_copies_architecture_and_compile_settings_without_touching_the_original():
    model = Sequential([Input((4,)), Dense(3, activation="softmax")], seed=2)
    model.compile(optimizer=optimizers.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    before = model.get_weights()
    clone = clone_model(model)
    assert clone is not model and clone.compiled and clone.optimizer is not model.optimizer
    assert optimizers.serialize(clone.optimizer) == optimizers.serialize(model.optimizer)
    assert clone.loss.get_config() == model.loss.get_config() and clone.metrics_names == model.metrics_names
    clone.fit(np.eye(4), np.eye(4)[:, :3], epochs=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert model.optimizer.iterations == 0
    reseeded = clone_model(model, seed=3)
    assert not np.array_equal(reseeded.get_weights()[0], before[0])


# ----- optimizers ---------------------------------------------------------------------------------
SCHEDULE_CASES = [None, *sorted(schedules._REGISTRY)]


@pytest.mark.parametrize("schedule_name", SCHEDULE_CASES)
@pytest.mark.parametrize("optimizer_name", sorted(optimizers._REGISTRY))
def test_every_optimizer_config_and_state_round_trip_mid_training(optimizer_name, schedule_name, rng):
    cls = optimizers._REGISTRY[optimizer_name]
    kwargs = {} if schedule_name is None else {"learning_rate": _example(schedules._REGISTRY[schedule_name])}
    original = cls(**kwargs)
    values = {"w": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    grads = [rng.normal(size=5 * 2 - 2) for _ in range(6)]
    first = ParameterSet(values, np.float64)
    for grad in grads[:3]:
        first.grads[...] = grad
        original.step(first)
    rebuilt = optimizers.deserialize(_json(optimizers.serialize(original)))
    assert _json(optimizers.serialize(rebuilt)) == _json(optimizers.serialize(original))
    second = ParameterSet({name: first.value_views[name] for name in first.names}, np.float64)
    rebuilt.set_state(original.get_state(), second)
    for grad in grads[3:]:
        first.grads[...] = grad
        second.grads[...] = grad
        original.step(first)
        rebuilt.step(second)
    assert rebuilt.iterations == original.iterations == 6
    assert rebuilt.learning_rate == original.learning_rate
    assert np.array_equal(first.values, second.values)


@pytest.mark.parametrize("schedule_name", sorted(schedules._REGISTRY))
def test_every_schedule_round_trips(schedule_name):
    schedule = _example(schedules._REGISTRY[schedule_name])
    rebuilt = schedules.deserialize(_json(schedules.serialize(schedule)))
    assert rebuilt.get_config() == schedule.get_config()
    steps = np.arange(12)
    assert np.array_equal(rebuilt(steps), schedule(steps))


# ----- initializers, regularizers, losses --------------------------------------------------------
@pytest.mark.parametrize("name", sorted(initializers._REGISTRY))
def test_every_initializer_round_trips(name):
    cls = initializers._REGISTRY[name]
    initializer = cls(seed=7) if "seed" in inspect.signature(cls.__init__).parameters else cls()
    rebuilt = initializers.deserialize(_json(initializers.serialize(initializer)))
    assert type(rebuilt) is cls and rebuilt.get_config() == initializer.get_config()
    assert np.array_equal(rebuilt((4, 3), "float64", np.random.default_rng(0)),
                          initializer((4, 3), "float64", np.random.default_rng(0)))


@settings(max_examples=40, deadline=None)
@given(l1=st.floats(0, 10), l2=st.floats(0, 10), kind=st.sampled_from(["L1", "L2", "L1L2"]))
def test_regularizers_round_trip(l1, l2, kind):
    regularizer = {"L1": lambda: regularizers.L1(l1), "L2": lambda: regularizers.L2(l2),
                   "L1L2": lambda: regularizers.L1L2(l1, l2)}[kind]()
    rebuilt = regularizers.deserialize(_json(regularizers.serialize(regularizer)))
    assert type(rebuilt) is type(regularizer) and rebuilt.get_config() == regularizer.get_config()
    weights = np.linspace(-2, 2, 7)
    assert rebuilt(weights) == regularizer(weights)
    assert np.array_equal(rebuilt.gradient(weights), regularizer.gradient(weights))


def _loss_data(loss, rng):
    probabilities = rng.dirichlet(np.ones(3), size=5)
    if "sparse" in loss.name:
        return rng.integers(0, 3, size=5), probabilities
    if "categorical" in loss.name:
        return np.eye(3)[rng.integers(0, 3, size=5)], probabilities
    if "binary" in loss.name:
        return rng.integers(0, 2, size=(5, 1)).astype(float), rng.uniform(0.05, 0.95, size=(5, 1))
    if loss.name == "poisson":  # a rate: log(y_pred) needs positive predictions
        return rng.poisson(1.0, size=(5, 2)).astype(float), rng.uniform(0.1, 2.0, size=(5, 2))
    return rng.normal(size=(5, 2)), rng.normal(size=(5, 2))


@pytest.mark.parametrize("name", sorted(losses._REGISTRY))
def test_every_loss_round_trips(name, rng):
    loss = losses.get(name)
    rebuilt = losses.get(_json(loss.get_config()))
    assert type(rebuilt) is type(loss) and rebuilt.get_config() == loss.get_config()
    y_true, y_pred = _loss_data(loss, rng)
    assert rebuilt(y_true, y_pred) == loss(y_true, y_pred)


@settings(max_examples=30, deadline=None)
@given(smoothing=st.floats(0, 1), from_logits=st.booleans(), delta=st.floats(0.01, 10))
def test_losses_with_arguments_round_trip(smoothing, from_logits, delta):
    for loss in (losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=smoothing),
                 losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=smoothing),
                 losses.Huber(delta=delta)):
        assert losses.get(_json(loss.get_config())).get_config() == loss.get_config()

"""The graph engine: topological order, fan-out, a layer called twice, against finite differences."""

import numpy as np
import pytest

from gradwise.layers import Activation, BatchNormalization, Dense, Dropout
from gradwise.models.graph import Graph, Node

from ..layers.gradient_check import numeric_gradient, relative_error


def _built(layer, shape, seed=0):
    layer.build_for(shape, np.random.default_rng(seed), np.float64)
    return layer


def _check(graph, inputs, rng):
    """d/d(params, inputs) of sum_k <outputs_k, upstream_k> by the graph's backward and by central differences."""
    tape = graph.forward(inputs, training=True)
    upstream = [rng.normal(size=tape.values[tensor].shape) for tensor in graph.outputs]

    def scalar():
        values = graph.forward(inputs, training=True).values
        return float(sum(np.sum(values[tensor] * up) for tensor, up in zip(graph.outputs, upstream)))

    for layer in graph.layers:
        layer.zero_grads()
    graph.backward(tape, upstream)
    errors = {}
    for layer in graph.layers:
        analytic = {key: grad.copy() for key, grad in layer.grads.items()}
        for key, param in layer.params.items():
            errors[f"{layer.name}/{key}"] = relative_error(analytic[key], numeric_gradient(scalar, param))
    assert max(errors.values()) < 1e-6, errors
    return errors


def test_fan_out_adds_the_gradients_of_every_reader(rng):
    # x -> trunk -> t1; t1 -> left -> t2 (output); t1 -> right -> t3 (output); t1 is read twice
    trunk, left, right = (_built(Dense(4, activation="tanh", name="trunk"), (3,)),
                          _built(Dense(2, activation="sigmoid", name="left"), (4,)),
                          _built(Dense(3, name="right"), (4,)))
    graph = Graph([0], [2, 3], [Node(trunk, [0], 1), Node(left, [1], 2), Node(right, [1], 3)], 4)
    errors = _check(graph, [rng.normal(size=(5, 3))], rng)
    assert set(errors) == {"trunk/kernel", "trunk/bias", "left/kernel", "left/bias", "right/kernel", "right/bias"}


def test_one_layer_called_twice_accumulates_both_calls(rng):
    square = _built(Dense(4, activation="tanh", name="square", bias_initializer="random_normal"), (4,))
    head = _built(Dense(2, name="head"), (4,))
    graph = Graph([0], [3], [Node(square, [0], 1), Node(square, [1], 2), Node(head, [2], 3)], 4)
    assert graph.layers == [square, head]  # stored once
    _check(graph, [rng.normal(size=(6, 4))], rng)


def test_nodes_without_a_trained_param_upstream_skip_their_input_gradient(rng):
    first = _built(Activation("relu"), (3,))
    dense = _built(Dense(2), (3,))
    graph = Graph.chain([first, dense])
    assert [node.input_grad for node in graph.nodes] == [False, False]  # nothing before dense has params
    graph.plan_gradients(trained=set())  # nothing trained: backward has nothing to do
    tape = graph.forward([rng.normal(size=(4, 3))], training=True)
    dense.zero_grads()
    graph.backward(tape, [np.ones((4, 2))])
    assert not np.any(dense.grads["kernel"])


def test_forward_keeps_nothing_on_the_layers(rng):
    layers = [_built(Dense(5, activation="relu"), (3,)), _built(BatchNormalization(), (5,)),
              _built(Dropout(0.5), (5,)), _built(Dense(2, activation="softmax"), (5,))]
    before = [dict(vars(layer)) for layer in layers]
    graph = Graph.chain(layers)
    tape = graph.forward([rng.normal(size=(8, 3))], training=True)
    graph.backward(tape, [np.ones((8, 2))])
    for layer, attributes in zip(layers, before):
        assert set(vars(layer)) == set(attributes)
        for key, value in attributes.items():
            if not isinstance(value, dict):
                assert vars(layer)[key] is value or vars(layer)[key] == value, key


def test_standalone_call_on_an_array_builds_and_returns_the_outputs(rng):
    dense = Dense(3, activation="relu")
    x = rng.normal(size=(4, 2))
    outputs = dense(x)
    assert dense.built and outputs.shape == (4, 3)
    np.testing.assert_array_equal(outputs, np.maximum(x @ dense.params["kernel"] + dense.params["bias"], 0))


def test_trainable_is_a_checked_bool():
    layer = Dense(2)
    layer.trainable = False
    assert layer.trainable is False and layer.get_config()["trainable"] is False
    with pytest.raises(TypeError, match=r"Dense '.*': `trainable` must be a bool, got 'no'"):
        layer.trainable = "no"

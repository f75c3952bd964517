"""A functional model lists its layers and weights in Keras's order (gradwise.models.depth_order):
deepest first, ties in the order a walk back from the outputs meets them. Each expected list
was printed by Keras 3.15 for the same graph (tests/models/test_keras_layer_order.py's
builders run unchanged with `keras` in place of `gradwise`)."""

import numpy as np
import pytest

import gradwise as gw
from gradwise import layers as L


def long_and_short_branch():
    x = gw.Input((4,), name="x")
    short = L.Dense(3, name="b1")(x)
    long = L.Dense(3, name="a3")(L.Dense(3, name="a2")(L.Dense(3, name="a1")(x)))
    return gw.Model(x, L.Add(name="add")([short, long]))


def late_second_input():
    x1, x2 = gw.Input((4,), name="x1"), gw.Input((3,), name="x2")
    deep = L.Dense(3, name="d2")(L.Dense(3, name="d1")(x1))
    return gw.Model([x1, x2], L.Dense(1, name="o")(L.Concatenate(name="cat")([deep, x2])))


def shared_nested_two_outputs():
    x = gw.Input((5,), name="x")
    shared = L.Dense(5, name="shared")
    hidden = shared(x)
    tail = gw.Sequential([L.Dense(4, name="s1"), L.Dense(2, name="s2")], name="sub")
    return gw.Model(x, [tail(shared(L.Dense(5, name="mid")(hidden))), L.Dense(1, name="o2")(hidden)])


def three_inputs_diamond():
    a, b, c = (gw.Input((2,), name=name) for name in "abc")
    p = L.Dense(2, name="p")(a)
    q = L.Dense(2, name="q")(L.Add(name="ab")([p, b]))
    return gw.Model([a, b, c], L.Dense(1, name="t")(L.Concatenate(name="cc")([L.Multiply(name="m")([q, c]), p])))


@pytest.mark.parametrize("build, keras_layers", [
    (long_and_short_branch, ["x", "a1", "a2", "b1", "a3", "add"]),
    (late_second_input, ["x1", "d1", "d2", "x2", "cat", "o"]),
    (shared_nested_two_outputs, ["x", "shared", "mid", "sub", "o2"]),
    (three_inputs_diamond, ["a", "p", "b", "ab", "q", "c", "m", "cc", "t"]),
])
def test_layers_are_listed_as_keras_lists_them(build, keras_layers):
    model = build()
    assert [layer.name for layer in model.layers] == keras_layers
    assert [layer.name for layer in model._called_layers] == [
        name for name in keras_layers if name not in model.input_names]
    # the weights follow the listed layers (a nested model's layers in its place), every layer once
    listed = [layer for item in model._called_layers
              for layer in (item._all_layers() if isinstance(item, gw.Sequential) else [item])]
    assert [w.shape for w in model.get_weights()] == [w.shape for layer in listed for w in layer.get_weights()]
    assert {id(layer) for layer in model._weight_layers()} == {id(layer) for layer in model._all_layers()}


def test_keras_ordered_weights_load_into_the_right_layers():
    model = long_and_short_branch()
    weights = [np.full(w.shape, float(k), dtype=w.dtype) for k, w in enumerate(model.get_weights())]
    model.set_weights(weights)
    # Keras's get_weights order for this graph: a1, a2, b1, a3 (kernel then bias each)
    assert [float(model.get_layer(name).get_weights()[0].flat[0]) for name in ("a1", "a2", "b1", "a3")] == [0, 2, 4, 6]
    x = np.ones((2, 4), dtype=np.float32)
    expected = (x @ np.full((4, 3), 4.0) + 5.0) + ((x @ np.full((4, 3), 0.0) + 1.0) @ np.full((3, 3), 2.0) + 3.0) @ \
        np.full((3, 3), 6.0) + 7.0
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)


def test_the_order_survives_saving_and_config(tmp_path):
    model = three_inputs_diamond()
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "m.gw")
    loaded = gw.load_model(tmp_path / "m.gw")
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    for mine, theirs in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    rebuilt = gw.Model.from_config(model.get_config())
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]

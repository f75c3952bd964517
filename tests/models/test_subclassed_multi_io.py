"""Subclassed models with several inputs and outputs: call(inputs) on a list or dict, returning a
list, tuple or dict; per-output losses, loss weights and metrics; FD and PyTorch proofs."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import Concatenate, Dense

from .test_model_gradients import finite_difference_check

ADAM = dict(learning_rate=0.01, epsilon=1e-7)


class TwoTowers(gw.Model):
    """Two inputs joined, two heads: a class (softmax) and a value (linear)."""

    def __init__(self, as_dict=False, **kwargs):
        super().__init__(**kwargs)
        self.as_dict = as_dict
        self.left = Dense(5, activation="tanh", name="left", bias_initializer="random_normal")
        self.right = Dense(5, activation="relu", name="right", bias_initializer="random_normal")
        self.join = Concatenate(name="join")
        self.kind = Dense(3, activation="softmax", name="kind")
        self.value = Dense(1, name="value")

    def call(self, inputs, training=False):
        if self.as_dict:
            a, b = inputs["a"], inputs["b"]
        else:
            a, b = inputs
        joined = self.join([self.left(a), self.right(b)])
        if self.as_dict:
            return {"kind": self.kind(joined), "value": self.value(joined)}
        return self.kind(joined), self.value(joined)


def _data(rng, samples=40):
    a, b = rng.normal(size=(samples, 4)), rng.normal(size=(samples, 2))
    return [a, b], [rng.integers(0, 3, size=samples), rng.normal(size=(samples, 1))]


def test_lists_in_and_out_train_evaluate_and_predict(rng):
    x, y = _data(rng)
    model = TwoTowers(seed=0)
    model.compile("adam", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], []])
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert model.input_names == ["input_1", "input_2"] and model.output_names == ["output_1", "output_2"]
    assert set(history.history) == {"loss", "output_1_loss", "output_2_loss", "output_1_accuracy", "learning_rate"}
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["output_1_loss"] + 0.5 * logs["output_2_loss"], rel=1e-5)
    kind, value = model.predict(x, verbose=0)
    assert kind.shape == (40, 3) and value.shape == (40, 1)
    assert model.input_shape == [(4,), (2,)] and model.output_shape == [(3,), (1,)]
    with pytest.raises(ValueError, match=r"`x` must hold 2 arrays, one per input \('input_1', 'input_2'\)"):
        model.predict([x[0]], verbose=0)


def test_dicts_in_and_out_with_losses_by_name(rng):
    x, y = _data(rng)
    model = TwoTowers(as_dict=True, seed=0)
    model.compile("adam", loss={"kind": "sparse_categorical_crossentropy", "value": "mse"},
                  metrics={"kind": "accuracy"})
    model.fit({"a": x[0], "b": x[1]}, {"kind": y[0], "value": y[1]}, epochs=2, batch_size=8, verbose=0)
    assert model.input_names == ["a", "b"] and model.output_names == ["kind", "value"]
    predicted = model.predict({"b": x[1], "a": x[0]}, verbose=0)
    assert set(predicted) == {"kind", "value"} and predicted["kind"].shape == (40, 3)
    logs = model.evaluate({"a": x[0], "b": x[1]}, {"kind": y[0], "value": y[1]}, verbose=0, return_dict=True)
    assert {"loss", "kind_loss", "value_loss", "kind_accuracy"} <= set(logs)
    with pytest.raises(ValueError, match=r"`x` is a dict whose keys must be the model's input names \('a', 'b'\)"):
        model.predict({"a": x[0], "c": x[1]}, verbose=0)


def test_per_output_losses_given_before_the_first_call_are_checked_at_it(rng):
    x, y = _data(rng)
    model = TwoTowers(seed=0)
    model.compile("adam", loss=["mse", "mse", "mse"])
    with pytest.raises(ValueError, match=r"`loss` as a list must have one entry per output \(2: .output_1., .output_2.\), got 3"):
        model.fit(x, y, epochs=1, verbose=0)


def test_finite_differences_of_two_inputs_two_weighted_outputs(float64, rng):
    x, y = _data(rng, samples=6)
    model = TwoTowers(seed=1)
    model.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[0.7, 1.3])
    finite_difference_check(model, x, y)


def test_a_chain_with_two_outputs_gets_both_gradients(float64, rng):
    """A functional chain returning a hidden tensor too is not run as a one-output chain."""
    inputs = gw.Input((3,))
    hidden = Dense(4, name="hidden")(inputs)
    model = gw.Model(inputs, [hidden, Dense(2, name="out")(hidden)], seed=0)
    model.compile("sgd", ["mse", "mse"])
    finite_difference_check(model, rng.normal(size=(5, 3)), [rng.normal(size=(5, 4)), rng.normal(size=(5, 2))])


def test_two_input_two_output_subclassed_model_trains_as_pytorch(float64, rng):
    model = TwoTowers(seed=2)
    model.build([(4,), (2,)])
    linears = {"left": torch.nn.Linear(4, 5), "right": torch.nn.Linear(2, 5), "kind": torch.nn.Linear(10, 3),
               "value": torch.nn.Linear(10, 1)}
    with torch.no_grad():
        for name, linear in linears.items():
            layer = model.get_layer(name)
            linear.double()
            linear.weight.copy_(torch.from_numpy(layer.params["kernel"].T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.params["bias"].copy()))
    net = torch.nn.ModuleDict(linears)
    model.compile(gw.optimizers.Adam(**ADAM), loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5])
    optimizer = torch.optim.Adam(net.parameters(), lr=ADAM["learning_rate"], eps=ADAM["epsilon"])
    (a, b), (labels, values) = _data(rng)
    tensors = [torch.from_numpy(array) for array in (a, b, labels, values)]
    worst = 0.0
    for step in range(5):
        batch = slice(step * 8, step * 8 + 8)
        loss = model.train_on_batch([a[batch], b[batch]], [labels[batch], values[batch]])
        loss = loss[0] if isinstance(loss, (list, tuple)) else loss
        optimizer.param_groups[0]["eps"] = ADAM["epsilon"] / np.sqrt(1 - 0.999 ** (step + 1))
        optimizer.zero_grad()
        ta, tb, tl, tv = (tensor[batch] for tensor in tensors)
        joined = torch.cat([torch.tanh(net["left"](ta)), torch.relu(net["right"](tb))], dim=1)
        theirs = (torch.nn.functional.cross_entropy(net["kind"](joined), tl)
                  + 0.5 * torch.nn.functional.mse_loss(net["value"](joined), tv))
        theirs.backward()
        optimizer.step()
        assert loss == pytest.approx(theirs.item(), rel=1e-10)
        for name, linear in linears.items():
            layer = model.get_layer(name)
            worst = max(worst, float(np.max(np.abs(layer.params["kernel"] - linear.weight.T.detach().numpy()))),
                        float(np.max(np.abs(layer.params["bias"] - linear.bias.detach().numpy()))))
    assert worst < 1e-12, worst


def test_build_takes_a_list_or_dict_of_shapes_and_refuses_others():
    model = TwoTowers(as_dict=True, seed=0)
    model.build({"a": (4,), "b": (None, 2)})
    assert model.input_shape == [(4,), (2,)] and model.output_names == ["kind", "value"]
    with pytest.raises(ValueError, match=r"was built for inputs of per-sample shape \[\(4,\), \(2,\)\], got"):
        model.build({"a": (5,), "b": (2,)})
    with pytest.raises(ValueError, match=r"build: a dict `input_shape` must map input names \(str\) to shapes"):
        TwoTowers(as_dict=True).build({1: (4,)})


class Residual(gw.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = Dense(units, activation="tanh", name="res_inner")
        self.add = gw.layers.Add(name="res_add")

    def call(self, inputs, training=False):
        return self.add([inputs, self.inner(inputs)])


def test_a_subclassed_model_is_a_layer_of_a_functional_graph(float64, rng):
    towers = TwoTowers(seed=3)
    a, b = gw.Input((4,), name="a"), gw.Input((2,), name="b")
    kind, value = towers([a, b])
    model = gw.Model([a, b], [kind, Dense(1, name="scaled")(value)], seed=0)
    assert [layer.name for layer in model.layers] == ["a", "b", towers.name, "scaled"]
    assert model.get_layer(towers.name) is towers
    x, y = _data(rng, samples=6)
    model.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 2.0])
    finite_difference_check(model, x, y)
    before = towers.get_layer("left").params["kernel"].copy()
    model.fit(x, y, epochs=2, batch_size=3, verbose=0)
    assert not np.array_equal(towers.get_layer("left").params["kernel"], before)  # the outer model trains them
    assert np.allclose(towers.predict(x, verbose=0)[1], model.get_layer(towers.name)(x)[1])


def test_a_subclassed_model_is_a_layer_of_a_sequential(tmp_path, float64, rng):
    model = gw.Sequential([gw.Input((4,)), Residual(name="block"), Dense(1, name="head")], seed=0)
    assert [layer.name for layer in model.layers] == ["block", "head"]
    x, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 1))
    model.compile("sgd", "mse")
    finite_difference_check(model, x, y)
    model.fit(x, y, epochs=2, batch_size=3, verbose=0)
    model.save(tmp_path / "stack.gw")
    loaded = gw.load_model(tmp_path / "stack.gw")
    assert np.array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def _trained_towers(rng, as_dict):
    """TwoTowers fitted one epoch on list or dict data; returns the model and its inputs."""
    x, y = _data(rng)
    if as_dict:
        x, y = {"a": x[0], "b": x[1]}, {"kind": y[0], "value": y[1]}
    model = TwoTowers(as_dict=as_dict, seed=0)
    model.compile("adam", loss=["sparse_categorical_crossentropy", "mse"])
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return model, x


@pytest.mark.parametrize("as_dict", [False, True], ids=["lists", "dicts"])
def test_save_and_load_keep_the_inputs_structure(tmp_path, rng, as_dict):
    model, x = _trained_towers(rng, as_dict)
    model.save(tmp_path / "towers.gw")
    loaded = gw.load_model(tmp_path / "towers.gw")
    ours, theirs = model.predict(x, verbose=0), loaded.predict(x, verbose=0)
    pairs = [(ours[key], theirs[key]) for key in ours] if as_dict else list(zip(ours, theirs))
    assert len(pairs) == 2 and all(np.array_equal(a, b) for a, b in pairs)


@pytest.mark.parametrize("as_dict", [False, True], ids=["lists", "dicts"])
def test_load_weights_builds_a_fresh_model_of_several_inputs(tmp_path, rng, as_dict):
    model, x = _trained_towers(rng, as_dict)
    model.save_weights(tmp_path / "towers.weights.gw")
    fresh = TwoTowers(as_dict=as_dict, seed=5)  # never called: built from the file's input shapes
    fresh.load_weights(tmp_path / "towers.weights.gw")
    assert fresh.built and fresh.input_names == model.input_names
    ours, theirs = model.predict(x, verbose=0), fresh.predict(x, verbose=0)
    pairs = [(ours[key], theirs[key]) for key in ours] if as_dict else list(zip(ours, theirs))
    assert len(pairs) == 2 and all(np.array_equal(a, b) for a, b in pairs)

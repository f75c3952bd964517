"""A subclassed model whose call branches on `training`, used as a layer of a Sequential or functional
graph: fit runs the training branch, predict and evaluate the other (as Keras runs `call` each time)."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import Add, BatchNormalization, Dense, Dropout, GaussianNoise

from .test_functional_pytorch import _copy_dense, _train_both
from .test_model_gradients import finite_difference_check


class TrainingExtra(gw.Model):
    """Adds a learned term only while training (as an auxiliary or noise branch would)."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.body = Dense(units, activation="tanh", name="body", bias_initializer="random_normal")
        self.extra = Dense(units, name="extra", bias_initializer="random_normal")
        self.plus = Add(name="plus_extra")

    def call(self, inputs, training=False):
        hidden = self.body(inputs)
        if training:
            hidden = self.plus([hidden, self.extra(hidden)])
        return hidden


class DropWhenTraining(gw.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.body = Dense(6, name="drop_body")
        self.drop = Dropout(0.5, seed=1, name="drop")

    def call(self, inputs, training=False):
        hidden = self.body(inputs)
        return self.drop(hidden) if training else hidden


def _functional(block, fixed=None):
    inputs = gw.Input((3,))
    hidden = block(inputs) if fixed is None else block(inputs, training=fixed)
    return gw.Model(inputs, Dense(2, name="head")(hidden), seed=0)


def _sequential(block):
    return gw.Sequential([gw.Input((3,)), block, Dense(2, name="head")], seed=0)


def _expected(model, block, x, training):
    """The model's outputs computed layer by layer, with or without the training branch."""
    hidden = block.body(x)
    if training:
        hidden = hidden + block.extra(hidden)
    return model.get_layer("head")(hidden)


@pytest.mark.parametrize("build", [_functional, _sequential], ids=["functional", "sequential"])
def test_fit_runs_the_training_branch_and_predict_does_not(float64, rng, build):
    block = TrainingExtra(seed=2)
    model = build(block)
    x, y = rng.normal(size=(12, 3)), rng.normal(size=(12, 2))
    assert np.allclose(model.predict(x, verbose=0), _expected(model, block, x, False))
    assert np.allclose(model(x, training=True), _expected(model, block, x, True))
    model.compile("sgd", "mse")
    finite_difference_check(model, x[:5], y[:5])  # through the training branch
    _, grads = model.compute_gradients(x, y)
    assert np.abs(grads["extra/kernel"]).max() > 0
    before = block.extra.get_weights()
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert not np.array_equal(block.extra.params["kernel"], before[0])  # the branch trained
    loss = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(np.mean((_expected(model, block, x, False) - y) ** 2))
    block.extra.set_weights([w + 1.0 for w in before])  # predict never reads the training branch
    assert np.allclose(model.predict(x, verbose=0), _expected(model, block, x, False))


def test_dropout_behind_if_training_drops_in_fit_only(rng):
    block = DropWhenTraining()
    inputs = gw.Input((3,))
    model = gw.Model(inputs, block(inputs))
    x = rng.normal(size=(50, 3)).astype(np.float32)
    kept = block.body(x)
    assert np.allclose(model.predict(x, verbose=0), kept, rtol=1e-5)
    dropped = model(x, training=True)
    zeros = dropped == 0
    assert 0.3 < zeros.mean() < 0.7
    assert np.allclose(dropped[~zeros], 2.0 * kept[~zeros], rtol=1e-4, atol=1e-6)


def test_a_call_with_fixed_training_runs_only_that_branch(rng):
    block = TrainingExtra(seed=2)
    model = _functional(block, fixed=False)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert not block.extra.built  # base(x, training=False): call never takes the branch
    assert np.allclose(model(x, training=True), _expected(model, block, x, False), rtol=1e-5)
    other = TrainingExtra(seed=2)
    fixed_on = _functional(other, fixed=True)
    assert np.allclose(fixed_on.predict(x, verbose=0), _expected(fixed_on, other, x, True), rtol=1e-5)


class NormThenNoise(gw.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norm = BatchNormalization(name="norm")
        self.noise = GaussianNoise(0.3, seed=0, name="noise")

    def call(self, inputs, training=False):
        hidden = self.norm(inputs)
        return self.noise(hidden) if training else hidden


def test_tracing_the_training_branch_moves_no_statistic_and_fit_does(rng):
    block = NormThenNoise()
    inputs = gw.Input((3,))
    model = gw.Model(inputs, Dense(1)(block(inputs)), seed=0)
    assert np.array_equal(block.norm.state["moving_mean"], np.zeros(3))
    assert np.array_equal(block.norm.state["moving_variance"], np.ones(3))
    x = rng.normal(loc=3.0, size=(16, 3))
    model.compile("sgd", "mse")
    model.fit(x, rng.normal(size=(16, 1)), epochs=1, batch_size=8, verbose=0)
    assert np.all(block.norm.state["moving_mean"] > 0.03)  # 3 * (1 - 0.99 ** 2) after two batches


class MonteCarloDropout(gw.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.drop = Dropout(0.5, seed=0, name="mc_drop")

    def call(self, inputs, training=False):
        return self.drop(inputs, training=True)  # dropout in predict too (Monte Carlo dropout)


def test_a_mode_fixed_inside_call_holds_in_the_graph(rng):
    inputs = gw.Input((40,))
    model = gw.Model(inputs, MonteCarloDropout()(inputs))
    assert (model.predict(np.ones((5, 40)), verbose=0) == 0).mean() > 0.3


class Outer(gw.Model):
    """A subclassed model calling a functional model that holds the branching block."""

    def __init__(self, inner, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner

    def call(self, inputs, training=False):
        return self.inner(inputs, training=training)


def test_a_graph_holding_the_block_inside_a_subclassed_model_takes_the_branch(float64, rng):
    block = TrainingExtra(seed=2)
    inner = _functional(block)
    outer = Outer(inner)
    x = rng.normal(size=(6, 3))
    assert np.allclose(outer(x, training=True), _expected(inner, block, x, True))
    assert np.allclose(outer.predict(x, verbose=0), _expected(inner, block, x, False))


def test_save_and_load_keep_both_branches(tmp_path, float64, rng):
    model = _functional(TrainingExtra(seed=2))
    x = rng.normal(size=(6, 3))
    model.save(tmp_path / "branching.gw")
    loaded = gw.load_model(tmp_path / "branching.gw")
    assert np.array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert np.array_equal(loaded(x, training=True), model(x, training=True))


def test_the_training_branch_trains_as_pytorch(float64, rng):
    block = TrainingExtra(units=5, seed=2)
    inputs = gw.Input((4,))
    model = gw.Model(inputs, Dense(3, activation="softmax", name="head")(block(inputs)), seed=0)
    names = {"body": (4, 5), "extra": (5, 5), "head": (5, 3)}
    linears = {name: torch.nn.Linear(*shape).double() for name, shape in names.items()}
    layers = {"body": block.body, "extra": block.extra, "head": model.get_layer("head")}
    with torch.no_grad():
        for name, linear in linears.items():
            _copy_dense(linear, layers[name])
    net = torch.nn.ModuleDict(linears)

    def forward(x):
        hidden = torch.tanh(net["body"](x))
        return net["head"](hidden + net["extra"](hidden))

    def pairs():
        for name, linear in linears.items():
            yield layers[name].params["kernel"], linear.weight.T
            yield layers[name].params["bias"], linear.bias

    x, y = rng.normal(size=(40, 4)), rng.integers(0, 3, size=40)
    _train_both(model, net, forward, x, y, torch.nn.functional.cross_entropy, pairs)

"""Whole-model gradients: finite differences through combinations of layers, the fused
output/loss path, regularizers and sample weights; and training steps against PyTorch."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import Dense, Input


def finite_difference_check(model, x, y, sample_weight=None, eps=1e-6):
    """Compare compute_gradients with central differences on every parameter."""
    _, analytic = model.compute_gradients(x, y, sample_weight)
    values = model.parameter_set.values
    numeric = np.empty_like(values)
    for i in range(values.size):
        saved = values[i]
        values[i] = saved + eps
        plus, _ = model.compute_gradients(x, y, sample_weight)
        values[i] = saved - eps
        minus, _ = model.compute_gradients(x, y, sample_weight)
        values[i] = saved
        numeric[i] = (plus - minus) / (2 * eps)
    analytic_flat = np.concatenate([analytic[name].ravel() for name in model.parameter_set.names])
    error = np.linalg.norm(analytic_flat - numeric) / max(np.linalg.norm(analytic_flat) + np.linalg.norm(numeric), 1e-12)
    assert error < 1e-6, error


@pytest.mark.parametrize("loss, output_activation, targets", [
    ("sparse_categorical_crossentropy", "softmax", "sparse"),
    ("categorical_crossentropy", "softmax", "onehot"),
    ("binary_crossentropy", "sigmoid", "binary"),
    ("mse", "linear", "regression"),
    ("huber", "tanh", "regression"),
])
def test_mlp_gradients_match_finite_differences(float64, rng, loss, output_activation, targets):
    units = 1 if targets in ("binary",) else 3
    x = rng.normal(size=(7, 5))
    y = {
        "sparse": rng.integers(0, 3, size=7),
        "onehot": np.eye(3)[rng.integers(0, 3, size=7)],
        "binary": rng.integers(0, 2, size=(7, 1)).astype(float),
        "regression": rng.normal(size=(7, 3)) * 0.5,
    }[targets]
    model = gw.Sequential([
        Input((5,)),
        Dense(6, activation="tanh", kernel_regularizer=gw.regularizers.L2(0.01), bias_initializer="random_normal"),
        Dense(4, activation="sigmoid", activity_regularizer="l2"),
        Dense(units, activation=output_activation, kernel_regularizer=gw.regularizers.L1(0.01)),
    ], seed=0)
    model.compile(optimizer="sgd", loss=loss)
    assert bool(model._fused_output()) == (output_activation in ("softmax", "sigmoid"))
    finite_difference_check(model, x, y, sample_weight=rng.uniform(0.5, 2.0, size=7))


def test_gradients_through_batch_normalization_and_leaky_relu(float64, rng):
    x = rng.normal(size=(8, 4)) * 3 + 1
    y = rng.integers(0, 3, size=8)
    model = gw.Sequential([
        Input((4,)), Dense(5), gw.layers.BatchNormalization(), gw.layers.LeakyReLU(negative_slope=0.1),
        Dense(5, activation="elu"), gw.layers.BatchNormalization(center=False),
        Dense(3, activation="softmax"),
    ], seed=1)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    finite_difference_check(model, x, y)


def torch_mlp(model):
    first, second = model.layers
    net = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 3)).double()
    with torch.no_grad():
        for linear, layer in ((net[0], first), (net[2], second)):
            linear.weight.copy_(torch.from_numpy(layer.params["kernel"].T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.params["bias"].copy()))
    return net


@pytest.mark.parametrize("make_optimizers", [
    lambda: (gw.optimizers.SGD(0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    lambda: (gw.optimizers.Adam(0.01, epsilon=1e-12), lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-12)),
])
def test_training_steps_match_pytorch(float64, rng, make_optimizers):
    x = rng.normal(size=(40, 4))
    y = rng.integers(0, 3, size=40)
    model = gw.Sequential([Input((4,)), Dense(6, activation="relu", bias_initializer="random_normal"),
                           Dense(3, activation="softmax")], seed=2)
    ours, theirs = make_optimizers()
    model.compile(optimizer=ours, loss="sparse_categorical_crossentropy")
    net = torch_mlp(model)
    torch_optimizer = theirs(net.parameters())
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)
    for step in range(5):
        batch = slice(step * 8, step * 8 + 8)
        loss = model.train_on_batch(x[batch], y[batch])
        torch_optimizer.zero_grad()
        torch_loss = torch.nn.functional.cross_entropy(net(x_t[batch]), y_t[batch])
        torch_loss.backward()
        torch_optimizer.step()
        assert loss == pytest.approx(torch_loss.item(), rel=1e-10)
    first, second = model.layers
    # Each step moves a weight by about 0.01; Adam's epsilon placement (Keras vs PyTorch)
    # still shows at 1e-9 where a gradient is near zero, hence the absolute tolerance.
    np.testing.assert_allclose(first.params["kernel"], net[0].weight.detach().numpy().T, rtol=1e-9, atol=1e-8)
    np.testing.assert_allclose(second.params["kernel"], net[2].weight.detach().numpy().T, rtol=1e-9, atol=1e-8)
    np.testing.assert_allclose(second.params["bias"], net[2].bias.detach().numpy(), rtol=1e-9, atol=1e-8)


def test_fused_softmax_loss_stays_finite_when_saturated(float64):
    model = gw.Sequential([Input((2,)), Dense(3, activation="softmax", kernel_initializer=gw.initializers.Constant(0.0))])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    model.layers[0].params["kernel"][...] = [[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]]
    x = np.array([[1.0, 0.0]])
    loss, grads = model.compute_gradients(x, np.array([[0.0, 1.0, 0.0]]))
    assert loss == pytest.approx(2000.0)
    assert all(np.isfinite(g).all() for g in grads.values())


def test_params_are_views_of_one_flat_buffer():
    model = gw.Sequential([Input((3,)), Dense(4), Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    parameter_set = model.parameter_set
    for layer in model.layers:
        for key in layer.params:
            assert np.shares_memory(layer.params[key], parameter_set.values)
            assert np.shares_memory(layer.grads[key], parameter_set.grads)
    model.fit(np.ones((4, 3)), np.zeros((4, 2)), epochs=1, verbose=0)
    assert np.shares_memory(model.layers[0].params["kernel"], parameter_set.values)


def test_softmax_over_another_axis_is_not_fused(float64, rng):
    model = gw.Sequential([Input((3, 4)), gw.layers.Reshape((3, 4)),
                           gw.layers.Softmax(axis=1)])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert not model._fused_output()
    last_axis = gw.Sequential([Input((3, 4)), gw.layers.Reshape((3, 4)), gw.layers.Softmax(axis=-1)])
    last_axis.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert last_axis._fused_output()

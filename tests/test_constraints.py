"""Weight constraints: each against its formula and PyTorch's renorm, applied after every step
of fit (trained layers only), saved with the model, and their bad arguments."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise import constraints, layers


@pytest.fixture
def kernel(rng):
    return rng.normal(size=(6, 4)) * np.array([0.1, 1.0, 3.0, 10.0])  # columns of very different norms


def test_max_norm_is_torch_renorm_of_each_unit(kernel):
    constrained = constraints.MaxNorm(2.0)(kernel)
    expected = torch.renorm(torch.from_numpy(kernel), p=2, dim=1, maxnorm=2.0).numpy()
    np.testing.assert_allclose(constrained, expected, rtol=1e-6)
    norms = np.linalg.norm(constrained, axis=0)
    assert norms.max() <= 2.0 + 1e-9 and np.isclose(norms[-1], 2.0)


def test_each_constraint_matches_its_formula(kernel):
    norms = np.linalg.norm(kernel, axis=0, keepdims=True)
    np.testing.assert_allclose(constraints.UnitNorm()(kernel), kernel / (1e-7 + norms))
    np.testing.assert_allclose(constraints.NonNeg()(kernel), np.maximum(kernel, 0))
    desired = 0.5 * np.clip(norms, 1.0, 2.0) + 0.5 * norms
    np.testing.assert_allclose(constraints.MinMaxNorm(1.0, 2.0, rate=0.5)(kernel), kernel * desired / (1e-7 + norms))
    rows = np.linalg.norm(kernel, axis=1, keepdims=True)
    np.testing.assert_allclose(constraints.MaxNorm(1.0, axis=1)(kernel), kernel * np.minimum(rows, 1.0) / (1e-7 + rows))
    conv = kernel.reshape(1, 2, 3, 4)
    conv_norms = np.sqrt((conv ** 2).sum(axis=(0, 1, 2), keepdims=True))
    np.testing.assert_allclose(constraints.max_norm(1.0, axis=[0, 1, 2])(conv),
                               conv * np.minimum(conv_norms, 1.0) / (1e-7 + conv_norms))


def _trained(*model_layers, epochs=3):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 5)) * 4
    y = (x[:, :1] > 0).astype(float)
    model = gw.Sequential([gw.Input((5,)), *model_layers], seed=0)
    model.compile(optimizer=gw.optimizers.SGD(0.5), loss="binary_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)
    return model


def test_fit_applies_constraints_after_every_step():
    model = _trained(layers.Dense(8, activation="relu", kernel_constraint=constraints.max_norm(0.3),
                                  bias_constraint="non_neg"),
                     layers.Dense(1, activation="sigmoid", kernel_constraint=constraints.UnitNorm()))
    hidden, output = model.layers
    assert np.linalg.norm(hidden.params["kernel"], axis=0).max() <= 0.3 + 1e-6
    assert hidden.params["bias"].min() >= 0
    np.testing.assert_allclose(np.linalg.norm(output.params["kernel"], axis=0), 1.0, rtol=1e-5)
    unconstrained = _trained(layers.Dense(8, activation="relu"), layers.Dense(1, activation="sigmoid"))
    assert np.linalg.norm(unconstrained.layers[0].params["kernel"], axis=0).max() > 0.3  # the constraint acted


def test_a_frozen_layer_is_left_as_it_is():
    frozen = layers.Dense(8, kernel_initializer=gw.initializers.RandomNormal(stddev=3.0),
                          kernel_constraint=constraints.max_norm(0.1), trainable=False)
    model = gw.Sequential([gw.Input((5,)), frozen, layers.Dense(1, activation="sigmoid")], seed=0)
    before = frozen.params["kernel"].copy()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(np.ones((8, 5)), np.ones((8, 1)), epochs=1, verbose=0)
    np.testing.assert_array_equal(frozen.params["kernel"], before)


def test_conv_and_embedding_constraints():
    rng = np.random.default_rng(1)
    model = gw.Sequential([gw.Input((6, 6, 1)),
                           layers.Conv2D(3, 3, kernel_constraint=constraints.MaxNorm(0.2, axis=[0, 1, 2])),
                           layers.Flatten(), layers.Dense(1)], seed=0)
    model.compile(optimizer=gw.optimizers.SGD(0.1), loss="mse")
    model.fit(rng.normal(size=(32, 6, 6, 1)) * 5, rng.normal(size=(32, 1)), epochs=2, verbose=0)
    assert np.sqrt((model.layers[0].params["kernel"] ** 2).sum(axis=(0, 1, 2))).max() <= 0.2 + 1e-6
    unit_rows = constraints.UnitNorm(axis=1)
    embedded = gw.Sequential([gw.Input((3,)), layers.Embedding(10, 4, embeddings_constraint=unit_rows),
                              layers.Flatten(), layers.Dense(1)], seed=0)
    embedded.compile(optimizer=gw.optimizers.SGD(0.5), loss="mse")
    embedded.fit(rng.integers(0, 10, size=(32, 3)), rng.normal(size=(32, 1)) * 10, epochs=2, verbose=0)
    np.testing.assert_allclose(np.linalg.norm(embedded.layers[0].params["embeddings"], axis=1), 1.0, rtol=1e-5)


def test_constraints_are_saved_with_the_model(tmp_path):
    model = _trained(layers.Dense(4, kernel_constraint=constraints.MinMaxNorm(0.5, 1.5, rate=0.8, axis=0)),
                     layers.Dense(1, activation="sigmoid", bias_constraint=constraints.NonNeg()), epochs=1)
    model.save(tmp_path / "model.gw")
    loaded = gw.load_model(tmp_path / "model.gw")
    assert loaded.layers[0].kernel_constraint.get_config() == {"min_value": 0.5, "max_value": 1.5, "rate": 0.8,
                                                                "axis": 0}
    assert isinstance(loaded.layers[1].bias_constraint, constraints.NonNeg)
    assert loaded.layers[0].get_config() == model.layers[0].get_config()


def test_a_function_constrains_training_but_cannot_be_saved(tmp_path):
    model = _trained(layers.Dense(4, kernel_constraint=lambda w: np.clip(w, -0.05, 0.05)),
                     layers.Dense(1, activation="sigmoid"), epochs=1)
    assert np.abs(model.layers[0].params["kernel"]).max() <= 0.05
    with pytest.raises(TypeError, match="plain function has no config"):
        model.save(tmp_path / "model.gw")
    assert not (tmp_path / "model.gw").exists()


def test_bad_constraint_arguments():
    with pytest.raises(ValueError, match="MaxNorm: `max_value`"):
        constraints.MaxNorm(-1.0)
    with pytest.raises(ValueError, match="MinMaxNorm: `max_value`"):
        constraints.MinMaxNorm(2.0, 1.0)
    with pytest.raises(ValueError, match="UnitNorm: `axis`"):
        constraints.UnitNorm(axis="rows")
    with pytest.raises(ValueError, match="Unknown constraint 'max_nrom'"):
        layers.Dense(2, kernel_constraint="max_nrom")
    with pytest.raises(TypeError, match="constraint must be"):
        layers.Dense(2, kernel_constraint=3)


def test_normalization_scale_and_shift_constraints(rng):
    model = gw.Sequential([gw.Input((4,)), layers.BatchNormalization(gamma_constraint=constraints.MaxNorm(0.5, axis=0),
                                                                     beta_constraint="non_neg"),
                           layers.LayerNormalization(gamma_constraint=constraints.NonNeg()), layers.Dense(1)], seed=0)
    model.compile(optimizer=gw.optimizers.SGD(0.5), loss="mse")
    model.fit(rng.normal(size=(64, 4)), rng.normal(size=(64, 1)) * 5, epochs=3, verbose=0)
    batch_norm, layer_norm = model.layers[:2]
    assert np.linalg.norm(batch_norm.params["gamma"]) <= 0.5 + 1e-6 and batch_norm.params["beta"].min() >= 0
    assert layer_norm.params["gamma"].min() >= 0
    assert layers.deserialize(layers.serialize(batch_norm)).gamma_constraint.get_config() == {"max_value": 0.5,
                                                                                           "axis": 0}
    assert not layers.BatchNormalization(center=False, beta_constraint="non_neg").constraints  # no beta to constrain


def test_depthwise_and_separable_constraints(rng):
    model = gw.Sequential([gw.Input((6, 6, 2)),
                           layers.DepthwiseConv2D(3, depthwise_constraint="non_neg", bias_constraint="non_neg"),
                           layers.SeparableConv2D(3, 2, pointwise_constraint=constraints.MaxNorm(0.1, axis=[0, 1, 2]),
                                                  depthwise_constraint=constraints.NonNeg()),
                           layers.Flatten(), layers.Dense(1)], seed=0)
    model.compile(optimizer=gw.optimizers.SGD(0.5), loss="mse")
    model.fit(rng.normal(size=(32, 6, 6, 2)), rng.normal(size=(32, 1)) * 5, epochs=2, verbose=0)
    depthwise, separable = model.layers[:2]
    assert depthwise.params["kernel"].min() >= 0 and depthwise.params["bias"].min() >= 0
    assert separable.params["depthwise_kernel"].min() >= 0
    assert np.sqrt((separable.params["pointwise_kernel"] ** 2).sum(axis=(0, 1, 2))).max() <= 0.1 + 1e-6
    rebuilt = layers.deserialize(layers.serialize(separable))
    assert rebuilt.pointwise_constraint.get_config() == {"max_value": 0.1, "axis": [0, 1, 2]}
    assert isinstance(rebuilt.depthwise_constraint, constraints.NonNeg)


@pytest.mark.parametrize("make", [
    lambda **c: layers.SimpleRNN(6, **c), lambda **c: layers.LSTM(6, **c), lambda **c: layers.GRU(6, **c),
    lambda **c: layers.GRU(6, reset_after=False, **c), lambda **c: layers.RNN(layers.LSTMCell(6, **c))])
def test_recurrent_kernel_recurrent_and_bias_constraints(make, tmp_path):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(32, 5, 3)) * 4, rng.normal(size=(32, 1)) * 10

    def trained(**constrained):
        model = gw.Sequential([gw.Input((5, 3)), make(**constrained), layers.Dense(1)], seed=0)
        model.compile(optimizer=gw.optimizers.SGD(0.2), loss="mse")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        return model

    model = trained(kernel_constraint=constraints.MaxNorm(0.25), recurrent_constraint="unit_norm",
                    bias_constraint="non_neg")
    params = model.layers[0].params
    assert np.linalg.norm(params["kernel"], axis=0).max() <= 0.25 + 1e-6
    np.testing.assert_allclose(np.linalg.norm(params["recurrent_kernel"], axis=0), 1.0, rtol=1e-5)
    assert params["bias"].min() >= 0
    free = trained().layers[0].params
    assert np.linalg.norm(free["kernel"], axis=0).max() > 0.25 and free["bias"].min() < 0  # the constraints acted
    model.save(tmp_path / "rnn.gw")
    loaded = gw.load_model(tmp_path / "rnn.gw").layers[0]
    assert isinstance(loaded.recurrent_constraint, constraints.UnitNorm)
    assert loaded.kernel_constraint.get_config() == constraints.MaxNorm(0.25).get_config()

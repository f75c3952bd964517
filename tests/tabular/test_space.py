"""The default search space of `gradwise tune`: its ranges and the models it builds."""

import pytest
from optuna.distributions import CategoricalDistribution

from gradwise.layers import BatchNormalization, Dense, Dropout
from gradwise.optimizers import SGD
from gradwise.tabular.space import build_default_model, telling_params
from gradwise.tuning import HyperParameters
from gradwise.tuning.study import probe_space


def test_space_covers_the_documented_knobs():
    space = probe_space(lambda hp: build_default_model(hp, 8, "binary"))
    assert (space["layers"].low, space["layers"].high) == (1, 5)
    assert all((space[f"units_{i}"].low, space[f"units_{i}"].high, space[f"units_{i}"].log) == (8, 256, True)
               for i in range(5))
    assert set(space["activation"].choices) == {"relu", "leaky_relu", "tanh", "elu", "gelu"}
    assert set(space["optimizer"].choices) == {"adam", "rmsprop", "sgd", "nadam"}
    assert set(space["initializer"].choices) == {"he_uniform", "he_normal", "glorot_uniform", "glorot_normal"}
    assert (space["learning_rate"].low, space["learning_rate"].high, space["learning_rate"].log) == (1e-4, 1e-1, True)
    assert (space["dropout"].low, space["dropout"].high) == (0.0, 0.5)
    assert isinstance(space["batch_norm"], CategoricalDistribution) and "l2" in space and "clipnorm" in space
    assert "momentum" in space  # conditional on sgd, reached by the probe


@pytest.mark.parametrize("task, classes, units, activation, loss", [
    ("binary", None, 1, "sigmoid", "binary_crossentropy"),
    ("multiclass", 4, 4, "softmax", "sparse_categorical_crossentropy"),
    ("regression", None, 1, "linear", "mean_squared_error"),
])
def test_output_layer_and_loss_follow_the_task(task, classes, units, activation, loss):
    model = build_default_model(HyperParameters({"layers": 2}), 5, task, classes)
    output = model.layers[-1]
    assert output.units == units and output.activation.name == activation
    assert model.loss.name == loss


def test_batch_norm_dropout_and_sgd_momentum_are_applied():
    values = {"layers": 2, "units_0": 16, "units_1": 9, "batch_norm": True, "dropout": 0.25, "optimizer": "sgd",
              "momentum": 0.8, "learning_rate": 0.01, "clipnorm": 2.0}
    model = build_default_model(HyperParameters(values), 3, "binary")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNormalization", "Activation", "Dropout"] * 2 + ["Dense"]
    assert [layer.units for layer in model.layers if isinstance(layer, Dense)] == [16, 9, 1]
    assert all(layer.rate == 0.25 for layer in model.layers if isinstance(layer, Dropout))
    assert sum(isinstance(layer, BatchNormalization) for layer in model.layers) == 2
    assert isinstance(model.optimizer, SGD) and model.optimizer.momentum == 0.8 and model.optimizer.clipnorm == 2.0
    assert telling_params(values) == {"layers": 2, "units": "16x9", "optimizer": "sgd", "learning_rate": 0.01,
                                      "dropout": 0.25, "batch_norm": True}

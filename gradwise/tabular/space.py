"""The default search space of ``gradwise tune``: the knobs the source documents tune.

1-5 hidden Dense layers of 8-256 units (log scale) sharing an activation (relu,
leaky_relu, tanh, elu, gelu), an initializer (He or Glorot, uniform or normal), an L2
strength, optional batch normalization and a dropout rate of 0-0.5; the optimizer
(adam, rmsprop, sgd with momentum, nadam), a learning rate of 1e-4 to 1e-1 (log scale)
and a gradient clipnorm. The output layer and loss follow the task.
"""

from .. import optimizers
from ..layers import Activation, BatchNormalization, Dense, Dropout, Input
from ..models import Sequential
from ..regularizers import L2

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "elu", "gelu"]
INITIALIZERS = ["he_uniform", "he_normal", "glorot_uniform", "glorot_normal"]
OPTIMIZERS = {"adam": optimizers.Adam, "rmsprop": optimizers.RMSprop, "sgd": optimizers.SGD, "nadam": optimizers.Nadam}
TELLING = ("layers", "units", "activation", "optimizer", "learning_rate", "dropout", "batch_norm")


def _optimizer(hp):
    name = hp.Choice("optimizer", list(OPTIMIZERS))
    settings = {"learning_rate": hp.Float("learning_rate", 1e-4, 1e-1, sampling="log"),
                "clipnorm": hp.Float("clipnorm", 0.1, 10.0, sampling="log")}
    if name == "sgd":
        return optimizers.SGD(momentum=hp.Float("momentum", 0.5, 0.99), **settings)
    return OPTIMIZERS[name](**settings)


def _head(task, classes):
    if task == "binary":
        return Dense(1, activation="sigmoid"), "binary_crossentropy", ["accuracy"]
    if task == "multiclass":
        return Dense(classes, activation="softmax"), "sparse_categorical_crossentropy", ["accuracy"]
    return Dense(1), "mse", ["mae"]


def build_default_model(hp, features, task, classes=None):
    """A compiled Sequential for `features` inputs and `task` ('binary', 'multiclass', 'regression')."""
    layers = hp.Int("layers", 1, 5)
    activation = hp.Choice("activation", ACTIVATIONS)
    initializer = hp.Choice("initializer", INITIALIZERS)
    batch_norm = hp.Boolean("batch_norm")
    dropout = hp.Float("dropout", 0.0, 0.5)
    l2 = hp.Float("l2", 1e-6, 1e-2, sampling="log")
    model = Sequential([Input((features,))])
    for index in range(layers):
        units = hp.Int(f"units_{index}", 8, 256, sampling="log")
        if batch_norm:  # normalize the pre-activation, as in the source documents
            model.add(Dense(units, use_bias=False, kernel_initializer=initializer, kernel_regularizer=L2(l2)))
            model.add(BatchNormalization())
            model.add(Activation(activation))
        else:
            model.add(Dense(units, activation=activation, kernel_initializer=initializer, kernel_regularizer=L2(l2)))
        if dropout > 0:
            model.add(Dropout(dropout))
    output, loss, metrics = _head(task, classes)
    model.add(output)
    model.compile(optimizer=_optimizer(hp), loss=loss, metrics=metrics)
    return model


def telling_params(values):
    """The most telling hyperparameters of a trial, units joined per layer: 'units=64x32'."""
    shown = {}
    for key in TELLING:
        if key == "units":
            units = [str(values[f"units_{i}"]) for i in range(values.get("layers", 0)) if f"units_{i}" in values]
            if units:
                shown["units"] = "x".join(units)
        elif key in values:
            shown[key] = values[key]
    return shown

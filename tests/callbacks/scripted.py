"""Drive a callback through epochs with scripted logs, on a fake model or a real one.

The fake model's single weight is the index of the current epoch, so the weights a
callback restores name the epoch they were captured at.
"""

from types import SimpleNamespace

import numpy as np

import gradwise as gw
from gradwise.layers import Dense


class FakeModel:
    """What callbacks use of a model: weights, stop_training, optimizer.learning_rate."""

    def __init__(self, learning_rate=1.0):
        self.stop_training = False
        self.stop_reason = None
        self.weight = np.array([-1.0])
        self.optimizer = SimpleNamespace(learning_rate=learning_rate, schedule=None)

    def get_weights(self):
        return [self.weight.copy()]

    def set_weights(self, weights):
        self.weight = np.array(weights[0])


def drive(callback, values, monitor="val_loss", model=None):
    """Run `values` (one monitored value per epoch) through `callback`.

    Returns the model and, per epoch run, the learning rate logged for it and the rate
    after the epoch's callbacks ran.
    """
    model = model or FakeModel()
    callback.set_model(model)
    callback.set_params({"epochs": len(values), "steps": 1})
    callback.on_train_begin({})
    logged, after = [], []
    for epoch, value in enumerate(values):
        model.weight = np.array([float(epoch)])
        callback.on_epoch_begin(epoch, {})
        logs = {"loss": 0.5, monitor: value, "learning_rate": float(model.optimizer.learning_rate)}
        logged.append(logs["learning_rate"])
        callback.on_epoch_end(epoch, logs)
        after.append(float(model.optimizer.learning_rate))
        if model.stop_training:
            break
    callback.on_train_end({})
    return model, logged, after


def tiny_classifier(seed=0, optimizer="adam", metrics=("accuracy",)):
    model = gw.Sequential([Dense(4, activation="tanh", input_shape=(3,)), Dense(2, activation="softmax")], seed=seed)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=list(metrics))
    return model


def tiny_data(samples=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 3))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64)
    return x, y


def weights_equal(first, second):
    return len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second))

"""The floor: a from-scratch NumPy network of the kind tutorials teach.

float64, one Python dict of arrays per layer, sigmoid on every layer (the output too),
mean squared error against one-hot targets, full-batch gradient descent (one step per
epoch, so there is nothing to shuffle). Same layer sizes as the workload, Glorot uniform
kernels and zero biases. Its per-epoch time is one forward and backward pass over the
whole training set; it is not comparable step for step with the mini-batch tools.
"""

import time

import numpy as np

from . import NotAvailable

LEARNING_RATE = 1.0


def versions():
    return {"numpy": np.__version__}


def _sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)  # = 1 / (1 + exp(-z)), without overflow warnings


def _init(sizes, rng):
    network = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        network.append({"W": rng.uniform(-limit, limit, (fan_in, fan_out)), "b": np.zeros(fan_out)})
    return network


def _forward(network, x):
    activations = [x]
    for layer in network:
        activations.append(_sigmoid(activations[-1] @ layer["W"] + layer["b"]))
    return activations


def _step(network, x, targets):
    activations = _forward(network, x)
    # E = mean over samples of sum (a - t)^2 / 2;  a = sigmoid(z)  =>  dE/dz = (a - t) a (1 - a) / n
    delta = (activations[-1] - targets) * activations[-1] * (1 - activations[-1]) / len(x)
    for index in range(len(network) - 1, -1, -1):
        layer = network[index]
        grad_w = activations[index].T @ delta
        grad_b = delta.sum(axis=0)
        if index:
            a = activations[index]
            delta = (delta @ layer["W"].T) * a * (1 - a)
        layer["W"] -= LEARNING_RATE * grad_w
        layer["b"] -= LEARNING_RATE * grad_b


def _targets(workload, y, outputs):
    if workload.loss == "binary_crossentropy":
        return y.reshape(-1, 1).astype(np.float64)
    return np.eye(outputs)[y.ravel()]


def train(workload, data, epochs, seed, threads):
    if any(spec[0] != "dense" for spec in workload.layers):
        raise NotAvailable("the tutorial network has dense layers only")
    sizes = [workload.input_shape[0]] + [spec[1] for spec in workload.layers]
    network = _init(sizes, np.random.default_rng(seed))
    x = data["x_train"].astype(np.float64)
    targets = _targets(workload, data["y_train"], sizes[-1])
    seconds = []
    for _ in range(epochs + 1):
        start = time.perf_counter()
        _step(network, x, targets)
        seconds.append(time.perf_counter() - start)
    outputs = _forward(network, data["x_test"].astype(np.float64))[-1]
    y_test = data["y_test"].ravel()
    if sizes[-1] == 1:
        predicted = (outputs[:, 0] > 0.5).astype(y_test.dtype)
    else:
        predicted = outputs.argmax(axis=1)
    loss = float(np.mean(np.sum((outputs - _targets(workload, data["y_test"], sizes[-1])) ** 2, axis=1)) / 2)
    return {"epoch_seconds": seconds[1:], "accuracy": float(np.mean(predicted == y_test)), "loss": loss,
            "dtype": "float64", "timing": "full batch: one gradient step per epoch"}

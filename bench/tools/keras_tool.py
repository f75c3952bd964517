"""Keras 3 on the backend named by KERAS_BACKEND (torch or jax), set by the harness."""

import os
import time

from . import NotAvailable, set_torch_threads

try:
    import keras
except ImportError as error:
    raise NotAvailable(f"keras is not installed: {error}")


def versions():
    backend = keras.backend.backend()
    result = {"keras": keras.__version__, "backend": backend}
    if backend == "jax":
        import jax
        import jaxlib

        result.update(jax=jax.__version__, jaxlib=jaxlib.__version__)
    elif backend == "torch":
        import torch

        result["torch"] = torch.__version__
    return result


def _layer(spec):
    kind = spec[0]
    if kind == "dense":
        return keras.layers.Dense(spec[1], activation=spec[2])
    if kind == "dropout":
        return keras.layers.Dropout(spec[1])
    if kind == "conv2d":
        return keras.layers.Conv2D(spec[1], spec[2], activation=spec[3])
    if kind == "maxpool":
        return keras.layers.MaxPooling2D(spec[1])
    return keras.layers.Flatten()


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train(workload, data, epochs, seed, threads):
    if keras.backend.backend() == "torch":
        set_torch_threads(threads)
    expected = os.environ.get("KERAS_BACKEND")
    if expected and keras.backend.backend() != expected:
        raise NotAvailable(f"keras runs on {keras.backend.backend()!r}, not {expected!r}")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=workload.input_shape)] + [_layer(s) for s in workload.layers])
    if workload.optimizer == "adam":
        optimizer = keras.optimizers.Adam(learning_rate=workload.learning_rate, beta_1=0.9, beta_2=0.999,
                                          epsilon=1e-7)
    else:
        optimizer = keras.optimizers.SGD(learning_rate=workload.learning_rate)
    model.compile(optimizer=optimizer, loss=workload.loss, metrics=["accuracy"])
    timer = _EpochTimer()
    model.fit(data["x_train"], data["y_train"], batch_size=workload.batch_size, epochs=epochs + 1,
              verbose=0, shuffle=True, callbacks=[timer])
    x_eval, y_eval = (data["x_test"], data["y_test"]) if workload.accuracy_on == "test" else \
        (data["x_train"], data["y_train"])
    loss, accuracy = model.evaluate(x_eval, y_eval, batch_size=1024, verbose=0)
    return {"epoch_seconds": timer.seconds[1:], "accuracy": float(accuracy), "loss": float(loss),
            "dtype": keras.config.floatx()}

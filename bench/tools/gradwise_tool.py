"""gradwise: Sequential, compile, fit with a timing callback, evaluate."""

import time

from . import NotAvailable

try:
    import gradwise
except ImportError as error:  # pragma: no cover - reported, not raised
    raise NotAvailable(f"gradwise is not installed: {error}")

_LAYER_NAMES = {"dense": "Dense", "dropout": "Dropout", "conv2d": "Conv2D", "maxpool": "MaxPooling2D",
                "flatten": "Flatten"}


def versions():
    import numpy

    return {"gradwise": gradwise.__version__, "numpy": numpy.__version__}


def _layer(spec):
    name = _LAYER_NAMES[spec[0]]
    cls = getattr(gradwise.layers, name, None)
    if cls is None:
        raise NotAvailable(f"gradwise.layers has no {name} yet")
    kind = spec[0]
    if kind == "dense":
        return cls(spec[1], activation=spec[2])
    if kind == "dropout":
        return cls(spec[1])
    if kind == "conv2d":
        return cls(spec[1], spec[2], activation=spec[3])
    if kind == "maxpool":
        return cls(spec[1])
    return cls()


class _EpochTimer(gradwise.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def _optimizer(workload):
    optimizers = gradwise.optimizers
    if workload.optimizer == "adam":
        return optimizers.Adam(learning_rate=workload.learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    return optimizers.SGD(learning_rate=workload.learning_rate)


def build_model(workload, seed):
    """The workload's model, compiled: float32, Glorot uniform kernels, zero biases (the defaults)."""
    layers = [gradwise.layers.Input(shape=workload.input_shape)] + [_layer(spec) for spec in workload.layers]
    model = gradwise.Sequential(layers, seed=seed, dtype="float32")
    model.compile(optimizer=_optimizer(workload), loss=workload.loss, metrics=["accuracy"])
    return model


def train(workload, data, epochs, seed, threads):
    model = build_model(workload, seed)
    timer = _EpochTimer()
    model.fit(data["x_train"], data["y_train"], batch_size=workload.batch_size, epochs=epochs + 1,
              verbose=0, shuffle=True, callbacks=[timer])
    x_eval, y_eval = (data["x_test"], data["y_test"]) if workload.accuracy_on == "test" else \
        (data["x_train"], data["y_train"])
    loss, accuracy = model.evaluate(x_eval, y_eval, batch_size=1024, verbose=0)
    return {"epoch_seconds": timer.seconds[1:], "accuracy": float(accuracy), "loss": float(loss),
            "dtype": str(model.dtype)}

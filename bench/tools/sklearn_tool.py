"""scikit-learn's MLPClassifier (solver='adam'), for the MLP workloads without convolution.

MLPClassifier has no per-epoch hook, so an epoch's time is the timed fit's total
divided by its epochs. It draws biases uniformly where the others use zeros: after a
one-epoch warm-up fit the harness resets the weights to Glorot uniform kernels and zero
biases and refits from there (``warm_start=True``; a fresh Adam each fit). It trains in
the dtype of its input (float32 here), has no dropout, and gets ``alpha=0`` (no L2).
"""

import time
import warnings

import numpy as np

from . import NotAvailable

try:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
except ImportError as error:
    raise NotAvailable(f"scikit-learn is not installed: {error}")


def versions():
    import sklearn

    return {"scikit-learn": sklearn.__version__, "numpy": np.__version__}


def _hidden_units(workload):
    dense = [spec for spec in workload.layers if spec[0] == "dense"]
    if any(spec[0] not in ("dense", "dropout") for spec in workload.layers):
        raise NotAvailable("MLPClassifier has no convolution")
    if any(spec[2] != "relu" for spec in dense[:-1]) or workload.optimizer != "adam":
        raise NotAvailable("MLPClassifier: this workload needs other activations or optimizers")
    return tuple(spec[1] for spec in dense[:-1])


def _reset_to_glorot(model, rng):
    for index, kernel in enumerate(model.coefs_):
        limit = np.sqrt(6.0 / sum(kernel.shape))
        model.coefs_[index] = rng.uniform(-limit, limit, kernel.shape).astype(kernel.dtype)
        model.intercepts_[index] = np.zeros_like(model.intercepts_[index])


def train(workload, data, epochs, seed, threads):
    x, y = data["x_train"], data["y_train"].ravel()
    model = MLPClassifier(
        hidden_layer_sizes=_hidden_units(workload), activation="relu", solver="adam", alpha=0.0,
        batch_size=workload.batch_size, learning_rate_init=workload.learning_rate, beta_1=0.9,
        beta_2=0.999, epsilon=1e-7, max_iter=1, shuffle=True, tol=0.0, n_iter_no_change=10**9,
        random_state=seed, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)  # warm-up epoch; also creates the weights that are reset next
        _reset_to_glorot(model, np.random.default_rng(seed))
        model.set_params(max_iter=epochs + 1)
        start = time.perf_counter()
        model.fit(x, y)
        total = time.perf_counter() - start
    x_eval, y_eval = (data["x_test"], data["y_test"]) if workload.accuracy_on == "test" else (x, data["y_train"])
    y_eval = y_eval.ravel()
    probabilities = model.predict_proba(x_eval)
    accuracy = float(np.mean(model.classes_[probabilities.argmax(axis=1)] == y_eval))
    picked = probabilities[np.arange(len(y_eval)), np.searchsorted(model.classes_, y_eval)]
    loss = float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))
    # Every epoch of the timed fit counts (it has no compile step to warm up).
    per_epoch = total / (epochs + 1)
    return {"epoch_seconds": [per_epoch] * epochs, "accuracy": accuracy, "loss": loss,
            "dtype": str(model.coefs_[0].dtype), "timing": "fit total / epochs"}

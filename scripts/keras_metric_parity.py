"""Compare gradwise's metrics (and focal loss) with Keras 3's on the same random batches (weights, several updates).

Run with a Python that has Keras (any backend) and from the repository root:
    KERAS_BACKEND=torch PYTHONPATH=. /work/venv-peers/bin/python scripts/keras_metric_parity.py
Prints one line per metric and exits 1 when a value differs beyond float32 rounding.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from gradwise import metrics  # noqa: E402


def _data(rng):
    binary = rng.integers(0, 2, size=(24, 3)).astype("float32")
    probabilities = rng.uniform(0.02, 0.98, size=(24, 3)).astype("float32")
    labels = rng.integers(0, 4, size=(24,))
    one_hot = np.eye(4, dtype="float32")[labels]
    softmax = rng.dirichlet(np.ones(4), size=24).astype("float32")
    targets = rng.uniform(0.1, 3.0, size=(24, 2)).astype("float32")
    predictions = (targets + rng.normal(scale=0.5, size=(24, 2))).astype("float32")
    logits = rng.normal(size=(24, 3)).astype("float32")
    exact = rng.integers(0, 3, size=(24, 2)).astype("float32")
    guessed = np.where(rng.random((24, 2)) < 0.6, exact, exact + 1).astype("float32")
    return {"binary": (binary, probabilities), "logits": (binary, logits), "categorical": (one_hot, softmax),
            "sparse": (labels, softmax), "regression": (targets, predictions), "labels": (exact, guessed)}


CASES = [  # (class name, constructor arguments, data)
    ("RootMeanSquaredError", {}, "regression"), ("MeanSquaredLogarithmicError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"), ("LogCoshError", {}, "regression"),
    ("CosineSimilarity", {}, "regression"), ("Accuracy", {}, "labels"),
    ("TruePositives", {}, "binary"), ("TrueNegatives", {}, "binary"), ("FalsePositives", {}, "binary"),
    ("FalseNegatives", {}, "binary"), ("TruePositives", {"thresholds": 0.3}, "binary"),
    ("BinaryCrossentropy", {}, "binary"), ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "logits"),
    ("CategoricalCrossentropy", {}, "categorical"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "categorical"),
    ("SparseCategoricalCrossentropy", {}, "sparse"), ("KLDivergence", {}, "categorical"),
    ("Poisson", {}, "binary"), ("Hinge", {}, "binary"), ("SquaredHinge", {}, "binary"),
    ("CategoricalHinge", {}, "categorical"),
]


def _run(metric, y_true, y_pred, weights):
    for part in (slice(0, 10), slice(10, 24)):  # two updates: the epoch's accumulation
        metric.update_state(y_true[part], y_pred[part], sample_weight=None if weights is None else weights[part])
    return float(np.asarray(metric.result()))


def main():
    rng = np.random.default_rng(0)
    data = _data(rng)
    weights = rng.uniform(0.1, 2.0, size=24).astype("float32")
    failures = 0
    for class_name, arguments, kind in CASES:
        y_true, y_pred = data[kind]
        for weighted in (None, weights):
            ours = _run(getattr(metrics, class_name)(**arguments), y_true, y_pred, weighted)
            theirs = _run(getattr(keras.metrics, class_name)(**arguments), y_true, y_pred, weighted)
            same = np.isclose(ours, theirs, rtol=2e-5, atol=2e-5)
            failures += not same
            print(f"{'ok  ' if same else 'DIFF'} {class_name}({arguments}) weighted={weighted is not None}: "
                  f"gradwise {ours:.6f} keras {theirs:.6f}")
    for name, values, weights_ in [("Mean", [1, 3, 5, 7], [1, 1, 0, 0]), ("Sum", [1, 3, 5, 7], [1, 1, 0, 0]),
                                   ("Mean", [[1, 2], [3, 5]], [2, 1]), ("Sum", [[1, 2], [3, 5]], [2, 1])]:
        ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
        ours.update_state(values, sample_weight=weights_)
        theirs.update_state(np.asarray(values, "float32"), sample_weight=np.asarray(weights_, "float32"))
        same = np.isclose(ours.result(), float(theirs.result()))
        failures += not same
        print(f"{'ok  ' if same else 'DIFF'} {name}{values, weights_}: gradwise {ours.result()} keras "
              f"{float(theirs.result())}")
    from gradwise import losses

    y_true, probabilities = data["binary"]
    for arguments in ({}, {"gamma": 3.0, "apply_class_balancing": True, "alpha": 0.4}, {"label_smoothing": 0.2}):
        for from_logits in (False, True):
            y_pred = np.log(probabilities / (1 - probabilities)) if from_logits else probabilities
            ours = losses.BinaryFocalCrossentropy(from_logits=from_logits, **arguments)(y_true, y_pred)
            theirs = keras.losses.BinaryFocalCrossentropy(from_logits=from_logits, **arguments)(y_true, y_pred)
            same = np.isclose(float(ours), float(theirs), rtol=2e-5)
            failures += not same
            print(f"{'ok  ' if same else 'DIFF'} loss BinaryFocalCrossentropy({arguments}, from_logits={from_logits}): "
                  f"gradwise {float(ours):.6f} keras {float(theirs):.6f}")
    y_true, softmax = data["categorical"]
    for arguments in ({}, {"gamma": 1.5, "alpha": 0.7, "label_smoothing": 0.2}):
        for from_logits in (False, True):
            y_pred = np.log(softmax) + 0.3 if from_logits else softmax * 1.7  # unnormalized rows
            ours = losses.CategoricalFocalCrossentropy(from_logits=from_logits, **arguments)(y_true, y_pred)
            theirs = keras.losses.CategoricalFocalCrossentropy(from_logits=from_logits, **arguments)(y_true, y_pred)
            same = np.isclose(float(ours), float(theirs), rtol=2e-5)
            failures += not same
            print(f"{'ok  ' if same else 'DIFF'} loss CategoricalFocalCrossentropy({arguments}, from_logits="
                  f"{from_logits}): gradwise {float(ours):.6f} keras {float(theirs):.6f}")
    print(f"{failures} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Keras's metric functions (keras.metrics.binary_accuracy, ...): one value per sample, against their
definitions, and as compile(metrics=[function]) averaged over the epoch under the function's name."""

import numpy as np
import pytest

import gradwise as gw
from gradwise import losses, metrics


def test_accuracy_functions_per_sample(rng):
    y_true = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    y_pred = np.array([[0.7, 0.6, 0.2], [0.1, 0.4, 0.9]])
    np.testing.assert_array_equal(metrics.binary_accuracy(y_true, y_pred), [[1, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(metrics.binary_accuracy(y_true, y_pred, threshold=0.15), [[1, 0, 1], [1, 0, 1]])
    probabilities = rng.random((6, 4))
    labels = np.array([0, 1, 2, 3, 3, 1])
    best = probabilities.argmax(axis=1)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels, probabilities), labels == best)
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels[:, None], probabilities), labels == best)
    np.testing.assert_array_equal(metrics.categorical_accuracy(np.eye(4)[labels], probabilities), labels == best)
    top2 = np.argsort(-probabilities, axis=1)[:, :2]
    expected = (top2 == labels[:, None]).any(axis=1)
    np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(labels, probabilities, k=2), expected)
    np.testing.assert_array_equal(metrics.top_k_categorical_accuracy(np.eye(4)[labels], probabilities, k=2), expected)
    np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(labels, top2, k=2, from_sorted_ids=True),
                                  expected)


def test_loss_shaped_functions_are_the_losses():
    for name in ("mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy", "kl_divergence", "poisson", "hinge", "squared_hinge",
                 "categorical_hinge", "log_cosh", "huber", "mean_absolute_percentage_error",
                 "mean_squared_logarithmic_error", "binary_focal_crossentropy", "categorical_focal_crossentropy"):
        assert getattr(metrics, name) is getattr(losses, name)


@pytest.mark.parametrize("function", [metrics.binary_accuracy, metrics.mean_squared_error])
def test_a_metric_function_in_compile_is_averaged_under_its_name(rng, function):
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = gw.Sequential([gw.Input((3,)), gw.layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[function])
    history = model.fit(x, y, epochs=1, batch_size=40, verbose=0)
    name = function.__name__
    predicted = model.predict(x, verbose=0)
    value = model.evaluate(x, y, verbose=0, return_dict=True)[name]
    np.testing.assert_allclose(value, np.mean(function(y, predicted)), rtol=1e-5)
    assert name in history.history

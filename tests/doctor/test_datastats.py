"""Data statistics: feature scales, label distribution, the linear baseline, batch accuracy."""

import math

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from gradwise.doctor import datastats


def test_feature_summary_matches_numpy(rng):
    x = rng.normal(size=(300, 5)) * [1, 2, 3, 4, 50] + [0, 0, 0, 7, -20]
    x[:, 1] = 3.0  # constant
    summary = datastats.feature_summary(x, list("abcde"))
    assert summary["max_abs_mean"] == pytest.approx(np.abs(x.mean(axis=0)).max())
    assert summary["max_std"] == pytest.approx(x.std(axis=0).max())
    assert summary["min_std"] == pytest.approx(np.delete(x.std(axis=0), 1).min())
    assert summary["constant_features"] == 1
    assert summary["worst"][0]["feature"] == "e"


@pytest.mark.parametrize("loss, targets, prior", [
    ("sparse_categorical_crossentropy", np.arange(400) % 4, math.log(4)),
    ("categorical_crossentropy", np.eye(4)[np.arange(400) % 4], math.log(4)),
    ("binary_crossentropy", (np.arange(400) % 4 == 0).astype(float), -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))),
])
def test_prior_loss_is_the_entropy_of_the_labels(loss, targets, prior):
    summary = datastats.label_summary(targets, loss, 4 if loss != "binary_crossentropy" else 1)
    assert summary["prior_loss"] == pytest.approx(prior)
    assert summary["majority"] == pytest.approx(0.25 if loss != "binary_crossentropy" else 0.75)


def test_regression_prior_is_the_variance(rng):
    y = rng.normal(150.0, 80.0, size=(500, 1))
    summary = datastats.label_summary(y, "mean_squared_error", 1)
    assert summary["task"] == "regression"
    assert summary["prior_loss"] == pytest.approx(y.var())
    assert summary["mean"] == pytest.approx(y.mean())


def test_linear_baseline_matches_scikit_learn_ridge(rng):
    x = rng.normal(size=(400, 6)) * [1, 10, 100, 1, 1, 1]
    y = (x[:, 0] + 0.01 * x[:, 1] - 0.001 * x[:, 2] + 0.3 * rng.normal(size=400) > 0).astype(int)
    labels = datastats.label_summary(y.astype(float), "binary_crossentropy", 1)
    score = datastats.linear_baseline(x, y.astype(float), labels)
    standardized = (x - x.mean(axis=0)) / x.std(axis=0)
    reference = Ridge(alpha=1e-3 * 400).fit(standardized, y).predict(standardized)
    assert score["score"] == pytest.approx(((reference >= 0.5) == y).mean())


def test_linear_baseline_r2_matches_scikit_learn(rng):
    x = rng.normal(size=(200, 3))
    y = x @ [1.0, -2.0, 0.5] + rng.normal(size=200)
    labels = datastats.label_summary(y, "mean_squared_error", 1)
    score = datastats.linear_baseline(x, y, labels)
    standardized = (x - x.mean(axis=0)) / x.std(axis=0)
    assert score["score"] == pytest.approx(Ridge(alpha=0.2).fit(standardized, y).score(standardized, y))


def test_linear_baseline_needs_enough_rows(rng):
    x = rng.normal(size=(20, 30))
    labels = datastats.label_summary(np.arange(20) % 2, "sparse_categorical_crossentropy", 2)
    assert datastats.linear_baseline(x, np.arange(20) % 2, labels) is None


def test_batch_accuracy():
    probabilities = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert datastats.batch_accuracy(np.array([1, 0, 0]), probabilities, False,
                                    "sparse_categorical_crossentropy") == pytest.approx(2 / 3)
    assert datastats.batch_accuracy(np.array([[1.0], [0.0]]), np.array([[2.0], [0.5]]), True,
                                    "binary_crossentropy") == 0.5  # logits threshold at 0
    assert datastats.batch_accuracy(np.zeros((2, 1)), np.zeros((2, 1)), False, "mean_squared_error") is None

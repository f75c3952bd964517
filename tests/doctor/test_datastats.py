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


def test_out_of_fold_ridge_matches_scikit_learn_ridge_on_each_fold(rng):
    x = rng.normal(size=(90, 4))
    goal = (x @ [[1.0], [0.5], [0.0], [-1.0]]) + rng.normal(size=(90, 1))
    fold_of = np.arange(90) % 3
    predictions = datastats._out_of_fold_ridge(x, goal, fold_of, 3)
    for fold in range(3):
        train, held = fold_of != fold, fold_of == fold
        centred = x[train] - x[train].mean(axis=0)
        scale = np.linalg.eigvalsh(centred.T @ centred).mean()  # the penalties are relative to the Gram's scale
        for guess, penalty in zip(predictions, datastats.RIDGE_PENALTIES):
            expected = Ridge(alpha=penalty * scale).fit(x[train], goal[train, 0]).predict(x[held])
            np.testing.assert_allclose(guess[held, 0], expected, rtol=1e-7, atol=1e-9)


def test_held_out_reference_sees_rings_a_linear_model_cannot():
    from sklearn.datasets import make_circles

    x, y = make_circles(n_samples=600, noise=0.08, factor=0.5, random_state=0)
    labels = datastats.label_summary(y.astype(float), "binary_crossentropy", 1)
    reference = datastats.held_out_reference(x, y.astype(float), labels)
    assert datastats.linear_baseline(x, y.astype(float), labels)["score"] < 0.6  # a line cannot split rings
    assert reference["model"] == "random features"
    assert reference["score"] > 0.95 and reference["loss_drop"] > 0.6


def test_held_out_reference_finds_no_room_in_labels_that_are_noise(rng):
    x = rng.normal(size=(1000, 8))
    y = rng.integers(0, 3, size=1000)
    labels = datastats.label_summary(y, "sparse_categorical_crossentropy", 3)
    reference = datastats.held_out_reference(x, y, labels)
    assert reference["loss_drop"] < 0.02  # unseen rows: nothing beyond the label frequencies
    assert reference["score"] < 0.4


def test_held_out_reference_of_a_regression_drops_the_loss_by_its_r2(rng):
    x = rng.normal(size=(600, 5))
    y = 0.4 * x[:, 0] + rng.normal(size=600)  # weak signal: R² about 0.14
    labels = datastats.label_summary(y, "mean_squared_error", 1)
    reference = datastats.held_out_reference(x, y, labels)
    assert reference["kind"] == "r2" and reference["model"] == "linear"
    assert reference["loss_drop"] == pytest.approx(reference["score"], abs=1e-12)
    assert 0.05 < reference["score"] < 0.25


def test_held_out_reference_needs_rows_and_plain_labels(rng):
    labels = datastats.label_summary(np.arange(20) % 2, "sparse_categorical_crossentropy", 2)
    assert datastats.held_out_reference(rng.normal(size=(20, 3)), np.arange(20) % 2, labels) is None
    multilabel = (rng.random((200, 3)) > 0.5).astype(float)
    labels = datastats.label_summary(multilabel, "binary_crossentropy", 3)
    assert labels["task"] == "multilabel"
    assert datastats.held_out_reference(rng.normal(size=(200, 3)), multilabel, labels) is None

"""Metrics: epoch accumulation against scikit-learn, thresholds, and 'accuracy' resolution."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

from gradwise import losses, metrics

from .accumulate import accumulate as _accumulate


@pytest.fixture
def binary(rng):
    y = rng.integers(0, 2, size=(21, 1)).astype(float)
    p = rng.uniform(0, 1, size=(21, 1))
    return y, p, rng.uniform(0.1, 2.0, size=21)


@pytest.fixture
def categorical(rng):
    labels = rng.integers(0, 4, size=21)
    p = rng.dirichlet(np.ones(4) * 0.5, size=21)
    return labels, np.eye(4)[labels], p, rng.uniform(0.1, 2.0, size=21)


# ----- accuracy -------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_accuracies_match_sklearn_over_batches(weighted, binary, categorical):
    y, p, w = binary
    labels, one_hot, probabilities, w4 = categorical
    w = w if weighted else None
    w4 = w4 if weighted else None
    assert _accumulate(metrics.BinaryAccuracy(), y, p, w) == pytest.approx(
        accuracy_score(y.ravel(), p.ravel() > 0.5, sample_weight=w))
    expected = accuracy_score(labels, probabilities.argmax(1), sample_weight=w4)
    assert _accumulate(metrics.CategoricalAccuracy(), one_hot, probabilities, w4) == pytest.approx(expected)
    assert _accumulate(metrics.SparseCategoricalAccuracy(), labels, probabilities, w4) == pytest.approx(expected)
    assert 0.2 < expected < 0.9  # neither trivially right nor trivially wrong


def test_binary_accuracy_accepts_one_dimensional_labels(binary):
    y, p, _ = binary
    assert _accumulate(metrics.BinaryAccuracy(), y.ravel(), p) == pytest.approx(accuracy_score(y.ravel(), p.ravel() > 0.5))


def test_regression_metrics_accept_one_dimensional_targets(rng):
    y, p = rng.normal(size=21), rng.normal(size=(21, 1))
    assert _accumulate(metrics.get("mse"), y, p) == pytest.approx(np.mean((p.ravel() - y) ** 2))
    assert _accumulate(metrics.get("mae"), y, p) == pytest.approx(np.mean(np.abs(p.ravel() - y)))


@pytest.mark.parametrize("loss, output_shape, cls, threshold", [
    ("binary_crossentropy", (1,), metrics.BinaryAccuracy, 0.5),
    (losses.BinaryCrossentropy(from_logits=True), (1,), metrics.BinaryAccuracy, 0.0),
    ("binary_crossentropy", (3,), metrics.BinaryAccuracy, 0.5),
    ("categorical_crossentropy", (4,), metrics.CategoricalAccuracy, None),
    (losses.CategoricalCrossentropy(from_logits=True), (4,), metrics.CategoricalAccuracy, None),
    ("sparse_categorical_crossentropy", (4,), metrics.SparseCategoricalAccuracy, None),
    ("mse", (1,), metrics.BinaryAccuracy, 0.5),
    ("mse", (3,), metrics.CategoricalAccuracy, None),
    ("huber", (1,), metrics.BinaryAccuracy, 0.5),
    ("mae", (2,), metrics.CategoricalAccuracy, None),
])
@pytest.mark.parametrize("alias", ["accuracy", "acc"])
def test_accuracy_resolution_follows_the_loss(alias, loss, output_shape, cls, threshold):
    metric = metrics.get(alias, losses.get(loss), output_shape)
    assert type(metric) is cls and metric.name == alias
    if threshold is not None:
        assert metric.threshold == threshold
    assert type(metrics.get(alias, loss, output_shape)) is cls  # a loss name works too


def test_logits_accuracy_thresholds_at_zero(binary):
    y, p, _ = binary
    logits = np.log(p / (1 - p))
    metric = metrics.get("accuracy", losses.BinaryCrossentropy(from_logits=True), (1,))
    assert _accumulate(metric, y, logits) == pytest.approx(accuracy_score(y.ravel(), p.ravel() > 0.5))


# ----- precision and recall -------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name, reference", [("precision", precision_score), ("recall", recall_score)])
def test_binary_precision_recall_match_sklearn(name, reference, weighted, binary):
    y, p, w = binary
    w = w if weighted else None
    expected = reference(y.ravel(), p.ravel() > 0.5, sample_weight=w)
    assert _accumulate(metrics.get(name), y, p, w) == pytest.approx(expected)
    assert 0.1 < expected < 0.9


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name, reference", [("precision", precision_score), ("recall", recall_score)])
def test_multi_column_precision_recall_count_every_element(name, reference, weighted, categorical):
    labels, one_hot, p, w = categorical
    w = w if weighted else None
    flat_weights = None if w is None else np.repeat(w, 4)
    expected = reference(one_hot.ravel(), p.ravel() > 0.5, sample_weight=flat_weights)
    assert _accumulate(metrics.get(name), one_hot, p, w) == pytest.approx(expected)
    # Integer labels of a sparse loss count as their one-hot encoding.
    assert _accumulate(metrics.get(name), labels, p, w) == pytest.approx(expected)


@pytest.mark.parametrize("name", ["precision", "recall"])
def test_precision_recall_on_logits_threshold_at_zero(name, binary):
    y, p, _ = binary
    logits = np.log(p / (1 - p))
    metric = metrics.get(name, losses.BinaryCrossentropy(from_logits=True), (1,))
    assert metric.threshold == 0.0
    assert _accumulate(metric, y, logits) == pytest.approx(_accumulate(metrics.get(name), y, p))
    assert metrics.Precision(thresholds=0.9).threshold == 0.9


def test_precision_example_and_empty_cases():
    metric = metrics.Precision()
    metric.update_state([[1], [0], [1]], [[0.9], [0.8], [0.2]])
    assert metric.result() == 0.5
    metric.reset_state()
    metric.update_state([[1], [0]], [[0.1], [0.2]])  # nothing predicted positive
    assert metric.result() == 0.0
    recall = metrics.Recall()
    recall.update_state([[0], [0]], [[0.9], [0.2]])  # no positives
    assert recall.result() == 0.0


def test_thresholds_must_be_one_number():
    with pytest.raises(ValueError, match=r"Precision: `thresholds` must be one float.*got \[0\.3, 0\.6\]"):
        metrics.Precision(thresholds=[0.3, 0.6])


def test_mismatched_shapes_raise():
    with pytest.raises(ValueError, match=r"`y_true` must have one value per output element: got shape \(3,\)"):
        metrics.Recall().update_state(np.zeros(3), np.zeros((4, 1)))


# ----- AUC ------------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_auc_matches_sklearn_exactly_with_ties(weighted, binary):
    y, p, w = binary
    w = w if weighted else None
    tied = np.round(p, 1)  # many equal scores across both classes
    assert _accumulate(metrics.get("auc"), y, tied, w) == pytest.approx(
        roc_auc_score(y.ravel(), tied.ravel(), sample_weight=w), abs=1e-12)
    assert _accumulate(metrics.AUC(), y, p, w) == pytest.approx(
        roc_auc_score(y.ravel(), p.ravel(), sample_weight=w), abs=1e-12)


def test_auc_pools_multi_column_outputs(categorical):
    labels, one_hot, p, _ = categorical
    expected = roc_auc_score(one_hot.ravel(), p.ravel())
    assert _accumulate(metrics.AUC(), one_hot, p) == pytest.approx(expected, abs=1e-12)
    assert _accumulate(metrics.AUC(), labels, p) == pytest.approx(expected, abs=1e-12)


def test_auc_is_rank_based_hand_worked():
    metric = metrics.AUC()
    # Positives at 0.8 and 0.4, negatives at 0.4 and 0.1: pairs won 1, 1, 1 and one tie -> 3.5 / 4.
    metric.update_state([[1], [0]], [[0.8], [0.4]])
    metric.update_state([[1], [0]], [[0.4], [0.1]])
    assert metric.result() == 0.875
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state([[1], [1]], [[0.3], [0.6]])
    assert metric.result() == 0.0  # one class only, as Keras


def test_auc_rejects_unknown_curve():
    with pytest.raises(ValueError, match=r"AUC: `curve` must be 'ROC' or 'PR', got 'DET'"):
        metrics.AUC(curve="DET")


# ----- registry -------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("precision", metrics.Precision), ("recall", metrics.Recall), ("auc", metrics.AUC),
    ("mse", metrics.MeanSquaredError), ("binary_accuracy", metrics.BinaryAccuracy),
])
def test_names_resolve(name, cls):
    metric = metrics.get(name)
    assert type(metric) is cls and metric.name == name


def test_unknown_metric_raises():
    with pytest.raises(ValueError, match=r"Unknown metric 'f7'. Valid names: .*auc"):
        metrics.get("f7")

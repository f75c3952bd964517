"""Top-k accuracies against scikit-learn's top_k_accuracy_score; ties count in the label's favour."""

import numpy as np
import pytest
from sklearn.metrics import top_k_accuracy_score

from gradwise import metrics

from .accumulate import accumulate


@pytest.fixture
def scores(rng):
    labels = rng.integers(0, 6, size=21)
    return labels, rng.dirichlet(np.ones(6), size=21), rng.uniform(0.1, 2.0, size=21)


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("weighted", [False, True])
def test_top_k_matches_sklearn(k, weighted, scores):
    labels, p, w = scores
    w = w if weighted else None
    expected = top_k_accuracy_score(labels, p, k=k, labels=np.arange(6), sample_weight=w)
    sparse = metrics.SparseTopKCategoricalAccuracy(k=k)
    assert accumulate(sparse, labels, p, w) == pytest.approx(expected, abs=1e-12)
    assert accumulate(sparse, labels[:, None], p, w) == pytest.approx(expected, abs=1e-12)
    dense = metrics.TopKCategoricalAccuracy(k=k)
    assert accumulate(dense, np.eye(6)[labels], p, w) == pytest.approx(expected, abs=1e-12)


def test_keras_defaults_and_names():
    assert metrics.TopKCategoricalAccuracy().k == 5
    assert type(metrics.get("sparse_top_k_categorical_accuracy")) is metrics.SparseTopKCategoricalAccuracy
    assert metrics.get("top_k_categorical_accuracy").name == "top_k_categorical_accuracy"


def test_ties_at_the_boundary_count_as_hits():
    metric = metrics.SparseTopKCategoricalAccuracy(k=1)
    metric.update_state([1, 2], [[0.2, 0.4, 0.4], [0.5, 0.3, 0.2]])
    assert metric.result() == 0.5  # label 1 ties the maximum: a hit; label 2 is last: a miss


def test_bad_k_and_bad_labels():
    with pytest.raises(ValueError, match=r"SparseTopKCategoricalAccuracy: `k` must be a positive int, got 0"):
        metrics.SparseTopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match=r"`y_true` must hold one class index per sample, shape \(2,\).*got shape \(3,\)"):
        metrics.SparseTopKCategoricalAccuracy().update_state([0, 1, 2], np.ones((2, 4)))

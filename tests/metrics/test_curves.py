"""AUC(curve='PR') and PrecisionAtRecall against scikit-learn, exact at every distinct score."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve

from gradwise import metrics

from .accumulate import accumulate


@pytest.fixture
def binary(rng):
    y = rng.integers(0, 2, size=(21, 1)).astype(float)
    return y, rng.uniform(0, 1, size=(21, 1)), rng.uniform(0.1, 2.0, size=21)


def _best_precision(y, p, w, recall):
    precision, achieved, _ = precision_recall_curve(y.ravel(), p.ravel(), sample_weight=w)
    return precision[achieved >= recall].max()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("rounding", [None, 1])
def test_pr_auc_is_sklearn_average_precision(weighted, rounding, binary):
    y, p, w = binary
    w = w if weighted else None
    p = p if rounding is None else np.round(p, rounding)  # ties across classes
    expected = average_precision_score(y.ravel(), p.ravel(), sample_weight=w)
    assert accumulate(metrics.AUC(curve="PR"), y, p, w) == pytest.approx(expected, abs=1e-12)
    assert accumulate(metrics.AUC(curve="pr"), y, p, w) == pytest.approx(expected, abs=1e-12)


def test_pr_auc_hand_worked():
    metric = metrics.AUC(curve="PR")
    # Scores 0.9 (pos), 0.8 (neg), 0.7 (pos): AP = 1/2 * 1 + 1/2 * 2/3.
    metric.update_state([[1], [0], [1]], [[0.9], [0.8], [0.7]])
    assert metric.result() == pytest.approx(0.5 + 1 / 3)
    metric.reset_state()
    metric.update_state([[0], [0]], [[0.9], [0.8]])
    assert metric.result() == 0.0  # no positive seen


@pytest.mark.parametrize("recall", [0.2, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_precision_at_recall_matches_sklearn_curve(recall, weighted, binary):
    y, p, w = binary
    w = w if weighted else None
    tied = np.round(p, 1)
    for scores in (p, tied):
        assert accumulate(metrics.PrecisionAtRecall(recall), y, scores, w) == pytest.approx(
            _best_precision(y, scores, w, recall), abs=1e-12)


def test_precision_at_recall_class_id(rng):
    labels = rng.integers(0, 3, size=21)
    p = rng.dirichlet(np.ones(3), size=21)
    expected = _best_precision(labels == 2, p[:, 2], None, 0.6)
    assert accumulate(metrics.PrecisionAtRecall(0.6, class_id=2), labels, p) == pytest.approx(expected, abs=1e-12)
    assert accumulate(metrics.PrecisionAtRecall(0.6, class_id=2), np.eye(3)[labels], p) == pytest.approx(
        expected, abs=1e-12)
    with pytest.raises(ValueError, match=r"`class_id` must be below the number of output columns, 3, got 3"):
        metrics.PrecisionAtRecall(0.5, class_id=3).update_state(labels, p)


def test_curve_arguments_are_checked():
    with pytest.raises(ValueError, match=r"PrecisionAtRecall: `recall` must be a float in \[0, 1\], got 1.5"):
        metrics.PrecisionAtRecall(1.5)
    with pytest.raises(ValueError, match=r"AUC: `summation_method` must be one of .*got 'trapezoid'"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match=r"metric 'precision_at_recall' needs arguments: pass an instance such as "
                                         r"gradwise.metrics.PrecisionAtRecall"):
        metrics.get("precision_at_recall")

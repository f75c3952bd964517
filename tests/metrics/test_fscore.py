"""F1Score and FBetaScore against scikit-learn, per class and averaged, over uneven batches."""

import numpy as np
import pytest
from sklearn.metrics import fbeta_score

from gradwise import losses, metrics

from .accumulate import accumulate

SIZES = (11, 4, 15)


@pytest.fixture
def multiclass(rng):
    labels = rng.integers(0, 4, size=30)
    labels[:4] = [0, 1, 2, 3]
    scores = rng.dirichlet(np.ones(4) * 0.7, size=30)
    return labels, np.eye(4)[labels], scores, rng.uniform(0.1, 2.0, size=30)


def _argmax_indicator(scores):
    return np.eye(scores.shape[1])[scores.argmax(axis=1)]


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_fbeta_matches_sklearn_on_argmax_predictions(average, beta, weighted, multiclass):
    labels, one_hot, scores, w = multiclass
    w = w if weighted else None
    expected = fbeta_score(one_hot, _argmax_indicator(scores), beta=beta, average=average, sample_weight=w,
                           zero_division=0)
    result = accumulate(metrics.FBetaScore(average=average, beta=beta), one_hot, scores, w, SIZES)
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-12)
    # Class indices from a sparse loss give the same counts.
    result = accumulate(metrics.FBetaScore(average=average, beta=beta), labels, scores, w, SIZES)
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_with_threshold_is_multilabel_f1(average, rng):
    y = rng.integers(0, 2, size=(30, 3))
    scores = rng.uniform(size=(30, 3))
    expected = fbeta_score(y, scores > 0.3, beta=1.0, average=average, zero_division=0)
    result = accumulate(metrics.F1Score(average=average, threshold=0.3), y, scores, sizes=SIZES)
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-12)
    assert isinstance(result, np.ndarray) == (average is None)


def test_f1_hand_worked_and_missing_class_scores_zero():
    metric = metrics.F1Score()
    # Predicted classes 0, 0, 1, 0: class 0 has TP 1, FP 2 -> F1 2/4; class 1 TP 1, FN 1 -> 2/3;
    # class 2 is never true nor predicted -> 0, as scikit-learn's zero_division=0.
    metric.update_state(np.eye(3)[[0, 1, 1, 2]], [[.8, .1, .1], [.5, .4, .1], [.2, .7, .1], [.4, .3, .3]])
    np.testing.assert_allclose(metric.result(), [0.5, 2 / 3, 0.0])
    metric.reset_state()
    assert metric.result() == 0.0


def test_single_column_thresholds_at_one_half_not_argmax():
    # Keras' threshold=None takes the argmax of one column, calling every sample positive.
    y = np.array([[1], [0], [0], [1]])
    p = np.array([[0.9], [0.2], [0.6], [0.4]])
    metric = metrics.F1Score(average="micro")
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(0.5)  # TP 1, FP 1, FN 1
    logits = metrics.get("f1_score", losses.BinaryCrossentropy(from_logits=True))
    logits.update_state(y, np.log(p / (1 - p)))
    np.testing.assert_allclose(logits.result(), [0.5])


def test_fbeta_arguments_are_checked():
    with pytest.raises(ValueError, match=r"FBetaScore: `average` must be one of .*got 'binary'"):
        metrics.FBetaScore(average="binary")
    with pytest.raises(ValueError, match=r"FBetaScore: `beta` must be a positive finite number, got 0"):
        metrics.FBetaScore(beta=0)
    with pytest.raises(ValueError, match=r"F1Score: `threshold` must be a float or None, got 'high'"):
        metrics.F1Score(threshold="high")


def test_fbeta_rejects_changing_columns(rng):
    metric = metrics.F1Score()
    metric.update_state(np.eye(3)[[0, 1]], rng.uniform(size=(2, 3)))
    with pytest.raises(ValueError, match=r"`y_pred` must keep 3 columns during an epoch, got shape \(2, 4\)"):
        metric.update_state(np.eye(4)[[0, 1]], rng.uniform(size=(2, 4)))


def test_sequence_outputs_count_every_position(rng):
    labels = rng.integers(0, 3, size=(6, 5))
    scores = rng.dirichlet(np.ones(3), size=(6, 5))
    expected = fbeta_score(labels.ravel(), scores.reshape(-1, 3).argmax(1), beta=1.0, average="macro")
    metric = metrics.F1Score(average="macro")
    metric.update_state(np.eye(3)[labels], scores)
    assert metric.result() == pytest.approx(expected, abs=1e-12)

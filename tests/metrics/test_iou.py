"""MeanIoU against scikit-learn's macro Jaccard score on flattened class ids."""

import numpy as np
import pytest
from sklearn.metrics import jaccard_score

from gradwise import metrics

from .accumulate import accumulate


@pytest.mark.parametrize("weighted", [False, True])
def test_mean_iou_matches_sklearn_jaccard(weighted, rng):
    labels = rng.integers(0, 4, size=(21, 5))  # segmentation-like: 5 positions a sample
    labels[labels == 3] = 2  # class 3 never occurs in the targets ...
    scores = rng.dirichlet(np.ones(4), size=(21, 5))
    predicted = scores.argmax(-1)
    w = rng.uniform(0.1, 2.0, size=21) if weighted else None
    flat_w = None if w is None else np.repeat(w, 5)
    expected = jaccard_score(labels.ravel(), predicted.ravel(), average="macro", sample_weight=flat_w)
    assert accumulate(metrics.MeanIoU(4), labels, predicted, w) == pytest.approx(expected, abs=1e-12)
    softmax = metrics.MeanIoU(4, sparse_y_pred=False)
    assert accumulate(softmax, labels, scores, w) == pytest.approx(expected, abs=1e-12)
    one_hot = metrics.MeanIoU(4, sparse_y_true=False, sparse_y_pred=False)
    assert accumulate(one_hot, np.eye(4)[labels], scores, w) == pytest.approx(expected, abs=1e-12)


def test_ignore_class_drops_those_targets():
    metric = metrics.MeanIoU(2, ignore_class=255)
    metric.update_state([0, 255, 1, 1], [0, 1, 0, 1])
    # Without the ignored element: class 0 TP 1, FN 0, FP 1 -> 1/2; class 1 TP 1, FN 1 -> 1/2.
    assert metric.result() == 0.5


def test_scores_given_as_ids_raise_instead_of_truncating():
    with pytest.raises(ValueError, match=r"`y_pred` must hold class ids when sparse_y_pred=True.*pass sparse_y_pred=False"):
        metrics.MeanIoU(3).update_state([0, 1], [[0.2, 0.5, 0.3], [0.7, 0.2, 0.1]])
    with pytest.raises(ValueError, match=r"`y_true` class ids must lie in \[0, 3\).*got min 0 and max 3"):
        metrics.MeanIoU(3).update_state([0, 3], [0, 1])
    with pytest.raises(ValueError, match=r"MeanIoU: `num_classes` must be an int >= 2, got 1"):
        metrics.MeanIoU(1)

"""R2Score against scikit-learn: per output, averaged, variance-weighted, weighted samples, adjusted."""

import numpy as np
import pytest
from sklearn.metrics import r2_score

from gradwise import metrics

from .accumulate import accumulate

SIZES = (9, 1, 20)

_SKLEARN_AVERAGE = {None: "raw_values", "uniform_average": "uniform_average",
                    "variance_weighted_average": "variance_weighted"}


@pytest.fixture
def regression(rng):
    y = rng.normal(loc=[3.0, -100.0, 0.0], scale=[1.0, 0.01, 5.0], size=(30, 3))
    p = y + rng.normal(scale=[0.5, 0.02, 1.0], size=(30, 3))
    return y, p, rng.uniform(0.1, 2.0, size=30)


@pytest.mark.parametrize("aggregation", [None, "uniform_average", "variance_weighted_average"])
@pytest.mark.parametrize("weighted", [False, True])
def test_r2_matches_sklearn_over_batches(aggregation, weighted, regression):
    y, p, w = regression
    w = w if weighted else None
    expected = r2_score(y, p, sample_weight=w, multioutput=_SKLEARN_AVERAGE[aggregation])
    result = accumulate(metrics.R2Score(class_aggregation=aggregation), y, p, w, SIZES)
    np.testing.assert_allclose(result, expected, rtol=1e-10)


def test_r2_one_dimensional_targets_and_hand_worked_case(rng):
    metric = metrics.R2Score()
    metric.update_state([1.0, 2.0], [[1.0], [2.0]])
    metric.update_state([3.0], [[4.0]])
    assert metric.result() == pytest.approx(0.5)  # SS_res 1, SS_tot 2
    metric.reset_state()
    assert metric.result() == 0.0


def test_constant_target_follows_sklearn_force_finite():
    y = np.full((4, 1), 2.0)
    assert accumulate(metrics.R2Score(), y, y.copy(), sizes=(2, 2)) == 1.0 == r2_score(y, y)
    assert accumulate(metrics.R2Score(), y, y + 1.0, sizes=(2, 2)) == 0.0 == r2_score(y, y + 1.0)


def test_adjusted_r2(regression):
    y, p, _ = regression
    plain = r2_score(y[:, 0], p[:, 0])
    n, regressors = 30, 4
    metric = metrics.R2Score(num_regressors=regressors)
    assert accumulate(metric, y[:, :1], p[:, :1], sizes=SIZES) == pytest.approx(
        1 - (1 - plain) * (n - 1) / (n - regressors - 1), rel=1e-12)
    too_many = metrics.R2Score(num_regressors=29)
    with pytest.warns(UserWarning, match=r"needs more samples than num_regressors \+ 1 \(30\), got 30"):
        assert accumulate(too_many, y[:, :1], p[:, :1], sizes=SIZES) == pytest.approx(plain, rel=1e-12)


def test_r2_arguments_are_checked():
    with pytest.raises(ValueError, match=r"R2Score: `class_aggregation` must be one of .*got 'mean'"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match=r"R2Score: `num_regressors` must be a non-negative int, got -1"):
        metrics.R2Score(num_regressors=-1)

"""Plain functions f(y_true, y_pred) as metrics, in compile and alone."""

import numpy as np
import pytest

import gradwise as gw
from gradwise import metrics


def max_abs_error(y_true, y_pred):
    return np.abs(y_true - y_pred).max(axis=-1)


def test_function_is_a_weighted_mean_of_its_values(rng):
    y, p, w = rng.normal(size=(10, 3)), rng.normal(size=(10, 3)), rng.uniform(0.5, 2, size=10)
    metric = metrics.get(max_abs_error)
    assert isinstance(metric, metrics.MeanMetricWrapper) and metric.name == "max_abs_error"
    metric.update_state(y[:4], p[:4], w[:4])
    metric.update_state(y[4:], p[4:], w[4:])
    assert metric.result() == pytest.approx(np.average(max_abs_error(y, p), weights=w))


def test_scalar_per_batch_counts_once_per_sample():
    metric = metrics.MeanMetricWrapper(lambda y_true, y_pred: float(np.mean(y_pred)), name="mean_output")
    metric.update_state(np.zeros((1, 1)), np.full((1, 1), 3.0))
    metric.update_state(np.zeros((3, 1)), np.full((3, 1), 1.0))
    assert metric.result() == pytest.approx(1.5)  # (3 + 3 * 1) / 4


def test_wrong_shape_and_non_functions_raise():
    metric = metrics.MeanMetricWrapper(lambda y_true, y_pred: np.zeros(5), name="broken")
    with pytest.raises(ValueError, match=r"metric function 'broken' must return one value per sample \(shape \(3,\)\).*got shape \(5,\)"):
        metric.update_state(np.zeros((3, 1)), np.zeros((3, 1)))
    with pytest.raises(TypeError, match=r"a function f\(y_true, y_pred\), got 3 of type int"):
        metrics.get(3)


def test_fit_logs_function_and_class_metrics(rng):
    x = rng.normal(size=(64, 4))
    y = (x[:, :1] + x[:, 1:2] > 0).astype(float)
    model = gw.Sequential([gw.Input((4,)), gw.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=[max_abs_error, metrics.F1Score(average="micro"), "auc", metrics.R2Score()])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25)
    for key in ("max_abs_error", "f1_score", "auc", "r2_score", "val_max_abs_error", "val_f1_score"):
        assert len(history.history[key]) == 2, key
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    probabilities = model.predict(x, verbose=0)
    assert logs["max_abs_error"] == pytest.approx(np.abs(y - probabilities).max(axis=-1).mean(), rel=1e-5)


def test_saving_a_model_with_a_function_metric_says_what_to_do(tmp_path):
    model = gw.Sequential([gw.Input((3,)), gw.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=[max_abs_error])
    with pytest.raises(TypeError, match=r"The metric function 'max_abs_error' cannot be saved: a model file holds no "
                                        r"code\. Make it a registered Metric.*model.save_weights"):
        model.save(tmp_path / "model.gw")

    class MaxAbsError(metrics.MeanMetric):
        name = "max_abs_error"

        def values(self, y_true, y_pred):
            return max_abs_error(y_true, y_pred)

    try:  # registered by subclassing Metric
        model.compile(optimizer="adam", loss="mse", metrics=[MaxAbsError()])
        model.save(tmp_path / "model.gw")
        assert gw.load_model(tmp_path / "model.gw").metrics_names == ["loss", "max_abs_error"]
    finally:
        gw.registry.unregister("metric", MaxAbsError)

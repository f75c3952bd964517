"""gradwise.plot.history: the PNG is written and the figure holds the expected curves."""

import math

import numpy as np
import pytest

import gradwise as gw
from gradwise import plot
from gradwise.callbacks import History
from gradwise.layers import Dense

LOGS = {
    "loss": [0.9, 0.7, 0.6, 0.55],
    "accuracy": [0.5, 0.6, 0.7, 0.72],
    "val_loss": [1.0, 0.8, 0.75, 0.8],
    "val_accuracy": [0.45, 0.55, 0.6, 0.58],
    "learning_rate": [0.1, 0.1, 0.05, 0.05],
}


def debiased_ema(values, smoothing):
    """Written out independently: m_t = s m_{t-1} + (1 - s) x_t from m = 0, divided by 1 - s^(t+1)."""
    result, average = [], 0.0
    for step, value in enumerate(values):
        average = smoothing * average + (1 - smoothing) * value
        result.append(average / (1 - smoothing ** (step + 1)))
    return result


def _lines(axes):
    return {line.get_label(): line for line in axes.get_lines()}


def test_png_is_written_with_one_panel_per_metric(tmp_path):
    path = tmp_path / "curves.png"
    figure = plot.history(LOGS, path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [axes.get_title() for axes in figure.axes] == ["loss", "accuracy"]  # learning_rate skipped by default


@pytest.mark.parametrize("smoothing", [0.9, 0.5])
def test_each_panel_holds_raw_and_smoothed_training_and_validation_curves(smoothing):
    figure = plot.history(LOGS, smoothing=smoothing)
    for axes, name in zip(figure.axes, ["loss", "accuracy"]):
        lines = _lines(axes)
        assert sorted(lines) == sorted([name, f"{name} (smoothed)", f"val_{name}", f"val_{name} (smoothed)"])
        for key in (name, f"val_{name}"):
            np.testing.assert_array_equal(lines[key].get_xdata(), [1, 2, 3, 4])
            np.testing.assert_array_equal(lines[key].get_ydata(), LOGS[key])
            np.testing.assert_allclose(lines[f"{key} (smoothed)"].get_ydata(), debiased_ema(LOGS[key], smoothing),
                                       rtol=1e-12)
        assert axes.get_xlabel() == "epoch"
        assert [text.get_text() for text in axes.get_legend().get_texts()] == [line.get_label() for line in axes.get_lines()]


def test_smoothing_zero_draws_raw_curves_only():
    figure = plot.history(LOGS, smoothing=0, metrics=["loss"])
    lines = _lines(figure.axes[0])
    assert sorted(lines) == ["loss", "val_loss"]
    np.testing.assert_array_equal(lines["val_loss"].get_ydata(), LOGS["val_loss"])


def test_smooth_starts_at_the_first_value_and_skips_nan():
    np.testing.assert_allclose(plot.smooth([2.0, 4.0], 0.5), [2.0, (0.25 * 2 + 0.5 * 4) / 0.75])
    np.testing.assert_allclose(plot.smooth([2.0, np.nan, 4.0], 0.5), [2.0, 2.0, (0.25 * 2 + 0.5 * 4) / 0.75])


def test_a_history_from_fit_and_chosen_metrics(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 3)), rng.integers(0, 2, 30)
    model = gw.Sequential([Dense(2, activation="softmax", input_shape=(3,))], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, verbose=0, initial_epoch=1, validation_split=0.2)
    assert isinstance(history, History)
    figure = plot.history(history, path=tmp_path / "fit.png", metrics=["learning_rate", "loss"])
    assert [axes.get_title() for axes in figure.axes] == ["learning_rate", "loss"]
    lines = _lines(figure.axes[1])
    np.testing.assert_array_equal(lines["loss"].get_xdata(), [2, 3])  # 1-based epochs of this fit
    np.testing.assert_array_equal(lines["val_loss"].get_ydata(), history.history["val_loss"])
    assert (tmp_path / "fit.png").stat().st_size > 0


def test_plotting_leaves_pyplot_alone():
    import sys

    plot.history(LOGS)
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


@pytest.mark.parametrize("kwargs, error, match", [
    ({"history": {}}, ValueError, "`history` is empty"),
    ({"history": [1, 2]}, TypeError, "`history` must be a History or a dict of lists, got list"),
    ({"history": LOGS, "smoothing": 1.0}, ValueError, r"`smoothing` must be a float in \[0, 1\), got 1\.0"),
    ({"history": LOGS, "metrics": ["auc"]}, ValueError, r"no values for \['auc'\] in the history; available: "),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot.history(**kwargs)


def test_per_class_metrics_get_one_panel_per_class():
    history = {"loss": [1.0, 0.8, 0.7], "f1_score": [np.array([0.2, 0.5]), np.array([0.3, 0.6]), math.nan],
               "val_f1_score": [np.array([0.1, 0.4]), np.array([0.2, 0.5]), math.nan]}
    figure = plot.history(history, smoothing=0)
    titles = [axes.get_title() for axes in figure.axes]
    assert titles == ["loss", "f1_score[0]", "f1_score[1]"]
    lines = {line.get_label(): line.get_ydata() for line in figure.axes[2].lines}
    np.testing.assert_array_equal(lines["f1_score[1]"], [0.5, 0.6, math.nan])
    np.testing.assert_array_equal(lines["val_f1_score[1]"], [0.4, 0.5, math.nan])

"""Learning curves: training and validation loss and metrics, raw and smoothed.

matplotlib is an optional dependency (extra 'tools'), imported when a plot is drawn.
Figures are drawn on matplotlib's Agg canvas without pyplot, so plotting never opens
a window, needs no display and leaves pyplot's global state alone.
"""

import numbers
import os

import numpy as np

_SKIPPED_BY_DEFAULT = ("learning_rate",)


def smooth(values, smoothing=0.9):
    """Bias-corrected exponential moving average, as TensorBoard's debiased smoothing.

    ``m_t = smoothing * m_{t-1} + (1 - smoothing) * x_t`` with ``m_{-1} = 0``, divided by
    ``1 - smoothing ** (t + 1)`` so the first values are not pulled towards zero; the
    first smoothed value is the first raw value. NaN values are skipped (they repeat the
    previous smoothed value) rather than poisoning every value after them.

    Parameters
    ----------
    values : sequence of float
    smoothing : float in [0, 1)
        0 returns the values unchanged.

    Returns
    -------
    ndarray of shape (len(values),)
    """
    _check_smoothing(smoothing)
    values = np.asarray(values, dtype=np.float64)
    result = np.empty_like(values)
    average, weight = 0.0, 0.0
    for index, value in enumerate(values):
        if np.isfinite(value):
            average = smoothing * average + (1 - smoothing) * value
            weight = smoothing * weight + (1 - smoothing)
        result[index] = average / weight if weight else np.nan
    return result


def _check_smoothing(smoothing):
    if isinstance(smoothing, bool) or not isinstance(smoothing, numbers.Real) or not 0 <= smoothing < 1:
        raise ValueError(f"plot.history: `smoothing` must be a float in [0, 1), got {smoothing!r}.")


def _as_dict(history):
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"plot.history: `history` must be a History or a dict of lists, got {type(history).__name__}.")
    if not logs or not any(len(values) for values in logs.values()):
        raise ValueError("plot.history: `history` is empty; train for at least one epoch first.")
    return _per_class_split(logs)


def _per_class_split(logs):
    """Series of per-class values (F1Score(average=None)) as one series per class, 'f1_score[0]', ..."""
    split = {}
    for key, values in logs.items():
        widths = {np.size(value) for value in values if np.ndim(value) == 1}
        if len(widths) != 1:
            split[key] = values
            continue
        width = widths.pop()
        rows = [np.full(width, value, dtype=np.float64) if np.ndim(value) == 0 else np.asarray(value, dtype=np.float64)
                for value in values]  # a scalar (a failed epoch's NaN) fills its row
        for index in range(width):
            split[f"{key}[{index}]"] = [row[index] for row in rows]
    return split


def _chosen_metrics(logs, metrics):
    available = [key for key in logs if not key.startswith("val_")]
    available += [key[4:] for key in logs if key.startswith("val_") and key[4:] not in available]
    if metrics is None:
        return [key for key in available if key not in _SKIPPED_BY_DEFAULT]
    if isinstance(metrics, str):
        metrics = [metrics]
    unknown = [name for name in metrics if name not in available]
    if unknown:
        raise ValueError(f"plot.history: no values for {unknown} in the history; available: {available}.")
    return list(metrics)


def history(history, smoothing=0.9, path=None, metrics=None):
    """Plot each logged quantity against the epoch: one panel per metric.

    Each panel holds the training curve and, when logged, the validation curve
    (``'val_' + name``), each raw (thin, translucent, labelled ``'loss'``,
    ``'val_loss'``) and smoothed with `smooth` (labelled ``'loss (smoothed)'``,
    ``'val_loss (smoothed)'``). With ``smoothing=0`` only the raw curves are drawn.

    Parameters
    ----------
    history : History or dict of str -> list of float
        What ``fit`` returns, or its ``.history``.
    smoothing : float in [0, 1), default 0.9
        Weight of the past in the bias-corrected exponential moving average.
    path : str or path-like, optional
        Where to write the figure as a PNG.
    metrics : list of str, optional
        Names to plot, without 'val_'; by default every logged name but 'learning_rate'.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # optional dependency (extra 'tools')
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    _check_smoothing(smoothing)
    logs = _as_dict(history)
    names = _chosen_metrics(logs, metrics)
    epochs = getattr(history, "epoch", None)
    columns = min(len(names), 2)
    rows = -(-len(names) // columns)
    figure = Figure(figsize=(6 * columns, 4 * rows), layout="constrained")  # laid out when drawn
    FigureCanvasAgg(figure)
    for index, name in enumerate(names):
        axes = figure.add_subplot(rows, columns, index + 1)
        for key, color in ((name, "C0"), (f"val_{name}", "C1")):
            if key in logs and len(logs[key]):
                values = np.asarray(logs[key], dtype=np.float64)
                x = np.asarray(epochs[:len(values)]) + 1 if epochs and len(epochs) >= len(values) else np.arange(1, len(values) + 1)
                _draw(axes, x, values, key, color, smoothing)
        axes.set_title(name)
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend()
        axes.grid(alpha=0.3)
    if path is not None:
        figure.savefig(os.fspath(path), format="png")
    return figure


def _draw(axes, x, values, label, color, smoothing):
    if smoothing == 0:
        axes.plot(x, values, color=color, label=label)
        return
    axes.plot(x, values, color=color, alpha=0.35, linewidth=1, label=label)
    axes.plot(x, smooth(values, smoothing), color=color, linewidth=2, label=f"{label} (smoothed)")

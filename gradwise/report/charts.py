"""The charts the pages share: curves raw and smoothed, per-layer series over training.

Each function returns (html, numbers): the ``<figure>`` and the rows of numbers shown
as text beside it, so what the chart shows can be read, searched and copied.
"""

import numpy as np

from ..plot import smooth
from .page import number
from .svg import figure_html, new_figure

SMOOTHING = 0.6


def _integer_ticks(axis):
    from matplotlib.ticker import MaxNLocator  # optional dependency (extra 'tools')

    axis.xaxis.set_major_locator(MaxNLocator(integer=True))


def _finite(values):
    values = np.asarray(values, dtype=np.float64)
    return values.size and np.isfinite(values).any()


def curves(series, title, ylabel, xlabel="epoch", log=False, smoothing=SMOOTHING):
    """One chart of several named series (dict name -> list), each raw (thin) and smoothed (thick)."""
    series = {name: np.asarray(values, dtype=np.float64) for name, values in series.items() if _finite(values)}
    if not series:
        return "", []
    figure, axis = new_figure()
    for index, (name, values) in enumerate(series.items()):
        steps = np.arange(1, values.size + 1)
        color = f"C{index}"
        if values.size > 2 and smoothing:
            axis.plot(steps, values, color=color, alpha=0.35, linewidth=1, label=f"{name} (raw)")
            axis.plot(steps, smooth(values, smoothing), color=color, linewidth=2, label=f"{name} (smoothed)")
        else:
            axis.plot(steps, values, color=color, linewidth=2, marker="o", markersize=3, label=name)
    if log and all(np.nanmin(values) > 0 for values in series.values()):
        axis.set_yscale("log")
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    axis.grid(alpha=0.3)
    _integer_ticks(axis)
    axis.legend(fontsize=8)
    rows = []
    for name, values in series.items():
        finite = np.flatnonzero(np.isfinite(values))
        best = int(finite[np.argmin(values[finite])]) if "acc" not in name and "r2" not in name else \
            int(finite[np.argmax(values[finite])])
        rows.append([name, number(values[finite[0]]), number(values[finite[-1]]), number(values[best]), best + 1])
    alt = f"{title}: " + "; ".join(f"{row[0]} from {row[1]} to {row[2]}, best {row[3]} at {xlabel} {row[4]}"
                                   for row in rows)
    return figure_html(figure, alt, f"Thin lines: raw values; thick lines: smoothed (EMA {smoothing})."), rows


def layer_series(trace, key, title, ylabel, log=True, kernels_only=False, per_epoch=False):
    """A chart of one measurement per layer over training, from a doctor's Trace."""
    layers = trace.kernel_layers() if kernels_only else [info for info in trace.layers if info.get("params")]
    steps_per_epoch = max(trace.setup.get("steps") or 1, 1)
    lines = {}
    for info in layers:
        name = info["name"]
        if per_epoch:
            values = trace.epoch_layer_series(name, key)
            points = [(epoch + 1, value) for epoch, value in enumerate(values) if np.isfinite(value)]
        else:
            points = [(sample["step"] / steps_per_epoch, sample["layers"][name].get(key)) for sample in trace.samples
                      if name in sample.get("layers", {})]
            points = [(x, v) for x, v in points if v is not None and np.isfinite(v) and (v > 0 or not log)]
        if points:
            lines[name] = points
    if not lines:
        return "", []
    figure, axis = new_figure()
    for name, points in lines.items():
        xs, ys = zip(*points)
        axis.plot(xs, ys, linewidth=1.2, marker="o" if per_epoch else None, markersize=3, label=name)
    if log:
        axis.set_yscale("log")
    if per_epoch:
        _integer_ticks(axis)
    axis.set_xlabel("epoch")
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, ncol=2)
    rows = [[name, number(points[0][1]), number(points[-1][1]), number(min(v for _, v in points)),
             number(max(v for _, v in points))] for name, points in lines.items()]
    alt = f"{title} per layer: " + "; ".join(f"{r[0]} from {r[1]} to {r[2]}" for r in rows)
    return figure_html(figure, alt), rows


LAYER_HEADER = ["layer", "first", "last", "min", "max"]
CURVE_HEADER = ["series", "first", "last", "best", "best at"]

"""The doctor's figure: four panels over training, drawn without pyplot.

Top left, the losses per epoch with a marker where each finding (warning or worse)
appeared; top right, each kernel's gradient norm per sampled batch (log scale); bottom
left, each layer's update-to-weight ratio (log scale); bottom right, the dead fraction
of each hidden ReLU layer (per epoch) and the saturated fraction of each hidden
sigmoid/tanh layer (per sampled batch).
"""

import numpy as np


def _steps_per_epoch(trace):
    return max(trace.setup.get("steps") or 1, 1)


def draw(report, figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # optional dependency (extra 'tools')
    from matplotlib.figure import Figure

    trace = report.trace
    figure = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, 2)
    _losses(axes[0, 0], report)
    _per_layer(axes[0, 1], trace, "grad_norm", "gradient norm (kernel)", kernels_only=True)
    _per_layer(axes[1, 0], trace, "update_ratio", "update / weight ratio ||dw|| / ||w||", kernels_only=False)
    _fractions(axes[1, 1], trace)
    root = report.root_cause
    figure.suptitle("gradwise doctor" + (f": root cause {root.code}" if root is not None else ": no problems found"))
    return figure


def _losses(axis, report):
    trace = report.trace
    epochs = np.arange(1, len(trace.epochs) + 1)
    for key in ("loss", "val_loss"):
        values = trace.epoch_series(key)
        if values.size and np.isfinite(values).any():
            axis.plot(epochs, values, marker="o", markersize=3, label=key)
    for finding in report.findings:
        if finding.rank >= 1 and finding.epoch is not None:
            axis.axvline(finding.epoch + 1, color="tab:red", alpha=0.3, linewidth=1)
            axis.annotate(finding.code, (finding.epoch + 1, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                          va="top", ha="right", fontsize=7, color="tab:red")
    if trace.failure:
        axis.axvline(trace.failure["epoch"] + 1, color="black", linestyle="--", label=f"loss {trace.failure['kind']}")
    axis.set_xlabel("epoch")
    axis.set_ylabel("loss")
    axis.set_yscale("symlog", linthresh=1e-2)
    axis.set_title("loss")
    if axis.get_legend_handles_labels()[0]:
        axis.legend(fontsize=8)


def _per_layer(axis, trace, key, title, kernels_only):
    per_epoch = _steps_per_epoch(trace)
    layers = trace.kernel_layers() if kernels_only else [info for info in trace.layers if info["params"]]
    for info in layers:
        points = [(sample["step"], sample["layers"][info["name"]].get(key)) for sample in trace.samples
                  if info["name"] in sample["layers"]]
        points = [(step, value) for step, value in points if value is not None and np.isfinite(value) and value > 0]
        if points:
            steps, values = zip(*points)
            axis.plot(np.asarray(steps) / per_epoch, values, linewidth=1, label=info["name"])
    axis.set_yscale("log")
    axis.set_xlabel("epoch")
    axis.set_title(title)
    if axis.get_legend_handles_labels()[0]:
        axis.legend(fontsize=7, ncol=2)


def _fractions(axis, trace):
    per_epoch = _steps_per_epoch(trace)
    for info in trace.hidden_layers(("relu",)):
        dead = trace.epoch_layer_series(info["name"], "dead_fraction")
        if np.isfinite(dead).any():
            axis.plot(np.arange(1, dead.size + 1), dead, marker="o", markersize=3, label=f"{info['name']} dead")
    for info in trace.hidden_layers(("sigmoid", "tanh")):
        points = [(sample["step"], sample["layers"][info["name"]].get("saturated_fraction"))
                  for sample in trace.samples if info["name"] in sample["layers"]]
        points = [(step, value) for step, value in points if value is not None]
        if points:
            steps, values = zip(*points)
            axis.plot(np.asarray(steps) / per_epoch, values, linewidth=1, label=f"{info['name']} saturated")
    axis.set_ylim(-0.02, 1.02)
    axis.set_xlabel("epoch")
    axis.set_title("dead (ReLU) and saturated (sigmoid/tanh) fractions")
    if axis.get_legend_handles_labels()[0]:
        axis.legend(fontsize=7)
    else:
        axis.text(0.5, 0.5, "no ReLU, sigmoid or tanh hidden layers", ha="center", va="center",
                  transform=axis.transAxes, fontsize=8)

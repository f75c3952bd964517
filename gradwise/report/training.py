"""The training-run page: model summary, loss and metrics raw and smoothed, the learning rate, the doctor.

    gradwise.report.write_run("run.html", model, history, doctor=doctor)

With a Doctor (the callback, or its report) the page adds per-layer gradient norms,
update ratios, dead and saturated fractions over time, every finding with its evidence
and remedy as code, and the repairs before and after.
"""

from ..models.summary import summary_table
from . import charts
from .findings import as_dict, findings_html, repairs_html
from .page import Page, code, number, pairs, paragraph, table
from .svg import default_style


def _logs(history):
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"write_run: `history` must be a History (what fit returns) or a dict of lists, got "
                        f"{type(history).__name__}.")
    return {key: list(values) for key, values in logs.items()}


def _metric_names(logs):
    names = [key for key in logs if not key.startswith("val_") and key not in ("loss", "learning_rate", "lr")]
    return names


def training_page(model, history, doctor=None, refresh=None, title=None):
    """A Page for one training run (see ``write_run``)."""
    logs = _logs(history)
    epochs = max((len(values) for values in logs.values()), default=0)
    name = getattr(model, "name", type(model).__name__)
    state = "training — this page reloads itself every few seconds" if refresh else "finished"
    page = Page(title or f"Training run: {name}", f"{epochs} epoch(s), {state}.", refresh=refresh)
    last = [(key, number(values[-1])) for key, values in logs.items() if values]
    if "val_loss" in logs and logs["val_loss"]:
        values = logs["val_loss"]
        best = min(range(len(values)), key=lambda i: values[i] if values[i] == values[i] else float("inf"))
        last.append(("best val_loss", f"{number(values[best])} at epoch {best + 1}"))
    page.section("Summary", paragraph("Values at the last epoch:") if last else paragraph("No epoch finished yet."),
                 pairs(last) if last else "")
    try:
        page.section("Model", code(summary_table(model)))
    except (AttributeError, ValueError, TypeError):
        page.section("Model", paragraph(f"{name}: no layer summary (the model is not built)."))
    parts = []
    loss_chart, loss_rows = charts.curves({k: logs[k] for k in ("loss", "val_loss") if k in logs}, "Loss", "loss")
    parts += [loss_chart, table(charts.CURVE_HEADER, loss_rows, numeric=(1, 2, 3, 4)) if loss_rows else ""]
    for metric in _metric_names(logs):
        chart, rows = charts.curves({k: logs[k] for k in (metric, "val_" + metric) if k in logs}, metric, metric)
        parts += [chart, table(charts.CURVE_HEADER, rows, numeric=(1, 2, 3, 4)) if rows else ""]
    page.section("Loss and metrics", *parts)
    rate_key = "learning_rate" if "learning_rate" in logs else "lr" if "lr" in logs else None
    if rate_key:
        chart, rows = charts.curves({rate_key: logs[rate_key]}, "Learning rate", "learning rate", log=True, smoothing=0)
        page.section("Learning rate", chart, table(charts.CURVE_HEADER, rows, numeric=(1, 2, 3, 4)) if rows else "")
    if doctor is not None:
        add_doctor_sections(page, doctor)
    return page


def add_doctor_sections(page, doctor):
    """Per-layer series from the doctor's trace, its findings, and its repairs."""
    trace = getattr(getattr(doctor, "report", doctor), "trace", None)
    if trace is not None and (trace.samples or trace.epochs):
        parts = []
        for key, title, ylabel, kwargs in (
                ("grad_norm", "Gradient norm (kernel)", "||grad||", {"kernels_only": True}),
                ("update_ratio", "Update / weight ratio", "||dw|| / ||w||", {}),
                ("dead_fraction", "Dead ReLU units", "fraction", {"log": False, "per_epoch": True}),
                ("saturated_fraction", "Saturated units", "fraction", {"log": False, "per_epoch": True})):
            chart, rows = charts.layer_series(trace, key, title, ylabel, **kwargs)
            if chart:
                parts += [f"<h3>{title}</h3>", chart, table(charts.LAYER_HEADER, rows, numeric=(1, 2, 3, 4))]
        page.section("Per-layer measurements (doctor)", *(parts or [paragraph("The doctor sampled no batch.")]))
    page.section("Doctor's findings", findings_html(doctor))
    report = as_dict(doctor)
    if report.get("repairs") or report.get("after") is not None:
        page.section("Repairs, before and after", repairs_html(report))


def write_run(path, model, history, doctor=None, refresh=None):
    """Write the training-run page to `path` (one self-contained HTML file); returns its size in bytes.

    Parameters
    ----------
    path : str
    model : Sequential (or any model with ``layers``)
    history : History or dict of lists
        What ``fit`` returned (``history.history``).
    doctor : Doctor or doctor Report, optional
        Adds per-layer gradient norms, update ratios, dead and saturated fractions over
        training, the findings with evidence and remedies, the repairs before and after.
    refresh : int, optional
        Seconds after which the page reloads itself (while training runs).
    """
    if not isinstance(path, (str, bytes)) and not hasattr(path, "__fspath__"):
        raise TypeError(f"write_run: `path` must be a file path, got {type(path).__name__}.")
    with default_style():
        page = training_page(model, history, doctor, refresh)
    return page.write(path)

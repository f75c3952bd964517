"""The diagnosis page of ``gradwise doctor --report PATH``: findings, the probe's curves, the learning-rate test.

    write_diagnosis("diagnosis.html", report, lr_finder=find_learning_rate(model, x, y))

`report` is the doctor's Report (from ``diagnose``); `lr_finder` an ``LRFinderResult``:
its curve (loss against the learning rate, raw and smoothed, the suggestion marked) and
its numbers appear on the page.
"""

import numpy as np

from . import charts
from .page import Page, number, pairs, paragraph, table
from .svg import default_style, figure_html, new_figure
from .training import add_doctor_sections


def lr_finder_html(result):
    figure, axis = new_figure(6.4, 3.8)
    rates = np.asarray(result.learning_rates, dtype=np.float64)
    axis.plot(rates, result.losses, color="0.7", linewidth=0.8, label="batch loss")
    axis.plot(rates, result.smoothed, color="C0", linewidth=2, label="smoothed loss")
    if result.suggestion is not None:
        axis.axvline(result.suggestion, color="C3", linestyle="--", label=f"suggestion: {result.suggestion:.3g}")
    axis.set_xscale("log")
    axis.set_xlabel(f"learning rate ({result.optimizer})")
    axis.set_ylabel("loss")
    axis.set_title("Learning-rate range test")
    finite = np.asarray(result.smoothed, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size:
        low = float(np.nanmin(np.where(np.isfinite(result.losses), result.losses, np.nan)))
        axis.set_ylim(min(low, float(finite.min())) * 0.95, min(float(finite.max()), 4 * float(finite.min())) * 1.05)
    axis.legend(fontsize=8)
    suggestion = "none (the curve is too short)" if result.suggestion is None else f"{result.suggestion:.3g}"
    lowest = int(np.nanargmin(result.smoothed)) if finite.size else None
    alt = (f"Learning-rate range test: loss against the learning rate from {rates[0]:.3g} to {rates[-1]:.3g}; "
           f"suggested learning rate {suggestion}")
    items = [("suggested learning rate", suggestion), ("rule", result.rule), ("optimizer", result.optimizer),
             ("batches", len(result.losses)), ("rates tried", f"{rates[0]:.3g} to {rates[-1]:.3g}"),
             ("stopped because", "the loss diverged" if result.diverged else "the sweep ended")]
    if lowest is not None:
        items.append(("lowest smoothed loss", f"{number(float(result.smoothed[lowest]))} at {rates[lowest]:.3g}"))
    return figure_html(figure, alt) + pairs([(k, str(v)) for k, v in items])


def diagnosis_page(report=None, lr_finder=None, title="gradwise doctor", lead=None):
    page = Page(title, lead)
    if report is not None:
        root = report.root_cause
        counts = {}
        for finding in report.findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        summary = [("findings", ", ".join(f"{n} {s}" for s, n in counts.items()) or "none"),
                   ("root cause", f"{root.code} ({root.where()})" if root is not None else "none")]
        if report.overhead is not None:
            summary.append(("instrument overhead", f"{100 * report.overhead:.1f}% of training time"))
        page.section("Summary", pairs(summary), *[paragraph(note) for note in report.notes])
        trace = report.trace
        series = {key: trace.epoch_series(key) for key in ("loss", "val_loss")}
        chart, rows = charts.curves(series, "Probe training: loss", "loss")
        if chart:
            page.section("Probe training", chart, table(charts.CURVE_HEADER, rows, numeric=(1, 2, 3, 4)))
        add_doctor_sections(page, report)
    if lr_finder is not None:
        page.section("Learning-rate finder", lr_finder_html(lr_finder))
    return page


def write_diagnosis(path, report=None, lr_finder=None, title="gradwise doctor", lead=None):
    """Write the diagnosis page to `path`; returns its size in bytes. Needs a report, a range test or both."""
    if report is None and lr_finder is None:
        raise ValueError("write_diagnosis: pass a doctor `report`, an `lr_finder` result, or both.")
    with default_style():
        page = diagnosis_page(report, lr_finder, title, lead)
    return page.write(path)

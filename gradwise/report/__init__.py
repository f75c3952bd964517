"""Single-file HTML reports: a search (``gradwise tune``), a training run, a diagnosis.

- ``write_run(path, model, history, doctor=None)``: a training run's page; the callback
  ``HTMLReport(path)`` (also ``gradwise.callbacks.HTMLReport``) rewrites it every epoch;
- ``write_search(run_folder)``: ``runs/NAME/report.html`` from the stored study
  (``gradwise report runs/NAME`` on the command line; ``gradwise tune`` writes it);
- ``write_diagnosis(path, report, lr_finder=None)``: the page of ``gradwise doctor --report``.

Each page is one file with its charts as inline SVG: it opens offline, prints on A4,
and states its numbers as text beside the charts.
"""

from .callback import HTMLReport
from .training import write_run

__all__ = ["write_run", "HTMLReport"]

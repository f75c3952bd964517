"""The training doctor: name what goes wrong in training, show the evidence, apply the remedy.

Three ways to use it:

- ``model.fit(..., callbacks=[Doctor()])``: findings printed as they happen and
  collected in ``doctor.report``;
- ``diagnose(model, x, y)``: a short probe training on a copy of the model, returning a
  Report (``text()``, ``to_dict()``, ``figure()``);
- ``find_learning_rate(model, x, y)``: the learning-rate range test on a copy of the
  model: the suggested rate, the curve and a figure;
- ``Doctor(repair=True)`` or ``diagnose(..., repair=True)``: apply the top remedies,
  retrain, and report before and after.

Finding codes: see ``CODES``. Each detector module in ``gradwise.doctor.detectors``
documents its rules and where its thresholds come from.
"""

from .callback import Doctor
from .diagnose import diagnose
from .findings import CODES, SEVERITIES, Finding, Remedy
from .lr_finder import LRFinderResult, find_learning_rate
from .report import Report
from .trace import Trace

__all__ = ["Doctor", "diagnose", "find_learning_rate", "LRFinderResult", "Report", "Finding", "Remedy", "Trace",
           "CODES", "SEVERITIES"]

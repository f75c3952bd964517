"""Report: findings ordered by severity, the root cause marked, as text, JSON or a figure.

Root cause. Problems come in chains: a learning rate that is too high kills ReLU units
and ends in NaN; unscaled inputs saturate sigmoid units, whose gradients then vanish.
``CAUSES`` lists which problems commonly produce which. A finding is a *symptom* when
a finding that can cause it was seen before it (earlier batch; at the same batch the
more basic problem, by ``PRIORITY``, wins), or, whenever it was seen, when it is dead
ReLU units in a layer that an UNDERFITTING finding names too narrow; the root cause is
the earliest finding that no other finding explains. The text says which came first.
"""

import json

import numpy as np

from ._format import fmt
from .findings import SEVERITIES, severity_rank

CAUSES = {
    "LOSS_ACTIVATION_MISMATCH": {"PLATEAU", "UNDERFITTING", "SATURATION", "VANISHING_GRADIENT", "LR_TOO_HIGH",
                                 "NAN_INF", "EXPLODING_GRADIENT", "DYING_RELU"},
    "UNNORMALIZED_INPUT": {"SATURATION", "NAN_INF", "EXPLODING_GRADIENT", "DYING_RELU", "LR_TOO_HIGH", "PLATEAU",
                           "UNDERFITTING", "VANISHING_GRADIENT"},
    "BAD_INITIALIZATION": {"VANISHING_GRADIENT", "EXPLODING_GRADIENT", "SATURATION", "DYING_RELU", "PLATEAU",
                           "UNDERFITTING", "NAN_INF", "LR_TOO_HIGH", "LR_TOO_LOW"},
    "LR_TOO_HIGH": {"NAN_INF", "EXPLODING_GRADIENT", "DYING_RELU", "SATURATION", "PLATEAU", "UNDERFITTING"},
    "EXPLODING_GRADIENT": {"NAN_INF", "DYING_RELU", "LR_TOO_HIGH", "SATURATION", "PLATEAU", "UNDERFITTING"},
    "VANISHING_GRADIENT": {"PLATEAU", "UNDERFITTING", "LR_TOO_LOW"},
    "SATURATION": {"VANISHING_GRADIENT", "PLATEAU", "UNDERFITTING", "LR_TOO_LOW"},
    "DYING_RELU": {"PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"},
    "LR_TOO_LOW": {"PLATEAU", "UNDERFITTING"},
}
PRIORITY = ("LOSS_ACTIVATION_MISMATCH", "UNNORMALIZED_INPUT", "BAD_INITIALIZATION", "LR_TOO_HIGH",
            "EXPLODING_GRADIENT", "LR_TOO_LOW", "SATURATION", "VANISHING_GRADIENT", "DYING_RELU", "NAN_INF",
            "PLATEAU", "UNDERFITTING", "OVERFITTING")


def _order(finding):
    # LR_TOO_HIGH is read from a batch's update, which comes after that batch's gradients and
    # activations: at the same step, what the forward/backward pass showed came first.
    return (finding.step, finding.code == "LR_TOO_HIGH", PRIORITY.index(finding.code))


def _too_narrow(symptom, finding):
    """True when `symptom` is dead ReLU units in a layer that `finding` (UNDERFITTING) names as too
    narrow: with one or two units the layer's width, not the units' death, is the fault
    (``detectors/progress.py``), whichever was seen first."""
    return (symptom.code == "DYING_RELU" and finding.code == "UNDERFITTING"
            and symptom.layer in finding.evidence.get("narrow_layers", ()))


def mark_root_cause(findings, min_severity="warning"):
    """Set ``caused_by`` on symptoms and ``root_cause`` on one finding; returns the root cause or None."""
    floor = severity_rank(min_severity)
    serious = [finding for finding in findings if finding.rank >= floor]
    for finding in findings:
        finding.root_cause = False
        finding.caused_by = sorted({other.code for other in serious if other is not finding
                                    and (finding.code in CAUSES.get(other.code, ()) and _order(other) < _order(finding)
                                         and not _too_narrow(other, finding) or _too_narrow(finding, other))},
                                   key=PRIORITY.index)
    candidates = [finding for finding in serious if not finding.caused_by]
    if not candidates:
        return None
    root = min(candidates, key=_order)
    root.root_cause = True
    return root


class Report:
    """What the doctor found in one training run.

    Attributes
    ----------
    findings : list of Finding
        Most severe first; equal severities in the order they appeared.
    root_cause : Finding or None
    trace : Trace
        The raw measurements (for plots and further analysis).
    repairs : list of dict
        With ``repair=True``: every change applied, with the code it stands for.
    before, after : dict or None
        With ``repair=True``: findings and validation score before and after the repairs.
    repaired_model : Sequential or None
    repaired_report : Report or None
        With ``repair=True``: the diagnosis of the repaired run (its findings and figure).
    overhead : float or None
        Share of training time the instruments took.
    """

    def __init__(self, findings, trace, repairs=None, before=None, after=None, repaired_model=None, overhead=None,
                 notes=None):
        self.trace = trace
        self.root_cause = mark_root_cause(findings)
        self.findings = sorted(findings, key=lambda item: (-item.rank, item.step, PRIORITY.index(item.code)))
        self.repairs = list(repairs or [])
        self.before, self.after = before, after
        self.repaired_model = repaired_model
        self.repaired_report = None
        self.preparation = None
        self.overhead = overhead
        self.notes = list(notes or [])

    def codes(self, min_severity="warning"):
        """The set of finding codes at or above `min_severity`."""
        floor = severity_rank(min_severity)
        return {finding.code for finding in self.findings if finding.rank >= floor}

    def has(self, code, min_severity="warning"):
        return code in self.codes(min_severity)

    def __len__(self):
        return len(self.findings)

    def __iter__(self):
        return iter(self.findings)

    # ----- text ---------------------------------------------------------------------------
    def text(self):
        """The report as plain text: a summary line, each finding with its evidence and remedies."""
        lines = []
        serious = [finding for finding in self.findings if finding.rank >= 1]
        if not self.findings:
            lines.append("gradwise doctor: no problems found.")
        else:
            counts = ", ".join(f"{sum(f.severity == s for f in self.findings)} {s}" for s in reversed(SEVERITIES)
                               if any(f.severity == s for f in self.findings))
            lines.append(f"gradwise doctor: {len(self.findings)} finding(s) ({counts}).")
        if self.root_cause is not None:
            root = self.root_cause
            after = [finding.code for finding in serious if root.code in finding.caused_by]
            line = f"Root cause: {root.code} ({root.where()})"
            if after:
                line += f"; it came first, and {', '.join(after)} followed from it"
            lines.append(line + ".")
        for finding in self.findings:
            lines.append("")
            marker = " [root cause]" if finding.root_cause else ""
            lines.append(f"[{finding.severity.upper()}] {finding.code}{marker}: {finding.title}")
            lines.append(f"  where: {finding.where()}")
            if finding.caused_by:
                lines.append(f"  probably a consequence of: {', '.join(finding.caused_by)} (seen earlier)")
            lines.append(f"  why: {finding.explanation}")
            evidence = ", ".join(f"{key}={_short(value)}" for key, value in finding.evidence.items()
                                 if value is not None)
            lines.append(f"  evidence: {evidence}")
            for rank, remedy in enumerate(finding.remedies, 1):
                lines.append(f"  fix {rank}: {remedy.description}")
                lines.append(f"         {remedy.code}")
        if self.repairs:
            lines.append("")
            lines.append("Repairs applied (each is the code change it stands for):")
            for repair in self.repairs:
                undone = "" if repair.get("kept", True) else " (undone: it scored worse on validation)"
                lines.append(f"  - round {repair.get('round', 1)}, for {repair['finding']}: {repair['description']}"
                             + undone)
                lines.append(f"      {repair['code']}")
        if self.before is not None and self.after is not None:
            lines.append("")
            lines.append(_before_after(self.before, self.after))
        if self.overhead is not None:
            lines.append("")
            lines.append(f"Instrument overhead: {fmt(100 * self.overhead)}% of training time.")
        for note in self.notes:
            lines.append(note)
        return "\n".join(lines)

    def __str__(self):
        return self.text()

    def __repr__(self):
        return f"<Report {sorted(self.codes('info'))} root_cause={getattr(self.root_cause, 'code', None)}>"

    # ----- data ---------------------------------------------------------------------------
    def to_dict(self, include_trace=False):
        """A JSON-ready dict (``json.dumps(report.to_dict())`` works)."""
        from .findings import _plain

        result = {
            "findings": [finding.to_dict() for finding in self.findings],
            "root_cause": None if self.root_cause is None else self.root_cause.code,
            "repairs": _plain(self.repairs), "before": _plain(self.before), "after": _plain(self.after),
            "overhead": self.overhead, "notes": list(self.notes),
        }
        if self.repaired_report is not None:
            result["after_findings"] = [finding.to_dict() for finding in self.repaired_report.findings]
        if include_trace:
            result["trace"] = self.trace.to_dict()
        return result

    def to_json(self, **kwargs):
        return json.dumps(self.to_dict(), **kwargs)

    # ----- figure -------------------------------------------------------------------------
    def figure(self, figsize=(11, 7)):
        """A matplotlib Figure: losses, per-layer gradient norms, update ratios and dead/saturated fractions.

        matplotlib is imported here (optional dependency, extra 'tools'); the figure is
        drawn on the Agg canvas, so no window opens. Save it with ``fig.savefig(path)``.
        """
        from .figure import draw

        return draw(self, figsize)


def _short(value):
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_short(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_short(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (np.floating,)):
        return fmt(float(value))
    return str(value)


def _before_after(before, after):
    lines = ["Before and after the repairs:"]
    lines.append(f"  findings before: {', '.join(before.get('codes') or []) or 'none'}")
    lines.append(f"  findings after:  {', '.join(after.get('codes') or []) or 'none'}")
    for key in ("val_accuracy", "val_loss", "val_r2"):
        if before.get(key) is not None or after.get(key) is not None:
            lines.append(f"  {key}: {fmt(before.get(key))} -> {fmt(after.get(key))}")
    for code, evidence in (after.get("evidence") or {}).items():
        lines.append(f"  {code} after: {evidence}")
    original = after.get("original") or {}
    if original.get("note"):
        lines.append(f"  {'Kept the original: ' if original.get('kept') else ''}{original['note']}.")
    return "\n".join(lines)

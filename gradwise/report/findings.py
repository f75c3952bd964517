"""The doctor's findings as HTML: each with where, why, its evidence as numbers and its remedies as code.

Shared by every page that shows a diagnosis (a training run, ``gradwise doctor``, a
tuned run's best model). Accepts a doctor ``Report`` or its ``to_dict()`` (what a run
folder stores), so a page can be rebuilt without the objects.
"""

from .page import code, escape, number, paragraph, table


def as_dict(report):
    """A Report, a Doctor callback or a dict from ``Report.to_dict()`` as that dict."""
    report = getattr(report, "report", report)  # a Doctor callback holds its report
    return report if isinstance(report, dict) else report.to_dict()


def _value(value):
    if isinstance(value, float):
        return number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value[:12]) + (", …" if len(value) > 12 else "") + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_value(item)}" for key, item in value.items()) + "}"
    return str(value)


def finding_html(finding):
    marker = " — root cause" if finding.get("root_cause") else ""
    parts = [f"<article class=\"finding {escape(finding['severity'])}\"><h3><span class=\"severity\">"
             f"{escape(finding['severity'])}</span> {escape(finding['code'])}{marker}: {escape(finding['title'])}</h3>",
             paragraph(f"Where: {finding.get('where') or 'before training'}.")]
    if finding.get("caused_by"):
        parts.append(paragraph(f"Probably a consequence of {', '.join(finding['caused_by'])} (seen earlier)."))
    parts.append(paragraph(f"Why: {finding.get('explanation', '')}"))
    evidence = [(key, _value(value)) for key, value in (finding.get("evidence") or {}).items() if value is not None]
    if evidence:
        parts.append(table(["evidence", "value"], evidence, numeric=(1,)))
    for rank, remedy in enumerate(finding.get("remedies") or [], 1):
        parts.append(paragraph(f"Fix {rank}: {remedy['description']}"))
        parts.append(code(remedy["code"]))
    return "".join(parts) + "</article>"


def findings_html(report, min_rank_shown=0):
    """The summary line, the root cause, then every finding (most severe first)."""
    report = as_dict(report)
    findings = report.get("findings") or []
    if not findings:
        return paragraph("The doctor found no problems.")
    counts = {}
    for finding in findings:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    summary = ", ".join(f"{count} {severity}" for severity, count in counts.items())
    lead = f"{len(findings)} finding(s): {summary}."
    if report.get("root_cause"):
        lead += f" Root cause: {report['root_cause']}."
    return paragraph(lead) + "".join(finding_html(finding) for finding in findings)


def repairs_html(report):
    """Repairs applied (each the code it stands for) and the findings and scores before and after."""
    report = as_dict(report)
    parts = []
    repairs = report.get("repairs") or []
    if repairs:
        rows = [[repair.get("round", 1), repair.get("finding", ""), repair.get("description", ""), repair.get("code", ""),
                 "kept" if repair.get("kept", True) else "undone (worse on validation)"] for repair in repairs]
        parts.append(table(["round", "for", "change", "code", "outcome"], rows))
    before, after = report.get("before"), report.get("after")
    if before is not None and after is not None:
        rows = [["findings", ", ".join(before.get("codes") or []) or "none", ", ".join(after.get("codes") or []) or "none"]]
        for key in ("val_loss", "val_accuracy", "val_r2"):
            if before.get(key) is not None or after.get(key) is not None:
                rows.append([key, number(before.get(key)), number(after.get(key))])
        parts.append(table(["", "before", "after"], rows))
        note = (after.get("original") or {}).get("note")
        if note:
            parts.append(paragraph(note + "."))
    return "".join(parts)

"""Scores of the fault suite: precision and recall per code, false alarms, repairs, overhead."""

from gradwise.doctor import CODES


def summarize(results, timing=None):
    faulty = [item for item in results if item["expected"] is not None]
    healthy = [item for item in results if item["expected"] is None]
    per_code = {}
    for code in CODES:
        expected = [item for item in faulty if item["expected"] == code]
        reported = [item for item in results if code in item["codes"]]
        correct = [item for item in reported if item["expected"] is not None
                   and (item["expected"] == code or code in item["accept"])]
        per_code[code] = {
            "cases": len(expected), "found": sum(code in item["codes"] for item in expected),
            "reported": len(reported), "correct": len(correct),
            "recall": sum(code in item["codes"] for item in expected) / len(expected) if expected else None,
            "precision": len(correct) / len(reported) if reported else None,
        }
    found = sum(item["expected"] in item["codes"] for item in faulty)
    repaired = [item for item in faulty if "repair_success" in item]
    summary = {
        "faulty_cases": len(faulty), "healthy_cases": len(healthy), "per_code": per_code,
        "recall": found / len(faulty) if faulty else None,
        "missed": [item["name"] for item in faulty if item["expected"] not in item["codes"]],
        "false_alarms": sum(len(item["codes"]) for item in healthy),
        "false_alarm_cases": {item["name"]: item["codes"] for item in healthy if item["codes"]},
        "unexpected": {item["name"]: [code for code in item["codes"] if code != item["expected"]
                                      and code not in item["accept"]] for item in faulty},
        "root_cause_accuracy": (sum(item["root_cause"] in (item["root"] or [item["expected"]]) for item in faulty)
                                / len(faulty) if faulty else None),
        "root_cause_misses": {item["name"]: item["root_cause"] for item in faulty
                              if item["root_cause"] not in (item["root"] or [item["expected"]])},
        "repair_success": sum(item["repair_success"] for item in repaired) / len(repaired) if repaired else None,
        "repair_failed": [item["name"] for item in repaired if not item["repair_success"]],
        "never_worse": sum(item["never_worse"] for item in repaired) if repaired else None,
        "worse": [item["name"] for item in repaired if not item["never_worse"]],
        "repaired_cases": len(repaired),
        "healthy_repaired": [item["name"] for item in healthy if item.get("healthy_repairs")],
        "healthy_checked": sum("healthy_repairs" in item for item in healthy),
        "overhead": timing,
    }
    summary["unexpected"] = {name: codes for name, codes in summary["unexpected"].items() if codes}
    precisions = [value["precision"] for value in per_code.values() if value["precision"] is not None]
    summary["mean_precision"] = sum(precisions) / len(precisions) if precisions else None
    return summary


def render_overhead(timing, markdown=False):
    """The overhead table: A/B, A/A control, self-measured; CPU seconds without the doctor."""
    rows = [(name, f"{run['seconds']:.2f}", f"{100 * run['ab']:+.1f}%", f"{100 * run['aa']:+.1f}%",
             f"{100 * run['self']:.1f}%", f"{run['one_off_ms']:.1f}") for name, run in timing["runs"].items()]
    header = ("set-up", "CPU s without", "A/B overhead", "A/A noise", "self-measured", "of which once per fit (ms)")
    summary = (f"Doctor() overhead (default sampling, median of {timing['repeats']} runs): A/B median "
               f"{100 * timing['median']:+.1f}%, max {100 * timing['max']:+.1f}%; self-measured median "
               f"{100 * timing['self_median']:.1f}%, max {100 * timing['self_max']:.1f}%")
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        lines = [f"{header[0]:42s} " + " ".join(f"{item:>15s}" for item in header[1:])]
        lines += [f"{row[0]:42s} " + " ".join(f"{item:>15s}" for item in row[1:]) for row in rows]
    return lines + ["", summary]


def _pct(value):
    return "n/a" if value is None else f"{100 * value:.0f}%"


def render(summary, markdown=False):
    lines = []
    if markdown:
        lines += ["| finding code | cases | recall | reported | precision |", "| --- | ---: | ---: | ---: | ---: |"]
        for code, row in summary["per_code"].items():
            lines.append(f"| `{code}` | {row['cases']} | {_pct(row['recall'])} | {row['reported']} | "
                         f"{_pct(row['precision'])} |")
    else:
        lines.append(f"{'finding code':26s} {'cases':>5s} {'recall':>7s} {'reported':>8s} {'precision':>9s}")
        for code, row in summary["per_code"].items():
            lines.append(f"{code:26s} {row['cases']:5d} {_pct(row['recall']):>7s} {row['reported']:8d} "
                         f"{_pct(row['precision']):>9s}")
    lines.append("")
    lines.append(f"faulty cases: {summary['faulty_cases']}, overall recall {_pct(summary['recall'])}"
                 + (f" (missed: {', '.join(summary['missed'])})" if summary["missed"] else ""))
    lines.append(f"mean precision over codes: {_pct(summary['mean_precision'])}")
    lines.append(f"healthy cases: {summary['healthy_cases']}, false alarms (warning or worse): "
                 f"{summary['false_alarms']}"
                 + (f" {summary['false_alarm_cases']}" if summary["false_alarm_cases"] else ""))
    lines.append(f"root cause = injected fault: {_pct(summary['root_cause_accuracy'])}"
                 + (f" (other roots: {summary['root_cause_misses']})" if summary["root_cause_misses"] else ""))
    lines.append(f"repair success (problem gone and validation improved): {_pct(summary['repair_success'])}"
                 + (f" (failed: {', '.join(summary['repair_failed'])})" if summary["repair_failed"] else ""))
    if summary.get("never_worse") is not None:
        lines.append(f"never worse (the model handed back scores no worse on validation than the original): "
                     f"{summary['never_worse']} of {summary['repaired_cases']}"
                     + (f" (worse: {', '.join(summary['worse'])})" if summary["worse"] else ""))
    if summary.get("healthy_checked"):
        lines.append(f"healthy set-ups with a repair applied: "
                     f"{len(summary['healthy_repaired'])} of {summary['healthy_checked']}"
                     + (f" ({', '.join(summary['healthy_repaired'])})" if summary["healthy_repaired"] else ""))
    if summary["unexpected"]:
        lines.append(f"codes outside a case's accepted set: {summary['unexpected']}")
    timing = summary.get("overhead")
    if timing:
        lines.append("")
        lines += render_overhead(timing, markdown)
    lines.append(f"suite time: {summary.get('seconds', 0):.0f} s")
    return "\n".join(lines)

"""Markdown tables from results JSON files.

    python -m bench.report bench/results/RUN.json [MORE_RUNS.json ...]

Renders the first run in full; with several runs, adds a table of each run's epoch-time
medians and ratios side by side, to show how much they move on a shared machine.
"""

import json
import sys
from pathlib import Path

from . import goals, summary


def _seconds(value):
    if value is None:
        return "—"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.2f} ms"
    return f"{value:.2f} s"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _machine(results):
    meta = results["meta"]
    start, end = meta.get("load_average_start"), meta.get("load_average_end")
    load = f"{start[0]:.1f} at start, {end[0]:.1f} at end" if start and end else "—"
    return "\n".join([
        f"- CPU: {meta['cpu_model']}, {meta['cpu_count']} cores; threads per tool: {meta['threads']}, "
        f"each tool's process pinned to CPU(s) {meta.get('pinned_cpus')}",
        f"- Python {meta['python']}, {meta['platform']}; run started {meta['started']}"
        f"{' (QUICK MODE: small data, few epochs)' if meta.get('quick') else ''}",
        f"- 1-minute load average: {load}; gradwise commit {str(meta.get('git_commit'))[:10]}, engine source "
        f"hash {meta.get('engine_hash_start')}"
        + ("" if meta.get("engine_hash_start") == meta.get("engine_hash_end")
           else f" at start, {meta.get('engine_hash_end')} at end (the engine changed during the run)"),
    ])


def _versions(results):
    versions = {}
    for workload in results["workloads"].values():
        for record in workload.get("tools", {}).values():
            versions.update(record.get("versions", {}))
    return ", ".join(f"{name} {version}" for name, version in sorted(versions.items()) if name != "backend")


def _peak(results):
    peak = results.get("peak", {})
    if not peak.get("peak_gflops"):
        return "Matrix-multiply peak: not measured."
    lines = [f"Matrix-multiply peak (float32, median GFLOP/s of square products): **{peak['peak_gflops']:.1f} GFLOP/s**"
             " (the higher of the measurements before and after the workloads)."]
    for when in ("before", "after"):
        entry = peak.get(when, {})
        numpy_rates = ", ".join(f"n={n}: {r['median']:.1f}" for n, r in entry.get("numpy", {}).items())
        torch_rates = ", ".join(f"n={n}: {r['median']:.1f}" for n, r in entry.get("torch", {}).items())
        shapes = ", ".join(f"{name}: {r['median']:.1f}" for name, r in entry.get("step_shapes", {}).items())
        lines.append(f"- {when}: np.matmul {numpy_rates}" + (f"; torch.mm {torch_rates}" if torch_rates else "")
                     + (f"; np.matmul at step shapes {shapes}" if shapes else ""))
    return "\n".join(lines)


def _workload(key, workload, with_throughput):
    title = f"### {workload['title']}"
    if workload.get("status") != "ok":
        return f"{title}\n\n{workload.get('reason', 'not available')}"
    header = ["tool", "dtype", "epoch time (median)", "spread (min–max)", "gradwise ÷ tool", "tool ÷ gradwise",
              "tool ÷ gradwise, best runs",
              "accuracy (median, min–max)", "peak RSS", "cores used"]
    if with_throughput:
        header += ["samples/s", "GFLOP/s", "of peak"]
    rows = []
    for name, record in workload["tools"].items():
        if record.get("status") != "ok":
            rows.append([name, f"{record.get('status')}: {record.get('reason', '')}"[:120]] + [""] * (len(header) - 2))
            continue
        seconds, accuracy = record["epoch_seconds"], record["accuracy"]
        row = [name, record["dtype"], _seconds(seconds["median"]),
               f"{_seconds(seconds['min'])} – {_seconds(seconds['max'])}",
               f"{record.get('gradwise_over_tool', float('nan')):.2f}", f"{record.get('tool_over_gradwise', float('nan')):.2f}",
               f"{record.get('tool_over_gradwise_best', float('nan')):.2f}",
               f"{accuracy['median']:.3f} ({accuracy['min']:.3f}–{accuracy['max']:.3f})",
               f"{record['peak_rss_mb']:.0f} MB", f"{record.get('cores_used', float('nan')):.2f}"]
        if with_throughput:
            fraction = record.get("fraction_of_peak")
            row += [f"{record['samples_per_second']:.0f}", f"{record['gflops']:.1f}",
                    "—" if fraction is None else f"{fraction:.0%}"]
        rows.append(row)
    facts = (f"{workload['epochs']} timed epochs after 1 warm-up, {workload['repeats']} repeats, batch "
             f"{workload['batch_size']}, {workload['optimizer']} lr {workload['learning_rate']:g}; "
             f"accuracy on the {next(iter(workload['tools'].values())).get('accuracy', {}).get('on', 'test')} set.")
    note = f" {workload['note']}" if workload.get("note") else ""
    return f"{title}\n\n{facts}{note}\n\n{_table(header, rows)}"


def _footprint(results):
    footprint = results.get("footprint")
    if not footprint:
        return "Import times and sizes: not measured."
    rows = []
    for name, entry in footprint.items():
        imp, size = entry["import"], entry["size"]
        timing = f"{imp['median']:.3f} s ({imp['min']:.3f}–{imp['max']:.3f})" if imp["status"] == "ok" else imp["status"]
        sizes = [f"{size['own_mb']:.1f} MB", f"{size['with_dependencies_mb']:.0f} MB"] if size["status"] == "ok" \
            else [size["status"], ""]
        rows.append([name, f"`{entry['import_statement']}`", timing] + sizes)
    return _table(["tool", "import", "cold import (median, min–max)", "installed", "with dependencies"], rows)


def _goals(results):
    mark = {True: "met", False: "**not met**", None: "not measured"}
    return _table(["goal", "measured", "status"],
                  [[goal["goal"], goal["measured"], mark[goal["met"]]] for goal in results.get("goals", [])])


def render(results):
    parts = ["## Machine", _machine(results), f"- Versions: {_versions(results)}", "", _peak(results)]
    for key, workload in results["workloads"].items():
        parts += ["", _workload(key, workload, key in ("w3", "w5"))]
    parts += ["", "### Import time and installed size", "", _footprint(results), "", "### Goals", "", _goals(results)]
    return "\n".join(parts)


def compare(runs, labels):
    """Epoch-time medians and tool ÷ gradwise ratios of several runs, side by side."""
    header = ["workload", "tool"] + [f"{label}: median" for label in labels] + \
             [f"{label}: tool ÷ gradwise" for label in labels]
    rows = []
    first = runs[0]["workloads"]
    for key, workload in first.items():
        for name in workload.get("tools", {}):
            records = [run["workloads"].get(key, {}).get("tools", {}).get(name, {}) for run in runs]
            medians = [_seconds(r.get("epoch_seconds", {}).get("median")) for r in records]
            ratios = [f"{r['tool_over_gradwise']:.2f}" if "tool_over_gradwise" in r else "—" for r in records]
            rows.append([key, name] + medians + ratios)
    return _table(header, rows)


def main(argv=None):
    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print(__doc__)
        return 2
    runs = [summary.resummarize(json.loads(path.read_text())) for path in paths]
    for run in runs:
        run["goals"] = goals.check(run)
    print(render(runs[0]))
    if len(runs) > 1:
        print("\n### Runs side by side\n")
        labels = [f"{path.stem} ({run['meta']['threads']} thr)" for path, run in zip(paths, runs)]
        print(compare(runs, labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())

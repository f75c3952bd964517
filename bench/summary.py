"""Statistics of a run: per-tool medians and spreads, ratios to gradwise, throughput.

A repeat is one fresh model trained for one untimed warm-up epoch and ``epochs`` timed
epochs; its epoch time is the mean of its timed epochs. A tool's epoch time is the
median over repeats, and its spread the min and max over repeats (plus the quartiles of
every single timed epoch, pooled). Ratios compare medians measured in the same run.
"""

import statistics

from . import architecture


def _quantiles(values):
    if len(values) < 2:
        return values[0], values[0]
    quartiles = statistics.quantiles(values, n=4, method="inclusive")
    return quartiles[0], quartiles[2]


def merge_runs(results):
    """One tool's worker results (one per repeat) -> one record with every run."""
    ok = [result for result in results if result.get("status") == "ok"]
    if not ok:
        return dict(results[0])
    merged = {key: value for key, value in ok[0].items() if key not in ("runs", "peak_rss_mb")}
    merged["runs"] = [run for result in ok for run in result["runs"]]
    merged["peak_rss_mb"] = max(result["peak_rss_mb"] for result in ok)
    merged["load_average"] = [result.get("load_average") for result in ok]
    failed = [result for result in results if result.get("status") != "ok"]
    if failed:
        merged["failed_repeats"] = [result.get("reason") for result in failed]
    return merged


def summarize_tool(record, workload):
    """Add the statistics of one tool's runs to its record (in place) and return it."""
    if record.get("status") != "ok":
        return record
    repeat_means = [statistics.fmean(run["epoch_seconds"]) for run in record["runs"]]
    pooled = [seconds for run in record["runs"] for seconds in run["epoch_seconds"]]
    accuracies = [run["accuracy"] for run in record["runs"]]
    q1, q3 = _quantiles(pooled)
    median = statistics.median(repeat_means)
    samples = record["train_samples"]
    record["epoch_seconds"] = {"median": median, "min": min(repeat_means), "max": max(repeat_means),
                               "repeats": len(repeat_means), "epoch_median": statistics.median(pooled),
                               "epoch_q1": q1, "epoch_q3": q3, "epochs_timed": len(pooled)}
    record["accuracy"] = {"median": statistics.median(accuracies), "min": min(accuracies), "max": max(accuracies),
                          "on": workload.accuracy_on}
    record["samples_per_second"] = samples / median
    flops = architecture.training_flops(workload.input_shape, workload.layers)
    record["gflops"] = flops * samples / median / 1e9
    record["dtype"] = record["runs"][0]["dtype"]
    record["cores_used"] = statistics.median(run.get("cores_used", float("nan")) for run in record["runs"])
    return record


def add_ratios(tools):
    """Each tool's time ratios against gradwise, from the medians of the same run."""
    reference = tools.get("gradwise", {}).get("epoch_seconds", {})
    for record in tools.values():
        seconds = record.get("epoch_seconds", {})
        if reference.get("median") and seconds.get("median"):
            record["gradwise_over_tool"] = reference["median"] / seconds["median"]  # < 1: gradwise is faster
            record["tool_over_gradwise"] = seconds["median"] / reference["median"]  # > 1: gradwise is faster
            # Best repeat against best repeat: the least disturbed runs on a shared machine.
            record["tool_over_gradwise_best"] = seconds["min"] / reference["min"]


def add_peak_fraction(tools, peak_gflops):
    for record in tools.values():
        if "gflops" in record and peak_gflops:
            record["fraction_of_peak"] = record["gflops"] / peak_gflops


def resummarize(results):
    """Recompute every statistic of a results dict from its raw runs (after this module changes)."""
    from . import workloads

    for key, workload in results.get("workloads", {}).items():
        if workload.get("status") != "ok":
            continue
        for record in workload["tools"].values():
            summarize_tool(record, workloads.WORKLOADS[key])
        add_ratios(workload["tools"])
        add_peak_fraction(workload["tools"], results.get("peak", {}).get("peak_gflops"))
    return results

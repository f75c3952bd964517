"""Child process: run one tool on one workload and print one JSON line of results.

    python -m bench.worker '{"tool": "torch", "workload": "w1", "epochs": 100, ...}'

The harness starts one worker per (tool, workload), with the thread environment and
KERAS_BACKEND already set, so imports, thread pools and memory never leak between
tools. The last stdout line starts with ``BENCH_RESULT `` followed by the JSON.
"""

import importlib
import json
import os
import resource
import sys
import time
import traceback

MARKER = "BENCH_RESULT "


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _train(module, workload, data, config, seed):
    """One repeat, with the CPU cores it kept busy (CPU time / wall time, build and evaluation included)."""
    cpu, wall = _cpu_seconds(), time.perf_counter()
    run = module.train(workload, data, config["epochs"], seed, config["threads"])
    run["cores_used"] = (_cpu_seconds() - cpu) / (time.perf_counter() - wall)
    return run


def _blas_threads():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return sorted({(pool["internal_api"], pool["num_threads"]) for pool in threadpool_info()})


def _traced_peak_mb(module, workload, data, seed, threads):
    """Peak of NumPy's traced allocations over one warm-up and one timed epoch (untimed)."""
    import tracemalloc

    tracemalloc.start()
    try:
        module.train(workload, data, 1, seed, threads)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run(config):
    from . import workloads
    from .tools import TOOLS, NotAvailable

    tool, workload = TOOLS[config["tool"]], workloads.WORKLOADS[config["workload"]]
    result = {"tool": tool.name, "workload": workload.key, "status": "ok"}
    start = time.perf_counter()
    try:
        module = importlib.import_module(tool.module)
    except (NotAvailable, ImportError) as error:
        return {**result, "status": "not available", "reason": str(error)}
    result["import_seconds_warm"] = time.perf_counter() - start
    result["versions"] = module.versions()
    data = workloads.load(workload, quick=config["quick"])
    result["rss_after_load_mb"] = _rss_mb()
    result["train_samples"] = len(data["x_train"])
    runs = []
    try:
        for repeat in range(config["repeats"]):
            runs.append(_train(module, workload, data, config, config["seed"] + repeat))
    except NotAvailable as error:
        return {**result, "status": "not available", "reason": str(error)}
    result["peak_rss_mb"] = _rss_mb()
    result["runs"] = runs
    result["blas_threads"] = _blas_threads()
    result["cpus"] = sorted(os.sched_getaffinity(0))
    if config.get("tracemalloc") and tool.name in ("gradwise", "tutorial"):
        result["traced_peak_mb"] = _traced_peak_mb(module, workload, data, config["seed"], config["threads"])
    return result


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config = json.loads(argv[0])
    try:
        result = run(config)
    except Exception as error:  # reported to the harness, which records it next to the other tools
        result = {"tool": config.get("tool"), "workload": config.get("workload"), "status": "error",
                  "reason": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()[-4000:]}
    sys.stdout.flush()
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the benchmark: every workload, every tool, each in its own subprocess.

    python -m bench.harness                       # the full run (bench/run.sh)
    python -m bench.harness --quick               # a few seconds per workload
    python -m bench.harness --tools gradwise,torch --workloads w1,w2 --epochs 2 --repeats 1

Repeats are interleaved across tools (repeat r runs every tool once, in an order rotated
by r), so a change of background load on a shared machine hits every tool alike. Writes
one JSON file (default ``bench/results/<time>.json``) and prints the Markdown report.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from . import architecture, footprint, goals, report, summary, workloads
from .tools import TOOLS, thread_env
from .worker import MARKER

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.harness", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data and few epochs: seconds per workload")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, from: " + ", ".join(TOOLS))
    parser.add_argument("--workloads", default=",".join(workloads.WORKLOADS), help="comma-separated, e.g. w1,w2")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--epochs", type=int, help="timed epochs for every workload (overrides the spec)")
    parser.add_argument("--repeats", type=int, help="repeats for every workload (overrides the spec)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="output file (default bench/results/<time>.json)")
    parser.add_argument("--no-footprint", action="store_true", help="skip import times and installed sizes")
    parser.add_argument("--no-peak", action="store_true", help="skip the matmul peak")
    parser.add_argument("--timeout", type=float, help="seconds per subprocess (default 300 quick, 3600 full)")
    args = parser.parse_args(argv)
    args.tools = [name.strip() for name in args.tools.split(",") if name.strip()]
    args.workloads = [name.strip().lower() for name in args.workloads.split(",") if name.strip()]
    for name in args.tools:
        if name not in TOOLS:
            parser.error(f"unknown tool {name!r}; choose from {', '.join(TOOLS)}")
    for name in args.workloads:
        if name not in workloads.WORKLOADS:
            parser.error(f"unknown workload {name!r}; choose from {', '.join(workloads.WORKLOADS)}")
    args.timeout = args.timeout or (300 if args.quick else 3600)
    return args


def _env(args, tool=None):
    env = {**os.environ, **thread_env(args.threads), "PYTHONPATH": str(REPO_DIR)}
    env.pop("KERAS_BACKEND", None)
    return {**env, **(tool.env if tool else {})}


def pinned_cpus(threads):
    """The CPUs every child runs on: the first `threads` this process may use."""
    return sorted(os.sched_getaffinity(0))[:threads]


def _child(module, config, env, timeout):
    """Run ``python -m module config`` and return the JSON it reports (or an error record).

    The child is pinned to ``pinned_cpus(threads)``: thread settings alone do not bind
    every runtime (XLA, for one, may run independent operations side by side).
    """
    cpus = pinned_cpus(config["threads"])
    try:
        completed = subprocess.run([sys.executable, "-m", module, json.dumps(config)], env=env, cwd=REPO_DIR,
                                   capture_output=True, text=True, timeout=timeout,
                                   preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": f"timed out after {timeout:.0f} s"}
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    return {"status": "error", "reason": f"exit code {completed.returncode}: {completed.stderr.strip()[-2000:]}"}


def _log(message):
    print(message, file=sys.stderr, flush=True)


def _peak(args):
    sizes, repeats = ([1024], 3) if args.quick else ([2048, 4096], 7)
    config = {"sizes": sizes, "repeats": repeats, "torch": not args.quick, "threads": args.threads}
    result = _child("bench.peak", config, _env(args), args.timeout)
    _log(f"matmul peak: {result.get('peak_gflops', float('nan')):.1f} GFLOP/s (np.matmul float32)")
    return result


def _run_workload(args, workload):
    epochs = args.epochs or (workload.quick_epochs if args.quick else workload.epochs)
    repeats = args.repeats or (workload.quick_repeats if args.quick else workload.repeats)
    names = [name for name in args.tools if name in workload.tools]
    per_tool = {name: [] for name in names}
    for repeat in range(repeats):
        for offset in range(len(names)):
            name = names[(repeat + offset) % len(names)]
            config = {"tool": name, "workload": workload.key, "quick": args.quick, "epochs": epochs,
                      "repeats": 1, "seed": args.seed + repeat, "threads": args.threads, "tracemalloc": repeat == 0}
            load = os.getloadavg()[0]
            result = _child("bench.worker", config, _env(args, TOOLS[name]), args.timeout)
            result["load_average"] = load
            per_tool[name].append(result)
            seconds = [run["epoch_seconds"] for run in result.get("runs", [])]
            shown = f"{sum(seconds[0]) / len(seconds[0]):.4f} s/epoch" if seconds and seconds[0] else \
                f"{result.get('status')}: {result.get('reason', '')}"[:300]
            _log(f"{workload.key} {name:12s} repeat {repeat + 1}/{repeats}: {shown}")
    tools = {name: summary.summarize_tool(summary.merge_runs(results), workload) for name, results in per_tool.items()}
    summary.add_ratios(tools)
    return {"title": workload.title, "epochs": epochs, "repeats": repeats, "batch_size": workload.batch_size,
            "optimizer": workload.optimizer, "learning_rate": workload.learning_rate, "loss": workload.loss,
            "layers": [list(spec) for spec in workload.layers], "note": workload.note, "status": "ok",
            "training_flops_per_sample": architecture.training_flops(workload.input_shape, workload.layers),
            "six_n_flops_per_sample": architecture.six_n_flops(workload.input_shape, workload.layers),
            "tools": tools}


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit():
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True).stdout
        return commit.strip() or None
    except OSError:
        return None


def engine_hash():
    """Short hash of gradwise's source: shows whether the engine changed during a run."""
    digest = hashlib.sha256()
    for path in sorted((REPO_DIR / "gradwise").rglob("*.py")):
        digest.update(path.relative_to(REPO_DIR).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _meta(args):
    return {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "cpu_model": _cpu_model(), "cpu_count": os.cpu_count(), "threads": args.threads,
            "pinned_cpus": pinned_cpus(args.threads),
            "python": platform.python_version(), "platform": platform.platform(), "quick": args.quick,
            "git_commit": _git_commit(), "engine_hash_start": engine_hash(), "load_average_start": os.getloadavg(),
            "argv": sys.argv[1:]}


def run(args):
    results = {"meta": _meta(args), "workloads": {}, "peak": {}}
    if not args.no_peak:
        results["peak"]["before"] = _peak(args)
    for key in args.workloads:
        workload = workloads.WORKLOADS[key]
        if workload.unavailable:
            _log(f"{workload.title}: {workload.unavailable}")
            results["workloads"][key] = {"title": workload.title, "status": "not available",
                                         "reason": workload.unavailable, "tools": {}}
            continue
        results["workloads"][key] = _run_workload(args, workload)
    if not args.no_peak:
        results["peak"]["after"] = _peak(args)
        rates = [entry.get("peak_gflops") for entry in results["peak"].values() if entry.get("peak_gflops")]
        # The higher of the two measurements: the fraction of peak is never flattered by a slow moment.
        results["peak"]["peak_gflops"] = max(rates) if rates else None
        for workload in results["workloads"].values():
            summary.add_peak_fraction(workload["tools"], results["peak"]["peak_gflops"])
    if not args.no_footprint:
        chosen = [TOOLS[name] for name in args.tools]
        results["footprint"] = footprint.measure(chosen, lambda tool: _env(args, tool), 1 if args.quick else 7)
    results["meta"]["load_average_end"] = os.getloadavg()
    results["meta"]["engine_hash_end"] = engine_hash()
    results["meta"]["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    results["goals"] = goals.check(results)
    return results


def main(argv=None):
    args = _parse(sys.argv[1:] if argv is None else argv)
    results = run(args)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = args.json or BENCH_DIR / "results" / f"{stamp}{'-quick' if args.quick else ''}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1))
    print(report.render(results))
    _log(f"results written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

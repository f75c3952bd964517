"""The benchmark harness (bench/) runs end to end in quick mode, so it cannot silently rot.

Runs ``python -m bench.harness --quick`` for gradwise and PyTorch on W1 and W2 with two
timed epochs, then checks the JSON it wrote: every tool trained in its own process,
reported epoch timings, an accuracy that beats chance, memory, the ratios to gradwise,
import times and the goals table. Keras and JAX live only in bench/.venv-peers and are
not needed here.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOLS = ("gradwise", "torch")
# Better than always guessing the majority class (Pima: 0.65) or chance (digits: 0.1).
MIN_ACCURACY = {"w1": 0.6, "w2": 0.5}


def _run_quick(output):
    command = [sys.executable, "-m", "bench.harness", "--quick", "--tools", ",".join(TOOLS),
               "--workloads", "w1,w2", "--epochs", "2", "--repeats", "1", "--threads", "1",
               "--json", str(output)]
    completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=240)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout, json.loads(output.read_text())


def test_quick_benchmark_reports_timings_accuracies_and_ratios(tmp_path):
    report, results = _run_quick(tmp_path / "quick.json")

    assert results["meta"]["quick"] is True and results["meta"]["threads"] == 1
    assert results["peak"]["peak_gflops"] > 0
    for key in ("w1", "w2"):
        workload = results["workloads"][key]
        assert workload["status"] == "ok" and workload["epochs"] == 2
        for name in TOOLS:
            record = workload["tools"][name]
            assert record["status"] == "ok", record
            (run,) = record["runs"]
            assert len(run["epoch_seconds"]) == 2 and all(s > 0 for s in run["epoch_seconds"])
            assert record["epoch_seconds"]["median"] == sum(run["epoch_seconds"]) / 2
            assert run["dtype"] == "float32"
            assert MIN_ACCURACY[key] < record["accuracy"]["median"] <= 1.0
            assert record["peak_rss_mb"] >= record["rss_after_load_mb"] > 0
            assert record["cpus"] == results["meta"]["pinned_cpus"] and len(record["cpus"]) == 1
            assert 0 < record["cores_used"] < 1.2  # pinned to one CPU: CPU time cannot outrun wall time
        gradwise_time = workload["tools"]["gradwise"]["epoch_seconds"]["median"]
        torch_record = workload["tools"]["torch"]
        expected = torch_record["epoch_seconds"]["median"] / gradwise_time
        assert math.isclose(torch_record["tool_over_gradwise"], expected)
        assert math.isclose(torch_record["gradwise_over_tool"], 1 / expected)
        assert workload["tools"]["gradwise"]["traced_peak_mb"] > 0
        assert f"### {workload['title']}" in report

    for name in TOOLS:
        assert results["footprint"][name]["import"]["median"] > 0
    goals = {goal["goal"]: goal for goal in results["goals"]}
    assert goals["W1: at least 6x faster than torch"]["met"] in (True, False)
    assert goals["W3: at least 2x faster than torch"]["met"] is None  # W3 was not run

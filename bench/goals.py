"""Issue 6's goals, checked against one run's results.

"Within noise" for accuracy: gradwise's median accuracy lies inside the range of the
neural-network peers' accuracies (PyTorch and both Keras backends, every repeat),
widened by one percentage point on each side. W5 is left out: its labels are random.
"""

ACCURACY_MARGIN = 0.01
ACCURACY_PEERS = ("torch", "torch-fused", "keras-torch", "keras-jax")
NO_ACCURACY_GOAL = ("w5",)

# (workload, peer, minimum of peer time / gradwise time): issue 15's goals, against PyTorch
# both with its default optimizer step and with its fused one ("torch-fused")
SPEED_GOALS = [
    ("w1", "torch", 6.0), ("w1", "torch-fused", 6.0), ("w1", "sklearn", 2.0), ("w1", "keras-torch", 1.0),
    ("w1", "keras-jax", 1.0),
    ("w2", "torch", 6.0), ("w2", "torch-fused", 6.0), ("w2", "sklearn", 2.0), ("w2", "keras-torch", 1.0),
    ("w2", "keras-jax", 1.0),
    ("w3", "torch", 2.0), ("w3", "torch-fused", 2.0), ("w3", "keras-jax", 1.0),
    ("w4", "torch", 1.2), ("w4", "torch-fused", 1.2),
]
PEAK_GOALS = [("w3", 0.75), ("w5", 0.90)]
IMPORT_LIMIT_SECONDS = 0.3


def _goal(text, measured, met):
    return {"goal": text, "measured": measured, "met": met}


def _speed(workloads, key, peer, minimum):
    text = f"{key.upper()}: at least {minimum:g}x faster than {peer}" if minimum > 1 else \
        f"{key.upper()}: {'faster than' if key != 'w4' else 'at least as fast as'} {peer}"
    record = workloads.get(key, {}).get("tools", {}).get(peer, {})
    ratio = record.get("tool_over_gradwise")
    if ratio is None:
        return _goal(text, "not measured", None)
    met = ratio >= minimum if (minimum > 1 or key == "w4") else ratio > minimum
    return _goal(text, f"{ratio:.2f}x", met)


def _peak(workloads, key, minimum):
    text = f"{key.upper()}: at least {minimum:.0%} of the matmul peak"
    fraction = workloads.get(key, {}).get("tools", {}).get("gradwise", {}).get("fraction_of_peak")
    if fraction is None:
        return _goal(text, "not measured", None)
    return _goal(text, f"{fraction:.0%}", fraction >= minimum)


def _memory(workloads):
    worse = []
    measured = 0
    for key, workload in workloads.items():
        tools = workload.get("tools", {})
        mine, theirs = tools.get("gradwise", {}).get("peak_rss_mb"), tools.get("torch", {}).get("peak_rss_mb")
        if mine is not None and theirs is not None:
            measured += 1
            if mine >= theirs:
                worse.append(key)
    text = "peak memory below PyTorch's on every workload"
    if not measured:
        return _goal(text, "not measured", None)
    return _goal(text, f"higher on {', '.join(worse)}" if worse else f"below on all {measured}", not worse)


def _accuracy(workloads):
    outside = []
    measured = 0
    for key, workload in workloads.items():
        tools = workload.get("tools", {})
        if key in NO_ACCURACY_GOAL:
            continue
        mine = tools.get("gradwise", {}).get("accuracy", {}).get("median")
        peers = [run["accuracy"] for peer in ACCURACY_PEERS for run in tools.get(peer, {}).get("runs", [])
                 if tools.get(peer, {}).get("status") == "ok"]
        if mine is None or not peers:
            continue
        measured += 1
        if not min(peers) - ACCURACY_MARGIN <= mine <= max(peers) + ACCURACY_MARGIN:
            outside.append(f"{key} ({mine:.3f} vs {min(peers):.3f}-{max(peers):.3f})")
    text = "accuracy within noise of the peers on every workload"
    if not measured:
        return _goal(text, "not measured", None)
    return _goal(text, "outside on " + ", ".join(outside) if outside else f"within on all {measured}", not outside)


def check(results):
    """List of {"goal", "measured", "met"} (met is None when not measured)."""
    workloads = results.get("workloads", {})
    goals = [_speed(workloads, *spec) for spec in SPEED_GOALS]
    goals += [_peak(workloads, *spec) for spec in PEAK_GOALS]
    goals.append(_goal("W6: 8x less wall time than Optuna + PyTorch at equal accuracy, on 1 thread each and with "
                       "2 workers against 2 threads",
                       "measured by `python -m bench.w6_search --compare 3` (BENCHMARKS.md, section W6)", None))
    goals.append(_goal("worker ready < 0.3 s, tuner overhead < 10 ms per trial",
                       "measured by `python -m bench.startup` (BENCHMARKS.md, section W6)", None))
    seconds = results.get("footprint", {}).get("gradwise", {}).get("import", {}).get("median")
    goals.append(_goal(f"import in under {IMPORT_LIMIT_SECONDS} s",
                       "not measured" if seconds is None else f"{seconds:.3f} s",
                       None if seconds is None else seconds < IMPORT_LIMIT_SECONDS))
    goals.append(_memory(workloads))
    goals.append(_accuracy(workloads))
    return goals

"""How worker processes start: forked from the warmed tuner process where that is safe, else from a
forkserver that preloaded gradwise; compiled kernels built once, before any worker, and never in a worker."""

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from gradwise.tuning import HyperParameters, workers
from gradwise.tuning.runner import _seeded

from .builders import binary_data, build_tiny

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINUX = sys.platform.startswith("linux")


def _probe(tmp_path, method):
    """Run tests/tuning/startup_probe.py's 2-worker search in a fresh interpreter with an empty kernel cache."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    env = {**os.environ, "PYTHONPATH": REPOSITORY, "NUMBA_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1"}
    env["GRADWISE_OPS"] = "numba"  # the compiled kernels, which a search this small would not load by itself
    result = subprocess.run(
        [sys.executable, "-c", f"from tests.tuning.startup_probe import main; main({str(tmp_path)!r}, {method!r})"],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((tmp_path / "record.json").read_text())


@pytest.fixture(scope="module")
def forked(tmp_path_factory):
    return _probe(tmp_path_factory.mktemp("forked"), "auto")


def _first_per_worker(record):
    first = {}
    for entry in sorted(record["workers"], key=lambda entry: entry["started"]):
        first.setdefault(entry["pid"], entry)
    return first


@pytest.mark.skipif(not LINUX, reason="fork workers are Linux's (elsewhere the tuner spawns them)")
def test_forked_workers_inherit_the_compiled_kernels_and_compile_nothing(forked):
    record = forked
    assert record["chosen"] == "fork"  # a fresh single-threaded interpreter forks safely
    first = _first_per_worker(record)
    assert len(first) == 2 and record["tuner_pid"] not in first
    for entry in record["workers"]:
        assert entry["parent"] == record["tuner_pid"] and entry["marker"] == record["tuner_pid"]  # a forked copy
        # The kernels were built in the tuner's process (warmed before the workers started) ...
        assert entry["kernels_before"]["bias_relu"][0] >= 1 and entry["kernels_before"]["adam"][0] >= 1
        # ... and no worker compiled or loaded a kernel: signatures and cache counters are the tuner's.
        assert entry["kernels_after"] == entry["kernels_before"]
    for entry in first.values():  # on disk before any worker trained: a later process only loads them
        assert any(name.startswith("elementwise.bias_relu") for name in entry["cache_files"])
        assert any(name.startswith("optimizers.adam") for name in entry["cache_files"])
        assert sum(misses for _, _, misses in entry["kernels_before"].values()) >= 2  # compiled here, not found


@pytest.mark.skipif(not LINUX, reason="the forkserver path is taken on Linux when forking is not safe")
def test_forkserver_workers_start_from_a_server_that_preloaded_gradwise(tmp_path):
    record = _probe(tmp_path, "forkserver")
    first = _first_per_worker(record)
    assert len(first) == 2
    servers = {entry["parent"] for entry in record["workers"]}
    assert len(servers) == 1 and record["tuner_pid"] not in servers  # children of one server, not of the tuner
    for entry in record["workers"]:
        assert entry["marker"] is None  # a fresh import, not a copy of the tuner's memory
        # PRELOAD imported the kernel modules in the server; the worker loaded the kernels from the disk cache
        # (hits, no misses) that the tuner's warm-up wrote.
        assert sum(misses for _, _, misses in entry["kernels_after"].values()) == 0
    assert all(trial["state"] == "COMPLETE" for trial in record["trials"]) and len(record["trials"]) == 4


@pytest.mark.skipif(not LINUX, reason="fork workers are Linux's")
def test_a_forked_worker_trains_a_trial_exactly_as_this_process_does(forked):
    record = forked
    x, y = binary_data()
    for trial in record["trials"][:2]:
        assert trial["pid"] != record["tuner_pid"]
        model = _seeded(build_tiny(HyperParameters(trial["hp_values"])), trial["seed"])
        history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0).history
        assert max(history["val_accuracy"]) == pytest.approx(trial["value"], abs=0, rel=0)


def test_fork_is_refused_while_another_thread_runs():
    release = threading.Event()
    thread = threading.Thread(target=release.wait, daemon=True)
    thread.start()
    try:
        assert not workers.fork_is_safe()
        assert workers.start_method("auto") in ("forkserver", "spawn")
    finally:
        release.set()
        thread.join()


@pytest.mark.skipif(not LINUX, reason="fork workers are Linux's")
def test_fork_is_chosen_in_a_single_threaded_process_and_refused_once_a_thread_starts():
    code = ("import threading, time; from gradwise.tuning import workers; print(workers.start_method());"
            "e = threading.Event(); t = threading.Thread(target=e.wait); t.start(); print(workers.start_method());"
            # right after the join: the choice waits for the joined thread's OS thread to leave
            "e.set(); t.join(); print(workers.start_method())")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": REPOSITORY})
    assert result.stdout.split() == ["fork", "forkserver", "fork"], result.stderr[-2000:]


def test_gradwise_helper_threads_are_stopped_before_a_fork_and_start_again():
    from gradwise.ops import threads

    threads.over_batch(lambda start, stop: None, 4, 4 * threads.MIN_ELEMENTS * 4)  # may start helper threads
    threads.stop_pool()
    assert threads._pool is None
    values = np.arange(8 * threads.MIN_ELEMENTS, dtype=np.float32).reshape(8, -1)
    doubled = threads.map_batch(lambda block: block * 2, values)
    np.testing.assert_array_equal(doubled, values * 2)


def test_an_unknown_start_method_is_refused_naming_the_choices(tmp_path):
    from gradwise.tuning import Tuner

    with pytest.raises(ValueError, match=r"`start_method` must be one of 'auto', 'fork', 'forkserver', 'spawn', got 'thread'"):
        Tuner(build_tiny, directory=str(tmp_path), start_method="thread")


def test_parallel_tpe_counts_the_running_trials_of_other_workers_as_bad():
    from gradwise.tuning import samplers

    space = {"units": __import__("optuna").distributions.IntDistribution(2, 6)}
    assert samplers.make_search_sampler("tpe", 0, space, parallel=True).sampler._constant_liar
    assert not samplers.make_search_sampler("tpe", 0, space).sampler._constant_liar  # one process: no lie needed

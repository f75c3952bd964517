"""A 2-worker search run in a fresh interpreter, recording how its workers started (test_worker_start.py).

    python -m tests.tuning.startup_probe DIRECTORY START_METHOD

Run with ``NUMBA_CACHE_DIR`` set to an empty folder, so that the kernels are compiled by
this search. Each worker records, when its first trial starts training and when it ends:
its parent's pid, whether it sees a value set in the tuner's process after import (only a
forked copy does), numba's cache files, and each kernel's compiled signatures and cache
hits and misses. The record and the trials are written as JSON to DIRECTORY/record.json.
"""

import glob
import json
import os
import sys
import time

from gradwise.callbacks import Callback

from .builders import binary_data, build_tiny

SET_AFTER_IMPORT = None  # the tuner's process sets it before searching


def kernel_state():
    """{kernel name: [signatures, cache hits, cache misses]} for every loaded numba kernel."""
    state = {}
    for module_name in ("gradwise.ops._numba.elementwise", "gradwise.ops._numba.optimizers"):
        module = sys.modules.get(module_name)
        for name, kernel in sorted(vars(module).items()) if module else ():
            if hasattr(kernel, "signatures") and hasattr(kernel, "stats"):
                state[name] = [len(kernel.signatures), sum(kernel.stats.cache_hits.values()),
                               sum(kernel.stats.cache_misses.values())]
    return state


class Recorder(Callback):
    """Writes what a worker process looks like before and after its training."""

    def __init__(self, folder):
        super().__init__()
        self.folder = folder

    def on_train_begin(self, logs=None):
        self._before = kernel_state()
        self._cache = sorted(os.path.basename(path) for path in glob.glob(os.path.join(
            os.environ["NUMBA_CACHE_DIR"], "**", "*.nbi"), recursive=True))
        self._started = time.time()

    def on_train_end(self, logs=None):
        record = {"pid": os.getpid(), "parent": os.getppid(), "marker": SET_AFTER_IMPORT, "started": self._started,
                  "cache_files": self._cache, "kernels_before": self._before, "kernels_after": kernel_state()}
        with open(os.path.join(self.folder, f"worker.{os.getpid()}.{time.monotonic_ns()}.json"), "w") as handle:
            json.dump(record, handle)


def main(directory, method):
    global SET_AFTER_IMPORT
    from gradwise.tuning import Tuner, workers

    SET_AFTER_IMPORT = os.getpid()
    x, y = binary_data()
    tuner = Tuner(build_tiny, objective="val_accuracy", max_trials=4, seed=3, workers=2, threads_per_worker=1,
                  directory=directory, project_name="start", pruner=None, start_method=method)
    searched = time.time()
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[Recorder(directory)])
    trials = [{"number": t.number, "state": t.state.name, "value": t.value, "hp_values": t.user_attrs["hp_values"],
               "seed": t.user_attrs["seed"], "pid": t.user_attrs["pid"]} for t in tuner.study.trials]
    records = [json.load(open(path)) for path in sorted(glob.glob(os.path.join(directory, "worker.*.json")))]
    with open(os.path.join(directory, "record.json"), "w") as handle:
        json.dump({"tuner_pid": os.getpid(), "searched": searched, "chosen": workers.start_method(method),
                   "trials": trials, "workers": records}, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

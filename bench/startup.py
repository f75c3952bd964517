"""Start-up and search overhead (issue 15): import time, worker ready time, tuner overhead per trial.

    python -m bench.startup [--trials 20] [--epochs 30] [--workers 2] [--repeats 5] [--json out.json]

- import: ``import gradwise`` in a fresh interpreter (interpreter start-up excluded), median
  of `repeats`.
- worker ready: for each worker process of a W6 search (the 20-trial Pima study of
  ``bench.w6_search``), the time from the ``search()`` call to that worker's first claimed
  trial (the trial's ``datetime_start``): process start, imports, kernels, opening the
  study and the first claim. One worker runs in the calling process: its figure is the
  time the search spends before its first trial.
- overhead per trial (the W6 search as ``bench.w6_search`` runs it, ``save_models=1``): a
  trial's wall time (claim to ``tell``, plus the gap to the next claim in the same process) minus its training and validation epochs, timed by a
  callback placed first (``EpochClock``). What is left is the tuner's: sampling,
  building and cloning the model, fit's set-up, the pruning reports and their journal
  writes, the best-epoch bookkeeping, the model save, the trial's attributes and
  ``tell``. Split into before fit / inside fit but outside the epochs / after fit / between trials.

Figures are medians and means over the trials of one search per worker count; the
machine's load is printed with them. Not a test: run it on an idle machine.

``--breakdown`` also counts the fsyncs a trial waits for (its model file with its folder,
when it is saved) apart from the journal's, which the search loop runs in a thread of its
own (``storage.BackgroundFsync``: a trial's end costs its worker no wait for the disk),
heartbeat records and BLAS thread queries (once per process). To compare two commits, run the same command from a checkout of each,
one after the other, twice (before, after, after, before).
"""

import argparse
import glob
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from gradwise.callbacks import Callback

from . import footprint, w6_search


class EpochClock(Callback):
    """Times each epoch (training and validation) and writes one line per fit to `folder`.

    Put first in the callback list, so its ``on_epoch_end`` runs before the tuner's own
    callbacks (the pruning report and its journal write count as the tuner's time).
    """

    def __init__(self, folder):
        super().__init__()
        self.folder = folder

    def on_train_begin(self, logs=None):
        self._begin, self._epochs, self._epoch_start = time.time(), [], None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self._epochs.append(time.perf_counter() - self._epoch_start)

    def on_train_end(self, logs=None):
        record = {"pid": os.getpid(), "begin": self._begin, "end": time.time(), "epochs": self._epochs}
        with open(os.path.join(self.folder, f"clock.{os.getpid()}.jsonl"), "a") as handle:
            handle.write(json.dumps(record) + "\n")


def import_seconds(repeats):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    return footprint.import_seconds("import gradwise", env, repeats)


def _fits(folder):
    fits = []
    for path in glob.glob(os.path.join(folder, "clock.*.jsonl")):
        fits += [json.loads(line) for line in Path(path).read_text().splitlines()]
    return fits


def _describe(values):
    values = list(values)
    if not values:
        return None
    return {"median": statistics.median(values), "mean": statistics.fmean(values), "max": max(values),
            "count": len(values)}


def search_overheads(data, trials, epochs, workers, directory):
    """One W6 search with `workers` processes; worker ready times and the tuner's time per trial."""
    from gradwise.tuning import Tuner

    x_fit, y_fit, x_val, y_val = data[:4]
    clock_folder = tempfile.mkdtemp(dir=directory)
    start = time.time()
    tuner = Tuner(w6_search.build_gradwise_model, objective="val_accuracy", max_trials=trials, sampler="tpe",
                  pruner="median", seed=0, workers=workers, directory=directory, project_name=f"startup{workers}",
                  overwrite=True, threads_per_worker=1, save_models=w6_search.SAVE_MODELS)
    searching = time.time()
    tuner.search(x_fit, y_fit, epochs=epochs, batch_size=32, validation_data=(x_val, y_val), verbose=0,
                 callbacks=[EpochClock(clock_folder)])
    end = time.time()
    fits = _fits(clock_folder)
    finished = sorted((t for t in tuner.study.trials if t.datetime_complete is not None),
                      key=lambda t: t.datetime_start)
    by_pid = {}
    for trial in finished:
        by_pid.setdefault(trial.user_attrs.get("pid"), []).append(trial)
    rows = []
    for pid, own in by_pid.items():
        for index, trial in enumerate(own):
            begin, complete = trial.datetime_start.timestamp(), trial.datetime_complete.timestamp()
            fit = next((f for f in fits if f["pid"] == pid and begin <= f["begin"] <= complete), None)
            if fit is None:
                continue
            following = own[index + 1].datetime_start.timestamp() if index + 1 < len(own) else None
            trained = sum(fit["epochs"])
            rows.append({
                "number": trial.number, "state": trial.state.name, "pid": pid, "wall": complete - begin,
                "epochs_seconds": trained, "epochs": len(fit["epochs"]),
                "before_fit": fit["begin"] - begin, "fit_outside_epochs": fit["end"] - fit["begin"] - trained,
                "after_fit": complete - fit["end"],
                "gap_to_next": None if following is None else following - complete,
            })
    for row in rows:
        row["overhead"] = row["wall"] - row["epochs_seconds"] + (row["gap_to_next"] or 0.0)
    ready = {str(pid): own[0].datetime_start.timestamp() - searching for pid, own in by_pid.items()}
    return {
        "workers": workers, "trials": len(rows), "wall_seconds": end - start, "tuner_init_seconds": searching - start,
        "kernels": "/".join(sorted({str(t.user_attrs.get("ops")) for t in finished})),
        "worker_ready_seconds": ready, "main_pid": os.getpid(),
        "training_seconds_total": sum(r["epochs_seconds"] for r in rows),
        "overhead_per_trial": _describe(r["overhead"] for r in rows),
        "parts_per_trial": {part: _describe(r[part] for r in rows if r[part] is not None)
                            for part in ("before_fit", "fit_outside_epochs", "after_fit", "gap_to_next")},
        "rows": rows,
    }


# --breakdown: where the tuner's time per trial goes (one worker, in this process). Each part is timed by
# wrapping the function that does it for the length of the search; parts can nest (a journal write inside
# a sampler's suggestion), so they are inclusive figures and do not add up.
BREAKDOWN = [
    ("sampling (TPE, distinct draws)", "gradwise.tuning.distinct", "DistinctSampler", "sample_relative"),
    ("sampling (TPE, one parameter)", "gradwise.tuning.distinct", "DistinctSampler", "sample_independent"),
    ("pruning decisions", "optuna.trial", "Trial", "should_prune"),
    ("journal appends", "gradwise.tuning.storage", "CrashSafeJournalBackend", "append_logs"),
    ("journal reads", "optuna.storages.journal", "JournalStorage", "_sync_with_backend"),
    ("building the trial's model (its TPE draws included)", "gradwise.tuning.runner", None, "build_seeded"),
    ("seeded clone of the built model (only where built otherwise)", "gradwise.tuning.runner", None, "_seeded"),
    ("model save", "gradwise.models.base", "BaseModel", "save"),
    ("tell", "optuna.study", "Study", "tell"),
    ("fsyncs waited for (model files; journal outside a search loop)", "os", None, "fsync"),
    ("heartbeat records", "gradwise.tuning.storage", "HeartbeatJournalStorage", "record_heartbeat"),
    ("BLAS thread queries", "threadpoolctl", None, "threadpool_info"),
]
SAMPLER_PARTS = ("sampling (TPE, distinct draws)", "sampling (TPE, one parameter)")  # disjoint: summed
BACKGROUND_FSYNC_THREAD = "gradwise-journal-fsync"
BACKGROUND_FSYNC_LABEL = "journal fsyncs in their own thread (not waited for)"


def breakdown(data, trials, epochs, directory):
    """Inclusive time per trial of each BREAKDOWN part over one 1-worker W6 search."""
    import functools
    import importlib

    spent, calls, restore = {}, {}, []
    for label, module_name, class_name, function_name in BREAKDOWN:
        owner = importlib.import_module(module_name)
        owner = getattr(owner, class_name) if class_name else owner
        original = getattr(owner, function_name)

        def timed(*args, _original=original, _label=label, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                if threading.current_thread().name == BACKGROUND_FSYNC_THREAD:
                    _label = BACKGROUND_FSYNC_LABEL  # no trial waits for these
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - start
                calls[_label] = calls.get(_label, 0) + 1

        setattr(owner, function_name, functools.wraps(original)(timed))
        restore.append((owner, function_name, original))
    try:
        search = search_overheads(data, trials, epochs, 1, directory)
    finally:
        for owner, function_name, original in restore:
            setattr(owner, function_name, original)
    count = max(search["trials"], 1)
    labels = [label for label, *_ in BREAKDOWN] + [BACKGROUND_FSYNC_LABEL]
    return {"overhead_per_trial": search["overhead_per_trial"],
            "parts": {label: {"ms_per_trial": 1e3 * spent.get(label, 0.0) / count,
                              "calls_per_trial": calls.get(label, 0) / count} for label in labels}}


def _ms(value):
    return "—" if value is None else f"{value * 1e3:.1f} ms"


def report(results):
    lines = [f"load average at start: {results['load_average_start']}, at end: {results['load_average_end']}"]
    imp = results["import"]
    if imp.get("status") == "ok":
        lines.append(f"import gradwise: median {imp['median']:.3f} s (min {imp['min']:.3f}, max {imp['max']:.3f}, "
                     f"{imp['repeats']} fresh interpreters); goal < 0.3 s")
    for search in results["searches"]:
        ready = ", ".join(f"{'parent' if pid == str(search['main_pid']) else 'pid ' + pid} {seconds:.3f} s"
                          for pid, seconds in search["worker_ready_seconds"].items())
        overhead = search["overhead_per_trial"]
        lines.append(f"{search['workers']} worker(s): wall {search['wall_seconds']:.2f} s (Tuner() "
                     f"{search['tuner_init_seconds']:.3f} s), training epochs {search['training_seconds_total']:.2f} s "
                     f"over {search['trials']} trials, on {search.get('kernels')}'s kernels, save_models={w6_search.SAVE_MODELS}")
        lines.append(f"  ready (search() to first trial): {ready}; goal < 0.3 s per worker")
        lines.append(f"  tuner overhead per trial: median {_ms(overhead['median'])}, mean {_ms(overhead['mean'])}, "
                     f"max {_ms(overhead['max'])}; goal < 10 ms")
        parts = search["parts_per_trial"]
        lines.append("  of which (mean): " + ", ".join(
            f"{name.replace('_', ' ')} {_ms(parts[name]['mean'] if parts[name] else None)}" for name in parts))
    if results.get("breakdown"):
        lines.append(f"breakdown, 1 worker (inclusive, nested parts overlap; overhead per trial in this run: median "
                     f"{_ms(results['breakdown']['overhead_per_trial']['median'])}):")
        for label, part in results["breakdown"]["parts"].items():
            lines.append(f"  {label}: {part['ms_per_trial']:.2f} ms per trial ({part['calls_per_trial']:.1f} calls)")
        sampler = sum(results["breakdown"]["parts"][label]["ms_per_trial"] for label in SAMPLER_PARTS) / 1e3
        overhead = results["breakdown"]["overhead_per_trial"]
        lines.append(f"  without the sampler's own draws (Optuna's TPE, which the Optuna + PyTorch study pays alike): "
                     f"median {_ms(overhead['median'] - sampler)}, mean {_ms(overhead['mean'] - sampler)}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2, help="also measure a search with this many workers")
    parser.add_argument("--repeats", type=int, default=5, help="fresh interpreters for the import time")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--breakdown", action="store_true", help="also time the parts of the overhead (1 worker)")
    args = parser.parse_args(argv)
    results = {"load_average_start": os.getloadavg(), "import": import_seconds(args.repeats), "searches": []}
    data = w6_search.load_pima()
    with tempfile.TemporaryDirectory() as directory:
        for workers in sorted({1, args.workers}):
            results["searches"].append(search_overheads(data, args.trials, args.epochs, workers, directory))
        if args.breakdown:
            results["breakdown"] = breakdown(data, args.trials, args.epochs, directory)
    results["load_average_end"] = os.getloadavg()
    print(report(results))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)

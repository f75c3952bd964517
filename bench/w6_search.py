"""W6: a 20-trial TPE search on Pima, gradwise's tuner against the same study written
plainly with Optuna and PyTorch.

Both searches: 1-3 hidden layers, 8-128 units (log), dropout 0-0.5, learning rate 1e-4 to
1e-1 (log), optimizer adam/rmsprop/sgd; 30 epochs per trial, batch 32, the same 80/20
train/test split with 20% of the training rows for validation, TPE seeded with 0. gradwise
prunes with the median rule, saves the model of each trial that is the best so far
(``save_models=1``: the search returns its best model) and runs 2 worker processes; the plain study runs trials one
after another and trains every trial to the end, as the source documents' study does.
Reports wall time and the best trial's validation accuracy, and the test accuracy of
that trial's model.

    python -m bench.w6_search [--trials 20] [--epochs 30] [--workers 2] [--json out.json]
    python -m bench.w6_search --compare 3 [--with-numba] [--json out.json]   # the issue-15 comparison (below)

``--compare R`` runs R interleaved rounds of four searches, each in a fresh interpreter
with its thread environment set before any import: gradwise with 1 worker against
Optuna + PyTorch on 1 thread, and gradwise with 2 workers (1 BLAS thread each) against
Optuna + PyTorch on 2 threads. Each search is timed from the study's creation to its
end (imports excluded on both sides; gradwise's kernel loading and worker start-up
included). Each round runs the four in a rotated order. Reports median wall times,
the peer's time over gradwise's, best validation and test accuracy, peak memory
(resident set: the process, and its largest worker process), and the kernels gradwise's
trials trained on (the tuner picks NumPy's for a search this small, see
``gradwise.tuning.kernels``) with whether numba was imported during the search.
``--with-numba`` adds the two gradwise searches forced onto numba's kernels
(``GRADWISE_OPS=numba``), to check that choice on the machine measured.

Needs torch, optuna and gradwise[tools] in the running interpreter (the main .venv has them).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PIMA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "pima" / "diabetes.csv"


def load_pima(seed=0):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    table = np.loadtxt(PIMA, delimiter=",", skiprows=1)
    x, y = table[:, :8], table[:, 8]
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
    x_fit, x_val, y_fit, y_val = train_test_split(x_train, y_train, test_size=0.2, stratify=y_train, random_state=seed)
    scaler = StandardScaler().fit(x_fit)
    return [a.astype(np.float32) for a in (scaler.transform(x_fit), y_fit, scaler.transform(x_val), y_val,
                                            scaler.transform(x_test), y_test)]


def build_gradwise_model(hp):
    """The W6 search space (module level, so worker processes can import it)."""
    import gradwise as gw
    from gradwise.layers import Dense, Dropout, Input

    model = gw.Sequential([Input((8,))])
    for index in range(hp.Int("n_layers", 1, 3)):
        model.add(Dense(hp.Int(f"units_{index}", 8, 128, sampling="log"), activation="relu"))
        model.add(Dropout(hp.Float(f"dropout_{index}", 0.0, 0.5)))
    model.add(Dense(1, activation="sigmoid"))
    optimizer = gw.optimizers.get({"class_name": hp.Choice("optimizer", ["adam", "rmsprop", "sgd"]),
                                   "config": {"learning_rate": hp.Float("learning_rate", 1e-4, 1e-1, sampling="log")}})
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


# The search keeps only the model it hands back, the best trial's (``Tuner(save_models=1)``): a trial's
# model is written when it is the best so far. The peer keeps every trial's network in memory and none on disk.
SAVE_MODELS = 1


def gradwise_search(data, trials, epochs, workers, directory):
    from gradwise.tuning import Tuner

    x_fit, y_fit, x_val, y_val, x_test, y_test = data
    start = time.perf_counter()
    tuner = Tuner(build_gradwise_model, objective="val_accuracy", max_trials=trials, sampler="tpe",
                  pruner="median", seed=0, workers=workers, directory=directory, project_name="w6", overwrite=True,
                  threads_per_worker=1, save_models=SAVE_MODELS)
    tuner.search(x_fit, y_fit, epochs=epochs, batch_size=32, validation_data=(x_val, y_val), verbose=0)
    seconds = time.perf_counter() - start
    # The kernels the trials trained on (the tuner picks NumPy's for a search too small to repay loading
    # numba's, gradwise.tuning.kernels), and whether this process imported numba during the search.
    kernels = "/".join(sorted({str(t.user_attrs.get("ops")) for t in tuner.study.trials}))
    numba_imported = "numba" in sys.modules
    best = tuner.get_best_models(1)[0]
    pruned = sum(t.state.name == "PRUNED" for t in tuner.study.trials)
    return {"seconds": seconds, "best_val_accuracy": float(tuner.study.best_value),
            "test_accuracy": float(best.evaluate(x_test, y_test, verbose=0)[1]), "pruned": pruned,
            "kernels": kernels, "numba_imported": numba_imported}


def plain_optuna_torch_search(data, trials, epochs):
    import optuna
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    x_fit, y_fit, x_val, y_val, x_test, y_test = (torch.from_numpy(np.ascontiguousarray(a)) for a in data)
    models = {}

    def objective(trial):
        torch.manual_seed(trial.number)
        layers, width = [], 8
        for index in range(trial.suggest_int("n_layers", 1, 3)):
            units = trial.suggest_int(f"units_{index}", 8, 128, log=True)
            layers += [torch.nn.Linear(width, units), torch.nn.ReLU(),
                       torch.nn.Dropout(trial.suggest_float(f"dropout_{index}", 0.0, 0.5))]
            width = units
        net = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))
        name = trial.suggest_categorical("optimizer", ["adam", "rmsprop", "sgd"])
        lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
        optimizer = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop, "sgd": torch.optim.SGD}[name](net.parameters(), lr=lr)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        for _ in range(epochs):
            net.train()
            order = torch.randperm(len(x_fit))
            for start in range(0, len(x_fit), 32):
                index = order[start:start + 32]
                optimizer.zero_grad()
                loss_fn(net(x_fit[index]).squeeze(1), y_fit[index]).backward()
                optimizer.step()
        net.eval()
        with torch.no_grad():
            accuracy = ((net(x_val).squeeze(1) > 0).float() == y_val).float().mean().item()
        models[trial.number] = net
        return accuracy

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = time.perf_counter()
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=trials)
    seconds = time.perf_counter() - start
    net = models[study.best_trial.number]
    with torch.no_grad():
        test_accuracy = ((net(x_test).squeeze(1) > 0).float() == y_test).float().mean().item()
    return {"seconds": seconds, "best_val_accuracy": float(study.best_value), "test_accuracy": test_accuracy}


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "GRADWISE_NUM_THREADS")
# (name, tool, workers, threads): the four searches of --compare.
COMPARED = [("gradwise_1_worker", "gradwise", 1, 1), ("optuna_torch_1_thread", "torch", 1, 1),
            ("gradwise_2_workers", "gradwise", 2, 1), ("optuna_torch_2_threads", "torch", 1, 2)]
# --with-numba: the same gradwise searches forced onto numba's kernels (GRADWISE_OPS=numba), to check the
# tuner's choice of NumPy's kernels for this small search on the machine measured.
WITH_NUMBA = [("gradwise_1_worker_numba", "gradwise", 1, 1), ("gradwise_2_workers_numba", "gradwise", 2, 1)]


def _peak_rss_mb():
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest waited-for child
    return own, children


def one_search(tool, workers, trials, epochs, json_path):
    """One search in this (fresh) interpreter; its result, with peak memory, written to `json_path`."""
    if tool == "torch":
        import optuna  # noqa: F401  (imported before the clock starts, as gradwise is)
        import torch  # noqa: F401
    else:
        import gradwise.tuning  # noqa: F401
    data = load_pima()
    with tempfile.TemporaryDirectory() as directory:
        result = (plain_optuna_torch_search(data, trials, epochs) if tool == "torch"
                  else gradwise_search(data, trials, epochs, workers, directory))
    result["peak_rss_mb"], result["worker_peak_rss_mb"] = _peak_rss_mb()
    Path(json_path).write_text(json.dumps(result))
    return result


def _run_one(tool, workers, threads, trials, epochs, ops=None):
    import subprocess

    env = dict(os.environ, **{name: str(threads) for name in THREAD_VARIABLES})
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    env.pop("GRADWISE_OPS", None)
    if ops:
        env["GRADWISE_OPS"] = ops
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "result.json")
        completed = subprocess.run([sys.executable, "-m", "bench.w6_search", "--one", tool, "--workers", str(workers),
                                    "--trials", str(trials), "--epochs", str(epochs), "--json", out],
                                   env=env, capture_output=True, text=True, timeout=900)
        if completed.returncode != 0:
            return {"status": "error", "reason": completed.stderr[-2000:]}
        return {"status": "ok", **json.loads(Path(out).read_text())}


def compare(rounds, trials, epochs, json_path, with_numba=False):
    """The issue-15 comparison: see the module docstring (--compare)."""
    compared = COMPARED + (WITH_NUMBA if with_numba else [])
    runs = {name: [] for name, *_ in compared}
    started = {"load_average_start": os.getloadavg(), "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    for round_index in range(rounds):
        order = compared[round_index % len(compared):] + compared[:round_index % len(compared)]
        for name, tool, workers, threads in order:
            result = _run_one(tool, workers, threads, trials, epochs, "numba" if name.endswith("_numba") else None)
            runs[name].append(result)
            shown = f"{result['seconds']:.2f} s" if result["status"] == "ok" else result["reason"].splitlines()[-1:]
            print(f"round {round_index + 1}: {name} {shown}", flush=True)
    summary = {**started, "load_average_end": os.getloadavg(), "trials": trials, "epochs": epochs, "runs": runs,
               "median_seconds": {}, "ratios": {}}
    for name, results in runs.items():
        good = [r for r in results if r["status"] == "ok"]
        if good:
            summary["median_seconds"][name] = float(np.median([r["seconds"] for r in good]))
    pairs = {"1 thread": ("optuna_torch_1_thread", "gradwise_1_worker"),
             "2 threads / 2 workers": ("optuna_torch_2_threads", "gradwise_2_workers")}
    medians = summary["median_seconds"]
    for label, (peer, mine) in pairs.items():
        if peer in medians and mine in medians:
            summary["ratios"][label] = medians[peer] / medians[mine]
    print(compare_table(summary))
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(summary, indent=2))
    return summary


def compare_table(summary):
    """Markdown: one row per search (medians over rounds), then the ratios against the goal of 8x."""
    lines = [f"W6, {summary['trials']} trials x {summary['epochs']} epochs, started {summary['started']}, load average "
             f"{summary['load_average_start'][0]:.1f} at start, {summary['load_average_end'][0]:.1f} at end",
             "", "| search | wall time (median, min-max) | best val accuracy | its test accuracy | pruned | peak RSS "
             "| largest worker's peak RSS | kernels (numba imported) |", "|---|---:|---|---|---:|---:|---:|---|"]
    for name, results in summary["runs"].items():
        good = [r for r in results if r["status"] == "ok"]
        if not good:
            lines.append(f"| {name} | failed | | | | | | |")
            continue
        seconds = [r["seconds"] for r in good]
        accuracies = "/".join(sorted({f"{r['best_val_accuracy']:.3f}" for r in good}))
        tests = "/".join(sorted({f"{r['test_accuracy']:.3f}" for r in good}))
        pruned = "/".join(sorted({str(r.get("pruned", 0)) for r in good}))
        workers = max(r["worker_peak_rss_mb"] for r in good) if name.startswith("gradwise_2") else None
        kernels = "/".join(sorted({f"{r['kernels']} ({'yes' if r['numba_imported'] else 'no'})" for r in good
                                   if "kernels" in r})) or "—"
        lines.append(f"| {name} | {np.median(seconds):.2f} s ({min(seconds):.2f}-{max(seconds):.2f}) | {accuracies} "
                     f"| {tests} | {pruned} | {max(r['peak_rss_mb'] for r in good):.0f} MB | "
                     f"{'—' if workers is None else f'{workers:.0f} MB'} | {kernels} |")
    lines.append("")
    for label, ratio in summary["ratios"].items():
        lines.append(f"- Optuna + PyTorch ÷ gradwise, {label}: **{ratio:.2f}x** (goal ≥ 8x)")
    return "\n".join(lines)


def build_digits_model(hp):
    """A digits search space for the worker-scaling measurement."""
    import gradwise as gw
    from gradwise.layers import Dense, Dropout, Input

    model = gw.Sequential([Input((64,))])
    for index in range(hp.Int("n_layers", 1, 3)):
        model.add(Dense(hp.Int(f"units_{index}", 32, 256, sampling="log"), activation="relu"))
        model.add(Dropout(hp.Float(f"dropout_{index}", 0.0, 0.5)))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer=gw.optimizers.Adam(hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def worker_scaling(trials, epochs, workers):
    """Wall time of the same digits search with 1 and with `workers` processes (no pruning)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from gradwise.tuning import Tuner

    digits = load_digits()
    x_fit, x_val, y_fit, y_val = train_test_split((digits.data / 16).astype(np.float32), digits.target,
                                                  test_size=0.2, stratify=digits.target, random_state=0)
    seconds = {}
    with tempfile.TemporaryDirectory() as directory:
        for count in (1, workers):
            start = time.perf_counter()
            tuner = Tuner(build_digits_model, objective="val_accuracy", max_trials=trials, sampler="random",
                          pruner=None, seed=0, workers=count, directory=directory, project_name=f"scaling{count}",
                          overwrite=True, threads_per_worker=1)
            tuner.search(x_fit, y_fit, epochs=epochs, batch_size=32, validation_data=(x_val, y_val), verbose=0)
            seconds[f"{count}_workers"] = time.perf_counter() - start
    print(f"digits search, {trials} trials x {epochs} epochs: " +
          ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items()))
    return seconds


def interleaved(rounds, trials, epochs, json_path):
    """gradwise's 1-worker search and the plain Optuna + PyTorch study, alternated `rounds` times."""
    data = load_pima()
    runs = {"gradwise_1_worker": [], "optuna_torch": []}
    for round_index in range(rounds):
        with tempfile.TemporaryDirectory() as directory:
            runs["gradwise_1_worker"].append(gradwise_search(data, trials, epochs, 1, directory))
        runs["optuna_torch"].append(plain_optuna_torch_search(data, trials, epochs))
        print(f"round {round_index + 1}: gradwise {runs['gradwise_1_worker'][-1]['seconds']:.2f} s, "
              f"Optuna + PyTorch {runs['optuna_torch'][-1]['seconds']:.2f} s", flush=True)
    medians = {name: float(np.median([r["seconds"] for r in results])) for name, results in runs.items()}
    summary = {"threads": os.environ.get("OMP_NUM_THREADS"), "load_average_at_start": os.getloadavg(),
               "runs": runs, "median_seconds": medians,
               "optuna_torch_seconds_over_gradwise": medians["optuna_torch"] / medians["gradwise_1_worker"]}
    print(f"median: gradwise {medians['gradwise_1_worker']:.2f} s, Optuna + PyTorch {medians['optuna_torch']:.2f} s, "
          f"ratio {summary['optuna_torch_seconds_over_gradwise']:.1f}x")
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(summary, indent=2))
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--scaling-only", action="store_true", help="only the 1- vs N-worker digits search")
    parser.add_argument("--rounds", type=int, default=0,
                        help="only the 1-worker search and the peer, alternated this many times (interleaved, "
                             "so both see the same machine); set OMP_NUM_THREADS for the thread count")
    parser.add_argument("--compare", type=int, default=0, metavar="ROUNDS",
                        help="the issue-15 comparison: ROUNDS interleaved rounds of the four searches")
    parser.add_argument("--with-numba", action="store_true",
                        help="with --compare: also the gradwise searches forced onto numba's kernels (GRADWISE_OPS=numba)")
    parser.add_argument("--one", choices=("gradwise", "torch"), help=argparse.SUPPRESS)  # one search of --compare
    args = parser.parse_args(argv)
    if args.one:
        return one_search(args.one, args.workers, args.trials, args.epochs, args.json)
    if args.compare:
        return compare(args.compare, args.trials, args.epochs, args.json, args.with_numba)
    if args.scaling_only:
        return worker_scaling(40, 60, args.workers)
    if args.rounds:
        return interleaved(args.rounds, args.trials, args.epochs, args.json)
    data = load_pima()
    with tempfile.TemporaryDirectory() as directory:
        results = {
            f"gradwise_{args.workers}_workers": gradwise_search(data, args.trials, args.epochs, args.workers, directory),
            "gradwise_1_worker": gradwise_search(data, args.trials, args.epochs, 1, directory),
        }
    results["optuna_torch"] = plain_optuna_torch_search(data, args.trials, args.epochs)
    results["worker_scaling_digits"] = worker_scaling(40, 60, args.workers)
    baseline = results["optuna_torch"]["seconds"]
    for name, result in results.items():
        if name == "worker_scaling_digits":
            continue
        result["optuna_torch_seconds_over_this"] = baseline / result["seconds"]
        print(f"{name:22s} {result['seconds']:7.1f} s  best val acc {result['best_val_accuracy']:.3f}  "
              f"test acc {result['test_accuracy']:.3f}  speed-up vs Optuna+PyTorch {baseline / result['seconds']:.1f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()

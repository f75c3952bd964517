"""What ``gradwise tune`` writes to runs/NAME: trials.csv, summary.json and two plots."""

import json
import os
import time
import warnings

from optuna.trial import TrialState

from ..tuning.report import format_value, reported_values
from .table import write_csv


def write_trials_csv(path, trials, objectives):
    """One row per trial: number, state, objective values, duration, epochs, seed, then every parameter."""
    names = []
    for trial in trials:
        names += [name for name in trial.user_attrs.get("hp_values", trial.params) if name not in names]
    header = ["number", "state", *[o.name for o in objectives], "duration_s", "epochs", "seed", *names]
    rows = []
    for trial in trials:
        values = reported_values(trial) or []
        values = values + [None] * (len(objectives) - len(values))
        seconds = trial.duration.total_seconds() if trial.duration is not None else None
        params = trial.user_attrs.get("hp_values", trial.params)
        rows.append([trial.number, trial.state.name, *["" if v is None else v for v in values],
                     "" if seconds is None else round(seconds, 3), trial.user_attrs.get("epochs", ""),
                     trial.user_attrs.get("seed", ""), *[params.get(name, "") for name in names]])
    write_csv(path, header, rows)


def write_summary(path, summary):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2, sort_keys=False, default=str)
        handle.write("\n")


FIRST_PLOT_SECONDS = 0.5  # the guess of a plot's cost before one was timed (matplotlib's import included)


def write_plots(folder, study, deadline=None):
    """Optimization history and parameter importances as PNG files; returns (written paths, notes).

    A plot is skipped, with a note, when the slowest plot so far would not finish before
    `deadline` (a ``time.time()`` value: the end of ``gradwise tune``'s time budget).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import optuna

    written, notes = [], []
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    plots = [("optimization_history.png", optuna.visualization.matplotlib.plot_optimization_history, 1),
             ("param_importances.png", optuna.visualization.matplotlib.plot_param_importances, 2)]
    slowest = FIRST_PLOT_SECONDS
    for filename, plot, needed in plots:
        left = None if deadline is None else deadline - time.time()
        if left is not None and left < slowest:
            notes.append(f"{filename} skipped: the time budget ends in {max(left, 0):.1f} s and a plot takes "
                         f"about {slowest:.1f} s (a larger --time-budget draws it)")
            continue
        started = time.time()
        if len(study.directions) > 1:
            notes.append(f"{filename} skipped: multi-objective study")
            continue
        if len(complete) < needed:
            notes.append(f"{filename} skipped: needs at least {needed} complete trials, got {len(complete)}")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
            try:
                axes = plot(study)
            except (ValueError, RuntimeError) as error:
                notes.append(f"{filename} skipped: {error}")
                continue
        figure = axes.figure
        figure.set_size_inches(8, 5)
        figure.tight_layout()
        path = os.path.join(folder, filename)
        figure.savefig(path, dpi=100)
        plt.close(figure)
        written.append(path)
        slowest = max(slowest, time.time() - started)
    return written, notes


def best_table(trials, objective, shown_params):
    """Lines of a fixed-width table of the best trials."""
    header = f"{'trial':>5}  {objective:>14}  {'epochs':>6}  {'seconds':>7}  hyperparameters"
    lines = [header, "-" * len(header)]
    for trial in trials:
        params = " ".join(f"{k}={format_value(v)}" for k, v in shown_params(trial).items())
        seconds = trial.duration.total_seconds() if trial.duration is not None else float("nan")
        lines.append(f"{trial.number:>5}  {format_value(trial.values[0]):>14}  "
                     f"{trial.user_attrs.get('epochs', ''):>6}  {seconds:>7.1f}  {params}")
    return lines

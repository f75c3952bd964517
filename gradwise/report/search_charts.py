"""What the search learned, as charts and numbers: history, importances, parallel coordinates, slices.

The charts are Optuna's own matplotlib plots (``optuna.visualization.matplotlib``),
saved as inline SVG; the importances are Optuna's fANOVA numbers. Each function returns
HTML: the chart and the numbers it shows, as text.
"""

import time
import warnings

import numpy as np

from .page import number, paragraph, table
from .svg import figure_html


def _optuna_figure(plot, *args, **kwargs):
    """A figure from an Optuna matplotlib plot (which draws through pyplot), detached from pyplot."""
    import matplotlib
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(), matplotlib.rc_context():  # its global style change is undone on exit
        warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
        axes = plot(*args, **kwargs)
    figure = np.ravel(axes)[0].figure
    plt.close(figure)
    return figure


def complete_trials(study):
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def history_html(study, objective):
    import optuna

    complete = complete_trials(study)
    figure = _optuna_figure(optuna.visualization.matplotlib.plot_optimization_history, study, target_name=objective)
    figure.set_size_inches(7.5, 3.8)
    sign = 1 if study.direction.name == "MINIMIZE" else -1
    rows, best = [], None
    for trial in sorted(complete, key=lambda t: t.number):
        if best is None or sign * trial.value < sign * best:
            best = trial.value
            rows.append([trial.number, number(trial.value)])
    alt = (f"Optimization history: {objective} of {len(complete)} complete trials; the best so far fell to "
           f"{number(best)} at trial {rows[-1][0]}")
    return (figure_html(figure, alt) + paragraph("Trials that improved on every earlier one:")
            + table(["trial", f"best {objective} so far"], rows, numeric=(0, 1)))


def importances(study):
    """{parameter: importance} (Optuna's default fANOVA evaluator, seeded), or {} when it cannot be computed."""
    import optuna

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
            return dict(optuna.importance.get_param_importances(study, evaluator=evaluator))
    except (ValueError, RuntimeError):
        return {}


def importances_html(values):
    from .svg import new_figure

    if not values:
        return paragraph("Parameter importances need at least two complete trials whose parameters vary.")
    names = list(values)[::-1]
    figure, axis = new_figure(6.4, 0.45 * len(names) + 1.0)
    axis.barh(names, [values[name] for name in names], color="C0")
    axis.set_xlabel("importance (fANOVA, share of the objective's variance)")
    axis.set_title("Parameter importances")
    for position, name in enumerate(names):
        axis.text(values[name], position, f" {values[name]:.3f}", va="center", fontsize=8)
    axis.set_xlim(0, max(values.values()) * 1.2 or 1)
    alt = "Parameter importances: " + ", ".join(f"{name} {value:.3f}" for name, value in values.items())
    rows = [[name, f"{value:.3f}"] for name, value in values.items()]
    return figure_html(figure, alt) + table(["parameter", "importance"], rows, numeric=(1,))


def parallel_html(study, objective, params):
    import optuna

    if len(complete_trials(study)) < 2 or not params:
        return paragraph("Parallel coordinates need at least two complete trials.")
    try:
        figure = _optuna_figure(optuna.visualization.matplotlib.plot_parallel_coordinate, study, params=params,
                                target_name=objective)
    except (ValueError, RuntimeError, KeyError) as error:
        return paragraph(f"Parallel coordinates could not be drawn: {error}")
    figure.set_size_inches(9, 4.2)
    alt = (f"Parallel coordinates of {len(complete_trials(study))} complete trials over {', '.join(params)}, "
           f"coloured by {objective}")
    return figure_html(figure, alt, "Each line is a trial; darker lines score better.")


def slices_html(study, objective, params, best, deadline=None):
    """One small slice plot per parameter, with the range tried and the best trial's value as text.

    With a `deadline` (a ``time.time()`` value), the plots stop once the slowest so far would
    end past it, and the parameters left out are named: at eight parameters this section
    is the report's costliest (2-3 s on a 2-core machine at load 8).
    """
    import optuna

    complete = complete_trials(study)
    if not complete:
        return paragraph("No complete trial yet.")
    parts, left_out, slowest = [], [], 0.0
    for name in params:
        values = [t.params[name] for t in complete if name in t.params]
        if not values:
            continue
        if deadline is not None and time.time() + slowest > deadline:
            left_out.append(name)
            continue
        started = time.time()
        try:
            figure = _optuna_figure(optuna.visualization.matplotlib.plot_slice, study, params=[name],
                                    target_name=objective)
        except (ValueError, RuntimeError, KeyError):
            continue
        figure.set_size_inches(4.2, 3.2)
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        tried = f"{number(min(values))} to {number(max(values))}" if numeric else ", ".join(sorted(map(str, set(values))))
        chosen = best.params.get(name, "not used") if best is not None else "—"
        text = f"{name}: {len(values)} trials, tried {tried}; best trial: {number(chosen) if numeric else chosen}"
        parts.append(f"<div>{figure_html(figure, 'Slice plot of ' + text, text)}</div>")
        slowest = max(slowest, time.time() - started)
    note = (paragraph(f"Left out to keep the time budget: {', '.join(left_out)}.", "note") if left_out else "")
    return "<div class=\"grid\">" + "".join(parts) + "</div>" + note

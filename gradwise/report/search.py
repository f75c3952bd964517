"""The page of a search, ``runs/NAME/report.html``: what was searched, what won, what the search learned.

Built from the run folder alone (``study.read_run``), so ``gradwise report runs/NAME``
rebuilds it at any time: for a finished run, a study still running, a database study,
or a damaged folder (what can be shown is shown, and each gap is one line on the page).
"""

import os
import time

import numpy as np

from . import charts, search_charts
from .findings import findings_html
from .page import Page, code, number, pairs, paragraph, table
from .study import DATA_KEY, RUN_KEY, read_run
from .svg import default_style

BEST_CURVES = 3
REPORT_FILE = "report.html"
FIRST_CHART_SECONDS = 0.5  # the guess of a chart section's cost before one was timed


class _Clock:
    """Draws the chart sections while the `deadline` allows (``gradwise tune``'s time budget), else skips them.

    A section is skipped when the slowest section so far would not finish before the
    deadline; the page names what was left out and how to draw it.
    """

    def __init__(self, deadline):
        self.deadline, self.slowest, self.skipped = deadline, FIRST_CHART_SECONDS, []

    def draw(self, page, heading, build):
        if self.deadline is not None and time.time() + self.slowest > self.deadline:
            self.skipped.append(heading)
            return
        start = time.time()
        page.section(heading, build())
        self.slowest = max(self.slowest, time.time() - start)


def _data_section(run, page):
    summary, study = run.summary or {}, run.study
    fingerprint = study.user_attrs.get(DATA_KEY, {}) if study is not None else {}
    facts = study.user_attrs.get(RUN_KEY, {}) if study is not None else {}
    task = summary.get("task") or fingerprint.get("task")
    if not (summary or fingerprint):
        page.section("Task and data", paragraph("Not recorded: the run folder has no summary.json and the study no "
                                                "data description."))
        return
    rows = summary.get("rows") or facts.get("rows") or {}
    classes = summary.get("classes") or facts.get("classes")
    items = [("data", fingerprint.get("source", "—")), ("target", summary.get("target") or fingerprint.get("target")),
             ("task", f"{task}" + (f", {len(classes)} classes ({', '.join(map(str, classes))})" if classes else "")),
             ("rows", number(fingerprint.get("rows")) if fingerprint.get("rows") else "—"),
             ("training rows (searched)", number(rows.get("train")) if rows.get("train") else "—"),
             ("held-out test rows", number(rows.get("test")) if rows.get("test") else "—"),
             ("validation", f"{fingerprint.get('folds')}-fold cross-validation" if (fingerprint.get("folds") or 0) > 1
              else "one validation split")]
    columns = summary.get("columns") or facts.get("columns") or {}
    used, dropped = columns.get("used") or [], columns.get("dropped") or []
    parts = [pairs(items)]
    if summary.get("imbalance"):  # written since the thirty-eighth session
        from ..tabular.target import imbalance_line  # here: the tabular package imports this module

        parts.append(paragraph(imbalance_line(summary.get("target"), summary["imbalance"], rows.get("train")) + "."))
    if used:
        parts.append(paragraph(f"{len(used)} column(s) used: {', '.join(used)}."))
    if dropped:
        parts.append(table(["dropped column", "why"], [[d["name"], d["reason"]] for d in dropped],
                           caption=f"{len(dropped)} column(s) dropped"))
    elif used:
        parts.append(paragraph("No column was dropped."))
    leaks = columns.get("possible_leaks") or []
    if leaks:
        score = "R²" if task == "regression" else "accuracy"
        parts.append(table(["column", f"{score} from it alone (out of fold)"],
                           [[leak["column"], f"{leak['score']:.3f}"] for leak in leaks],
                           caption=f"{len(leaks)} column(s) that alone predict the target almost perfectly: if one "
                                   "is known only after the outcome (a leak), the scores flatter the model; drop it "
                                   "with --drop"))
    gap_leaks = columns.get("possible_gap_leaks") or []  # written since the thirty-fourth session
    if gap_leaks:
        score = "R²" if task == "regression" else "accuracy"
        parts.append(table(["column", f"{score} from whether it is missing (out of fold)", "missing on"],
                           [[leak["column"], f"{leak['score']:.3f}", f"{leak['missing']:.0%}"] for leak in gap_leaks],
                           caption=f"{len(gap_leaks)} column(s) whose gaps alone predict the target: if one is filled "
                                   "in only for some outcomes (a leak), the scores flatter the model; drop it with "
                                   "--drop"))
    groups = columns.get("possible_groups") or []
    if groups:
        parts.append(table(["column", "values", "rows each", "columns that never change within one of its values"],
                           [[group["column"], number(group["values"]), f"{group['rows_per_value']:.1f}",
                             ", ".join(group["properties"]) or "— (named like an identifier)"] for group in groups],
                           caption=f"{len(groups)} column(s) whose rows may belong together: if new rows will come "
                                   "from new values of one, the split by row flatters the scores; run again with "
                                   "--group COLUMN"))
    if columns.get("possible_blocks") or columns.get("possible_runs"):  # written since the thirty-fourth session
        from ..tabular.report import blocks_line, runs_line

        if columns.get("possible_blocks"):
            parts.append(paragraph(blocks_line(columns["possible_blocks"]) + "."))
        if columns.get("possible_runs"):
            parts.append(paragraph(runs_line(columns["possible_runs"]) + "."))
    if columns.get("possible_copies"):  # written since the thirty-eighth session
        from ..tabular.report import copies_line

        parts.append(paragraph(copies_line(columns["possible_copies"]) + "."))
    page.section("Task and data", *parts)


def _results_section(run, page):
    summary = run.summary
    if not summary:
        page.section("Results", paragraph("No final results yet: summary.json is written when `gradwise tune` ends "
                                          "(the search may still be running, or it stopped early).", "note"))
        return
    comparison = summary.get("comparison") or []
    keys = list(comparison[0]["test"]) if comparison else []
    metric = comparison[0]["cv"]["metric"] if comparison else "score"
    rows = [[entry["name"], f"{entry['cv']['mean']:.4f} ± {entry['cv']['std']:.4f}",
             *[f"{entry['test'][key]:.4f}" for key in keys]] for entry in comparison]
    test_rows = summary.get("test", {}).get("rows")
    parts = [table(["model", f"CV {metric} (mean ± std over folds)", *[f"test {key}" for key in keys]], rows,
                   numeric=tuple(range(1, 2 + len(keys))), highlight=0,
                   caption=f"Held-out test: {test_rows} rows never seen by the search, the ensemble choice or the "
                           "baselines")]
    network = comparison[0] if comparison else None
    if network:
        folds = ", ".join(f"{v:.4f}" for v in network["cv"].get("folds", []))
        parts.append(paragraph(f"Cross-validated {metric} of the network on each fold: {folds}."))
    if summary.get("verdict"):  # written since the thirty-third session
        from ..tabular.verdict import verdict_line  # here: the tabular package imports this module

        parts.append(paragraph(verdict_line(summary["verdict"])))
    ensemble = summary.get("ensemble") or {}
    if ensemble.get("trials"):
        weights = ", ".join(f"trial {t} ({w:.2f})" for t, w in zip(ensemble["trials"], ensemble["weights"]))
        if "nested_cv_loss" in ensemble:  # each fold's rows mixed by weights chosen on the other folds
            bagged = f", each its {ensemble['folds_per_trial'][0]} fold networks" if ensemble.get("folds_per_trial") else ""
            parts.append(paragraph(
                f"Final model: {weights}{bagged}. Nested out-of-fold loss of choosing an ensemble "
                f"{number(ensemble.get('nested_ensemble_cv_loss'))}, of choosing the best trial "
                f"{number(ensemble.get('nested_best_trial_cv_loss'))}: chose {ensemble.get('procedure')}; "
                f"scored on the rows it was chosen on, the choice would claim {number(ensemble.get('in_sample_cv_loss'))}."))
        else:  # a summary written before the nested choice
            parts.append(paragraph(f"Final model: {weights}; out-of-fold loss {number(ensemble.get('cv_loss'))} against "
                                   f"{number(ensemble.get('best_single_cv_loss'))} for the best single trial."))
    page.section("Results", *parts)


def _best_section(run, page, best, objective):
    if best is None:
        page.section("Best configuration", paragraph("No trial completed yet: nothing to show here.", "note"))
        return
    values = best.user_attrs.get("hp_values", best.params)
    parts = [paragraph(f"Trial {best.number}: {objective} {number(best.value)} (mean over the folds), "
                       f"{best.user_attrs.get('best_epoch', '—')} epochs at its best."),
             table(["hyperparameter", "value"], [[k, number(v) if isinstance(v, float) else v] for k, v in values.items()])]
    model_path = os.path.join(run.folder, "best.gw")
    if os.path.exists(model_path):
        try:
            from ..models.summary import summary_table
            from ..saving import load_model

            model = load_model(model_path)
            networks = getattr(model, "networks", [model])
            members = (run.summary or {}).get("ensemble", {}).get("trials") or []
            first = f", trial {members[0]}" if members else ""
            parts.append(paragraph(f"best.gw holds {len(networks)} network(s); the heaviest{first}:"))
            parts.append(code(summary_table(networks[0])))
        except (OSError, ValueError) as error:
            run.notes.append(f"best.gw could not be read: {str(error).splitlines()[0]}")
    page.section("Best configuration", *parts)


def _mean_curve(folds):
    if not folds:
        return np.array([])
    length = max(len(fold) for fold in folds)
    padded = np.full((len(folds), length), np.nan)
    for index, fold in enumerate(folds):
        padded[index, :len(fold)] = fold
    with np.errstate(all="ignore"):
        counts = np.isfinite(padded).sum(axis=0)
        return np.where(counts > 0, np.nansum(padded, axis=0) / np.maximum(counts, 1), np.nan)


def _curves_html(best_trials):
    parts = []
    for trial in best_trials[:BEST_CURVES]:
        curves = trial.user_attrs.get("curves") or {}
        series = {key: _mean_curve(curves.get(key) or []) for key in ("loss", "val_loss")}
        chart, rows = charts.curves(series, f"Trial {trial.number}: loss (mean over folds)", "loss")
        if chart:
            parts += [f"<h3>Trial {trial.number}</h3>", chart, table(charts.CURVE_HEADER, rows, numeric=(1, 2, 3, 4))]
    return "".join(parts) or paragraph("No learning curves stored for the best trials.")


def _commands_section(run, page):
    facts = run.study.user_attrs.get(RUN_KEY, {}) if run.study is not None else {}
    model = os.path.join(run.folder, "best.gw")
    lines = [f"gradwise predict --model {model} --data new.csv --output predictions.csv"]
    parts = [paragraph("Predict with the tuned model (raw CSV rows in, its preprocessing applied):"), code(lines[0]),
             paragraph("In Python:"), code(f"import gradwise\nmodel = gradwise.load_model({model!r})\n"
                                           "predictions = model.predict(rows)")]
    if facts.get("command"):
        parts += [paragraph("Resume the search (the same command continues the stored study):"), code(facts["command"])]
    parts += [paragraph("Rebuild this page, or watch the study live:"),
              code(f"gradwise report {run.folder}\ngradwise dashboard {run.folder}")]
    page.section("Commands", *parts)


def search_page(run, deadline=None):
    study = run.study
    objective = (run.summary or {}).get("objective", "val_loss")
    title = f"gradwise tune: {run.name}"
    if study is None:
        page = Page(title, "The study could not be read; what the run folder holds is shown.")
        complete, best_trials = [], []
    else:
        from optuna.trial import TrialState

        complete = search_charts.complete_trials(study)
        counts = {state.name.lower(): sum(1 for t in study.trials if t.state == state) for state in TrialState}
        lead = (f"{len(study.trials)} trials: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
                + f". Study in {run.storage}.")
        page = Page(title, lead)
        sign = 1 if study.direction.name == "MINIMIZE" else -1
        best_trials = sorted(complete, key=lambda t: sign * t.value)
    _data_section(run, page)
    _results_section(run, page)
    best = best_trials[0] if best_trials else None
    _best_section(run, page, best, objective)
    clock = _Clock(deadline)
    clock.draw(page, "Learning curves of the best trials", lambda: _curves_html(best_trials))
    if complete:
        clock.draw(page, "Optimization history", lambda: search_charts.history_html(study, objective))
        values = {}
        params = sorted({name for t in complete for name in t.params})

        def importances():
            values.update(search_charts.importances(study))
            params.sort(key=lambda name: -values.get(name, -1.0))
            return search_charts.importances_html(values)

        clock.draw(page, "Parameter importances", importances)
        shared = [name for name in params if all(name in t.params for t in complete)]  # conditional ones left out
        clock.draw(page, "Parallel coordinates",
                   lambda: search_charts.parallel_html(study, objective, [n for n in params if n in shared][:8]))
        clock.draw(page, "What the search learned about each hyperparameter",
                   lambda: search_charts.slices_html(study, objective, params, best, clock.deadline))
    if clock.skipped:
        run.notes.append(f"Left out to keep the time budget: {', '.join(clock.skipped)}; `gradwise report "
                         f"{run.folder}` draws them.")
    page.section("Doctor's findings on the best model",
                 findings_html(run.doctor) if run.doctor else paragraph("No diagnosis stored for this run."))
    _commands_section(run, page)
    if run.notes:
        page.section("Notes", *[paragraph(note, "note") for note in run.notes], first=True)
    return page


def write_search(folder, storage=None, name=None, path=None, deadline=None):
    """Write the search page of run folder `folder` (default ``folder/report.html``); returns (path, size, notes).

    `deadline` (seconds since the epoch): chart sections that would end after it are left
    out, and the page says so. Raises ValueError when `folder` is not a run folder (and no
    `storage` URL is given).
    """
    run = read_run(folder, storage, name)
    path = path or os.path.join(folder, REPORT_FILE)
    with default_style():
        page = search_page(run, deadline)
    size = page.write(path)
    return path, size, run.notes

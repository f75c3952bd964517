"""What ``gradwise tune`` prints and writes: progress, the final model, the comparison table, runs/NAME."""

import os
import shlex
import shutil
import time

import numpy as np
from optuna.trial import TrialState

from ..ops.threads import usable_cores
from ..report.runinfo import DOCTOR_FILE
from ..report.search import write_search
from ..tuning.report import progress_line
from . import ensemble
from .data import unlabelled_lines
from .dates import shown_format
from .groups import likely_groups, row_blocks, row_copies, row_runs
from .leaks import gap_leak_line, gap_leaking_columns, leak_line, leaking_columns
from .markers import marker_line
from .outputs import best_table, write_plots, write_summary, write_trials_csv
from .pipeline import TabularModel
from .preprocess import MISSING
from .scores import CV_METRIC, cv_summary, fold_score, test_scores
from .search import is_simplest
from .seasons import describe as describe_season, season_part
from .space import telling_params
from .target import case_variants, class_imbalance, imbalance_line, quantity_spread, quantity_tail, whole_numbers
from .verdict import verdict, verdict_line

BEST_SHOWN = 5
WRITE_SECONDS = 2.0  # trials.csv, plots, summary, the model file and the report, on an idle machine
BUSIEST = 3.0  # the most the writing time is scaled for a busy machine (``busy_factor``)
MOST_RESERVED = 0.3  # the share of the budget kept after the search at most; beyond, plots and charts are skipped


def busy_factor():
    """How many runnable processes share each core now (the 1-minute load average over the cores), in [1, BUSIEST].

    1 where the load average is not available (Windows).
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return 1.0
    return float(min(max(load / max(usable_cores(), 1), 1.0), BUSIEST))


def _shown(trial):
    return telling_params(trial.user_attrs.get("hp_values", trial.params))


SHOWN_ALIKE = 3  # dropped columns of one reason shown one line each; more share a line


def gaps_line(entry, impute, rows):
    """The line saying what becomes of the missing values of column `entry` (of `rows` training rows)."""
    share = f" ({entry['missing'] / rows:.0%} of the training rows)" if entry["missing"] >= rows / 2 else ""
    if entry["fill"] == MISSING:  # a text column's (a number column's fill is a number)
        return f"Column '{entry['name']}': {entry['missing']} missing value(s){share} are a category of their own, '{MISSING}'"
    marked = f", and marking them in a 0/1 column '{entry['name']}={MISSING}'" if entry.get("indicator") else (
        f"; they are on the rows of the gaps of '{entry['gaps_of']}', marked there" if entry.get("gaps_of") else "")
    return (f"Imputing {entry['missing']} missing value(s) of '{entry['name']}'{share} with {entry['fill']!r} "
            f"(--impute {impute}){marked}")


def dropped_lines(dropped, group=None):
    """One line per dropped column, or one per reason where more than ``SHOWN_ALIKE`` columns share it."""
    reasons = {}
    for entry in dropped:
        reasons.setdefault(entry["reason"], []).append(entry["name"])
    lines = []
    for reason, names in reasons.items():
        if len(names) > SHOWN_ALIKE:
            more = f" and {len(names) - 8} more" if len(names) > 8 else ""
            shown = ", ".join(repr(name) for name in names[:8]) + more
            lines.append(f"Dropped {len(names)} columns ({shown}): each {reason} (keep one with --keep COLUMN)")
            continue
        for name in names:
            hint = "" if name == group else f" (keep it with --keep {shlex.quote(name)})"
            lines.append(f"Dropped column '{name}': {reason}{hint}")
    return lines


def _fallback_kind(trial):
    """What the final choice's fallback `trial` is (``search.is_simplest``): a one-curve table's spline, or the plain
    linear model."""
    encoded = getattr(trial, "params", {}).get("numbers") == "piecewise"
    return "spline of the table's one number (no hidden layer)" if encoded else "plain linear model"


def blocks_line(blocks):
    """The line on rows that come in blocks of one length (``groups.row_blocks``), with the flag that keeps them
    whole."""
    size = blocks["rows_per_block"]
    return (f"Rows come in blocks of {size} consecutive rows ({blocks['blocks']} blocks) within which "
            f"{', '.join(repr(name) for name in blocks['properties'])} never change: if each block is one unit's rows "
            "(a worker's years, a patient's visits), a split by row puts every unit on both sides of the test rows "
            "and the folds, which flatters every model's scores (a forest's most); use "
            f"--group-rows {size} so that the test rows and the folds are new units")


def copies_line(copies):
    """The line on rows that are exact copies of other rows (``groups.row_copies``)."""
    return (f"Rows repeat: {copies['rows']} of the {copies['of']} rows ({copies['share']:.0%}) are exact copies of "
            f"another row, target included, where with each column shuffled on its own "
            f"{copies['after_shuffle']:.0%} would be; "
            f"{copies['test_rows']} of the {copies['test_of']} test rows have a copy among the training rows. If a "
            "copy is one observation written twice, those test rows are not new and every model's scores are "
            "flattered (a forest's most, as it recalls training rows): use --group-copies so that a row's copies "
            "stay on one side of the test split and the folds, or remove the copies from the file. If they are "
            "real repeats (different cases alike in every column), new rows will repeat too, and nothing needs to "
            "change")


def runs_line(runs):
    """The line on rows that come in runs of one unit's rows (``groups.row_runs``), with the flag that keeps them
    whole."""
    columns, evidence = runs["columns"], runs["evidence"]
    shown = ", ".join(repr(name) for name in columns[:4]) + (", ..." if len(columns) > 4 else "")
    flag = f"--group-runs {shlex.quote(runs['label'] or ','.join(columns))}"  # the label's runs hold the finer ones
    return (f"Rows come in runs of consecutive rows equal in {len(columns)} column(s) ({shown}): {runs['runs']} runs "
            f"of {runs['rows_per_run']:.1f} rows on average; '{evidence['column']}' ({evidence['values']} values) "
            f"equals the previous row's on {evidence['repeats']:.0%} of the rows, where two rows drawn at random share "
            f"it {evidence['after_shuffle']:.1%} of the time. If each run is one unit's rows (a person's years, a "
            "household's members), a split by row puts every unit on both sides of the test rows and the folds, "
            f"which flatters every model's scores (a forest's most); use {flag} so that the test rows and the folds "
            "are new units")


class Reporter:
    """Prints progress for one ``gradwise tune`` run, chooses and trains the final model, writes the outputs."""

    def __init__(self, prepared, name, args, folds, started, budget, training=None, group=None):
        self.prepared, self.name, self.args, self.folds = prepared, name, args, folds
        self.group = group  # the column whose groups the split keeps whole (--group, or --group-rows' blocks)
        self.started, self.budget = started, budget
        self.training = training  # how the search trains each network: most epochs, batch size, patience

    def reserve(self, final=True):
        """Seconds kept after the search: to load the final networks and write the files (`final`), or only
        to write them (the later deadline of a search that has no complete trial yet).

        Writing is CPU work, so on a machine busier than its cores it takes longer: WRITE_SECONDS is
        scaled by ``busy_factor``, up to MOST_RESERVED of the budget (never less than an idle machine's
        reserve); what does not fit in it is the optional output (the PNG plots, the report's charts),
        skipped with a note.
        """
        share = 0.04 if final else 0.02
        idle = share * self.budget + WRITE_SECONDS
        return max(idle, min(share * self.budget + WRITE_SECONDS * busy_factor(), MOST_RESERVED * self.budget))

    def header(self, table):
        p = self.prepared
        config = p.preprocessor.config
        for note in table.notes:
            print(note)
        made = (getattr(self.args, "group_rows", None) or getattr(self.args, "group_runs", None)
                or getattr(self.args, "group_copies", False))
        added = self.group if made else None  # the column of --group-rows', --group-runs' or --group-copies' groups
        for line in dropped_lines([entry for entry in config["dropped"] if entry["name"] != added], self.group):
            print(line)
        for entry in config.get("dates", []):
            shown = shown_format(entry["format"])
            calendar = ", ".join(entry["parts"][1:])
            kind, use = (("times of day", "hours since midnight") if entry["parts"][0] == "time" else
                         ("dates", "days since 1970-01-01 (a trend)"))
            print(f"Column '{entry['name']}': {kind} ({shown}), used as {use}"
                  + (f" and one-hot {calendar}" if calendar else ""))
            if "unreadable" in entry:
                print(f"Column '{entry['name']}': {entry['unreadable']['rows']} value(s) are not dates "
                      f"{entry['unreadable']['examples']}: missing values, imputed")
        for entry in config.get("markers", []):
            print(f"Column '{entry['name']}': {marker_line(entry)}")
        for entry in config.get("seasons", []):
            print(f"Column '{entry['name']}': {describe_season(entry)} (as '{season_part(entry)}')")
        for entry in config["numeric"] + config["categorical"]:
            if entry.get("formatted"):
                negatives = ", negatives in parentheses as an accountant writes them" if entry.get("accounting") else ""
                print(f"Column '{entry['name']}': numbers written with currency or percent signs or thousands "
                      f"separators{negatives}, read as numbers")
            if entry.get("codes"):
                print(f"Column '{entry['name']}': whole numbers that act as codes (the target's mean for each value "
                      f"departs from a smooth curve of the value): also one-hot encoded, "
                      f"{len(entry['categories'])} codes")
            elif entry.get("missing") and entry.get("fill") is not None:
                print(gaps_line(entry, config["impute"], p.x_train.shape[0]))
            if entry.get("other"):
                print(f"Column '{entry['name']}': {len(entry['other'])} rare categories share one '(other)' column")
        unlabelled, words = unlabelled_lines(table, p.target, getattr(self.args, "task", None))
        if unlabelled:
            written = f" or one of the words {', '.join(map(repr, words))} among its numbers" if words else ""
            print(f"Left out {len(unlabelled)} row(s) whose target '{p.target}' is missing{written} (first on line "
                  f"{unlabelled[0]}): a row without a target can neither train nor test a model")
        self.groups = [] if p.groups is not None else [  # for summary.json's columns.possible_groups
            {"column": column, "values": values, "rows_per_value": round(rows, 2), "properties": properties}
            for column, values, rows, properties in likely_groups(table, config["features"])]
        self.blocks = None  # for summary.json's columns.possible_blocks
        found = row_blocks(table, config["features"]) if p.groups is None and not self.groups else None
        if found:
            size, properties = found
            self.blocks = {"rows_per_block": size, "blocks": table.rows // size, "properties": properties}
            print(blocks_line(self.blocks))
        self.runs = (row_runs(table, config["features"])  # for summary.json's columns.possible_runs
                     if p.groups is None and not self.groups and not self.blocks else None)
        if self.runs:
            print(runs_line(self.runs))
        self.copies = (row_copies(table, config["features"] + [p.target], p.train_index, p.test_index,
                                  getattr(self.args, "seed", 0)) if p.groups is None else None)  # for summary.json
        if self.copies:
            print(copies_line(self.copies))
        for group in self.groups:
            properties = group["properties"]
            shown = ", ".join(f"'{name}'" for name in properties[:3]) + (", ..." if len(properties) > 3 else "")
            said = f"; {shown} never change within one of its values" if properties else ""
            print(f"Column '{group['column']}' repeats its values ({group['values']} values, "
                  f"{group['rows_per_value']:.1f} rows each{said}): if new rows will come from new values of it, use "
                  f"--group {shlex.quote(group['column'])} so that the test rows and the folds are new ones too (rows "
                  "of one value on both sides flatter every model's scores)")
        self.leaks = leaking_columns(p, getattr(self.args, "seed", 0))
        for leak in self.leaks:
            print(leak_line(leak, p.target, p.task == "regression"))
        self.gap_leaks = gap_leaking_columns(p, {leak["column"] for leak in self.leaks}, getattr(self.args, "seed", 0))
        for leak in self.gap_leaks:
            print(gap_leak_line(leak, p.target, p.task == "regression"))
        for entry in config["categorical"]:
            groups = [] if entry.get("codes") else case_variants(entry["categories"] + entry.get("other", []))
            if groups:
                shown = "; ".join(", ".join(repr(label) for label in group) for group in groups[:3])
                more = f" and {len(groups) - 3} more" if len(groups) > 3 else ""
                print(f"Column '{entry['name']}': the categories {shown}{more} differ only in letter case and are "
                      "learned as different categories (if they are one, write them alike in the file)")
        self.imbalance = class_imbalance(p.train_cells, p.classes) if p.classes else None  # for summary.json
        if self.imbalance:
            print(imbalance_line(p.target, self.imbalance, len(p.train_cells)))
        for group in case_variants(p.classes or []):
            print(f"Target '{p.target}': the classes {', '.join(repr(label) for label in group)} differ only in letter "
                  "case and are learned as different classes (if they are one, write them alike in the file)")
        task = p.task + (f", {len(p.classes)} classes" if p.classes else "")
        if p.task == "multiclass" and getattr(self.args, "task", None) is None and whole_numbers(p.classes):
            # as AutoGluon says of its guess: whole numbers may be labels (ratings, codes) or a quantity (a count)
            task += "; whole numbers read as classes: if they are a quantity (a count, a score), use --task regression"
        cells = p.train_cells + p.test_cells
        tail = quantity_tail(cells) if p.task == "regression" else []
        spread = [] if tail or p.task != "regression" else quantity_spread(cells)
        if (tail or spread) and getattr(self.args, "task", None) is None:
            once = tail or spread
            shown = ", ".join(str(value) for value in once[:5]) + (", ..." if len(once) > 5 else "")
            where = ("at the ends of its range" if tail else
                     f"among {len(set(cells))} values on {len(cells)} rows, too many for classes")
            task += (f"; whole numbers read as a quantity: {shown} occur once each, {where}, and a "
                     "class needs two rows (if they are codes, merge or drop the rows of the codes seen once)")
        scheme = f"{len(self.folds)}-fold cross-validation" if len(self.folds) > 1 else "one 80/20 validation split"
        if p.groups is not None:
            scheme += f" of whole groups of '{self.group}', {len(set(p.groups))} in training"
        print(f"gradwise tune '{self.name}': {table.source}, {table.rows} rows -> {len(p.x_train)} train "
              f"({scheme}), {len(p.x_test)} held-out test; target '{p.target}' ({task}); "
              f"{len(config['features'])} columns -> {p.x_train.shape[1]} input features", flush=True)

    def search_header(self, tuner):
        self.tuner = tuner
        done = len(tuner.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))
        resumed = f", resuming with {done} finished" if done else ""
        left = self.started + self.budget - time.time()
        spent = (f" (reading and preparing the table took the time budget of {self.budget:g} s: the first trial runs "
                 "anyway, its steps cut short, so that the run ends with a model)" if left < 0.5 else "")
        print(f"Searching up to {self.args.trials} trials for {max(left, 0):.0f} s{spent}{resumed} (objective: mean "
              f"val_loss over the folds, {tuner.workers} worker(s)); study in {tuner.storage_spec.describe()}", flush=True)

    def trial_line(self, trial):
        print(progress_line(trial, self.tuner.objectives, params=_shown(trial)), flush=True)

    # ----- the final model ----------------------------------------------------------------------
    def _choose(self, tuner, best):
        """(members [(trial, weight)], Choice, the fallback trial the choice was weighed against or None) from the
        out-of-fold predictions of the best trials."""
        kept = [t for t in best if "oof_file" in t.user_attrs and tuner.has_networks(t)]
        candidates = kept[: ensemble.CANDIDATES]
        if not candidates:
            return [], None, None
        linear = next((t for t in tuner.best_trials(len(tuner.study.trials))
                       if is_simplest(t) and "oof_file" in t.user_attrs and tuner.has_networks(t)), None)
        if linear is not None and linear not in candidates:
            candidates.append(linear)  # the best linear trial: kept by the search wherever it ranks
        predictions = [tuner.load_oof(t) for t in candidates]
        covered = np.all(np.isfinite(predictions[0]), axis=1)
        usable = [i for i, p in enumerate(predictions) if np.all(np.isfinite(p[covered]))]  # cut trials cover less
        candidates, predictions = [candidates[i] for i in usable], [predictions[i][covered] for i in usable]
        groups = ensemble.groups_of_rows(self.folds, len(self.prepared.y_train), covered, tuner.seed)[covered]
        if len(np.unique(groups)) < 2:  # one cut fold only: nothing to cross-fit, the best trial alone
            choice = None
            members = [(candidates[0], 1.0)]
        else:
            simplest = candidates.index(linear) if linear in candidates else None
            choice = ensemble.choose(self.prepared.task, predictions, self.prepared.y_train[covered], groups, simplest)
            members = sorted([(t, w) for t, w in zip(candidates, choice.weights) if w > 0], key=lambda m: -m[1])
        self._covered, self._groups = covered, groups
        return members, choice, (linear if choice is not None and choice.simplest_margin is not None else None)

    def _networks(self, tuner, members):
        """(networks, weights): every member's fold networks, each carrying its share of the member's weight."""
        networks, weights = [], []
        for trial, weight in members:
            folds = tuner.load_networks(trial)
            networks += folds
            weights += [weight / len(folds)] * len(folds)
        # the heaviest member that was trained: a network solved in closed form had no training to watch
        doctor = next((t.user_attrs["doctor_file"] for t, _ in members if t.user_attrs.get("doctor_file")), None)
        if doctor and os.path.exists(os.path.join(tuner.project_dir, doctor)):
            shutil.copyfile(os.path.join(tuner.project_dir, doctor), os.path.join(tuner.project_dir, DOCTOR_FILE))
        return networks, np.array(weights)

    def finish(self, tuner, baselines):
        p = self.prepared
        trials = tuner.study.trials
        write_trials_csv(os.path.join(tuner.project_dir, "trials.csv"), trials, tuner.objectives)
        best = tuner.best_trials(max(BEST_SHOWN, ensemble.CANDIDATES))
        if not best:
            print("No trial completed: nothing to evaluate. See trials.csv for the failed or pruned trials.")
            self._write_report(tuner)
            return 1
        print("\nBest trials (mean val_loss over the folds):")
        for line in best_table(best[:BEST_SHOWN], "val_loss", _shown):
            print(line)
        members, choice, fallback = self._choose(tuner, best)
        if not members:
            print("No trial kept its networks (a study begun by an older gradwise?): run with --overwrite.")
            self._write_report(tuner)
            return 1
        print(self._choice_line(members, choice, fallback))
        networks, weights = self._networks(tuner, members)
        preprocessing = {**p.preprocessing(), "trials": [t.number for t, _ in members],
                         "trial_weights": [float(w) for _, w in members],
                         "folds": [len(t.user_attrs["fold_files"]) for t, _ in members],
                         "hyperparameters": [t.user_attrs["hp_values"] for t, _ in members],
                         # how the networks were trained, so `gradwise doctor` can watch the same training
                         "training": self.training}
        model = TabularModel(preprocessing, networks, weights)
        best_path = os.path.join(tuner.project_dir, "best.gw")
        model.save(best_path)
        outputs = model.network_outputs(p.x_test)
        decoded = model.encoder.decode(outputs) if p.task == "regression" else model.encoder.probabilities(outputs)
        scores = test_scores(p.task, p.classes, p.test_cells, decoded)
        network_cv, in_sample_cv = self._network_cv(choice, members, tuner)
        plots, notes = write_plots(tuner.project_dir, tuner.study, deadline=self.started + self.budget)
        seconds = time.time() - self.started
        kept = len(members[0][0].user_attrs["fold_files"])
        bag = f" x {kept} fold networks" if kept > 1 else ""
        label = (f"gradwise network (ensemble of {len(members)} trials{bag})" if len(members) > 1
                 else f"gradwise network (trial {members[0][0].number}{bag})")
        table = [{"name": label, "cv": network_cv, "test": scores}] + [b for b in baselines if "skipped" not in b]
        counts = {s.name.lower(): sum(1 for t in trials if t.state == s) for s in TrialState}
        standing = verdict(table)
        write_summary(os.path.join(tuner.project_dir, "summary.json"), {
            "name": self.name, "task": p.task, "target": p.target, "classes": p.classes,
            "imbalance": getattr(self, "imbalance", None), "objective": "val_loss",
            "direction": "minimize", "trials": counts, "workers": tuner.workers, "seed": tuner.seed,
            "folds": len(self.folds),
            "group": None if p.groups is None else {"column": self.group, "groups": len(set(p.groups))},
            "columns": {"used": p.preprocessor.config["features"], "dropped": p.preprocessor.config["dropped"],
                        "possible_leaks": getattr(self, "leaks", []),
                        "possible_gap_leaks": getattr(self, "gap_leaks", []),
                        "possible_groups": getattr(self, "groups", []),
                        "possible_blocks": getattr(self, "blocks", None),
                        "possible_runs": getattr(self, "runs", None),
                        "possible_copies": getattr(self, "copies", None)},
            "best_trial": {"number": best[0].number, "value": best[0].values[0],
                           "epochs": best[0].user_attrs.get("best_epoch"), "seed": best[0].user_attrs.get("seed"),
                           "hyperparameters": best[0].user_attrs.get("hp_values")},
            "ensemble": self._ensemble_facts(members, choice, in_sample_cv),
            "test": {"rows": len(p.x_test), **scores}, "cv": network_cv,
            "baselines": baselines, "comparison": table, "verdict": standing,
            "rows": {"train": len(p.x_train), "test": len(p.x_test)},
            "files": {"model": best_path, "trials": os.path.join(tuner.project_dir, "trials.csv"),
                      "study": tuner.storage_spec.describe(), "plots": plots},
            "time_budget": self.budget, "seconds": round(seconds, 1),
        })
        self._print_comparison(table, len(p.x_test))
        if standing is not None:
            print(verdict_line(standing))
        for baseline in baselines:
            if "skipped" in baseline:
                print(f"{baseline['name']}: {baseline['skipped']} ({baseline['seconds']:.0f} s); "
                      "a larger --time-budget lets it finish")
        for note in notes:
            print(note)
        print(f"Wrote {tuner.project_dir}: best.gw, summary.json, trials.csv"
              + "".join(f", {os.path.basename(path)}" for path in plots))
        self._write_report(tuner)
        print(f"Predict with:  gradwise predict --model {best_path} --data new.csv   "
              f"(Python: gradwise.load_model('{best_path}').predict(rows))")
        print(f"Done in {seconds:.0f} s (time budget {self.budget:.0f} s).")
        return 0

    def _write_report(self, tuner):
        path, size, _ = write_search(tuner.project_dir, storage=self.args.storage, name=tuner.project_name,
                                     deadline=self.started + self.budget)
        print(f"Report: {path} ({size / 1e6:.1f} MB; rebuild it with `gradwise report {tuner.project_dir}`)")

    def _network_cv(self, choice, members, tuner):
        """(honest, in-sample) fold scores of the chosen model's out-of-fold predictions.

        Honest: each fold's rows mixed by the weights chosen on the other folds (``ensemble.choose``);
        in-sample: mixed by the final weights, chosen on every row (optimistic; kept to show by how much).
        Folds a cut trial did not reach are left out.
        """
        task, y = self.prepared.task, self.prepared.y_train[self._covered]
        if choice is None:
            outputs = tuner.load_oof(members[0][0])[self._covered]
            nested = in_sample = outputs
        else:
            nested, in_sample = choice.nested, choice.in_sample
        return tuple(cv_summary(task, [fold_score(task, outputs[self._groups == g], y[self._groups == g])
                                       for g in np.unique(self._groups)]) for outputs in (nested, in_sample))

    @staticmethod
    def _choice_line(members, choice, fallback=None):
        """One line saying which trials became the final model and why (the table above ranks single trials);
        `fallback`: the trial the standard-error rule weighed the choice against."""
        trials = ", ".join(str(t.number) for t, _ in members)
        if choice is None:
            return f"\nFinal model: trial {trials} (too few cross-validated rows to compare procedures)."
        if choice.simplest:
            best = min(choice.nested_single_loss, choice.nested_ensemble_loss)
            head = f"\nFinal model: trial {trials}, the best {_fallback_kind(members[0][0])}: its out-of-fold " \
                   f"val_loss {choice.nested_loss:.4f}"
            if choice.simplest_margin <= 0:
                return f"{head} is no worse than the best network procedure's {best:.4f} (standard-error rule)."
            ranks = ("" if choice.signed_rank_z is None else f" nor row by row by Wilcoxon's signed-rank test of the "
                     f"squared errors (z {choice.signed_rank_z:.2f} <= {ensemble.signed_rank_critical():.2f})")
            return (f"{head} is within {ensemble.SIMPLEST_WITHIN:g} standard errors of the best network procedure's "
                    f"{best:.4f} ({choice.simplest_margin:.2f} SE) and not better on the same folds by a paired t-test "
                    f"(t {choice.paired_t:.2f} <= {choice.paired_critical:.2f}){ranks}, so the simpler model is kept "
                    "(Breiman's standard-error rule).")
        paired = ""
        if choice.simplest_margin is not None and choice.simplest_margin <= ensemble.SIMPLEST_WITHIN:
            paired = (f" It is within {ensemble.SIMPLEST_WITHIN:g} standard errors of the best "
                      f"{_fallback_kind(fallback)} ({choice.simplest_margin:.2f} SE) ")
            if choice.signed_rank_z is None:
                paired += (f"but better on the same folds by a paired t-test (t {choice.paired_t:.2f} > "
                           f"{choice.paired_critical:.2f}).")
            else:  # the fold-wise tests kept the simpler model, the rows' ranks did not
                paired += (f"and not better on the same folds by a paired t-test (t {choice.paired_t:.2f} <= "
                           f"{choice.paired_critical:.2f}), but better row by row by Wilcoxon's signed-rank test of "
                           f"the squared errors (z {choice.signed_rank_z:.2f} > {ensemble.signed_rank_critical():.2f}), "
                           "which a few rows' large errors do not sway.")
        if choice.ensemble:
            return (f"\nFinal model: ensemble of trials {trials} (out-of-fold val_loss {choice.nested_ensemble_loss:.4f}, "
                    f"weights chosen on the other folds, against {choice.nested_single_loss:.4f} for the best trial "
                    f"alone).{paired}")
        return (f"\nFinal model: trial {trials} (out-of-fold val_loss {choice.nested_single_loss:.4f}; an ensemble "
                f"scored {choice.nested_ensemble_loss:.4f}).{paired}")

    @staticmethod
    def _ensemble_facts(members, choice, in_sample_cv):
        facts = {"trials": [t.number for t, _ in members], "weights": [float(w) for _, w in members],
                 "folds_per_trial": [len(t.user_attrs["fold_files"]) for t, _ in members]}
        if choice is not None:
            procedure = (f"simplest trial (within {ensemble.SIMPLEST_WITHIN:g} standard errors)" if choice.simplest
                         else "ensemble" if choice.ensemble else "best trial")
            margin = choice.simplest_margin
            facts.update({"procedure": procedure,
                          "simplest_margin_se": margin if margin is not None and np.isfinite(margin) else None,
                          "simplest_paired_t": (choice.paired_t if choice.paired_t is not None
                                                and np.isfinite(choice.paired_t) else None),
                          "simplest_signed_rank_z": (choice.signed_rank_z if choice.signed_rank_z is not None
                                                     and np.isfinite(choice.signed_rank_z) else None),
                          "nested_cv_loss": choice.nested_loss, "nested_best_trial_cv_loss": choice.nested_single_loss,
                          "nested_ensemble_cv_loss": choice.nested_ensemble_loss,
                          "in_sample_cv_loss": choice.in_sample_loss, "in_sample_cv": in_sample_cv})
        return facts

    def _print_comparison(self, table, rows):
        task = self.prepared.task
        metric = CV_METRIC[task]
        keys = list(table[0]["test"])
        folds = f"{len(self.folds)} folds" if len(self.folds) > 1 else "validation split"
        width = max(42, *(len(entry["name"]) for entry in table))  # the ensemble's name can be long
        head = f"{'model':<{width}}  {'CV ' + metric + ' (' + folds + ')':>24}  " + "  ".join(f"{'test ' + k:>13}" for k in keys)
        print(f"\nHeld-out test ({rows} rows never seen by the search, the ensemble choice or the baselines):")
        print(head)
        print("-" * len(head))
        for entry in table:
            cv = f"{entry['cv']['mean']:.4f} ± {entry['cv']['std']:.4f}"
            print(f"{entry['name']:<{width}}  {cv:>24}  " + "  ".join(f"{entry['test'][k]:>13.4f}" for k in keys))

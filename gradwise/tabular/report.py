"""What ``gradwise tune`` prints and writes: progress, the final model, the comparison table, runs/NAME."""

import os
import time

import numpy as np
from optuna.trial import TrialState

from ..report.runinfo import save_doctor
from ..report.search import write_search
from ..tuning.report import progress_line
from . import ensemble
from .outputs import best_table, write_plots, write_summary, write_trials_csv
from .pipeline import TabularModel
from .scores import CV_METRIC, cv_summary, fold_score, test_scores
from .search import fit_member
from .space import telling_params

BEST_SHOWN = 5
WRITE_SECONDS = 2.0  # trials.csv, plots, summary and the model file
HARD_STOP = 1.05  # the final fits stop at this fraction of the budget whatever happens


def _shown(trial):
    return telling_params(trial.user_attrs.get("hp_values", trial.params))


class Reporter:
    """Prints progress for one ``gradwise tune`` run, chooses and trains the final model, writes the outputs."""

    def __init__(self, prepared, name, args, folds, started, budget):
        self.prepared, self.name, self.args, self.folds = prepared, name, args, folds
        self.started, self.budget = started, budget
        self.doctor = None

    def reserve(self, final=True):
        """Seconds kept after the search for the final fits (unless not `final`) and the files."""
        return (0.15 * self.budget if final else 0.05 * self.budget) + WRITE_SECONDS

    def header(self, table):
        p = self.prepared
        config = p.preprocessor.config
        for dropped in config["dropped"]:
            print(f"Dropped column '{dropped['name']}': {dropped['reason']} (keep it with --keep {dropped['name']})")
        for entry in config["numeric"] + config["categorical"]:
            if entry.get("missing") and entry.get("fill") is not None:
                print(f"Imputing {entry['missing']} missing value(s) of '{entry['name']}' with {entry['fill']!r} "
                      f"(--impute {config['impute']})")
            if entry.get("other"):
                print(f"Column '{entry['name']}': {len(entry['other'])} rare categories share one '(other)' column")
        task = p.task + (f", {len(p.classes)} classes" if p.classes else "")
        scheme = f"{len(self.folds)}-fold cross-validation" if len(self.folds) > 1 else "one 80/20 validation split"
        print(f"gradwise tune '{self.name}': {table.source}, {table.rows} rows -> {len(p.x_train)} train "
              f"({scheme}), {len(p.x_test)} held-out test; target '{p.target}' ({task}); "
              f"{len(config['features'])} columns -> {p.x_train.shape[1]} input features", flush=True)

    def search_header(self, tuner):
        self.tuner = tuner
        done = len(tuner.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))
        resumed = f", resuming with {done} finished" if done else ""
        left = self.started + self.budget - time.time()
        print(f"Searching up to {self.args.trials} trials for {left:.0f} s{resumed} (objective: mean val_loss "
              f"over the folds, {self.args.workers} worker(s)); study in {tuner.storage_spec.describe()}", flush=True)

    def trial_line(self, trial):
        print(progress_line(trial, self.tuner.objectives, params=_shown(trial)), flush=True)

    # ----- the final model ----------------------------------------------------------------------
    def _choose(self, tuner, best):
        """(trials, weights, ensemble loss, single loss) from the out-of-fold predictions of the best trials."""
        candidates = [t for t in best if "oof_file" in t.user_attrs][: ensemble.CANDIDATES]
        predictions = [tuner.load_oof(t) for t in candidates]
        covered = np.all(np.isfinite(predictions[0]), axis=1)
        usable = [i for i, p in enumerate(predictions) if np.all(np.isfinite(p[covered]))]  # cut trials cover less
        candidates, predictions = [candidates[i] for i in usable], [predictions[i] for i in usable]
        y = self.prepared.y_train[covered]
        weights, chosen_loss, single_loss = ensemble.select(self.prepared.task, [p[covered] for p in predictions], y)
        members = [(t, w) for t, w in zip(candidates, weights) if w > 0]
        members = self._affordable(sorted(members, key=lambda m: -m[1]))
        oof = {t.number: p for t, p in zip(candidates, predictions)}
        return members, oof, chosen_loss, single_loss

    def _affordable(self, members):
        """The members whose final fits fit in the time left (the heaviest weights first; always one)."""
        left = self.started + self.budget - WRITE_SECONDS - time.time()
        kept, cost = [], 0.0
        share = len(self.prepared.x_train) / min(len(fit) for fit, _ in self.folds)
        for trial, weight in members:
            seconds = trial.duration.total_seconds() / len(self.folds) * share if trial.duration else 0.0
            if kept and cost + seconds > left:
                break
            kept.append((trial, weight))
            cost += seconds
        return kept

    def _fit_final(self, build, members, batch_size):
        import threadpoolctl

        p = self.prepared
        from ..doctor import Doctor

        networks = []
        with threadpoolctl.threadpool_limits(limits=self.args.threads):
            for trial, _ in members:
                values = trial.user_attrs["hp_values"]
                epochs = max(1, int(trial.user_attrs.get("best_epoch") or 1))
                doctor = Doctor(verbose=0) if not networks else None  # watches the heaviest member's fit
                network, _, _ = fit_member(build, values, trial.user_attrs["seed"], p.x_train, p.y_train, epochs,
                                           batch_size, callbacks=[doctor] if doctor else (),
                                           deadline=self.started + HARD_STOP * self.budget)
                networks.append(network)
                self.doctor = self.doctor or doctor
        return networks

    def finish(self, tuner, build, baselines, batch_size):
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
        members, oof, chosen_loss, single_loss = self._choose(tuner, best)
        networks = self._fit_final(build, members, batch_size)
        weights = np.array([w for _, w in members])
        preprocessing = {**p.preprocessing(), "trials": [t.number for t, _ in members],
                         "hyperparameters": [t.user_attrs["hp_values"] for t, _ in members]}
        model = TabularModel(preprocessing, networks, weights)
        best_path = os.path.join(tuner.project_dir, "best.gw")
        model.save(best_path)
        outputs = model.network_outputs(p.x_test)
        decoded = model.encoder.decode(outputs) if p.task == "regression" else model.encoder.probabilities(outputs)
        scores = test_scores(p.task, p.classes, p.test_cells, decoded)
        network_cv = self._network_cv(members, oof)
        plots, notes = write_plots(tuner.project_dir, tuner.study)
        seconds = time.time() - self.started
        label = (f"gradwise network (ensemble of {len(members)} trials)" if len(members) > 1
                 else f"gradwise network (trial {members[0][0].number})")
        table = [{"name": label, "cv": network_cv, "test": scores}] + [b for b in baselines if "skipped" not in b]
        counts = {s.name.lower(): sum(1 for t in trials if t.state == s) for s in TrialState}
        write_summary(os.path.join(tuner.project_dir, "summary.json"), {
            "name": self.name, "task": p.task, "target": p.target, "classes": p.classes, "objective": "val_loss",
            "direction": "minimize", "trials": counts, "seed": tuner.seed, "folds": len(self.folds),
            "columns": {"used": p.preprocessor.config["features"], "dropped": p.preprocessor.config["dropped"]},
            "best_trial": {"number": best[0].number, "value": best[0].values[0],
                           "epochs": best[0].user_attrs.get("best_epoch"), "seed": best[0].user_attrs.get("seed"),
                           "hyperparameters": best[0].user_attrs.get("hp_values")},
            "ensemble": {"trials": [t.number for t, _ in members], "weights": [float(w) for w in weights / weights.sum()],
                         "cv_loss": chosen_loss, "best_single_cv_loss": single_loss},
            "test": {"rows": len(p.x_test), **scores}, "cv": network_cv,
            "baselines": baselines, "comparison": table,
            "rows": {"train": len(p.x_train), "test": len(p.x_test)},
            "files": {"model": best_path, "trials": os.path.join(tuner.project_dir, "trials.csv"),
                      "study": tuner.storage_spec.describe(), "plots": plots},
            "time_budget": self.budget, "seconds": round(seconds, 1),
        })
        self._print_comparison(table, len(p.x_test))
        for baseline in baselines:
            if "skipped" in baseline:
                print(f"{baseline['name']}: {baseline['skipped']} ({baseline['seconds']:.0f} s); "
                      "a larger --time-budget lets it finish")
        for note in notes:
            print(note)
        print(f"Wrote {tuner.project_dir}: best.gw, summary.json, trials.csv"
              + "".join(f", {os.path.basename(path)}" for path in plots))
        if self.doctor is not None:
            save_doctor(tuner.project_dir, self.doctor.report)
        self._write_report(tuner)
        print(f"Predict with:  gradwise predict --model {best_path} --data new.csv   "
              f"(Python: gradwise.load_model('{best_path}').predict(rows))")
        print(f"Done in {seconds:.0f} s (time budget {self.budget:.0f} s).")
        return 0

    def _write_report(self, tuner):
        path, size, _ = write_search(tuner.project_dir, storage=self.args.storage, name=tuner.project_name,
                                     deadline=self.started + self.budget)
        print(f"Report: {path} ({size / 1e6:.1f} MB; rebuild it with `gradwise report {tuner.project_dir}`)")

    def _network_cv(self, members, oof):
        """Fold scores of the chosen model's out-of-fold predictions (folds a cut trial did not reach left out)."""
        weights = np.array([w for _, w in members])
        mixed = sum(w * oof[t.number] for (t, _), w in zip(members, weights / weights.sum()))
        values = [fold_score(self.prepared.task, mixed[val], self.prepared.y_train[val]) for _, val in self.folds
                  if np.all(np.isfinite(mixed[val]))]
        return cv_summary(self.prepared.task, values)

    def _print_comparison(self, table, rows):
        task = self.prepared.task
        metric = CV_METRIC[task]
        keys = list(table[0]["test"])
        folds = f"{len(self.folds)} folds" if len(self.folds) > 1 else "validation split"
        head = f"{'model':<42}  {'CV ' + metric + ' (' + folds + ')':>24}  " + "  ".join(f"{'test ' + k:>13}" for k in keys)
        print(f"\nHeld-out test ({rows} rows never seen by the search, the ensemble choice or the baselines):")
        print(head)
        print("-" * len(head))
        for entry in table:
            cv = f"{entry['cv']['mean']:.4f} ± {entry['cv']['std']:.4f}"
            print(f"{entry['name']:<42}  {cv:>24}  " + "  ".join(f"{entry['test'][k]:>13.4f}" for k in keys))

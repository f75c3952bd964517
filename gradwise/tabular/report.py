"""What ``gradwise tune`` prints and writes: progress lines, the best-trials table, the test score, runs/NAME."""

import os

import numpy as np
from optuna.trial import TrialState

from ..tuning.report import progress_line
from .modelfile import save_with_preprocessing
from .outputs import best_table, write_plots, write_summary, write_trials_csv
from .space import telling_params

BEST_SHOWN = 5


def _shown(trial):
    return telling_params(trial.user_attrs.get("hp_values", trial.params))


def test_scores(model, prepared):
    """Held-out scores of `model` on the test rows, in the target's own units."""
    outputs = model.predict(prepared.x_test)
    scores = {key: float(value) for key, value in
              model.evaluate(prepared.x_test, prepared.y_test, return_dict=True).items()}
    if prepared.task == "regression":
        truth = np.array([float(cell) for cell in prepared.test_cells])
        error = prepared.encoder.decode(outputs) - truth
        return {"mae": float(np.abs(error).mean()), "rmse": float(np.sqrt((error**2).mean())),
                "loss": scores["loss"]}
    predicted = prepared.encoder.decode(outputs)
    accuracy = float(np.mean(predicted == np.array(prepared.test_cells, dtype=object)))
    return {"accuracy": accuracy, "loss": scores["loss"]}


def refit(tuner, trial, prepared, batch_size, threads):
    """The best trial's model trained again on every training row (train + validation).

    Same hyperparameters, same seed, and as many epochs as the trial's best epoch.
    """
    import threadpoolctl

    from ..saving import clone_model
    from ..tuning import HyperParameters

    values = trial.user_attrs.get("hp_values", trial.params)
    model = clone_model(tuner.hypermodel(HyperParameters(values)), seed=trial.user_attrs["seed"])
    x = np.concatenate([prepared.x_train, prepared.x_val])
    y = np.concatenate([prepared.y_train, prepared.y_val])
    with threadpoolctl.threadpool_limits(limits=threads):
        model.fit(x, y, epochs=trial.user_attrs.get("best_epoch") or trial.user_attrs["epochs"],
                  batch_size=batch_size, verbose=0)
    return model


class Reporter:
    """Prints progress for one ``gradwise tune`` run and writes its outputs."""

    def __init__(self, tuner, prepared, name, args):
        self.tuner, self.prepared, self.name, self.args = tuner, prepared, name, args
        self.folder = tuner.project_dir

    def header(self, table):
        p = self.prepared
        task = p.task + (f", {len(p.classes)} classes" if p.classes else "")
        print(f"gradwise tune '{self.name}': {table.source}, {table.rows} rows -> {len(p.x_train)} train, "
              f"{len(p.x_val)} validation, {len(p.x_test)} held-out test; target '{p.target}' ({task}); "
              f"{p.x_train.shape[1]} input features", flush=True)
        done = len(self.tuner.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))
        resumed = f", resuming with {done} finished" if done else ""
        print(f"Searching {self.args.trials} trials{resumed} (objective {self.tuner.objectives[0].name}, "
              f"{self.args.workers} worker(s)); study in {self.tuner.storage_spec.describe()}", flush=True)

    def trial_line(self, trial):
        extras = [key for key in ("val_accuracy",) if key != self.tuner.objectives[0].name]
        print(progress_line(trial, self.tuner.objectives, params=_shown(trial), extras=extras), flush=True)

    def finish(self, seconds):
        best = self.tuner.best_trials(BEST_SHOWN)
        trials = self.tuner.study.trials
        write_trials_csv(os.path.join(self.folder, "trials.csv"), trials, self.tuner.objectives)
        if not best:
            print("No trial completed: nothing to evaluate. See trials.csv for the failed or pruned trials.")
            return 1
        objective = self.tuner.objectives[0].name
        print(f"\nBest trials ({objective}):")
        for line in best_table(best, objective, _shown):
            print(line)
        model = self.tuner.load_trial_model(best[0])
        search_scores = test_scores(model, self.prepared)
        scores = search_scores
        if self.args.refit:
            model = refit(self.tuner, best[0], self.prepared, self.args.batch_size, self.args.threads)
            scores = test_scores(model, self.prepared)
        best_path = os.path.join(self.folder, "best.gw")
        values = best[0].user_attrs.get("hp_values", best[0].params)
        save_with_preprocessing(model, best_path, {**self.prepared.preprocessing(), "trial": best[0].number,
                                                   "hyperparameters": values})
        plots, notes = write_plots(self.folder, self.tuner.study)
        counts = {s.name.lower(): sum(1 for t in trials if t.state == s) for s in TrialState}
        write_summary(os.path.join(self.folder, "summary.json"), {
            "name": self.name, "task": self.prepared.task, "target": self.prepared.target,
            "classes": self.prepared.classes, "objective": objective,
            "direction": self.tuner.objectives[0].direction, "trials": counts, "seed": self.tuner.seed,
            "best_trial": {"number": best[0].number, "value": best[0].values[0], "epochs": best[0].user_attrs.get("epochs"),
                           "seed": best[0].user_attrs.get("seed"), "hyperparameters": values},
            "test": {"rows": len(self.prepared.x_test), "refit": bool(self.args.refit), **scores,
                     "search_model": search_scores},
            "rows": {"train": len(self.prepared.x_train), "validation": len(self.prepared.x_val),
                     "test": len(self.prepared.x_test)},
            "files": {"model": best_path, "trials": os.path.join(self.folder, "trials.csv"),
                      "study": self.tuner.storage_spec.describe(), "plots": plots},
            "seconds": round(seconds, 1),
        })
        rows = len(self.prepared.x_test)
        print(f"\nHeld-out test ({rows} rows never seen by the search), best trial {best[0].number}:")
        print(f"  as trained in the search ({len(self.prepared.x_train)} rows): {_scores_text(search_scores)}")
        if self.args.refit:
            all_rows = len(self.prepared.x_train) + len(self.prepared.x_val)
            print(f"  refit on all {all_rows} training rows (saved as best.gw): {_scores_text(scores)}")
        for note in notes:
            print(note)
        print(f"Wrote {self.folder}: best.gw, summary.json, trials.csv" + "".join(f", {os.path.basename(p)}" for p in plots))
        print(f"Predict with:  gradwise predict --model {best_path} --data new.csv")
        print(f"Done in {seconds:.0f} s.")
        return 0


def _scores_text(scores):
    return "  ".join(f"{key}={value:.4f}" for key, value in scores.items())

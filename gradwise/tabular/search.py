"""The search of ``gradwise tune``: every trial scored on folds of the training rows, never on test rows.

Below ``CV_BELOW_ROWS`` training rows a trial is trained ``FOLDS`` times (stratified
k-fold for classes) and scored by its mean validation loss over the folds. Why: a
single 20% validation split of 1,000 rows holds 200 rows, where one row is 0.5 points of
accuracy and the standard error of an 80%-accurate model's accuracy is 2.8 points —
larger than the differences the search must resolve; 5-fold CV scores every training row
once and cuts that error by sqrt(5). Above the threshold a single split already holds
1,000+ validation rows (standard error <= 1.3 points) and k-fold would cost 5x the time
the larger table already needs, so one 80/20 split is used.

Each trial keeps its out-of-fold predictions (``trials/trial_NNNN_oof.npy``, plain
arrays), from which the ensemble of the best trials is chosen (see ``ensemble``). The
networks of the ``ensemble.CANDIDATES`` best trials so far are kept too, one file per fold
(``trials/trial_NNNN_foldK.gw``): the final model is those fold networks averaged (bagging,
as AutoGluon does), not a network refitted on all rows. So the model written is the one the
cross-validation scored — a refit for a guessed number of epochs, without early stopping,
was measurably worse (diabetes seed 0, the linear trial: test R² 0.25 refitted, 0.32
bagged) — and the search gets the time the refits took. A trial that falls out of the best
few has its fold networks deleted. The doctor watches each trial's first fold and its
report is kept beside the networks (``trials/trial_NNNN_doctor.json``).

A trial whose network has no hidden layer is convex: each fold's network is solved to its
penalized optimum on all the fold's training rows (``linear``) — no epochs, no early-stopping
rows, no doctor — and scored on the validation fold like any other trial.
"""

import copy
import json
import os
import time
import warnings

import numpy as np
import optuna

from ..callbacks import Callback, EarlyStopping
from ..tuning import Tuner
from ..tuning.hyperparameters import HyperParameters
from ..tuning.median import SameStepMedianPruner
from ..tuning.objective import BestEpoch, Objective
from ..tuning.runner import MODELS_DIR, TrialRunner, build_seeded
from ..tuning.study import trial_seed
from . import linear
from .ensemble import CANDIDATES
from .groups import check_groups, grouped_folds, split_off

CV_BELOW_ROWS = 5000
FOLDS = 5
HOLDOUT = 0.2
STOPPING_SHARE = 0.15  # of a fold's training rows, set aside to tell early stopping when to stop
RECENT_TRIALS = 10  # complete trials whose median duration predicts the next one's (``trial_seconds``)


def make_folds(y, task, seed, groups=None):
    """[(fit rows, validation rows)] of the training rows: k-fold below CV_BELOW_ROWS rows, else one split.

    `groups` (``--group``): each row's group; folds and the split keep groups whole.
    """
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    rows = len(y)
    classes = task != "regression"
    labels = np.asarray(y).reshape(rows, -1)[:, 0] if classes else None
    if groups is not None:
        if rows >= CV_BELOW_ROWS:
            fit, val = split_off(np.arange(rows), groups, labels, HOLDOUT, seed, classes)
            return [(np.sort(fit), np.sort(val))]
        check_groups(groups, FOLDS, f"the {rows} training rows")
        return grouped_folds(groups, labels, FOLDS, seed)
    if rows >= CV_BELOW_ROWS:
        fit, val = train_test_split(np.arange(rows), test_size=HOLDOUT, random_state=seed, stratify=labels)
        return [(np.sort(fit), np.sort(val))]
    if classes and np.unique(labels, return_counts=True)[1].max() >= FOLDS:
        # Stratified even when a class has fewer rows than folds: its rows then land in different
        # folds, so every fold's training rows keep some of them (a plain KFold can put a rare
        # class's rows all in one validation fold, and train that fold without the class).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            return list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(rows), labels))
    return list(KFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(rows)))


def stopping_splits(folds, y, task, seed, groups=None):
    """[(fit rows, early-stopping rows)] for each fold's training rows: early stopping never sees the rows that score.

    Stopping where the validation fold's loss is lowest and keeping that epoch's weights
    picks the luckiest of many noisy epochs on the very rows the trial is then scored on:
    measured on diabetes (seed 1), it flattered two 1-layer trials' out-of-fold loss by 0.07,
    the linear model's by 0.01, and ranked them above it, while on the test rows they were
    clearly worse. With a separate stopping set (stratified for classes) the out-of-fold
    loss ranked those trials as the test rows did.
    """
    from sklearn.model_selection import train_test_split

    labels = None if task == "regression" else np.asarray(y).reshape(len(y), -1)[:, 0]
    splits = []
    for index, (fit, _) in enumerate(folds):
        if groups is not None and len(set(groups[fit])) >= 2:  # whole groups stop training, as they score it
            train, stop = split_off(fit, groups[fit], None, STOPPING_SHARE, seed + index, False)
            splits.append((np.sort(train), np.sort(stop)))
            continue
        stratify = labels[fit] if labels is not None else None
        if stratify is not None:
            counts = np.unique(stratify, return_counts=True)[1]
            if counts.min() < 2 or np.ceil(STOPPING_SHARE * len(fit)) < len(counts):
                stratify = None  # a class too rare, or too few stopping rows to hold every class: a plain split
        train, stop = train_test_split(fit, test_size=STOPPING_SHARE, random_state=seed + index, stratify=stratify)
        splits.append((np.sort(train), np.sort(stop)))
    return splits


def oof_filename(number):
    return os.path.join(MODELS_DIR, f"trial_{number:04d}_oof.npy")


def fold_filename(number, fold):
    return os.path.join(MODELS_DIR, f"trial_{number:04d}_fold{fold}.gw")


def doctor_filename(number):
    return os.path.join(MODELS_DIR, f"trial_{number:04d}_doctor.json")


def trial_seconds(complete, recent=RECENT_TRIALS):
    """Seconds a trial is expected to take: the median duration of the `recent` last `complete` trials; None if none.

    The median of the last few, not of all: a table's trials differ in size (linear ones take
    a fraction of a second, wide ones several seconds) and the machine's load changes during a
    search, so the recent trials tell best what the next one costs.
    """
    durations = [t.duration.total_seconds() for t in sorted(complete, key=lambda t: t.number)
                 if t.duration is not None][-recent:]
    return float(np.median(durations)) if durations else None


class StopAt(Callback):
    """Stops training once the wall clock passes `deadline` (seconds since the epoch)."""

    def __init__(self, deadline):
        super().__init__()
        self.deadline = deadline
        self.stopped = False

    def on_epoch_end(self, epoch, logs=None):
        if self.deadline is not None and time.time() >= self.deadline:
            self.model.stop_training = True
            self.stopped = True


class Solved:
    """What ``fit_member``'s tracker and clock tell of a network solved in closed form: its loss, no epochs, no stop."""

    epochs, best_epoch, stopped = 0, 0, False

    def __init__(self, best):
        self.best = best


def fit_member(hypermodel, values, seed, x, y, epochs, batch_size, validation=None, callbacks=(), deadline=None):
    """A network of hyperparameters `values` trained on (x, y); (model, BestEpoch, StopAt)."""
    model = build_seeded(hypermodel, HyperParameters(values), seed)
    tracker, stop = BestEpoch(Objective("val_loss", "min")), StopAt(deadline)
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, validation_data=validation,
              callbacks=[*callbacks, tracker, stop] if validation is not None else [*callbacks, stop])
    return model, tracker, stop


class CrossValidatedRunner(TrialRunner):
    """A trial: the same configuration trained on every fold; its value is the mean loss on the validation folds.

    That loss is the data loss alone, as the ensemble choice and the reported CV score it: with the L2
    penalty inside, a strongly penalized trial was charged for its weights and the search drifted to
    the smallest penalties (pima, seed 0: 14 linear trials at l2 of 1e-6 to 5e-5, tied).
    """

    def __init__(self, *args, folds, deadline, last_call, patience, stopping=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folds, self.deadline, self.last_call, self.patience = folds, deadline, last_call, patience
        self.stopping = stopping or [(fit, val) for fit, val in folds]  # None: stop on the validation fold

    @property
    def fits_per_trial(self):
        return len(self.folds)

    def has_time_for_a_trial(self, study):
        """False once the time left before `deadline` is shorter than a trial is expected to take.

        Such a trial would be cut by the deadline and pruned: its time would be spent for
        nothing, and the deadline would be overrun by its last epoch and prediction. The
        expectation is ``trial_seconds`` of the study's complete trials; while there is none,
        a trial always starts (the first one runs until `last_call`).
        """
        if self.deadline is None:
            return True
        expected = trial_seconds(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
        return expected is None or time.time() + expected < self.deadline

    def _first(self, trial):
        """True while the study has no complete trial: this one then runs until `last_call`, cut or not."""
        return not trial.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))

    def __call__(self, trial, origin_number):
        seed = trial_seed(self.study_seed, origin_number)
        trial.set_user_attr("seed", seed)
        hp = HyperParameters.for_trial(trial)
        built = self.hypermodel(hp)  # defines the trial's parameters
        solved = linear.solvable(built)  # no hidden layer: solved
        values = dict(hp.values)
        trial.set_user_attr("solved", solved)
        simplest = linear.plain(built) or linear.one_curve(built)  # the final choice's fallback: kept wherever it ranks
        trial.set_user_attr("simplest", simplest)
        trial.set_user_attr("hp_values", values)
        oof, losses, epochs, best_epochs, curves = None, [], 0, [], {"loss": [], "val_loss": []}
        networks, doctor = [], None
        first = self._first(trial)
        deadline = self.last_call if first else self.deadline
        for fold, (fit, val) in enumerate(self.folds):
            if deadline is not None and time.time() >= deadline and not (first and not losses):
                if first:
                    break  # the only trial so far: keep the folds it finished (at least one, cut or not)
                trial.set_user_attr("epochs", epochs)
                raise optuna.TrialPruned(f"the time budget ended after {fold} of {len(self.folds)} folds")
            if solved:  # a convex network: its optimum on every training row of the fold, no epochs to choose
                model = linear.solve(build_seeded(self.hypermodel, HyperParameters(values), seed + fold),
                                     self.x[fit], self.y[fit], deadline)
                tracker = clock = Solved(self._loss(model, val))
            else:
                stop = EarlyStopping(monitor="val_loss", patience=self.patience, restore_best_weights=True)
                watch = [_doctor()] if fold == 0 else []  # the first fold's fit, for the report of the final model
                doctor = watch[0] if watch else doctor
                train, stopping = self.stopping[fold]
                model, tracker, clock = fit_member(self.hypermodel, values, seed + fold, self.x[train],
                                                   self.y[train], self.fit_kwargs["epochs"],
                                                   self.fit_kwargs["batch_size"], (self.x[stopping], self.y[stopping]),
                                                   [copy.deepcopy(stop), *watch], deadline)
            if tracker.best is None or (clock.stopped and not first):
                trial.set_user_attr("epochs", epochs + tracker.epochs)
                raise optuna.TrialPruned("no finite validation loss" if tracker.best is None else "time budget")
            predictions = np.asarray(model.predict(self.x[val], verbose=0), dtype=np.float64)
            if oof is None:
                oof = np.full((len(self.y), predictions.reshape(len(val), -1).shape[1]), np.nan)
            oof[val] = predictions.reshape(len(val), -1)
            networks.append(model)
            losses.append(float(model.loss(self.y[val], predictions)))  # the data loss, without the penalty
            if not np.isfinite(losses[-1]):
                trial.set_user_attr("epochs", epochs + tracker.epochs)
                raise optuna.TrialPruned("no finite validation loss")
            for key, curve in curves.items():  # the fold's learning curve, for the report
                history = getattr(model.history, "history", None) or {}
                curve.append([float(f"{value:.5g}") for value in history.get(key, [])])
            epochs += tracker.epochs
            best_epochs.append(tracker.best_epoch)
            if clock.stopped:
                break
            if self.prune and len(self.folds) > 1:
                trial.report(float(np.mean(losses)), fold)
                if trial.should_prune():
                    trial.set_user_attr("epochs", epochs)
                    raise optuna.TrialPruned()
        trial.set_user_attr("epochs", epochs)
        trial.set_user_attr("best_epoch", int(round(np.mean(best_epochs))))
        trial.set_user_attr("fold_losses", [float(v) for v in losses])
        trial.set_user_attr("curves", curves)
        trial.set_user_attr("params_count", int(model.count_params()))
        os.makedirs(os.path.join(self.project_dir, MODELS_DIR), exist_ok=True)
        np.save(os.path.join(self.project_dir, oof_filename(trial.number)), oof, allow_pickle=False)
        trial.set_user_attr("oof_file", oof_filename(trial.number))
        value = float(np.mean(losses))
        self._keep_networks(trial, value, networks, doctor, simplest)
        return value

    def _loss(self, model, rows):
        """The model's data loss on `rows` (no penalty term)."""
        return float(model.loss(self.y[rows], model.predict(self.x[rows], verbose=0)))

    def _keep_networks(self, trial, value, networks, doctor, simplest):
        """Save the fold networks if this trial is among the CANDIDATES best, or the best simplest (linear) one.

        The best linear trial is kept wherever it ranks: the final choice prefers it when the
        chosen model is not clearly better (``ensemble.choose``). Networks that fell out are deleted.
        """
        complete = trial.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        ranked = sorted([(t.values[0], t.number, t) for t in complete if t.number != trial.number]
                        + [(value, trial.number, None)], key=lambda entry: entry[:2])
        keep = _kept(ranked, lambda entry: simplest if entry[2] is None else is_simplest(entry[2]))
        if trial.number in keep:
            files = [fold_filename(trial.number, fold) for fold in range(len(networks))]
            for network, relative in zip(networks, files):
                network.save(os.path.join(self.project_dir, relative))
            if doctor is not None:
                with open(os.path.join(self.project_dir, doctor_filename(trial.number)), "w", encoding="utf-8") as out:
                    json.dump(doctor.report.to_dict(), out, indent=1, default=str)
                trial.set_user_attr("doctor_file", doctor_filename(trial.number))
            trial.set_user_attr("fold_files", files)
        _remove_networks(self.project_dir, [other for _, number, other in ranked if number not in keep])


def _kept(ranked, simplest):
    """The trial numbers whose networks stay among `ranked` [(value, number, trial)], best first: the
    ``CANDIDATES`` best and the best for which `simplest(entry)` holds."""
    linear = [entry for entry in ranked if simplest(entry)]
    return {number for _, number, _ in ranked[:CANDIDATES] + linear[:1]}


def _remove_networks(project_dir, trials):
    """Delete the fold networks of `trials` (None: the trial at hand, which saved none)."""
    for trial in trials:
        for relative in (trial.user_attrs.get("fold_files", []) if trial is not None else []):
            _remove(os.path.join(project_dir, relative))  # another worker may have removed it already


def is_simplest(trial):
    """Whether `trial` is a plain linear model (``linear.plain``) or a one-curve table's spline (``linear.one_curve``),
    the final choice's fallback; a study written before encoded linear models existed said so as "solved"."""
    return trial.user_attrs.get("simplest", trial.user_attrs.get("solved", False))


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _doctor():
    from ..doctor import Doctor

    return Doctor(verbose=0)


class TabularTuner(Tuner):
    """A Tuner whose trials are cross-validated (see ``CrossValidatedRunner``).

    Extra parameters: `folds` (from ``make_folds``), `deadline` (wall-clock seconds after
    which no fold starts and a running one stops), `last_call` (the later deadline of a
    trial that runs while no trial is complete, so that a search always ends with a
    model), `patience` (EarlyStopping's) and `stopping` (``stopping_splits``: the rows each
    fold trains on and stops on; None: it stops on its validation fold).
    """

    def __init__(self, hypermodel, folds, deadline=None, last_call=None, patience=10, stopping=None, **kwargs):
        if kwargs.get("pruner") == "median":  # steps are folds: compare running means from the second fold on
            kwargs["pruner"] = SameStepMedianPruner(n_startup_trials=5, n_warmup_steps=1)
        super().__init__(hypermodel, objective="val_loss", **kwargs)
        self.folds, self.deadline, self.patience, self.stopping = folds, deadline, patience, stopping
        self.last_call = deadline if last_call is None else last_call

    def _make_runner(self, x, y, fit_kwargs, callbacks):
        from ..tuning import samplers

        return CrossValidatedRunner(self.hypermodel, x, y, fit_kwargs, callbacks, self.objectives,
                                    samplers.prunes(self.pruner), self.seed, self.project_dir, folds=self.folds,
                                    deadline=self.deadline, last_call=self.last_call, patience=self.patience,
                                    stopping=self.stopping)

    def search(self, *args, **kwargs):
        """``Tuner.search``, then the fold networks of the trials that fell out of the kept best few deleted.

        Each trial deletes those that fell out when it completes, but it cannot count a trial that completes
        in another worker at the same moment: two workers' last trials could each leave one whose networks
        nobody deletes. Once no trial runs, the complete trials are ranked again."""
        result = super().search(*args, **kwargs)
        complete = self.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        ranked = sorted(((t.values[0], t.number, t) for t in complete), key=lambda entry: entry[:2])
        keep = _kept(ranked, lambda entry: is_simplest(entry[2]))
        _remove_networks(self.project_dir, [t for _, number, t in ranked if number not in keep])
        return result

    def enqueue_portfolio(self, portfolio):
        """Queue the start configurations once, when the study has no trials yet."""
        if not self.study.get_trials(deepcopy=False):
            for params in portfolio[: self.max_trials]:
                self.study.enqueue_trial(params)

    def load_oof(self, trial):
        return np.load(os.path.join(self.project_dir, trial.user_attrs["oof_file"]), allow_pickle=False)

    def has_networks(self, trial):
        files = trial.user_attrs.get("fold_files")
        return bool(files) and all(os.path.exists(os.path.join(self.project_dir, f)) for f in files)

    def load_networks(self, trial):
        """The fold networks of `trial` (see ``has_networks``)."""
        from ..saving import load_model

        return [load_model(os.path.join(self.project_dir, f)) for f in trial.user_attrs["fold_files"]]

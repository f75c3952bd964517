"""The baselines every ``gradwise tune`` run fits beside the network, on the same folds and test rows.

- LogisticRegression (classes) or Ridge (numbers) on the same standardized, one-hot
  encoded inputs as the network: the strong simple model;
- HistGradientBoosting on the same inputs: the strong default for tables; without the one-hot
  columns of whole-number codes (``codes.py``), whose number it keeps: a tree splits on the
  number itself, and a histogram per code cost Ecdat's Males (545 workers by number) five times
  its share of the budget, where it had taken 2.8 s.

Both at scikit-learn's defaults, so "is the network worth it?" is answered on every run.
"""

import time

import numpy as np

from .scores import cv_summary, fold_score, test_scores


def _models(task, seed):
    """[(name, make, reads_code_columns)]: the one-hot columns of codes are for the linear model."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge

    if task == "regression":
        return [("Ridge (standardized)", lambda: Ridge(), True),
                ("HistGradientBoosting", lambda: HistGradientBoostingRegressor(random_state=seed), False)]
    return [("LogisticRegression (standardized)", lambda: LogisticRegression(max_iter=2000), True),
            ("HistGradientBoosting", lambda: HistGradientBoostingClassifier(random_state=seed), False)]


CHUNK = 10  # boosting iterations between two looks at the clock


class _OutOfTime(Exception):
    pass


def _fit(model, x, y, deadline):
    """`model` fitted on (x, y); a boosting model is grown CHUNK iterations at a time (warm start, the same
    trees as one fit) and stopped with ``_OutOfTime`` once the clock passes `deadline`: one fit of
    HistGradientBoosting on 200 classes took 20 s of a 15 s budget."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    if deadline is None or not isinstance(model, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        return model.fit(x, y)
    total = model.max_iter
    model.set_params(warm_start=True)
    for iterations in range(CHUNK, total + CHUNK, CHUNK):
        model.set_params(max_iter=min(iterations, total))
        model.fit(x, y)
        if model.n_iter_ < model.max_iter or iterations >= total:
            break  # stopped early by its own validation, or done
        if time.time() >= deadline:
            raise _OutOfTime
    return model


def _complete(task, model, x, classes):
    """Class probabilities with one column per class, even for classes missing from a fold."""
    if task == "regression":
        return model.predict(x)
    probabilities = np.zeros((len(x), len(classes)))
    probabilities[:, model.classes_.astype(np.int64)] = model.predict_proba(x)
    return probabilities


def run_baselines(prepared, folds, seed=0, threads=1, deadline=None):
    """[{name, cv, test, seconds}] of each baseline; cross-validated on `folds`, tested on the test rows.

    A baseline still fitting when the wall clock passes `deadline` is stopped between two fits
    and reported as ``{name, skipped, seconds}``: the baselines never eat the network's budget.
    """
    import threadpoolctl

    task = prepared.task
    y = prepared.y_train
    labels = y if task == "regression" else np.asarray(y).astype(np.int64)
    classes = prepared.classes
    results = []
    single_class = task != "regression" and any(len(np.unique(labels[fit])) < 2 for fit, _ in folds)
    no_codes = ~prepared.preprocessor.code_columns
    with threadpoolctl.threadpool_limits(limits=threads):
        for name, make, reads_codes in _models(task, seed):
            started = time.time()
            x, x_test = (prepared.x_train, prepared.x_test) if reads_codes else (
                prepared.x_train[:, no_codes], prepared.x_test[:, no_codes])
            fold_values = []
            if single_class:  # scikit-learn's classifiers refuse one class; the network's fold predicts it
                results.append({"name": name, "skipped": "a fold's training rows hold a single class", "seconds": 0.0})
                continue
            if deadline is not None and started >= deadline:  # reading the table, or the baseline before, took it
                results.append({"name": name, "skipped": "not started: the time budget was spent before its turn",
                                "seconds": 0.0})
                continue
            for fit, val in folds:
                if deadline is not None and time.time() >= deadline:
                    break
                try:
                    model = _fit(make(), x[fit], labels[fit], deadline)
                except _OutOfTime:
                    break
                outputs = _complete(task, model, x[val], classes or [])
                if task == "binary":
                    outputs = outputs[:, 1]
                fold_values.append(fold_score(task, outputs, labels[val]))
            if len(fold_values) < len(folds) or (deadline is not None and time.time() >= deadline):
                results.append({"name": name, "skipped": "stopped at its share of the time budget",
                                "seconds": round(time.time() - started, 2)})
                continue
            model = make().fit(x, labels)
            outputs = _complete(task, model, x_test, classes or [])
            if task == "regression":
                outputs = prepared.encoder.decode(outputs)
            results.append({"name": name, "cv": cv_summary(task, fold_values),
                            "test": test_scores(task, classes, prepared.test_cells, outputs),
                            "seconds": round(time.time() - started, 2)})
    return results

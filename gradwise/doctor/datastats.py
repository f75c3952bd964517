"""Statistics of the training data seen at the start of fit: pure functions on arrays.

- ``feature_summary``: per-feature offsets and scales, reduced to the numbers the
  UNNORMALIZED_INPUT detector needs (and the worst features, for the evidence).
- ``label_summary``: the task (binary, multiclass, regression), class counts, the
  majority-class accuracy and the loss of the best constant prediction.
- ``linear_baseline``: the training score of a ridge least-squares model on
  standardized features: a cheap, dependable reference for what a network should at
  least reach (UNDERFITTING compares against it).
- ``held_out_reference``: the cross-validated score of the better of a ridge model on
  the features and one on random Fourier features of them (a Gaussian-kernel smoother):
  what the data allow on rows a model did not see, linear or not. A network that ends
  near the label prior on data where this reference does no better has learned what
  there is to learn (weak signal), not stalled on a plateau.
"""

import math

import numpy as np

CLASSIFICATION_LOSSES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")


def feature_summary(x, feature_names=None, worst=5):
    """Offsets and scales of the features of `x` (samples first; other axes flattened).

    Returns
    -------
    dict
        ``max_abs_mean``, ``max_std``, ``min_std`` (over non-constant features),
        ``std_ratio`` (largest over smallest std), ``min``, ``max``, ``features``,
        ``constant_features`` and ``worst``: the features with the largest scale
        (name, mean, std).
    """
    x = np.asarray(x)
    x = (x if x.dtype.kind == "f" else x.astype(np.float64)).reshape(len(x), -1)
    with np.errstate(all="ignore"):  # float64 sums without a float64 copy of the rows
        means = x.mean(axis=0, dtype=np.float64)
        stds = x.std(axis=0, dtype=np.float64)
    finite = np.isfinite(means) & np.isfinite(stds)
    varying = finite & (stds > 1e-12)
    names = list(feature_names) if feature_names is not None else [f"feature {j}" for j in range(x.shape[1])]
    scale = np.where(finite, np.maximum(np.abs(means), stds), -1.0)
    order = np.argsort(-scale)[:worst]
    summary = {
        "features": int(x.shape[1]),
        "constant_features": int((finite & ~varying).sum()),
        "nonfinite_features": int((~finite).sum()),
        "max_abs_mean": float(np.abs(means[finite]).max()) if finite.any() else math.nan,
        "max_std": float(stds[varying].max()) if varying.any() else 0.0,
        "min_std": float(stds[varying].min()) if varying.any() else 0.0,
        "min": float(np.nanmin(x)) if x.size else math.nan,
        "max": float(np.nanmax(x)) if x.size else math.nan,
        "worst": [{"feature": names[j], "mean": float(means[j]), "std": float(stds[j])} for j in order],
    }
    summary["std_ratio"] = summary["max_std"] / summary["min_std"] if summary["min_std"] > 0 else 1.0
    return summary


def _entropy(probabilities):
    p = np.asarray(probabilities, dtype=np.float64)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def label_summary(targets, loss_name, output_units):
    """The label distribution of `targets` as the loss prepared them.

    Returns
    -------
    dict
        ``task`` ('binary', 'multiclass', 'multilabel' or 'regression'), ``classes``,
        ``counts``, ``majority`` (accuracy of always predicting the most frequent class),
        ``prior_loss`` (the loss of the best constant prediction under `loss_name`, or
        None) and ``format`` ('sparse', 'one_hot', 'binary' or 'continuous').
    """
    y = np.asarray(targets)
    n = max(len(y), 1)
    if loss_name == "sparse_categorical_crossentropy":
        labels = y.reshape(len(y), -1)[:, 0].astype(np.int64)
        counts = np.bincount(labels, minlength=output_units)
        return _classes(counts, n, "multiclass", "sparse", _entropy(counts / n))
    if loss_name == "categorical_crossentropy":
        rows = y.reshape(len(y), -1)
        counts = np.bincount(rows.argmax(axis=1), minlength=rows.shape[1])
        return _classes(counts, n, "multiclass", "one_hot", _entropy(rows.mean(axis=0)))
    if loss_name == "binary_crossentropy":
        rows = y.reshape(len(y), -1).astype(np.float64)
        if rows.shape[1] == 1:
            positive = int((rows[:, 0] >= 0.5).sum())
            p = float(rows.mean())
            return _classes(np.array([n - positive, positive]), n, "binary", "binary", _entropy([p, 1 - p]))
        p = rows.mean(axis=0)
        prior = float(np.mean([_entropy([q, 1 - q]) for q in p]))
        summary = _classes(np.bincount(rows.argmax(axis=1), minlength=rows.shape[1]), n, "multilabel", "one_hot", prior)
        summary["one_hot_rows"] = bool(np.allclose(rows.sum(axis=1), 1.0))
        return summary
    values = y.reshape(len(y), -1).astype(np.float64)
    prior = None
    if loss_name == "mean_squared_error":
        prior = float(values.var(axis=0).mean())
    elif loss_name == "mean_absolute_error":
        prior = float(np.abs(values - np.median(values, axis=0)).mean())
    return {"task": "regression", "format": "continuous", "classes": 0, "counts": [], "majority": None,
            "prior_loss": prior, "mean": float(values.mean()), "std": float(values.std()),
            "min": float(values.min()) if values.size else math.nan,
            "max": float(values.max()) if values.size else math.nan}


def _classes(counts, n, task, fmt, prior):
    counts = np.asarray(counts, dtype=np.int64)
    return {"task": task, "format": fmt, "classes": int(len(counts)), "counts": counts.tolist(),
            "present_classes": int((counts > 0).sum()), "majority": float(counts.max() / n) if len(counts) else None,
            "prior_loss": prior}


def linear_baseline(x, targets, labels, max_features=1024, ridge=1e-3):
    """Training score of a ridge least-squares model on standardized `x` (penalty
    ``ridge * samples`` on the weights, none on the intercept).

    Classification regresses one-hot (or 0/1) targets and predicts the largest output
    (or thresholds at 0.5); its score is the training accuracy. Regression reports R².

    Returns
    -------
    dict or None
        ``{"kind": "accuracy" or "r2", "score": float, "samples": int}``; None when
        there are too few samples (fewer than twice the features) or too many features.
    """
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    n, d = x.shape
    if d > max_features or n < 2 * d + 2 or not np.isfinite(x).all():
        return None
    std = x.std(axis=0)
    design = np.empty((n, d + 1))  # standardized features and a column of ones, written in place
    np.subtract(x, x.mean(axis=0), out=design[:, :d])
    design[:, :d] /= np.where(std > 1e-12, std, 1.0)
    design[:, d] = 1.0
    task = labels["task"]
    y = np.asarray(targets)
    if task == "multiclass" and labels["format"] == "sparse":
        classes = y.reshape(n, -1)[:, 0].astype(np.int64)
        goal = np.eye(labels["classes"])[classes]
    else:
        goal = y.reshape(n, -1).astype(np.float64)
    gram = design.T @ design + ridge * n * np.eye(d + 1)
    gram[d, d] -= ridge * n  # the intercept is not penalized (as in scikit-learn's Ridge)
    weights = np.linalg.solve(gram, design.T @ goal)
    predictions = design @ weights
    if task == "regression":
        residual = ((goal - predictions) ** 2).sum()
        total = ((goal - goal.mean(axis=0)) ** 2).sum()
        return {"kind": "r2", "score": float(1 - residual / total) if total > 0 else 0.0, "samples": n}
    if goal.shape[1] == 1:
        correct = (predictions[:, 0] >= 0.5) == (goal[:, 0] >= 0.5)
    else:
        correct = predictions.argmax(axis=1) == goal.argmax(axis=1)
    return {"kind": "accuracy", "score": float(correct.mean()), "samples": n}


def held_out_reference(x, targets, labels, folds=3, features=256, max_features=1024, seed=0):
    """Cross-validated score of simple reference models on standardized `x`.

    Two least-squares smoothers, each at four ridge penalties: a linear model, and a linear
    model on ``features`` random Fourier features cos(z w + b), w ~ N(0, I / d) (Rahimi and
    Recht, 2007: the features of a Gaussian kernel whose width is the typical distance of
    standardized rows; inputs wider than ``features`` get the features alone). Each is fitted on
    all folds but one and predicts that one; the reference is the one of lowest out-of-fold loss:
    the log loss of the outputs clipped into probabilities (classification regresses one-hot or
    0/1 targets), or the squared error (regression).

    Returns
    -------
    dict or None
        ``{"kind": "accuracy" or "r2", "score": its out-of-fold accuracy or R², "loss": float,
        "loss_drop": 1 - loss / the label prior's loss, "model": "linear" or "random features",
        "samples": int}``; None for multilabel targets, non-finite rows, more than
        ``max_features`` features or fewer than 10 rows per fold.
    """
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    n, d = x.shape
    task = labels.get("task")
    if task not in ("binary", "multiclass", "regression") or d > max_features or n < 10 * folds \
            or not np.isfinite(x).all():
        return None
    std = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(std > 1e-12, std, 1.0)
    y = np.asarray(targets)
    if task == "multiclass" and labels.get("format") == "sparse":
        goal = np.eye(labels["classes"])[y.reshape(n, -1)[:, 0].astype(np.int64)]
    else:
        goal = y.reshape(n, -1).astype(np.float64)
    if not np.isfinite(goal).all():
        return None
    rng = np.random.default_rng(seed)
    weights = rng.normal(scale=1.0 / math.sqrt(max(d, 1)), size=(d, features))
    phases = rng.uniform(0.0, 2.0 * math.pi, size=features)
    # the linear model's solve grows with the cube of the columns: wide inputs (images) get the features alone
    designs = {"linear": z} if d <= features else {}
    designs["random features"] = np.cos(z @ weights + phases)
    fold_of = rng.permutation(n) % folds
    prior = _prior_loss(task, goal)
    best = None
    for model, design in designs.items():
        for guess in _out_of_fold_ridge(design, goal, fold_of, folds):
            loss = _reference_loss(task, goal, guess)
            if best is None or loss < best["loss"]:
                best = {"kind": "r2" if task == "regression" else "accuracy",
                        "score": _reference_score(task, goal, guess), "loss": loss, "model": model, "samples": n}
    best["loss_drop"] = float(1.0 - best["loss"] / prior) if prior > 0 else 0.0
    return best


RIDGE_PENALTIES = (1e-3, 1e-2, 1e-1, 1.0)  # times the mean eigenvalue of the training fold's Gram matrix


def _out_of_fold_ridge(design, goal, fold_of, folds):
    """Out-of-fold predictions of ridge least squares on `design` (columns and `goal` centred on the
    training folds' means, so the intercept is not penalized), one array per penalty."""
    predictions = [np.empty_like(goal) for _ in RIDGE_PENALTIES]
    for fold in range(folds):
        held = fold_of == fold
        train_x, train_y = design[~held], goal[~held]
        x_mean, y_mean = train_x.mean(axis=0), train_y.mean(axis=0)
        centred = train_x - x_mean
        eigenvalues, vectors = np.linalg.eigh(centred.T @ centred)
        projected = vectors.T @ (centred.T @ (train_y - y_mean))
        rows = (design[held] - x_mean) @ vectors
        scale = max(float(eigenvalues.mean()), 1e-12)
        for guess, penalty in zip(predictions, RIDGE_PENALTIES):
            guess[held] = rows @ (projected / (np.maximum(eigenvalues, 0.0) + penalty * scale)[:, None]) + y_mean
    return predictions


PROBABILITY_FLOOR = 0.01  # least-squares outputs clipped into probabilities: a wrong, confident row costs log(100)


def _prior_loss(task, goal):
    """The loss of the best constant prediction: the targets' variance, or the entropy of the classes."""
    if task == "regression":
        return float(goal.var(axis=0).mean())
    frequencies = goal.mean(axis=0)
    if goal.shape[1] == 1:
        frequencies = np.array([1.0 - frequencies[0], frequencies[0]])
    return _entropy(frequencies)


def _reference_loss(task, goal, guess):
    """Mean squared error (regression) or the log loss of the outputs read as probabilities."""
    if task == "regression":
        return float(((goal - guess) ** 2).mean())
    if goal.shape[1] == 1:
        p = np.clip(guess[:, 0], PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
        return float(-np.mean(np.where(goal[:, 0] >= 0.5, np.log(p), np.log(1.0 - p))))
    p = np.clip(guess, PROBABILITY_FLOOR, None)
    p /= p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(goal)), goal.argmax(axis=1)])))


def _reference_score(task, goal, guess):
    if task == "regression":
        total = ((goal - goal.mean(axis=0)) ** 2).sum()
        return float(1 - ((goal - guess) ** 2).sum() / total) if total > 0 else 0.0
    if goal.shape[1] == 1:
        return float(((guess[:, 0] >= 0.5) == (goal[:, 0] >= 0.5)).mean())
    return float((guess.argmax(axis=1) == goal.argmax(axis=1)).mean())


def batch_accuracy(targets, outputs, logits, loss_name):
    """Accuracy of one batch (as the loss saw it); None for regression losses."""
    if loss_name not in CLASSIFICATION_LOSSES:
        return None
    outputs = np.asarray(outputs).reshape(len(outputs), -1)
    y = np.asarray(targets).reshape(len(outputs), -1)
    if loss_name == "sparse_categorical_crossentropy":
        return float((outputs.argmax(axis=1) == y[:, 0]).mean())
    if loss_name == "categorical_crossentropy" or (outputs.shape[1] > 1 and np.allclose(y.sum(axis=1), 1.0)):
        return float((outputs.argmax(axis=1) == y.argmax(axis=1)).mean())
    threshold = 0.0 if logits else 0.5
    return float(((outputs > threshold) == (y >= 0.5)).mean())

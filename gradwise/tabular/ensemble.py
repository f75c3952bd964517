"""Which trials make the final model: the best one, or a weighted ensemble of the best few.

Ensemble selection (Caruana et al., 2004; what AutoGluon does with its models): start
empty, and ``ROUNDS`` times add — with replacement — the candidate whose addition gives
the lowest loss of the averaged out-of-fold predictions. The weights are how often each
trial was added. The ensemble replaces the best single trial only when its
cross-validated loss is lower; both are scored on the same out-of-fold predictions.
"""

import numpy as np

CANDIDATES = 8
ROUNDS = 20
MAX_MEMBERS = 5


def loss(task, outputs, y):
    """Mean loss of network outputs on encoded targets: log loss for classes, squared error otherwise."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if task == "regression":
        return float(np.mean((outputs.reshape(-1) - np.asarray(y, dtype=np.float64).reshape(-1)) ** 2))
    eps = 1e-12
    if task == "binary":
        p = np.clip(outputs.reshape(-1), eps, 1 - eps)
        t = np.asarray(y, dtype=np.float64).reshape(-1)
        return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))
    p = np.clip(outputs, eps, 1.0)
    return float(-np.mean(np.log(p[np.arange(len(p)), np.asarray(y, dtype=np.int64).reshape(-1)])))


def select(task, predictions, y, rounds=ROUNDS, max_members=MAX_MEMBERS):
    """Weights over `predictions` (a list of out-of-fold outputs, best trial first).

    Returns
    -------
    weights : ndarray
        Non-negative, summing to 1; the best single trial alone is ``[1, 0, ...]``.
    ensemble_loss, single_loss : float
    """
    single = loss(task, predictions[0], y)
    counts = np.zeros(len(predictions))
    total = np.zeros_like(predictions[0])
    for step in range(rounds):
        allowed = [i for i in range(len(predictions)) if counts[i] or np.count_nonzero(counts) < max_members]
        scores = [loss(task, (total + predictions[i]) / (step + 1), y) for i in allowed]
        choice = allowed[int(np.argmin(scores))]
        counts[choice] += 1
        total = total + predictions[choice]
    ensemble = loss(task, total / rounds, y)
    if ensemble < single:
        return counts / counts.sum(), ensemble, single
    weights = np.zeros(len(predictions))
    weights[0] = 1.0
    return weights, single, single

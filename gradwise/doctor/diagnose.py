"""diagnose: a short probe training on a copy of a model, and the report of what went wrong."""

import numbers

import numpy as np

from .probe import run_probe
from .report import Report
from .spec import Spec


def _split(x, y, validation_split, seed):
    """A stratified (for class labels) random split of (x, y)."""
    rng = np.random.default_rng(seed)
    n = len(x)
    labels = None
    y_rows = np.asarray(y).reshape(n, -1)
    if y_rows.shape[1] > 1 and np.isin(y_rows, (0, 1)).all():
        labels = y_rows.argmax(axis=1)
    elif y_rows.shape[1] == 1 and np.all(np.mod(y_rows[:, 0], 1) == 0) and len(np.unique(y_rows[:, 0])) <= 50:
        labels = y_rows[:, 0]
    validation = []
    groups = [np.flatnonzero(labels == value) for value in np.unique(labels)] if labels is not None else [np.arange(n)]
    for group in groups:
        group = rng.permutation(group)
        validation.extend(group[:int(round(validation_split * len(group)))])
    mask = np.zeros(n, dtype=bool)
    mask[validation] = True
    return x[~mask], y[~mask], x[mask], y[mask]


def _check(epochs, batch_size, validation_split, max_rows):
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("max_rows", max_rows)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"diagnose: `{name}` must be a positive int, got {value!r}.")
    if (isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real)
            or not 0 < validation_split < 1):
        raise ValueError(f"diagnose: `validation_split` must be a float in (0, 1), got {validation_split!r}.")


def diagnose(model, x, y, *, epochs=20, batch_size=32, validation_split=0.2, validation_data=None, repair=False,
             rounds=3, max_rows=4000, sample_every=1, seed=0, feature_names=None, verbose=0, from_scratch=False,
             patience=None):
    """Train a copy of `model` briefly under the Doctor and report what goes wrong.

    The model itself is never changed: the probe copies its architecture, compile
    settings and current weights (its initializers' weights with `from_scratch`). The probe
    holds out a stratified validation split (or uses `validation_data`), so overfitting can be judged.

    Parameters
    ----------
    model : Sequential
        A compiled model.
    x : ndarray of shape (samples, ...)
    y : ndarray of shape (samples, ...)
    epochs, batch_size : int
        Of the probe training.
    validation_split : float in (0, 1)
    validation_data : tuple (x_val, y_val), optional
    repair : bool
        Apply the top remedy of each problem that is not a consequence of another, train
        again, and repeat up to `rounds` times while problems remain. The report then
        holds the repairs (with the code change each stands for), the findings and
        validation scores before and after, and ``repaired_model``.
    max_rows : int
        Train the probe on at most this many rows (a random subset), to keep it short.
    sample_every : int
        Sample every N-th batch (1: every batch; the probe is short).
    seed : int
    feature_names : list of str, optional
        Names used in the evidence about unscaled features.
    verbose : int
        1 prints the report.
    from_scratch : bool
        Train the probe from a fresh initialization instead of the current weights: for a model whose
        training is over (``gradwise doctor`` on a tuned model), training on past its end shows what
        any trained network shows there, a validation loss that rises, not how it trains.
    patience : int or None
        Stop the probe as ``EarlyStopping(monitor='val_loss', patience=patience,
        restore_best_weights=True)`` does (the run is then judged up to its best epoch), as the
        model was trained.

    Returns
    -------
    Report
        ``text()``, ``to_dict()``, ``figure()``; ``findings``, ``root_cause``.

    Raises
    ------
    ValueError
        If the model is not compiled or the arguments are invalid.

    Examples
    --------
    >>> report = diagnose(model, x, y, epochs=10)  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    """
    _check(epochs, batch_size, validation_split, max_rows)
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, numbers.Integral)
                                 or patience < 1):
        raise ValueError(f"diagnose: `patience` must be a positive int or None, got {patience!r}.")
    spec = Spec.from_model(model)
    if from_scratch:
        spec.weights = None
    if patience is not None:
        spec.callbacks.append(("EarlyStopping", {"monitor": "val_loss", "patience": int(patience),
                                                 "restore_best_weights": True}))
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"diagnose: `x` and `y` must have the same number of samples, got {len(x)} and {len(y)}.")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("diagnose: `validation_data` must be a tuple (x_val, y_val), got "
                             f"{type(validation_data).__name__}.")
        data = (x, y, np.asarray(validation_data[0]), np.asarray(validation_data[1]))
    else:
        data = _split(x, y, validation_split, seed)
    if len(data[0]) > max_rows:
        keep = np.random.default_rng(seed).permutation(len(data[0]))[:max_rows]
        data = (data[0][keep], data[1][keep], data[2], data[3])
    first = run_probe(spec, data, epochs, batch_size, sample_every, feature_names)
    report = first.report
    report.before = {"codes": sorted(report.codes()), **first.score}
    if repair:
        from .repair import repair_spec

        report = repair_spec(spec, first, data, epochs=epochs, batch_size=batch_size, rounds=rounds,
                             sample_every=sample_every, feature_names=feature_names)
    if verbose:
        print(report.text())
    return report


__all__ = ["diagnose", "Report"]

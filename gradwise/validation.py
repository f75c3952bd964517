"""k-fold cross-validation of gradwise models on scikit-learn's KFold / StratifiedKFold.

scikit-learn is an optional dependency, imported only when ``cross_validate`` runs.
"""

import copy
from dataclasses import dataclass, field

import numpy as np

from .callbacks import Callback


@dataclass
class CrossValidationResult:
    """What ``cross_validate`` returns.

    Attributes
    ----------
    histories : list of dict of str -> list of float
        Each fold's ``History.history`` (training and ``val_`` keys, one value an epoch).
    fold_scores : list of dict of str -> float
        Each fold's final-epoch value of every logged key, plus ``test_<metric>`` from
        ``model.evaluate`` on the held-out part (it differs from the last ``val_`` value
        when a callback such as EarlyStopping restored earlier weights).
    mean, std : dict of str -> float
        Mean and (population, ddof=0) standard deviation over the folds of every key of
        `fold_scores`.
    splitter : object
        The scikit-learn splitter that made the folds.
    models : list of Sequential or None
        The trained models, when ``return_models=True``.
    """

    histories: list
    fold_scores: list
    mean: dict
    std: dict
    splitter: object
    models: list = field(default=None)


def _stratification_labels(y):
    """Class labels to stratify on, or None when `y` is not a classification target."""
    from sklearn.utils.multiclass import type_of_target

    kind = type_of_target(y)
    if kind in ("binary", "multiclass"):
        return y.reshape(len(y), -1)[:, 0] if y.ndim > 1 else y
    if kind == "multilabel-indicator" and np.all(y.sum(axis=1) == 1):  # one-hot rows
        return y.argmax(axis=1)
    return None


def _splitter(cv, stratified, shuffle, random_state, labels):
    if hasattr(cv, "split"):
        return cv
    if isinstance(cv, bool) or not isinstance(cv, (int, np.integer)) or cv < 2:
        raise ValueError(f"cross_validate: `cv` must be an int >= 2 or a scikit-learn splitter, got {cv!r}.")
    from sklearn.model_selection import KFold, StratifiedKFold

    seed = random_state if shuffle else None  # scikit-learn refuses a seed without shuffling
    if stratified and labels is not None:
        return StratifiedKFold(int(cv), shuffle=bool(shuffle), random_state=seed)
    return KFold(int(cv), shuffle=bool(shuffle), random_state=seed)


def _fresh_callbacks(callbacks):
    """New callback objects for one fold: a factory's result, or deep copies of a list."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):  # one callback object, as Keras' fit accepts
        callbacks = [callbacks]
    if callable(callbacks) and not isinstance(callbacks, (list, tuple)):
        made = callbacks()
        if not isinstance(made, (list, tuple)):
            raise TypeError(f"cross_validate: the `callbacks` factory must return a list, got {type(made).__name__}.")
        return list(made)
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"cross_validate: `callbacks` must be a list or a factory, got {type(callbacks).__name__}.")
    fresh = []
    for index, callback in enumerate(callbacks):
        # A callback used before holds its last model: copy it as None, not the whole model.
        model = getattr(callback, "model", None)
        memo = {} if model is None else {id(model): None}
        try:
            fresh.append(copy.deepcopy(callback, memo))
        except Exception as error:  # noqa: BLE001 - any object may refuse to be copied
            raise TypeError(
                f"cross_validate: callbacks[{index}] ({type(callback).__name__}) cannot be deep-copied "
                f"({error}); pass a factory instead, e.g. callbacks=lambda: [...]."
            ) from None
    return fresh


def _summarize(fold_scores):
    keys = [key for key in fold_scores[0] if all(key in scores for scores in fold_scores)]
    mean = {key: float(np.mean([scores[key] for scores in fold_scores])) for key in keys}
    std = {key: float(np.std([scores[key] for scores in fold_scores])) for key in keys}
    return mean, std


def cross_validate(build_fn, x, y, cv=5, stratified=True, epochs=1, batch_size=32, callbacks=None,
                   shuffle=True, random_state=None, verbose=0, return_models=False, **fit_kwargs):
    """Train and score a fresh model on each of `cv` folds.

    Parameters
    ----------
    build_fn : callable
        Called with no arguments once per fold; must return a new compiled model.
    x : array-like of shape (samples, ...)
    y : array-like of shape (samples, ...)
    cv : int or scikit-learn splitter, default 5
        Number of folds, or an object with ``split(x, y)`` used as is (then `stratified`,
        `shuffle` and `random_state` are the splitter's business).
    stratified : bool, default True
        Keep the class proportions in every fold (StratifiedKFold) when `y` holds class
        labels (1-D labels or one-hot rows); other targets use KFold.
    epochs, batch_size : int
        Passed to ``fit``; `batch_size` also to ``evaluate``.
    callbacks : list of Callback, or callable returning one, optional
        A list is deep-copied for every fold (the originals are never used, so no state
        leaks between folds); a factory is called once per fold. Use a factory for
        callbacks that write files, to give each fold its own path.
    shuffle : bool, default True
        Shuffle the samples before splitting them into folds.
    random_state : int, optional
        Seeds that shuffle. Models are seeded by `build_fn` (or ``gradwise.set_random_seed``).
    verbose : int, default 0
        Passed to ``fit``; when positive, one summary line per fold is also printed.
    return_models : bool, default False
        Keep the trained models in the result.
    **fit_kwargs
        Other ``fit`` arguments, such as ``class_weight``; a ``sample_weight`` array is
        split with the data (and weights the held-out scores too). Training batches are
        shuffled every epoch, as ``fit`` does by default.

    Returns
    -------
    CrossValidationResult

    Examples
    --------
    >>> result = cross_validate(build, x, y, cv=5, epochs=20)  # doctest: +SKIP
    >>> result.mean["test_accuracy"], result.std["test_accuracy"]  # doctest: +SKIP
    """
    if not callable(build_fn):
        raise TypeError(
            f"cross_validate: `build_fn` must be a callable returning a compiled model, got {build_fn!r}."
        )
    for key in ("validation_data", "validation_split"):
        if key in fit_kwargs:
            raise ValueError(f"cross_validate: `{key}` cannot be given: each fold validates on its held-out part.")
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(
            f"cross_validate: `x` and `y` must have the same number of samples, got shapes {x.shape} and {y.shape}."
        )
    sample_weight = fit_kwargs.pop("sample_weight", None)
    sample_weight = None if sample_weight is None else np.asarray(sample_weight)
    labels = _stratification_labels(y)
    splitter = _splitter(cv, stratified, shuffle, random_state, labels)
    histories, fold_scores, models, previous = [], [], [], None
    folds = list(splitter.split(x, y if labels is None else labels))
    for fold, (train, test) in enumerate(folds):
        model = build_fn()
        if not getattr(model, "compiled", False):
            raise ValueError(f"cross_validate: `build_fn` must return a compiled model, got {model!r}.")
        if model is previous:
            raise ValueError(
                "cross_validate: `build_fn` returned the same model object twice; it must build a new one."
            )
        previous = model
        train_weight = None if sample_weight is None else sample_weight[train]
        test_weight = None if sample_weight is None else sample_weight[test]
        validation = (x[test], y[test]) if test_weight is None else (x[test], y[test], test_weight)
        history = model.fit(x[train], y[train], epochs=epochs, batch_size=batch_size,
                            callbacks=_fresh_callbacks(callbacks), validation_data=validation, verbose=verbose,
                            sample_weight=train_weight, **fit_kwargs)
        scores = {key: float(values[-1]) for key, values in history.history.items() if len(values)}
        evaluation = model.evaluate(x[test], y[test], batch_size=batch_size, sample_weight=test_weight,
                                    verbose=0, return_dict=True)
        scores.update({f"test_{key}": float(value) for key, value in evaluation.items()})
        histories.append({key: list(values) for key, values in history.history.items()})
        fold_scores.append(scores)
        if return_models:
            models.append(model)
        if verbose:
            print(f"fold {fold + 1}/{len(folds)}: " + ", ".join(f"{k}={v:.4g}" for k, v in scores.items()))
    mean, std = _summarize(fold_scores)
    return CrossValidationResult(histories, fold_scores, mean, std, splitter, models if return_models else None)

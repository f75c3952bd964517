"""RandomSearch, BayesianOptimization and Hyperband: KerasTuner's names and arguments on the Tuner.

They differ from ``Tuner`` only in the sampler and pruner they choose. KerasTuner
arguments that have no meaning here are accepted with their defaults and refused
otherwise, with a message saying what to use instead.
"""

import math

import optuna

from .tuner import Tuner

_UNSUPPORTED = {
    "hyperparameters": None, "tune_new_entries": True, "allow_new_entries": True, "executions_per_trial": 1,
    "distribution_strategy": None, "logger": None, "tuner_id": None, "max_retries_per_trial": 0,
    "max_consecutive_failed_trials": 3,
}


def _tuner_kwargs(owner, kwargs):
    """Drop KerasTuner arguments left at their defaults; refuse the others."""
    for name, default in _UNSUPPORTED.items():
        if name in kwargs:
            value = kwargs.pop(name)
            if name in ("max_retries_per_trial", "max_consecutive_failed_trials"):
                continue  # retries of dead workers are `max_retries`; failing trials stop the search
            if value != default:
                raise ValueError(
                    f"{owner}: `{name}`={value!r} is not supported (only its default {default!r}); define fixed "
                    "values with hp.Fixed in build_model and run trials once each."
                )
    return kwargs


class RandomSearch(Tuner):
    """Random search (Optuna's RandomSampler), with KerasTuner's arguments.

    Examples
    --------
    >>> tuner = RandomSearch(build_model, objective="val_accuracy", max_trials=5, directory="runs",
    ...                      project_name="random")  # doctest: +SKIP
    """

    def __init__(self, hypermodel=None, objective="val_loss", max_trials=10, seed=None, **kwargs):
        kwargs = _tuner_kwargs("RandomSearch", kwargs)
        kwargs.setdefault("pruner", None)
        super().__init__(hypermodel, objective=objective, max_trials=max_trials, sampler="random", seed=seed, **kwargs)


class BayesianOptimization(Tuner):
    """Model-based search (Optuna's TPE sampler), with KerasTuner's arguments.

    `num_initial_points` random trials come first (default 10, as TPE's startup);
    `alpha` and `beta` (the Gaussian-process settings of KerasTuner) are accepted and unused.
    """

    def __init__(self, hypermodel=None, objective="val_loss", max_trials=10, num_initial_points=None, alpha=1e-4,
                 beta=2.6, seed=None, **kwargs):
        kwargs = _tuner_kwargs("BayesianOptimization", kwargs)
        kwargs.setdefault("pruner", None)
        startup = 10 if num_initial_points is None else int(num_initial_points)
        sampler = optuna.samplers.TPESampler(n_startup_trials=startup, seed=seed)
        super().__init__(hypermodel, objective=objective, max_trials=max_trials, sampler=sampler, seed=seed, **kwargs)


class Hyperband(Tuner):
    """Random configurations with Hyperband's early stopping (Optuna's HyperbandPruner).

    `max_epochs` is the most epochs a trial trains (``search`` uses it as `epochs`
    unless given); `factor` is the reduction factor. The number of trials is that of
    `hyperband_iterations` Hyperband iterations, as in KerasTuner, unless `max_trials` is given.
    """

    def __init__(self, hypermodel=None, objective="val_loss", max_epochs=100, factor=3, hyperband_iterations=1,
                 seed=None, max_trials=None, **kwargs):
        kwargs = _tuner_kwargs("Hyperband", kwargs)
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, int) or max_epochs < 1:
            raise ValueError(f"Hyperband: `max_epochs` must be a positive int, got {max_epochs!r}.")
        if isinstance(factor, bool) or not isinstance(factor, int) or factor < 2:
            raise ValueError(f"Hyperband: `factor` must be an int >= 2, got {factor!r}.")
        self.max_epochs = max_epochs
        pruner = optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max_epochs, reduction_factor=factor)
        trials = max_trials or hyperband_iterations * hyperband_trials(max_epochs, factor)
        super().__init__(hypermodel, objective=objective, max_trials=trials, sampler="random", pruner=pruner,
                         seed=seed, **kwargs)

    def search(self, *args, **kwargs):
        kwargs.setdefault("epochs", self.max_epochs)
        return super().search(*args, **kwargs)


def hyperband_trials(max_epochs, factor):
    """Configurations in one Hyperband iteration: sum over brackets s of ceil((s_max + 1) / (s + 1) * factor**s)."""
    s_max = int(math.floor(math.log(max_epochs, factor) + 1e-9))
    return sum(math.ceil((s_max + 1) / (s + 1) * factor**s) for s in range(s_max + 1))

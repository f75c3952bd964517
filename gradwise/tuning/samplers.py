"""Optuna samplers and pruners by name. Nothing here samples or prunes: Optuna does.

Samplers: 'tpe' (default; multi-objective too), 'random', 'grid' (every combination of
a discrete space), 'cmaes' (needs the ``cmaes`` package), 'nsga2' (multi-objective).
Pruners: 'median', 'hyperband', 'successive_halving', None. An Optuna sampler or pruner
object is accepted as is.

'tpe' is Optuna's multivariate TPE with ``group=True``: a build function's conditional
parameters (``units_2`` exists only when ``n_layers`` is 3) form their own groups, each
modelled jointly over the trials that set it, instead of falling back to one independent
draw per conditional parameter. 'median' waits a fifth of the epochs before it prunes
(a slow starter, a low learning rate, is not judged on its first epochs) and decides
every tenth of them (``median_pruner``).
"""

import importlib.util
import warnings
import math

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution

from .median import StepMedianPruner

SAMPLERS = ("tpe", "random", "grid", "cmaes", "nsga2")
PRUNERS = ("median", "hyperband", "successive_halving")
GRID_LIMIT = 100_000


def make_sampler(sampler, seed, space=None, parallel=False):
    """An Optuna sampler from a name (seeded with `seed`) or a sampler object.

    Parameters
    ----------
    sampler : str or optuna.samplers.BaseSampler
    seed : int or None
    space : dict of str -> distribution, optional
        The discovered search space; 'grid' needs it.
    parallel : bool, default False
        Other processes run trials of the study at the same time (worker processes):
        'tpe' then counts their running trials as bad results (``constant_liar``), so
        that workers do not all draw next to the same promising point.
    """
    if isinstance(sampler, optuna.samplers.BaseSampler):
        return sampler
    if sampler not in SAMPLERS:
        raise ValueError(f"Tuner: `sampler` must be one of {', '.join(SAMPLERS)} or an Optuna sampler, got {sampler!r}.")
    if sampler == "tpe":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True, constant_liar=parallel)
    if sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    if sampler == "cmaes":
        if importlib.util.find_spec("cmaes") is None:
            raise ImportError("Tuner: sampler='cmaes' needs the 'cmaes' package: pip install cmaes.")
        return optuna.samplers.CmaEsSampler(seed=seed)
    return optuna.samplers.GridSampler(grid_values(space or {}), seed=seed)


def make_search_sampler(sampler, seed, space, parallel=False):
    """``make_sampler``, wrapped so a search never repeats a finished configuration.

    'grid' visits each point once by itself, and a sampler object is used exactly as given.
    """
    made = make_sampler(sampler, seed, space, parallel)
    if isinstance(sampler, optuna.samplers.BaseSampler) or sampler == "grid":
        return made
    from .distinct import DistinctSampler

    return DistinctSampler(made, space or {})


def grid_values(space):
    """Name -> list of values for GridSampler; every parameter must be discrete."""
    grid = {}
    for name, distribution in space.items():
        if isinstance(distribution, CategoricalDistribution):
            grid[name] = list(distribution.choices)
            continue
        if isinstance(distribution, FloatDistribution) and distribution.step is None:
            raise ValueError(
                f"Tuner: sampler='grid' needs a discrete space, but {name!r} is a continuous float range. "
                "Give it a `step`, make it a Choice, or use another sampler."
            )
        count = int(round((distribution.high - distribution.low) / distribution.step)) + 1
        grid[name] = [_grid_point(distribution, index) for index in range(count)]
    size = math.prod(len(values) for values in grid.values())
    if size > GRID_LIMIT:
        raise ValueError(f"Tuner: sampler='grid' would have {size} combinations (limit {GRID_LIMIT}); narrow the space.")
    return grid


def grid_size(space):
    return math.prod(len(values) for values in grid_values(space).values())


def _grid_point(distribution, index):
    value = distribution.low + index * distribution.step
    return float(value) if isinstance(distribution, FloatDistribution) else int(value)


def make_pruner(pruner, multi_objective, epochs=None):
    """An Optuna pruner from a name or object; 'auto' is 'median' for one objective, none for several.

    `epochs`, the epochs each trial trains (None: not known yet), sets the median pruner's
    warm-up and interval (``median_pruner``).
    """
    if pruner == "auto":
        pruner = None if multi_objective else "median"
    if pruner is None:
        return optuna.pruners.NopPruner()
    if multi_objective:
        raise ValueError(
            f"Tuner: Optuna cannot prune multi-objective studies; pass pruner=None (got {pruner!r})."
        )
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    if pruner == "median":
        return median_pruner(epochs)
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource="auto", reduction_factor=3)
    if pruner == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    raise ValueError(
        f"Tuner: `pruner` must be one of {', '.join(PRUNERS)}, None or an Optuna pruner, got {pruner!r}."
    )


MEDIAN_STARTUP_TRIALS = 5
MEDIAN_WARMUP_STEPS = 3  # the least warm-up, and the warm-up while the epochs are not known


def median_pruner(epochs=None):
    """Optuna's MedianPruner (its StepMedianPruner twin: the same decisions) for trials of `epochs` epochs.

    It judges a trial from the end of its first fifth of epochs on (at least the 4th
    epoch): a curve that starts slowly (a low learning rate, SGD) is not stopped before
    it had the time to rise. It then decides every tenth of the epochs: a hopeless trial
    runs at most that much longer, and a trial of 30 epochs asks the pruner 8 times
    instead of 27 (each decision reads the study and takes a percentile over its trials).
    """
    if epochs is None:
        return StepMedianPruner(n_startup_trials=MEDIAN_STARTUP_TRIALS, n_warmup_steps=MEDIAN_WARMUP_STEPS)
    return StepMedianPruner(n_startup_trials=MEDIAN_STARTUP_TRIALS,
                            n_warmup_steps=max(MEDIAN_WARMUP_STEPS, math.ceil(epochs / 5)),
                            interval_steps=max(1, epochs // 10))


def prunes(pruner):
    return not isinstance(pruner, optuna.pruners.NopPruner)


"""The study a search runs in: creation, identity checks, seeds and the trial budget.

Exact trial counts across processes and machines: before workers start, the coordinator
queues exactly the trials still missing (``max_trials`` minus the trials that count) as
Optuna WAITING trials, under a lock that every process of the study shares. Workers only
ever run queued trials, so N workers can neither overshoot nor duplicate. A trial counts
when it is complete, pruned, running, queued, or failed without being retried; a trial
failed by the heartbeat (its process died) is replaced by its retry.
"""

import warnings

import numpy as np
import optuna
from optuna.trial import TrialState

from . import distributions
from .hyperparameters import HyperParameters

SPACE_KEY = "gradwise:search_space"
OBJECTIVES_KEY = "gradwise:objectives"
SEED_KEY = "gradwise:seed"
RUNS_KEY = "gradwise:runs"
PROBE_DRAWS = 8


class SearchSpaceChangedError(ValueError):
    """The build function's search space differs from the one the stored study was run with."""


def trial_seed(study_seed, number):
    """The training seed of trial `number`: a fixed function of the study's seed and the number."""
    return int(np.random.SeedSequence([int(study_seed), int(number)]).generate_state(1)[0])


def run_seed(study_seed, run):
    """The sampler seed of the study's `run`-th search (0 for the first): reproducible, never reused."""
    return int(np.random.SeedSequence([int(study_seed), 7_919, int(run)]).generate_state(1)[0])


def next_run(study, spec, storage):
    """Number this search among the study's searches (0, 1, ...), under the study's shared lock.

    Seeding each search's samplers from this number (``run_seed``) means a resumed study,
    or a second process joining it, never replays the draws of an earlier search.
    """
    with spec.creation_lock(storage, study.study_name):
        run = int(study.user_attrs.get(RUNS_KEY, 0))
        study.set_user_attr(RUNS_KEY, run + 1)
    return run


def probe_space(hypermodel, draws=PROBE_DRAWS, on_model=None):
    """The search space `hypermodel` defines, found by building it `draws` times (no training);
    `on_model`, if given, is called with each model built.

    Returns
    -------
    dict of str -> optuna distribution
        Every parameter met in any draw (conditional ones included when a draw reaches them).
    """
    rng = np.random.default_rng(0)
    space = {}
    for draw in range(draws):
        hp = HyperParameters.for_probe(draw, rng)
        try:
            model = hypermodel(hp)
        except Exception as error:
            raise type(error)(
                f"build_model(hp) failed while the Tuner probed the search space with {hp.values}: {error}"
            ) from error
        if on_model is not None:
            on_model(model)
        for name, distribution in hp.space.items():
            space.setdefault(name, distribution)
    return space


def space_record(space):
    return {name: distributions.to_json(distribution) for name, distribution in sorted(space.items())}


def check_identity(study, space, objectives, seed):
    """Record (first run) or compare (resume) the space and objectives; return the study's seed.

    Raises
    ------
    SearchSpaceChangedError
        The stored study was run with another search space or objective.
    """
    attrs = study.user_attrs
    record = space_record(space)
    objective_record = [[o.name, o.direction] for o in objectives]
    if SPACE_KEY in attrs:
        _compare_spaces(study.study_name, attrs[SPACE_KEY], record)
        if attrs.get(OBJECTIVES_KEY) not in (None, objective_record):
            raise SearchSpaceChangedError(
                f"Study '{study.study_name}' was run with objective {attrs[OBJECTIVES_KEY]}, now {objective_record}. "
                "Pass overwrite=True to start over, or use a new project_name."
            )
    else:
        study.set_user_attr(SPACE_KEY, record)
        study.set_user_attr(OBJECTIVES_KEY, objective_record)
    if SEED_KEY not in attrs:
        stored = int(seed) if seed is not None else int(np.random.default_rng().integers(2**31))
        study.set_user_attr(SEED_KEY, stored)
        return stored
    if seed is not None and int(seed) != attrs[SEED_KEY]:
        warnings.warn(
            f"Study '{study.study_name}' was started with seed {attrs[SEED_KEY]}; it keeps that seed (got {seed}).",
            UserWarning, stacklevel=3)
    return int(attrs[SEED_KEY])


def _compare_spaces(name, stored, current):
    changes = []
    for key in sorted(set(stored) | set(current)):
        if key not in current:
            changes.append(f"'{key}' was removed")
        elif key not in stored:
            changes.append(f"'{key}' was added ({_describe(current[key])})")
        elif stored[key] != current[key]:
            changes.append(f"'{key}' changed from {_describe(stored[key])} to {_describe(current[key])}")
    if changes:
        raise SearchSpaceChangedError(
            f"The search space of study '{name}' changed since it was run: {'; '.join(changes)}. Its trials "
            "would be mixed with trials of another space. Pass overwrite=True to start over, or use a new "
            "project_name."
        )


def _describe(record):
    return distributions.describe(optuna.distributions.json_to_distribution(record))


def counted(trials):
    """How many of `trials` count toward max_trials (see the module docstring)."""
    retried = {number for trial in trials for number in trial.system_attrs.get("retry_history", [])}
    live = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)
    return sum(1 for t in trials if t.state in live or (t.state == TrialState.FAIL and t.number not in retried))


def finished(trials):
    return sum(1 for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED))


def queue_missing(study, spec, storage, max_trials):
    """Queue WAITING trials until `max_trials` trials count; returns how many were queued."""
    with spec.creation_lock(storage, study.study_name):
        missing = max_trials - counted(study.get_trials(deepcopy=False))
        if missing > 0 and hasattr(study._storage, "queue_trials"):  # a journal: one append for all of them
            study._storage.queue_trials(study._study_id, missing)
        else:
            for _ in range(max(0, missing)):  # not enqueue_trial: samplers (GridSampler) treat those as fixed
                study.add_trial(optuna.trial.create_trial(state=TrialState.WAITING))
    return max(0, missing)


def open_study(spec, storage, study_name, directions, sampler, pruner):
    """Create the study, or load it when it exists (checking its directions)."""
    study = optuna.create_study(storage=storage, study_name=study_name, directions=directions, sampler=sampler,
                                pruner=pruner, load_if_exists=True)
    stored = [d.name.lower() for d in study.directions]
    if stored != list(directions):
        raise SearchSpaceChangedError(
            f"Study '{study_name}' in {spec.describe()} optimizes {stored}, but this search asks for "
            f"{list(directions)}. Pass overwrite=True to start over, or use a new project_name."
        )
    return study

"""One trial: build the model from ``hp``, seed it, train it, save it, return its objective values.

A ``TrialRunner`` is picklable (the build function must be importable, i.e. defined at
module level), so worker processes receive it whole.

With ``save_models=k`` a trial's model is saved only when, as the trial ends, fewer than
`k` complete trials beat it: a trial's rank can only fall as more trials complete, so the
`k` best trials of the finished study always have their models, and most trials of a
long search write no file.
"""

import copy
import json
import os
import socket

import optuna
import threadpoolctl

from .. import backend
from ..layers.base import created_since, creation_mark
from ..models import Model, Sequential, nesting
from ..ops import get_ops
from ..saving import clone_model
from .hyperparameters import HyperParameters
from .objective import BestEpoch, trial_values
from .pruning import PruningCallback
from .storage import gathered, set_user_attrs, set_user_attrs_at_end
from .study import trial_seed

MODELS_DIR = "trials"


def model_filename(number):
    return os.path.join(MODELS_DIR, f"trial_{number:04d}.gw")


class TrialRunner:
    """Runs trials of one search (see ``Tuner.search`` for the arguments)."""

    fits_per_trial = 1  # models a trial trains (the size of a search's work, ``kernels.search_ops``)

    @property
    def reports_epochs(self):
        """Whether a trial's pruning steps are its epochs: true of this class's own trials; a
        subclass that trains its own way (folds, say) reports its own steps."""
        return type(self).__call__ is TrialRunner.__call__

    def __init__(self, hypermodel, x, y, fit_kwargs, callbacks, objectives, prune, study_seed, project_dir,
                 save_models=None):
        self.hypermodel = hypermodel
        self.save_models = save_models  # None: every complete trial's model; k: those of the k best (see above)
        self.x, self.y = x, y
        self.fit_kwargs = fit_kwargs
        self.callbacks = list(callbacks)
        self.objectives = objectives
        self.prune = prune
        self.study_seed = study_seed
        self.project_dir = project_dir

    def has_time_for_a_trial(self, study):
        """False when a trial started now could not finish in time: the search loop then starts no more.

        This runner has no deadline of its own (the search's `timeout` ends the loop); a
        subclass with one overrides this.
        """
        return True

    def __call__(self, trial, origin_number):
        """Train one trial; `origin_number` is the number of the trial this one retries (or its own)."""
        seed = trial_seed(self.study_seed, origin_number)
        with gathered(trial):  # the set-up's parameters and attributes reach a journal in one append
            set_user_attrs(trial, {"seed": seed, "blas_threads": self._blas_threads(), "host": socket.gethostname(),
                                   "pid": os.getpid(), "ops": get_ops().name})
            hp = HyperParameters.for_trial(trial)
            model = build_seeded(self.hypermodel, hp, seed)
            set_user_attrs(trial, {"hp_values": _json_safe(hp.values)})
        tracker = BestEpoch(self.objectives[0])
        callbacks = copy.deepcopy(self.callbacks) + [tracker]
        pruning = PruningCallback(trial, self.objectives[0].name) if self.prune else None
        if pruning is not None:
            pruning.hold_reports = True  # written with the trial's end, as the results below (``workers._run_one`` tells it)
            callbacks.append(pruning)
        try:
            model.fit(self.x, self.y, verbose=0, callbacks=callbacks, **self.fit_kwargs)
        except optuna.TrialPruned:
            set_user_attrs_at_end(trial, {"epochs": pruning.epochs})
            raise
        values = trial_values(self.objectives, tracker.logs, model)
        attrs = {"epochs": tracker.epochs, "best_epoch": tracker.best_epoch,
                 "best_logs": {key: float(value) for key, value in (tracker.logs or {}).items()},
                 "params_count": int(model.count_params())}
        if self._worth_saving(trial, values):
            relative = model_filename(trial.number)
            os.makedirs(os.path.join(self.project_dir, MODELS_DIR), exist_ok=True)
            model.save(os.path.join(self.project_dir, relative))
            attrs["model_file"] = relative
        set_user_attrs_at_end(trial, attrs)
        return values[0] if len(values) == 1 else values

    def _worth_saving(self, trial, values):
        """Whether this trial's model is kept: always, or (``save_models=k``, one objective) when fewer
        than k complete trials rank ahead of it (a better value, or the same from an earlier trial)."""
        if self.save_models is None or len(self.objectives) > 1:
            return True
        objective, value = self.objectives[0], values[0]
        ahead = 0
        for done in trial.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
            if objective.better(done.value, value) or (done.value == value and done.number < trial.number):
                ahead += 1
                if ahead >= self.save_models:
                    return False
        return True


    def _blas_threads(self):
        """The BLAS thread count trials of this process run with. Asked once per process:
        ``threadpoolctl`` walks every loaded library to answer (milliseconds), and the
        limit is set once around the whole loop of trials (``workers.run_queued``)."""
        known = self.__dict__.get("_blas_threads_by_pid")
        if known is None or known[0] != os.getpid():  # a worker process, forked or sent this runner
            known = self._blas_threads_by_pid = (os.getpid(), _blas_threads())
        return known[1]


def build_seeded(hypermodel, hp, seed):
    """``hypermodel(hp)`` with weights drawn from `seed`: built so directly (models made with no seed
    take `seed`, ``backend.model_seed``) when that gives what cloning it with `seed` would, else
    cloned with `seed`, as every trial was before (cloning costs about a millisecond a trial).

    A model holding other models (or a subclassed one, which may) is built again outside the
    block before it is cloned: inside it, its inner models took `seed` as their own, which
    their clones would keep. `hp` holds its values, so the second build is the first's."""
    mark = creation_mark()
    with backend.model_seed(seed):
        model = hypermodel(hp)
    _check_built(model)
    holds_models = any(nesting.is_model(layer) for layer in model.layers)
    if not holds_models and _drawn_from(model, seed, mark):
        return model
    if holds_models or type(model) not in (Sequential, Model):
        model = hypermodel(hp)
    return _seeded(model, seed)


def _drawn_from(model, seed, mark):
    """Whether `model`, which holds no other model, is already what ``clone_model(model, seed=seed)``
    makes: a Sequential of seed `seed` whose layers were all made after `mark` (none kept from an
    earlier trial), compiled with an optimizer that has never stepped (a build function may hand
    every trial one optimizer object: its state must not pass from trial to trial)."""
    return (type(model) is Sequential and model.seed == seed
            and all(created_since(mark, layer) for layer in model.layers)
            and model.optimizer is not None and model.optimizer.iterations == 0 and model.optimizer.slots is None)


def _seeded(model, seed):
    """A fresh copy of `model` seeded with `seed` (same architecture and compile settings)."""
    _check_built(model)
    return clone_model(model, compile=True, seed=seed)


def _check_built(model):
    if not hasattr(model, "fit") or not hasattr(model, "get_config"):
        raise TypeError(f"build_model(hp) must return a compiled gradwise model, got {type(model).__name__}.")
    if not model.compiled:
        raise ValueError("build_model(hp) returned a model that is not compiled; call model.compile(...) in it.")


def _blas_threads():
    counts = [info["num_threads"] for info in threadpoolctl.threadpool_info() if info.get("user_api") == "blas"]
    return min(counts) if counts else None


def _json_safe(values):
    safe = {}
    for name, value in values.items():
        try:
            json.dumps(value)
            safe[name] = value
        except (TypeError, ValueError):
            safe[name] = repr(value)
    return safe

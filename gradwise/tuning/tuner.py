"""Tuner: KerasTuner's workflow on Optuna's samplers, pruners and storages.

    tuner = Tuner(build_model, objective="val_accuracy", max_trials=30, directory="runs", project_name="pima")
    tuner.search(x, y, epochs=50, validation_split=0.2, callbacks=[EarlyStopping(patience=5)])
    best_hp = tuner.get_best_hyperparameters()[0].values
    best_model = tuner.get_best_models()[0]          # the model trained in the search, not retrained

The study lives under ``directory/project_name/`` (see ``storage``), so running the same
search again resumes it; trained trial models are saved there too, in gradwise's format.
"""

import contextlib
import os
import time
import warnings

import optuna
import threadpoolctl
from optuna.trial import TrialState

from .. import ops
from ..callbacks import as_list
from ..models import chain_compile, chain_step
from ..saving import load_model
from . import objective as objective_module
from . import kernels, samplers, storage as storage_module, study as study_module, workers as workers_module
from .hyperparameters import HyperParameters
from .report import progress_line, summary_lines
from .runner import TrialRunner
from .warm import warm_kernels


class Tuner:
    """Search the hyperparameters of a gradwise model with Optuna.

    Parameters
    ----------
    hypermodel : callable
        ``build_model(hp) -> compiled Sequential``. With ``workers > 1`` it must be
        importable (defined at module level) so worker processes can receive it.
    objective : str, Objective or list, default 'val_loss'
        A logged key ('val_accuracy', 'val_loss', 'val_auc', ...), or a list for a
        multi-objective search (e.g. ``['val_accuracy', 'params']``; 'params' is the
        parameter count). Directions are inferred from the names.
    max_trials : int, default 10
        Trials in the study in total, counting those of earlier runs of this study.
    sampler : {'tpe', 'random', 'grid', 'cmaes', 'nsga2'} or optuna sampler, default 'tpe'
    pruner : {'auto', 'median', 'hyperband', 'successive_halving', None} or optuna pruner
        'auto' (default): 'median' for one objective, none for several (Optuna cannot
        prune multi-objective studies).
        'median' judges a trial from the end of its first fifth of epochs on (at least the
        4th epoch), every tenth of the epochs (``samplers.median_pruner``).
    directory : str, default '.'
    project_name : str, default 'untitled_project'
        The study's name; its files live in ``directory/project_name``.
    seed : int, optional
        Seeds the sampler and, with the trial number, each trial's training. Stored
        with the study, so a resumed study keeps it.
    workers : int, default 1
        Trials run at once, each in its own process (1: in this process). Before they
        start, the models of the search space are trained for one step on two rows, so
        their compiled kernels are built (once per machine) and loaded here. A search
        too small to repay loading numba's kernels (see ``gradwise.tuning.kernels``)
        trains on NumPy's instead, unless ``GRADWISE_OPS`` or ``gradwise.ops.set_ops``
        chose the kernels; each trial records its kernels as the user attribute 'ops'.
    start_method : {'auto', 'fork', 'forkserver', 'spawn'}, default 'auto'
        How worker processes start. 'auto': 'fork' on Linux when this process has no
        other threads that forking would break (see ``workers.fork_is_safe``): workers
        are ready in milliseconds with everything imported and compiled; else a
        'forkserver' that imports gradwise once; 'spawn' off Linux. With 'spawn' and
        'forkserver' the build function must be importable (defined at module level).
    storage : str, optional
        None: a journal file in the project folder. A database URL
        ('postgresql://user:password@host/db', 'sqlite:///file.db') lets processes on
        many machines join the study.
    overwrite : bool, default False
        Delete the stored study and its models and start over.
    threads_per_worker : int, optional
        BLAS threads per worker; default ``max(1, cpu_count // workers)``.
    heartbeat_interval, grace_period : int, default 10 and 2 * heartbeat_interval
        Seconds between heartbeats of a running trial, and without one before the
        trial counts as dead: it is then failed and retried with the same parameters.
    max_retries : int, default 3
        Retries of a trial whose process died.
    save_models : int, optional
        None (default): every complete trial's model is saved, as KerasTuner does. An int
        `k`: a trial's model is saved only when fewer than `k` complete trials beat it as
        it ends, so ``get_best_models(n)`` works for any ``n <= k`` and a long search
        writes a handful of files instead of one per trial (multi-objective searches
        save every model).
    reconnect_timeout : float, default 60
        With a database storage: seconds to keep retrying after the connection is lost
        mid-search, before stopping with ``DatabaseUnreachableError`` (completed trials
        are safe in the database; run the search again to resume).

    Attributes
    ----------
    study : optuna.Study
    objectives : list of Objective
    project_dir : str
    """

    def __init__(self, hypermodel, objective="val_loss", max_trials=10, sampler="tpe", pruner="auto",
                 directory=".", project_name="untitled_project", seed=None, workers=1, storage=None,
                 overwrite=False, threads_per_worker=None, heartbeat_interval=10, grace_period=None,
                 max_retries=3, reconnect_timeout=60.0, start_method="auto", save_models=None):
        if not callable(hypermodel):
            raise TypeError(f"Tuner: `hypermodel` must be a function build_model(hp), got {hypermodel!r}.")
        self.hypermodel = hypermodel
        self.objectives = objective_module.resolve(objective)
        self.max_trials = _positive_int("max_trials", max_trials)
        self.workers = _positive_int("workers", workers)
        if start_method not in workers_module.START_METHODS:
            workers_module.start_method(start_method)  # raises, naming the choices
        self.start_method = start_method
        self.save_models = None if save_models is None else _positive_int("save_models", save_models)
        self.threads_per_worker = (max(1, (os.cpu_count() or 1) // self.workers) if threads_per_worker is None
                                   else _positive_int("threads_per_worker", threads_per_worker))
        if seed is not None:
            _non_negative_int("seed", seed)
        if not isinstance(project_name, str) or not project_name or os.sep in project_name:
            raise ValueError(f"Tuner: `project_name` must be a non-empty name without '{os.sep}', got {project_name!r}.")
        self.project_name = project_name
        self.project_dir = os.path.abspath(os.path.join(directory, project_name))
        os.makedirs(self.project_dir, exist_ok=True)
        if isinstance(reconnect_timeout, bool) or not isinstance(reconnect_timeout, (int, float)) or reconnect_timeout < 0:
            raise ValueError(f"Tuner: `reconnect_timeout` must be a non-negative number of seconds, got {reconnect_timeout!r}.")
        self.storage_spec = storage_module.resolve(storage, self.project_dir, _positive_int("heartbeat_interval",
                                                   heartbeat_interval), grace_period, max_retries, reconnect_timeout)
        if overwrite:
            storage_module.delete_study(self.storage_spec, project_name, self.project_dir)
        self._sample_multiply_adds = []  # of each probe model: how much a search of them trains (``kernels``)
        self._chains = []  # of each probe model: whether it trains as one compiled step (``kernels``)
        self._chain_dtypes = []  # the dtypes of those that do (the kernel compiles once for each)
        self.space = study_module.probe_space(hypermodel, on_model=self._measure_probe)
        self._sampler_spec, self._pruner_spec = sampler, pruner
        multi = len(self.objectives) > 1
        self.pruner = samplers.make_pruner(pruner, multi)
        self._storage = self.storage_spec.open()
        directions = [o.direction for o in self.objectives]
        self.study = study_module.open_study(self.storage_spec, self._storage, project_name, directions,
                                             optuna.samplers.RandomSampler(), self.pruner)
        self.seed = study_module.check_identity(self.study, self.space, self.objectives, seed)
        self.study.sampler = samplers.make_sampler(sampler, self.seed, self.space)
        if sampler == "grid":
            self.max_trials = min(self.max_trials, samplers.grid_size(self.space))

    def _measure_probe(self, model):
        self._sample_multiply_adds.append(kernels.sample_multiply_adds(model))
        self._chains.append(chain_step.describes(model))
        if self._chains[-1] and model.dtype.name not in self._chain_dtypes:
            self._chain_dtypes.append(model.dtype.name)

    # ----- search -----------------------------------------------------------------------
    def search(self, x=None, y=None, epochs=1, callbacks=None, timeout=None, verbose=1, on_trial=None, **fit_kwargs):
        """Run trials until the study holds `max_trials` of them (or `timeout` seconds pass).

        Parameters
        ----------
        x, y, epochs, callbacks, **fit_kwargs
            Passed to every trial's ``model.fit`` (``batch_size``, ``validation_data`` or
            ``validation_split``, ``shuffle``, ``class_weight``, ...). Callbacks are
            copied for each trial.
        timeout : float, optional
            Seconds after which no new trial starts; unstarted trials stay queued for
            the next run of the search.
        verbose : int, default 1
            1 prints one line per finished trial.
        on_trial : callable, optional
            Called with each finished ``optuna.trial.FrozenTrial`` (in this process).
        """
        fit_kwargs.pop("verbose", None)
        fit_kwargs["epochs"] = epochs
        runner = self._make_runner(x, y, fit_kwargs, as_list(callbacks, "search"))
        if isinstance(self._pruner_spec, str) and getattr(runner, "reports_epochs", False):
            # A pruner given by name waits and decides in proportion to the epochs (``samplers.median_pruner``).
            self.pruner = self.study.pruner = samplers.make_pruner(self._pruner_spec, len(self.objectives) > 1, epochs)
        report = on_trial or (self._print_trial if verbose else None)
        deadline = None if timeout is None else time.time() + float(timeout)
        # Every search of the study draws from its own seed, so a resume never replays an earlier one.
        run_seed = study_module.run_seed(self.seed, study_module.next_run(self.study, self.storage_spec, self._storage))
        study_module.queue_missing(self.study, self.storage_spec, self._storage, self.max_trials)
        # A small search trains on NumPy's kernels: numba's would cost more to load than they save.
        kernel_ops = kernels.search_ops(self._sample_multiply_adds, kernels.training_rows(x, fit_kwargs), epochs,
                                        self.max_trials, self.workers, getattr(runner, "fits_per_trial", 1),
                                        self._chains, fit_kwargs.get("batch_size"))
        # a machine's first search, shorter than compiling numba's kernels: NumPy's keep its deadline
        kernel_ops = kernel_ops or kernels.cold_ops(deadline, self._chain_dtypes)
        with ops.use_ops(kernel_ops) if kernel_ops else contextlib.nullcontext():
            if self.workers == 1:
                self.study.sampler = samplers.make_search_sampler(self._sampler_spec, run_seed, self.space)
                # on a machine whose numba cache lacks the chain step's kernel, a helper process compiles it
                # on a spare core while the first trials train layer by layer (models/chain_compile.py)
                with chain_compile.deferring(self._chain_dtypes, busy_cores=1), \
                        threadpoolctl.threadpool_limits(limits=self.threads_per_worker):
                    workers_module.run_queued(self.study, runner, deadline, report)
                return
            if kernel_ops is None:
                warm_kernels(self.hypermodel, x, y)
            self._search_in_processes(runner, deadline, report, run_seed, kernel_ops)

    def _make_runner(self, x, y, fit_kwargs, callbacks):
        """The picklable callable that trains one trial (a subclass may train it its own way)."""
        return TrialRunner(self.hypermodel, x, y, fit_kwargs, callbacks, self.objectives,
                           samplers.prunes(self.pruner), self.seed, self.project_dir, save_models=self.save_models)

    def _search_in_processes(self, runner, deadline, report, run_seed, kernel_ops=None):
        spec = workers_module.WorkerSpec(self.storage_spec, self.project_name, self._sampler_spec, self.pruner,
                                         run_seed, self.space, self.threads_per_worker, kernel_ops)
        seen = {t.number for t in self.study.get_trials(deepcopy=False) if t.state.is_finished()}

        def poll():
            for trial in self.study.get_trials(deepcopy=False):
                if trial.state.is_finished() and trial.number not in seen:
                    seen.add(trial.number)
                    if report is not None:
                        report(trial)

        method = workers_module.start_method(self.start_method)
        lost = workers_module.run_processes(self.workers, spec, runner, deadline, poll, method)
        if lost:
            warnings.warn("Tuner: " + "; ".join(lost) + ". Trials it was running are failed and retried once "
                          "their heartbeat stops.", UserWarning, stacklevel=3)
        # Trials still running belong to dead processes (or to other machines): wait, retry here if needed.
        self.study.sampler = samplers.make_search_sampler(self._sampler_spec, run_seed, self.space, parallel=True)
        with threadpoolctl.threadpool_limits(limits=self.threads_per_worker):
            workers_module.run_queued(self.study, runner, deadline, lambda trial: poll())

    def _print_trial(self, trial):
        print(progress_line(trial, self.objectives), flush=True)

    # ----- results ----------------------------------------------------------------------
    def best_trials(self, num_trials=1):
        """The best complete trials: by value, or the Pareto front (by the first objective) for several objectives."""
        complete = self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if len(self.objectives) > 1:
            complete = self.study.best_trials
        reverse = self.objectives[0].direction == "maximize"
        ordered = sorted(complete, key=lambda t: (t.values[0] if not reverse else -t.values[0], t.number))
        return ordered[:num_trials]

    def pareto_front(self):
        """The trials no other complete trial beats on every objective (Optuna's ``best_trials``)."""
        return sorted(self.study.best_trials, key=lambda t: t.number)

    def get_best_hyperparameters(self, num_trials=1):
        """HyperParameters of the best trials; ``.values`` holds each trial's values."""
        result = []
        for trial in self.best_trials(num_trials):
            values = trial.user_attrs.get("hp_values", trial.params)
            hp = HyperParameters(values)
            hp.values.update(values)
            hp.trial_number = trial.number
            result.append(hp)
        return result

    def get_best_models(self, num_models=1):
        """The models the best trials trained during the search (loaded from their saved files)."""
        return [self.load_trial_model(trial) for trial in self.best_trials(num_models)]

    def load_trial_model(self, trial):
        """The saved model of a trial (a FrozenTrial or a trial number)."""
        if not isinstance(trial, optuna.trial.FrozenTrial):
            trial = self.study.trials[trial]
        relative = trial.user_attrs.get("model_file")
        if relative is None and trial.state == TrialState.COMPLETE:
            raise ValueError(
                f"Trial {trial.number} has no saved model: with save_models={self.save_models} only the models of "
                f"trials among the {self.save_models} best when they ended were saved. Pass a larger `save_models` "
                "(or None, every trial) to keep more.")
        if relative is None:
            raise ValueError(f"Trial {trial.number} ({trial.state.name}) has no saved model; only complete trials do.")
        path = os.path.join(self.project_dir, relative)
        if not os.path.exists(path):
            host = trial.user_attrs.get("host", "another machine")
            raise FileNotFoundError(
                f"The model of trial {trial.number} was saved as {path} on {host}, and that file is not here. "
                "Workers on several machines need `directory` on a shared file system."
            )
        return load_model(path)

    def results_summary(self, num_trials=10, print_fn=print):
        """Print the best trials: their values and hyperparameters (as KerasTuner does)."""
        for line in summary_lines(self, num_trials):
            print_fn(line)

    def search_space_summary(self, print_fn=print):
        """Print the search space found by probing the build function."""
        from .distributions import describe

        print_fn(f"Search space summary\nDefault search space size: {len(self.space)}")
        for name, distribution in self.space.items():
            print_fn(f"{name} ({describe(distribution)})")

    def trials_dataframe(self, **kwargs):
        """``study.trials_dataframe()``: one row per trial (needs pandas)."""
        return self.study.trials_dataframe(**kwargs)


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Tuner: `{name}` must be a positive int, got {value!r}.")
    return value


def _non_negative_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"Tuner: `{name}` must be a non-negative int, got {value!r}.")
    return value

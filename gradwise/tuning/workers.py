"""Running queued trials: in this process, or in N worker processes with limited BLAS threads.

Every worker runs the same loop (``run_queued``): fail the stale trials of dead processes
(Optuna's ``fail_stale_trials``, whose retry callback re-queues them), claim a queued
trial, train it while a heartbeat thread proves the process alive, tell Optuna the
result. It never creates trials (``study.queue_missing`` did), so the total is exact.
The loop ends when nothing is queued; in the coordinating process it also waits until
nothing that might still need a retry is running. Each worker runs inside
``threadpoolctl.threadpool_limits`` so N workers share the cores instead of each
starting one BLAS thread per core.

Worker processes start from the tuner's process, already imported and with its kernels
loaded (``start_method``):

- 'fork' (the default on Linux where it is safe, see ``fork_is_safe``): a worker is a
  copy of this process, ready in milliseconds, sharing its imported modules and
  compiled kernels (copy on write);
- 'forkserver' (the default where fork is not safe): a server process started once
  imports gradwise, Optuna and numba's kernels (``PRELOAD``), and forks each worker;
- 'spawn' (the default off Linux): a fresh interpreter per worker, which imports
  everything and loads the kernels from numba's disk cache (about a second or two).
"""

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import queue as queue_module
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass

import numpy as np
import optuna
import threadpoolctl
from optuna.storages._heartbeat import BaseHeartbeat
from optuna.trial import TrialState

from ..models import chain_compile
from ..ops import set_ops
from .samplers import make_search_sampler
from .storage import StorageUnavailableError, fsyncs_in_background, set_user_attrs_at_end


def _heartbeat_interval(storage):
    if isinstance(storage, BaseHeartbeat):
        return storage.get_heartbeat_interval()
    return None


class _Heartbeat:
    """Records the heartbeat of the trial being run every interval, from one thread for a whole loop
    of trials (a thread started and joined per trial costs more than the trial's own records)."""

    def __init__(self, storage):
        self.storage = storage
        self.interval = _heartbeat_interval(storage)
        self._lock = threading.Lock()
        self._trial_id = None
        self._closed = threading.Event()
        self._thread = None

    def __enter__(self):
        if self.interval is not None:
            self._thread = threading.Thread(target=self._run, daemon=True, name="gradwise-heartbeat")
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._closed.set()
        if self._thread is not None:
            self._thread.join()  # gone before the caller may fork worker processes

    @contextlib.contextmanager
    def beating(self, trial_id):
        """Beat for `trial_id` until the block ends; no beat reaches it afterwards (it is then told)."""
        if self.interval is not None and not getattr(self.storage, "beats_from_start", False):
            self._beat(trial_id)  # a database counts only trials with a heartbeat row as stale
        with self._lock:
            self._trial_id = trial_id
        try:
            yield
        finally:
            with self._lock:  # waits for a beat in progress
                self._trial_id = None

    def _run(self):
        while not self._closed.wait(self.interval):
            with self._lock:
                if self._trial_id is not None and not self._beat(self._trial_id):
                    self._trial_id = None

    def _beat(self, trial_id):
        try:
            self.storage.record_heartbeat(trial_id)
            return True
        except (optuna.exceptions.UpdateFinishedTrialError, KeyError, OSError):
            # A finished trial, or a storage that cannot be written (a full disk): the
            # trial's own next write raises the error for the search to report.
            return False


def _claim(study):
    """Atomically move one WAITING trial to RUNNING; (trial_id, origin number) or None."""
    storage = study._storage  # the storage Optuna's own samplers and pruners use
    for frozen in study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
        try:
            if storage.set_trial_state_values(frozen._trial_id, state=TrialState.RUNNING):
                return frozen._trial_id, frozen.system_attrs.get("failed_trial", frozen.number)
        except optuna.exceptions.UpdateFinishedTrialError:
            continue
    return None


def _run_one(study, trial_id, origin, runner, heartbeat):
    trial = optuna.trial.Trial(study, trial_id)
    value, state, error = None, None, None
    deferred = chain_compile.deferred_plans()
    with heartbeat.beating(trial_id):
        try:
            value = runner(trial, origin)
        except optuna.TrialPruned:
            state = TrialState.PRUNED
        except StorageUnavailableError:
            raise  # nothing can be recorded; the trial, left running, is retried when the study resumes
        except (Exception, KeyboardInterrupt) as caught:
            state, error = TrialState.FAIL, caught
        if chain_compile.deferred_plans() != deferred:
            # a fit of this trial trained layer by layer while a helper compiled the chain step's kernel: a
            # retrain on the same kernels, which takes the chain, matches it to float rounding, not bit for bit
            set_user_attrs_at_end(trial, {"chain_step_deferred": True})
    stop = False
    try:
        frozen = study.tell(trial, None if state is not None else value, state=state)
    except RuntimeError as caught:  # a sampler (GridSampler) asked to stop outside study.optimize
        if "Study.stop" not in str(caught):
            raise
        frozen, stop = study._storage.get_trial(trial_id), True
    if isinstance(error, KeyboardInterrupt):
        requeue_interrupted(study, frozen)
    if error is not None:
        raise error
    return frozen, stop


def requeue_interrupted(study, frozen):
    """Queue a rerun of a trial stopped by Ctrl-C, with its parameters and seed.

    The interrupted trial stays FAIL (Optuna's record of what happened) but lists in the
    rerun's ``retry_history``, so it does not count toward ``max_trials``
    (``study.counted``): a resumed search runs it again and ends with exactly the
    completed trials asked for.
    """
    attrs = frozen.system_attrs
    system_attrs = {
        "failed_trial": attrs.get("failed_trial", frozen.number),
        "retry_history": [*attrs.get("retry_history", []), frozen.number],
        "gradwise:interrupted": True,
    }
    study.add_trial(optuna.trial.create_trial(
        state=TrialState.WAITING, params=frozen.params, distributions=frozen.distributions,
        system_attrs=system_attrs))


def run_queued(study, runner, deadline=None, on_finished=None, wait_for_running=True):
    """Run queued trials until none is left or `deadline` (a ``time.time()`` value) passes.

    With `wait_for_running`, the loop also waits for running trials: each either finishes
    or, if its process died, goes stale and is re-queued by the retry callback, then run here.
    """
    # Both helper threads end with the loop, before the caller may fork worker processes.
    with fsyncs_in_background(study._storage), _Heartbeat(study._storage) as heartbeat:
        _run_queued(study, runner, deadline, on_finished, wait_for_running, heartbeat)


def _run_queued(study, runner, deadline, on_finished, wait_for_running, heartbeat):
    interval = heartbeat.interval
    while (deadline is None or time.time() < deadline) and runner.has_time_for_a_trial(study):
        if interval is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                optuna.storages.fail_stale_trials(study)
        claimed = _claim(study)
        if claimed is None:
            if (wait_for_running and interval is not None
                    and study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))):
                time.sleep(0.2)
                continue
            return
        frozen, stop = _run_one(study, *claimed, runner, heartbeat)
        if on_finished is not None:
            on_finished(frozen)
        if stop:
            return


@dataclass
class WorkerSpec:
    """What a worker process needs to join the study (picklable)."""

    storage: object
    study_name: str
    sampler: object
    pruner: object
    seed: int  # this search's seed (``study.run_seed``); each worker derives its own from it
    space: dict
    threads: int
    ops: str = None  # the seam's kernels the search chose (``kernels.search_ops``); None: the default


def worker_seed(seed, index):
    return int(np.random.SeedSequence([int(seed), 1_000_003, int(index)]).generate_state(1)[0])


def _worker_main(index, spec, runner, deadline, messages):
    try:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        if spec.ops is not None:
            set_ops(spec.ops)
        with threadpoolctl.threadpool_limits(limits=spec.threads):
            sampler = make_search_sampler(spec.sampler, worker_seed(spec.seed, index), spec.space, parallel=True)
            study = optuna.load_study(study_name=spec.study_name, storage=spec.storage.open(), sampler=sampler,
                                      pruner=spec.pruner)
            run_queued(study, runner, deadline, wait_for_running=False)  # the parent waits for stragglers
        messages.put((index, None))
    except StorageUnavailableError as error:  # one line for the user, not a traceback
        messages.put((index, error))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        messages.put((index, traceback.format_exc()))


class WorkerError(RuntimeError):
    """A worker process raised; the message holds its traceback."""


POLL_SECONDS = 0.25  # how often the coordinator reports trials finished by workers
LAST_MESSAGE_SECONDS = 1.0  # how long to wait for the report of a worker that exited normally
START_METHODS = ("auto", "fork", "forkserver", "spawn")
# What a forkserver imports once, before it forks any worker.
PRELOAD = ["gradwise", "gradwise.tuning", "gradwise.ops._numba.elementwise", "gradwise.ops._numba.optimizers",
           "gradwise.ops._numba.pooling"]


def fork_is_safe():
    """Whether this process can fork workers without the hazards of forking a threaded process.

    A forked child holds only the thread that forked: a lock another thread held at that
    moment stays locked forever in the child, and GNU OpenMP's thread team cannot be
    used again after a fork. Forking is safe here when the calling thread is the only
    Python thread (gradwise's own helper threads are stopped first) and every other
    thread of the process belongs to an OpenBLAS built on pthreads, whose fork handler
    stops its threads before the fork and restarts them on the next product. Linux only.
    """
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    from ..ops import threads

    threads.stop_pool()
    if threading.active_count() != 1:
        return False
    blas_threads = 0
    for pool in threadpoolctl.threadpool_info():
        if pool.get("internal_api") == "openblas" and pool.get("threading_layer") == "pthreads":
            blas_threads += max(0, int(pool.get("num_threads", 1)) - 1)
        elif pool.get("user_api") == "blas":
            return False  # MKL, BLIS or an OpenMP OpenBLAS: threads whose fork behaviour is not known
    # A joined Python thread (a stopped helper, the journal's fsync thread) leaves its OS thread
    # a moment later; on a loaded machine that moment can be milliseconds, so wait for it briefly
    # rather than choosing the slower forkserver because of a thread that is already finishing.
    deadline = time.monotonic() + 1.0
    while True:
        try:
            native = len(os.listdir("/proc/self/task"))
        except OSError:
            return False
        if native <= 1 + blas_threads or time.monotonic() >= deadline:
            return native <= 1 + blas_threads
        time.sleep(0.002)


def start_method(requested="auto"):
    """The multiprocessing start method for worker processes (see the module docstring)."""
    if requested not in START_METHODS:
        raise ValueError(f"Tuner: `start_method` must be one of {', '.join(map(repr, START_METHODS))}, "
                         f"got {requested!r}.")
    available = multiprocessing.get_all_start_methods()
    if requested != "auto":
        if requested not in available:
            raise ValueError(f"Tuner: start_method={requested!r} is not available on this platform "
                             f"(available: {', '.join(available)}).")
        return requested
    if not sys.platform.startswith("linux"):
        return "spawn"
    return "fork" if fork_is_safe() else "forkserver"


def _context(method):
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(PRELOAD)  # ignored when this process's server already runs
    elif method == "fork":
        for stream in (sys.stdout, sys.stderr):  # a child would print what is still buffered again
            if stream is not None:
                stream.flush()
    return context


def run_processes(count, spec, runner, deadline, poll, method="spawn"):
    """Run `count` worker processes until they finish; `poll()` is called while they run.

    `method` is a multiprocessing start method (see ``start_method``).

    Returns
    -------
    list of str
        One line per worker that died without reporting (e.g. killed by a signal).

    Raises
    ------
    WorkerError
        A worker raised (the first traceback is in the message).
    """
    context = _context(method)
    messages = context.Queue()
    processes = [context.Process(target=_worker_main, args=(index, spec, runner, deadline, messages),
                                 name=f"gradwise-tuner-worker-{index}") for index in range(count)]
    for process in processes:
        process.start()
    reports = {}
    try:
        running = list(processes)
        while running:
            # Wake when a worker exits, else every POLL_SECONDS to report the trials finished meanwhile:
            # the search returns as soon as its last worker is done, not at the next tick of a clock.
            multiprocessing.connection.wait([process.sentinel for process in running], timeout=POLL_SECONDS)
            _drain(messages, reports)
            poll()
            running = [process for process in running if process.is_alive()]
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in processes:
            process.join()
    # A worker's last message is in the pipe before it exits (its queue's feeder thread is joined at
    # exit); wait briefly only for one that exited normally and is not heard from yet.
    def all_heard():
        return all(index in reports for index, process in enumerate(processes) if process.exitcode == 0)

    _drain(messages, reports, timeout=0.0 if all_heard() else LAST_MESSAGE_SECONDS, until=all_heard)
    poll()
    unavailable = [report for report in reports.values() if isinstance(report, StorageUnavailableError)]
    if unavailable:
        raise unavailable[0]
    errors = [text for text in reports.values() if text]
    if errors:
        raise WorkerError(f"A tuner worker process failed:\n{errors[0]}")
    return [f"worker {index} (pid {process.pid}) exited with code {process.exitcode} before finishing"
            for index, process in enumerate(processes) if index not in reports]


def _drain(messages, reports, timeout=0.0, until=None):
    """Move the messages waiting in the queue to `reports`; with a `timeout`, keep waiting that long
    for more unless `until()` says enough arrived."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            index, text = messages.get(timeout=left) if left > 0 else messages.get_nowait()
        except queue_module.Empty:
            return
        reports[index] = text
        if until is not None and until() and messages.empty():
            return

"""Where a study lives: an embedded journal file, or any database Optuna's RDB storage takes.

- Default: Optuna's ``JournalStorage`` on a ``JournalFileBackend`` at
  ``directory/project_name/study.journal``. The journal is an append-only log guarded
  by a lock file, so worker processes on one machine share it safely. Optuna gives the
  journal no heartbeat, so ``HeartbeatJournalStorage`` adds one (a timestamp written as
  a trial system attribute); with it, Optuna's ``fail_stale_trials`` and its retry
  callback work exactly as on a database.
- ``'postgresql://...'``, ``'mysql://...'``, ``'sqlite:///...'``: Optuna's
  ``RDBStorage`` with its own heartbeat. Processes on any number of machines join one
  study by using the same URL and name.

A ``StorageSpec`` is a small picklable description, so worker processes open their own
connection to the same storage.
"""

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import warnings
import zlib
from dataclasses import dataclass

import optuna
from optuna.distributions import distribution_to_json
from optuna.storages import BaseStorage
from optuna.storages._heartbeat import BaseHeartbeat
from optuna.storages.journal import JournalFileBackend, JournalStorage
from optuna.storages.journal._file import get_lock_file
from optuna.storages.journal._storage import JournalOperation
from optuna.trial import TrialState

JOURNAL_FILE = "study.journal"
HEARTBEAT_KEY = "gradwise:heartbeat"
_RDB_PREFIXES = ("postgresql", "mysql", "sqlite", "oracle", "mssql")


class StorageUnavailableError(OSError):
    """The study's storage cannot be written or reached; completed trials stay safe in it."""


class JournalWriteError(StorageUnavailableError):
    """The study journal could not be written (a full disk, a file size limit); it is left as it was."""


class DatabaseUnreachableError(StorageUnavailableError, ConnectionError):
    """The study database cannot be reached (at start, or again within the reconnect window)."""


class JournalRepairedWarning(UserWarning):
    """A torn record (a write cut short by a full disk or a crash) was dropped from the study journal."""


_RECORD_START = b'{"op_code"'


class CrashSafeJournalBackend(JournalFileBackend):
    """Optuna's journal file, made safe against writes cut short by a full disk or a crash.

    On open, a torn record (a last line without its newline, or a line that no longer
    parses because a later write was appended to a torn one) is dropped with a
    ``JournalRepairedWarning``; a complete record appended after a torn one on the same
    line is kept. An append that fails (no space left, a file size limit) truncates the
    journal back to its previous length and raises ``JournalWriteError`` naming the path,
    so the journal is never left half-written.
    """

    def __init__(self, file_path):
        super().__init__(file_path)
        self._fsyncs = None  # a ``BackgroundFsync`` while ``fsyncs_in_background`` runs
        with get_lock_file(self._lock):
            self._repair()

    @contextlib.contextmanager
    def fsyncs_in_background(self):
        """While the block runs, the fsync a durable record asks for is done by a thread of its own
        (``BackgroundFsync``) instead of inside the write: the writer goes on at once, and the
        record is on disk a few milliseconds later. When the block ends, every record written
        in it is on disk. Nested blocks share the outer one's thread."""
        if self._fsyncs is not None:
            yield
            return
        self._fsyncs = BackgroundFsync(self._file_path)
        try:
            yield
        finally:
            fsyncs, self._fsyncs = self._fsyncs, None
            fsyncs.close()

    def _repair(self):
        with open(self._file_path, "rb") as handle:
            content = handle.read()
        lines = content.split(b"\n")
        tail = lines.pop()  # b"" when the journal ends with its newline
        kept, dropped, rewrite = [], len(tail), False
        for line in lines:
            record = _salvaged(line)
            if record != line:
                rewrite = True
                dropped += len(line) - len(record or b"")
            if record is not None:
                kept.append(record)
        if not (dropped or rewrite):
            return
        kept_copy = ""
        if not rewrite:  # the common case: only the last write was torn
            os.truncate(self._file_path, len(content) - len(tail))
        else:  # a torn record with later writes appended to it (journals damaged before this check)
            backup = f"{self._file_path}.damaged-{int(time.time())}"
            shutil.copyfile(self._file_path, backup)
            kept_copy = f" (the damaged journal is kept as '{backup}')"
            with open(self._file_path + ".repair", "wb") as handle:
                handle.write(b"".join(record + b"\n" for record in kept))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(self._file_path + ".repair", self._file_path)
        warnings.warn(
            f"The study journal '{self._file_path}' holds a torn record ({dropped} bytes, from a write cut "
            f"short by a full disk or a crash); it was dropped{kept_copy} and the study continues from its last complete "
            "record.", JournalRepairedWarning, stacklevel=4)

    def read_logs(self, log_number_from):
        """The records from `log_number_from` on; nothing, without opening the file, when the
        journal has not grown since that record (Optuna reads it before every query)."""
        offset = self._log_number_offset.get(log_number_from)
        if offset is not None and offset == os.stat(self._file_path).st_size:
            return iter(())
        return super().read_logs(log_number_from)

    def append_logs(self, logs):
        try:
            with get_lock_file(self._lock):
                size = os.path.getsize(self._file_path)
                durable = any(_durable(log) for log in logs)
                try:
                    text = "\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n"
                    with open(self._file_path, "ab") as handle:
                        handle.write(text.encode("utf-8"))
                        handle.flush()
                        if durable and self._fsyncs is None:
                            os.fsync(handle.fileno())
                except OSError as error:
                    restored = _truncate(self._file_path, size)
                    raise JournalWriteError(
                        error.errno, f"Cannot write to the study journal '{self._file_path}': "
                        f"{error.strerror or error}. " + (
                            "The journal was left as it was; free some space and run the same search again to "
                            "resume." if restored else
                            "The failed record could not be removed now; it is dropped when the study is next "
                            "opened. Free some space and run the same search again to resume.")) from None
                if durable and self._fsyncs is not None:
                    self._fsyncs.request()  # raises the failure of an earlier one
        except JournalWriteError:
            raise
        except OSError as error:  # the lock file itself could not be created
            raise JournalWriteError(
                error.errno, f"Cannot write to the study journal '{self._file_path}': {error.strerror or error}. "
                "Free some space and run the same search again to resume.") from None


class BackgroundFsync:
    """fsyncs of one file, done by a daemon thread as they are asked for (``request``).

    Each request is followed by an fsync that starts after it, so everything written to the
    file before a request reaches the disk; requests that come while an fsync runs share the
    next one. ``close`` returns once every request is done. A process killed meanwhile loses
    nothing (its writes are in the kernel's page cache); a crash of the machine may lose the
    records of the last few milliseconds, which the journal's repair and the retry of running
    trials recover from as from any crash. An fsync that fails is raised, as
    ``JournalWriteError``, by the next ``request`` or by ``close``.
    """

    def __init__(self, path):
        self.path = path
        self._descriptor = os.open(path, os.O_RDONLY)
        self._changed = threading.Condition()
        self._requested = self._done = 0
        self._closing = False
        self._error = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="gradwise-journal-fsync")
        self._thread.start()

    def request(self):
        with self._changed:
            self._raise_error()
            self._requested += 1
            self._changed.notify()

    def close(self):
        with self._changed:
            self._closing = True
            self._changed.notify()
        self._thread.join()
        os.close(self._descriptor)
        with self._changed:
            self._raise_error()

    def _run(self):
        while True:
            with self._changed:
                while self._requested == self._done and not self._closing:
                    self._changed.wait()
                if self._requested == self._done:
                    return
                target = self._requested
            try:
                os.fsync(self._descriptor)
            except OSError as error:
                with self._changed:
                    self._error = self._error or error
            with self._changed:
                self._done = target

    def _raise_error(self):
        error, self._error = self._error, None
        if error is not None:
            raise JournalWriteError(error.errno, f"Cannot write to the study journal '{self.path}': "
                                    f"{error.strerror or error}. Free some space and run the same search again to "
                                    "resume.")


def fsyncs_in_background(storage):
    """The block in which `storage`'s journal fsyncs in a thread of its own
    (``CrashSafeJournalBackend.fsyncs_in_background``); any other storage is left as it is."""
    backend = getattr(storage, "_backend", None)
    if isinstance(storage, HeartbeatJournalStorage) and isinstance(backend, CrashSafeJournalBackend):
        return backend.fsyncs_in_background()
    return contextlib.nullcontext()


# Records of a running trial's progress: its claim, parameters, reports, attributes and
# heartbeats. A search writes dozens per trial (a report every epoch), and an fsync costs
# about a millisecond each, so these are left to the OS's page cache. A crash of the
# process loses none of them (the kernel holds the written pages); a crash of the machine
# may lose the last ones, which belong to trials that were running and are run again
# when the study resumes. Every other record (a trial's end, a queued trial, the study's
# own records) is fsynced, which also flushes everything written to the journal before it;
# inside a search's loop of trials that fsync runs in a thread of its own (``BackgroundFsync``),
# so a trial's end costs its worker no wait for the disk.
_PROGRESS_OPERATIONS = frozenset({
    JournalOperation.SET_TRIAL_PARAM, JournalOperation.SET_TRIAL_INTERMEDIATE_VALUE,
    JournalOperation.SET_TRIAL_USER_ATTR, JournalOperation.SET_TRIAL_SYSTEM_ATTR,
})


def _durable(log):
    """Whether `log` must be on disk before the write returns (see _PROGRESS_OPERATIONS)."""
    operation = log.get("op_code")
    if operation in _PROGRESS_OPERATIONS:
        return False
    return not (operation == JournalOperation.SET_TRIAL_STATE_VALUES and log.get("state") == TrialState.RUNNING)


def _salvaged(line):
    """`line` if it is a record, the last complete record in it after a torn one, or None."""
    if _parses(line):
        return line
    start = line.rfind(_RECORD_START)
    if start > 0 and _parses(line[start:]):
        return line[start:]
    return None


def _parses(line):
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _truncate(path, size):
    try:
        os.truncate(path, size)
        return True
    except OSError:
        return False


class HeartbeatJournalStorage(JournalStorage, BaseHeartbeat):
    """Optuna's journal storage plus a heartbeat, so trials of dead processes are failed and retried."""

    def __init__(self, backend, heartbeat_interval, grace_period=None, stale_trial_callback=None):
        super().__init__(backend)
        self._holding = threading.local()  # this thread's gathering(trial_id) block, if any
        self._until_end = {}  # trial id -> records written with the trial's end (``hold_until_end``)
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period or 2 * heartbeat_interval
        self.stale_trial_callback = stale_trial_callback

    # A running trial without a heartbeat counts from its start (``_get_stale_trial_ids``), so a
    # trial's first beat is due one interval after its claim, not at once.
    beats_from_start = True

    def record_heartbeat(self, trial_id):
        self.set_trial_system_attr(trial_id, HEARTBEAT_KEY, time.time())

    def _get_stale_trial_ids(self, study_id):
        now, stale = time.time(), []
        for trial in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
            beat = trial.system_attrs.get(HEARTBEAT_KEY)
            if beat is None and trial.datetime_start is not None:  # killed before its first heartbeat
                beat = trial.datetime_start.timestamp()
            if beat is not None and now - beat > self.grace_period:
                stale.append(trial._trial_id)
        return stale

    def append_records(self, trial_id, records):
        """Several records of one trial — (operation, fields) pairs, as Optuna's own methods write
        them one append at a time — in one append: one lock and one write instead of many.
        Inside this thread's ``gathering(trial_id)`` block they join the block's single append."""
        held = self._held(trial_id)
        if held is not None:
            held.extend(records)
            return
        with self._thread_lock:
            worker_id = self._replay_result.worker_id
            self._backend.append_logs([{"op_code": operation, "worker_id": worker_id, "trial_id": trial_id, **fields}
                                       for operation, fields in records])
            self._sync_with_backend()

    def queue_trials(self, study_id, count):
        """`count` new WAITING trials in one append and one fsync (``study.add_trial`` of
        ``create_trial(state=WAITING)`` writes the same record, one append and fsync each)."""
        waiting = {"study_id": study_id, "datetime_start": None, "state": TrialState.WAITING, "value": None,
                   "values": None, "distributions": {}, "params": {}, "user_attrs": {}, "system_attrs": {},
                   "intermediate_values": {}}
        with self._thread_lock:
            worker_id = self._replay_result.worker_id
            self._backend.append_logs([{"op_code": JournalOperation.CREATE_TRIAL, "worker_id": worker_id, **waiting}
                                       for _ in range(count)])
            self._sync_with_backend()

    @contextlib.contextmanager
    def gathering(self, trial_id):
        """Hold this thread's parameter and attribute records of `trial_id` and write them in one append
        when the block ends (also when it raises).

        A trial's set-up writes a record for each suggested parameter and attribute; each would
        take the journal's lock and append on its own. Held here, they reach the file before the
        block's caller goes on (before training starts), still ahead of the trial's end. Optuna
        keeps its own copy of the running trial (``Trial`` reads its parameters from it), and
        its samplers leave the trial being sampled out of their history, so holding the
        records changes no draw. Another thread's writes (the heartbeat) are not held.
        """
        if self._held(trial_id) is not None:  # nested: the outer block writes
            yield
            return
        held = []
        self._holding.trial = (trial_id, held)
        try:
            yield
        finally:
            self._holding.trial = None
            if held:
                self.append_records(trial_id, held)

    def _held(self, trial_id):
        holding = getattr(self._holding, "trial", None)
        return holding[1] if holding is not None and holding[0] == trial_id else None

    def set_trial_param(self, trial_id, param_name, param_value_internal, distribution):
        held = self._held(trial_id)
        if held is None:
            return super().set_trial_param(trial_id, param_name, param_value_internal, distribution)
        held.append((JournalOperation.SET_TRIAL_PARAM, {"param_name": param_name,
                                                        "param_value_internal": param_value_internal,
                                                        "distribution": distribution_to_json(distribution)}))
        return None

    def set_trial_user_attr(self, trial_id, key, value):
        held = self._held(trial_id)
        if held is None:
            return super().set_trial_user_attr(trial_id, key, value)
        held.append((JournalOperation.SET_TRIAL_USER_ATTR, {"user_attr": {key: value}}))
        return None

    def set_trial_system_attr(self, trial_id, key, value):
        held = self._held(trial_id)
        if held is None:
            return super().set_trial_system_attr(trial_id, key, value)
        held.append((JournalOperation.SET_TRIAL_SYSTEM_ATTR, {"system_attr": {key: value}}))
        return None

    def hold_until_end(self, trial_id, records):
        """Keep records of `trial_id` — (operation, fields) pairs — and write them in the same append as
        the trial's end (``set_trial_state_values`` to a finished state): the last reports and results
        of a trial cost no append of their own. A process that dies before the end loses them with the
        trial, which is then failed and run again."""
        self._until_end.setdefault(trial_id, []).extend(records)

    def _write_log(self, op_code, extra_fields):
        """Optuna's single-record write; a trial's end takes the records held for it along, ahead of it."""
        held = None
        if op_code == JournalOperation.SET_TRIAL_STATE_VALUES and TrialState(extra_fields["state"]).is_finished():
            held = self._until_end.pop(extra_fields["trial_id"], None)
        if not held:
            return super()._write_log(op_code, extra_fields)
        worker_id = self._replay_result.worker_id
        self._backend.append_logs(
            [{"op_code": operation, "worker_id": worker_id, "trial_id": extra_fields["trial_id"], **fields}
             for operation, fields in held] + [{"op_code": op_code, "worker_id": worker_id, **extra_fields}])
        return None

    def get_heartbeat_interval(self):
        return self.heartbeat_interval

    def get_heartbeat_stale_trial_callback(self):
        return self.stale_trial_callback


def set_user_attrs(trial, attrs):
    """``trial.set_user_attr`` for each of `attrs`, written to a journal in one append."""
    storage = getattr(trial, "storage", None)
    cached = getattr(trial, "_cached_frozen_trial", None)
    if not isinstance(storage, HeartbeatJournalStorage) or cached is None:
        for key, value in attrs.items():
            trial.set_user_attr(key, value)
        return
    storage.append_records(trial._trial_id, [(JournalOperation.SET_TRIAL_USER_ATTR, {"user_attr": {key: value}})
                                             for key, value in attrs.items()])
    cached.user_attrs.update(attrs)  # what Trial.set_user_attr keeps for trial.user_attrs


def set_user_attrs_at_end(trial, attrs):
    """``set_user_attrs``, written to a journal together with the trial's end (``hold_until_end``):
    for what a trial records after training, just before it is told."""
    storage = getattr(trial, "storage", None)
    cached = getattr(trial, "_cached_frozen_trial", None)
    if not isinstance(storage, HeartbeatJournalStorage) or cached is None:
        set_user_attrs(trial, attrs)
        return
    storage.hold_until_end(trial._trial_id, [(JournalOperation.SET_TRIAL_USER_ATTR, {"user_attr": {key: value}})
                                             for key, value in attrs.items()])
    cached.user_attrs.update(attrs)


def write_reports_at_end(trial, values):
    """``write_reports``, held on a journal until the trial's end (see ``set_user_attrs_at_end``)."""
    storage = getattr(trial, "storage", None)
    if not isinstance(storage, HeartbeatJournalStorage):
        write_reports(trial, values)
    elif values:
        storage.hold_until_end(trial._trial_id, [
            (JournalOperation.SET_TRIAL_INTERMEDIATE_VALUE, {"step": step, "intermediate_value": value})
            for step, value in values.items()])


def gathered(trial):
    """A block whose parameter and attribute records of `trial` reach a journal in one append
    (``HeartbeatJournalStorage.gathering``); any other storage writes each as it comes."""
    storage = getattr(trial, "storage", None)
    if isinstance(storage, HeartbeatJournalStorage):
        return storage.gathering(trial._trial_id)
    return contextlib.nullcontext()


def defer_report(trial, step, value):
    """Record `value` at `step` on the trial as ``trial.report`` does, without writing it yet.

    Returns False (nothing recorded) when the reports of this trial cannot be deferred: its
    storage is not a journal, or this Optuna keeps no copy of the trial (then call
    ``trial.report``). Deferred reports must be written with ``write_reports`` before
    the trial ends; until then ``trial.should_prune()`` already sees them (Optuna's
    pruners read the running trial from that copy, and other trials' reports only once
    those trials are complete).
    """
    cached = getattr(trial, "_cached_frozen_trial", None)
    if not isinstance(getattr(trial, "storage", None), HeartbeatJournalStorage) or cached is None:
        return False
    if step not in cached.intermediate_values:  # Optuna ignores a step reported twice
        cached.intermediate_values[step] = float(value)
    return True


def write_reports(trial, values):
    """Write the deferred reports `values` (step -> value) of `trial` in one journal append."""
    if values:
        trial.storage.append_records(trial._trial_id, [
            (JournalOperation.SET_TRIAL_INTERMEDIATE_VALUE, {"step": step, "intermediate_value": value})
            for step, value in values.items()])


def _retry_callback(max_retry):
    """Optuna's callback that re-queues a stale trial with the same parameters (name per version)."""
    cls = getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None) or optuna.storages.RetryFailedTrialCallback
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental / deprecated-alias warnings
        return cls(max_retry=max_retry)


@dataclass(frozen=True)
class StorageSpec:
    """A picklable description of a study's storage.

    Attributes
    ----------
    url : str or None
        A database URL, or None for the journal file.
    journal_path : str or None
    heartbeat_interval : int
        Seconds between heartbeats of a running trial.
    grace_period : int
        Seconds without a heartbeat after which a running trial is failed and retried.
    max_retry : int or None
        How many times a stale trial is retried.
    reconnect_timeout : float
        Seconds a database storage keeps retrying, with growing pauses, after losing its
        connection mid-search, before the search stops with ``DatabaseUnreachableError``.
    """

    url: str = None
    journal_path: str = None
    heartbeat_interval: int = 10
    grace_period: int = 20
    max_retry: int = 3
    reconnect_timeout: float = 60.0

    def open(self):
        """A new Optuna storage object for this description.

        A database storage is created with retries: while the server cannot be reached
        (for up to ``CONNECT_TIMEOUT_S``), and when another process creating the schema at
        the same moment makes this one fail. It is wrapped so that a connection lost later
        is retried (``ReconnectingStorage``).
        """
        callback = _retry_callback(self.max_retry)
        if self.url is None:
            backend = CrashSafeJournalBackend(self.journal_path)
            return HeartbeatJournalStorage(backend, self.heartbeat_interval, self.grace_period, callback)
        engine_kwargs = {"pool_pre_ping": True} if self.url.startswith(("postgresql", "mysql")) else {}
        if self.url.startswith("postgresql") and "connect_timeout" not in self.url:
            engine_kwargs["connect_args"] = {"connect_timeout": 10}  # an unroutable host fails, never hangs

        def create():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return optuna.storages.RDBStorage(
                    self.url, engine_kwargs=engine_kwargs, heartbeat_interval=self.heartbeat_interval,
                    grace_period=self.grace_period, **_stale_callback_argument(callback))

        storage = _with_retries(create, self, min(CONNECT_TIMEOUT_S, self.reconnect_timeout), at_start=True)
        return ReconnectingStorage(optuna.storages.get_storage(storage), self)

    def describe(self):
        return self.journal_path if self.url is None else _hide_password(self.url)

    @contextlib.contextmanager
    def creation_lock(self, storage, study_name):
        """Hold a lock shared by every process of this study while new trials are queued."""
        if self.url is None:
            with _file_lock(self.journal_path + ".gradwise.lock"):
                yield
        elif self.url.startswith("sqlite:///"):
            with _file_lock(self.url[len("sqlite:///"):] + ".gradwise.lock"):
                yield
        elif self.url.startswith(("postgresql", "mysql")):
            with _database_lock(storage, study_name, self.url.startswith("postgresql")):
                yield
        else:
            yield


CONNECT_TIMEOUT_S = 5.0
SCHEMA_ATTEMPTS = 5
_logger = logging.getLogger("gradwise.tuning")


def _connection_lost(error):
    """Whether `error` (or what caused it) says the database connection failed."""
    from sqlalchemy import exc

    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError)):
            return True
        if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__ or error.__context__
    return False


def _schema_race(error):
    """Whether `error` is another process creating the same tables or rows at the same moment."""
    from sqlalchemy import exc

    return isinstance(error, (exc.IntegrityError, exc.ProgrammingError))


def _first_line(error):
    from sqlalchemy import exc

    while isinstance(error, optuna.exceptions.StorageInternalError) and error.__cause__ is not None:
        error = error.__cause__
    if isinstance(error, exc.DBAPIError) and error.orig is not None:
        error = error.orig
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _unreachable(spec, error, waited, at_start):
    where = _database_host(spec.url)
    if at_start:
        return DatabaseUnreachableError(
            f"Cannot reach the study database at {where} ({_first_line(error)}; retried for {waited:.0f} s). "
            "Check that the server is running and the URL, then run the same command again.")
    return DatabaseUnreachableError(
        f"Lost the connection to the study database at {where} and could not reconnect within {waited:.0f} s "
        f"({_first_line(error)}). Completed trials are safe in the database: when it is reachable again, run "
        "the same command to resume.")


def _database_host(url):
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - only for the message
        return _hide_password(url)
    host = parsed.host or "localhost"
    return f"{host}:{parsed.port}/{parsed.database}" if parsed.port else f"{host}/{parsed.database}"


def _with_retries(call, spec, timeout, at_start=False):
    """`call()`, retried with growing pauses while the database is unreachable (up to `timeout` s)
    and, a few times, when a concurrent process wins a race to create the schema."""
    started, pause, races, warned = time.monotonic(), 0.2, 0, False
    while True:
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - classified below; anything else is raised as is
            if _schema_race(error) and races < SCHEMA_ATTEMPTS:
                races += 1
                time.sleep(0.05 * races)
                continue
            if not _connection_lost(error):
                raise
            waited = time.monotonic() - started
            if waited >= timeout:
                raise _unreachable(spec, error, waited, at_start) from None
            if not warned and not at_start:
                _logger.warning("Lost the connection to the study database at %s; retrying for up to %.0f s.",
                                _database_host(spec.url), timeout)
                warned = True
            time.sleep(min(pause, max(0.0, timeout - waited)))
            pause = min(2 * pause, 5.0)


def _retrying(name):
    def method(self, *args, **kwargs):
        bound = getattr(self._storage, name)
        return _with_retries(lambda: bound(*args, **kwargs), self._spec, self._spec.reconnect_timeout)

    method.__name__ = name
    method.__doc__ = f"``{name}`` of the wrapped storage, retried while the connection is lost."
    return method


_RETRIED = (
    "create_new_study", "delete_study", "set_study_user_attr", "set_study_system_attr", "get_study_id_from_name",
    "get_study_name_from_id", "get_study_directions", "get_study_user_attrs", "get_study_system_attrs",
    "get_all_studies", "create_new_trial", "set_trial_param", "get_trial_id_from_study_id_trial_number",
    "get_trial_number_from_id", "get_trial_param", "set_trial_state_values", "set_trial_intermediate_value",
    "set_trial_user_attr", "set_trial_system_attr", "get_trial", "get_all_trials", "get_n_trials",
    "get_best_trial", "get_trial_params", "get_trial_user_attrs", "get_trial_system_attrs",
    "record_heartbeat", "_get_stale_trial_ids",
)


class _ReconnectingBase(BaseStorage, BaseHeartbeat):
    def __init__(self, storage, spec):
        self._storage, self._spec = storage, spec

    def __getattr__(self, name):  # the engine and the like, for code that needs the database itself
        if name.startswith("__") or "_storage" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self._storage, name)

    def get_heartbeat_interval(self):
        return self._storage.get_heartbeat_interval()

    def get_heartbeat_stale_trial_callback(self):
        return self._storage.get_heartbeat_stale_trial_callback()

    def remove_session(self):
        self._storage.remove_session()


ReconnectingStorage = type("ReconnectingStorage", (_ReconnectingBase,), {
    "__doc__": """An Optuna database storage whose calls survive a lost connection.

    A call that fails because the connection dropped (the server restarted, the network
    blinked) is retried with growing pauses (0.2 s doubling to 5 s) for up to the spec's
    ``reconnect_timeout``; then ``DatabaseUnreachableError`` says, in one line, which
    database was lost and that completed trials are safe. A write whose commit reached
    the server just before the connection dropped may be applied twice.
    """,
    "__module__": __name__,
    **{name: _retrying(name) for name in _RETRIED},
})


def _stale_callback_argument(callback):
    import inspect

    parameters = inspect.signature(optuna.storages.RDBStorage).parameters
    name = "heartbeat_stale_trial_callback" if "heartbeat_stale_trial_callback" in parameters else "failed_trial_callback"
    return {name: callback}


def _hide_password(url):
    head, _, tail = url.partition("://")
    credentials, at, rest = tail.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{head}://{credentials.split(':', 1)[0]}:***@{rest}"


@contextlib.contextmanager
def _file_lock(path):
    """An exclusive lock on `path`; the OS releases it if the process dies."""
    import fcntl

    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _database_lock(storage, study_name, postgres):
    from sqlalchemy import text

    key = zlib.crc32(f"gradwise:{study_name}".encode())
    engine = getattr(storage, "engine", None) or getattr(getattr(storage, "_backend", None), "engine", None)
    with engine.connect() as connection:
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        else:
            connection.execute(text("SELECT GET_LOCK(:key, -1)"), {"key": str(key)})
        connection.commit()
        try:
            yield
        finally:
            release = "SELECT pg_advisory_unlock(:key)" if postgres else "SELECT RELEASE_LOCK(:key)"
            connection.execute(text(release), {"key": key if postgres else str(key)})
            connection.commit()


def resolve(storage, project_dir, heartbeat_interval=10, grace_period=None, max_retry=3, reconnect_timeout=60.0):
    """A StorageSpec for the Tuner's `storage` argument (None: the journal in `project_dir`)."""
    grace_period = grace_period or 2 * heartbeat_interval
    common = {"heartbeat_interval": heartbeat_interval, "grace_period": grace_period, "max_retry": max_retry,
              "reconnect_timeout": float(reconnect_timeout)}
    if storage is None:
        return StorageSpec(journal_path=os.path.join(project_dir, JOURNAL_FILE), **common)
    if isinstance(storage, str) and storage.split(":", 1)[0].split("+", 1)[0] in _RDB_PREFIXES:
        return StorageSpec(url=storage, **common)
    if isinstance(storage, str) and storage.endswith((".journal", ".log")):
        return StorageSpec(journal_path=os.path.abspath(storage), **common)
    if isinstance(storage, BaseStorage):
        raise TypeError(
            "Tuner: pass `storage` as a URL string (e.g. 'postgresql://user@host/db') or a journal file path, "
            "not an Optuna storage object: every worker process opens its own connection from the URL."
        )
    raise ValueError(
        "Tuner: `storage` must be None (a journal file in directory/project_name), a database URL such as "
        f"'postgresql://user:password@host:5432/db' or 'sqlite:///study.db', or a '.journal' file path; got {storage!r}."
    )


def delete_study(spec, study_name, project_dir):
    """Remove a study and its saved trial models (``overwrite=True``)."""
    if spec.url is None:
        for suffix in ("", ".lock", ".gradwise.lock"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(spec.journal_path + suffix)
    else:
        with contextlib.suppress(KeyError):
            optuna.delete_study(study_name=study_name, storage=spec.open())
    shutil.rmtree(os.path.join(project_dir, "trials"), ignore_errors=True)


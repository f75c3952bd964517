"""A run folder read for a report: its study (journal snapshot or database), summary, doctor findings.

The report never writes to the study. A journal is read from a snapshot of its complete
records: a study still running (a worker may be mid-write) and a journal cut
mid-record (a crash, a full disk) both show every trial up to the last complete record,
and the cut is stated. A PostgreSQL (or other database) study is read from its URL.
"""

import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field

from ..tuning.storage import JOURNAL_FILE

RUN_FILES = (JOURNAL_FILE, "summary.json", "best.gw", "trials.csv")
DATA_KEY = "gradwise:data"
RUN_KEY = "gradwise:run"


@dataclass
class Run:
    """What a report can show of one run folder."""

    folder: str
    name: str
    study: object = None            # optuna Study, or None when it could not be read
    summary: dict = None            # summary.json of a finished run
    doctor: dict = None             # doctor.json: the doctor's findings on the final fit
    storage: str = None             # where the study lives (password hidden)
    notes: list = field(default_factory=list)   # one line per thing that could not be shown


def _read_json(path, notes):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        notes.append(f"{os.path.basename(path)} could not be read ({error}); shown without it.")
        return None


def journal_snapshot(path):
    """(path of a temporary copy holding the complete records, bytes left out, temporary folder)."""
    with open(path, "rb") as handle:
        content = handle.read()
    kept, left_out = [], 0
    for line in content.split(b"\n")[:-1]:
        try:
            complete = isinstance(json.loads(line), dict)
        except ValueError:
            complete = False
        if complete:
            kept.append(line + b"\n")
        else:
            left_out += len(line) + 1
    left_out += len(content.split(b"\n")[-1])  # a last record without its newline
    folder = tempfile.mkdtemp(prefix="gradwise-report-")
    copy = os.path.join(folder, JOURNAL_FILE)
    with open(copy, "wb") as handle:
        handle.write(b"".join(kept))
    return copy, left_out, folder


def _load_study(storage, name, notes):
    import optuna

    names = optuna.get_all_study_names(storage)
    if name not in names:
        if len(names) == 1:
            notes.append(f"The storage holds one study, '{names[0]}', not '{name}'; showing it.")
            name = names[0]
        elif not names:
            notes.append("The storage holds no study yet.")
            return None
        else:
            notes.append(f"No study named '{name}' in the storage; it holds {', '.join(names)} (choose with --name).")
            return None
    # A copy in memory: one consistent view of a study that may still be running, and
    # nothing read again from a journal snapshot that is removed after this call.
    memory = optuna.storages.InMemoryStorage()
    optuna.copy_study(from_study_name=name, from_storage=storage, to_storage=memory)
    return optuna.load_study(study_name=name, storage=memory)


def check_run_folder(folder, storage=None):
    """Raise ValueError (one line) when `folder` is not a run folder and no database is given."""
    if not os.path.isdir(folder):
        raise ValueError(f"{folder}: not a folder; expected a run folder written by `gradwise tune` (runs/NAME).")
    if storage is None and not any(os.path.exists(os.path.join(folder, name)) for name in RUN_FILES):
        raise ValueError(f"{folder}: not a gradwise run folder (it holds none of {', '.join(RUN_FILES)}); expected "
                         "the folder `gradwise tune` writes, runs/NAME, or --storage URL for a study in a database.")


def read_run(folder, storage=None, name=None):
    """A Run for `folder` (see the module docstring); raises ValueError when it is not a run folder."""
    import optuna

    from ..tuning.storage import _hide_password

    check_run_folder(folder, storage)
    notes = []
    summary = _read_json(os.path.join(folder, "summary.json"), notes)
    doctor = _read_json(os.path.join(folder, "doctor.json"), notes)
    name = name or (summary or {}).get("name") or os.path.basename(os.path.normpath(folder))
    run = Run(folder, name, summary=summary, doctor=doctor, notes=notes)
    journal = os.path.join(folder, JOURNAL_FILE)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if storage is not None:
        run.storage = _hide_password(storage)
        try:
            run.study = _load_study(storage, name, notes)
        except Exception as error:  # noqa: BLE001 - any driver error: one line, and show the rest
            notes.append(f"The study in {run.storage} could not be read: {str(error).splitlines()[0]}")
    elif os.path.exists(journal):
        run.storage = journal
        copy, left_out, temporary = journal_snapshot(journal)
        try:
            if left_out:
                notes.append(f"The study journal ends with a cut record ({left_out} bytes, a write cut short or still "
                             "under way); showing the trials up to its last complete record.")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                backend = optuna.storages.journal.JournalFileBackend(copy)
                storage_object = optuna.storages.JournalStorage(backend)
                run.study = _load_study(storage_object, name, notes)
        except Exception as error:  # noqa: BLE001 - a damaged journal: one line, and show the rest
            notes.append(f"The study journal {journal} could not be read: {str(error).splitlines()[0]}")
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
    else:
        where = (summary or {}).get("files", {}).get("study")
        notes.append(f"No study journal in {folder}" + (f"; the study is in {where}: pass --storage URL to show it."
                                                         if where else "."))
    return run

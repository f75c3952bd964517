"""A full disk or a crash mid-write never breaks a journal study for good.

The full disk is real for the writing process: a file-size limit (RLIMIT_FSIZE) makes
the journal write fail part-way, exactly where ENOSPC would.
"""

import json
import optuna
import pytest
from optuna.trial import TrialState

from gradwise.tuning import Tuner
from gradwise.tuning.storage import CrashSafeJournalBackend, JournalRepairedWarning

from ..limits import run_limited
from .builders import binary_data, build_tiny

SEARCH = """
    import warnings
    from gradwise.tuning import Tuner
    from tests.tuning.builders import binary_data, build_tiny
    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=int(sys.argv[2]), directory=sys.argv[1],
                  project_name="study", seed=3, heartbeat_interval=1)
    try:
        tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    except OSError as error:
        print("OSError:", error)
"""


def _complete(directory):
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=1, directory=str(directory), project_name="study")
    return [t for t in tuner.study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]


def test_a_full_disk_leaves_the_journal_as_it_was_and_the_study_resumes(tmp_path):
    journal = tmp_path / "study" / "study.journal"
    first = run_limited(SEARCH, 2**30, tmp_path, 2)
    assert first.returncode == 0 and "OSError" not in first.stdout, first.stdout + first.stderr
    size = journal.stat().st_size
    # The disk fills up a few records into the next run.
    full = run_limited(SEARCH, size + 1500, tmp_path, 6)
    assert full.returncode == 0, full.stderr
    assert f"Cannot write to the study journal '{journal}': File too large" in full.stdout
    assert "left as it was" in full.stdout
    content = journal.read_bytes()
    assert content.endswith(b"\n") and all(json.loads(line) for line in content.splitlines())
    assert size < len(content) <= size + 1500
    # Space is back: the same search resumes and ends with exactly the trials asked for.
    resumed = run_limited(SEARCH, 2**30, tmp_path, 6)
    assert resumed.returncode == 0 and "OSError" not in resumed.stdout, resumed.stdout + resumed.stderr
    assert "JournalRepairedWarning" not in resumed.stderr  # nothing was torn
    assert len(_complete(tmp_path)) == 6


def _record(number):
    return json.dumps({"op_code": 6, "worker_id": "w", "trial_id": number, "user_attr": {"k": number}},
                      separators=(",", ":")).encode()


def test_a_torn_last_record_is_dropped_on_open_with_a_warning(tmp_path):
    path = tmp_path / "study.journal"
    whole = _record(0) + b"\n" + _record(1) + b"\n"
    path.write_bytes(whole + _record(2)[:17])
    with pytest.warns(JournalRepairedWarning, match=r"study\.journal.*torn record \(17 bytes"):
        backend = CrashSafeJournalBackend(str(path))
    assert path.read_bytes() == whole
    assert [log["trial_id"] for log in backend.read_logs(0)] == [0, 1]


def test_a_journal_damaged_by_a_write_after_a_torn_record_is_repaired(tmp_path):
    """What a resume without the check produced: a torn record with the next record glued to it."""
    path = tmp_path / "study.journal"
    path.write_bytes(_record(0) + b"\n" + _record(1)[:20] + _record(2) + b"\n" + _record(3) + b"\n")
    with pytest.warns(JournalRepairedWarning, match="damaged journal is kept as"):
        backend = CrashSafeJournalBackend(str(path))
    assert [log["trial_id"] for log in backend.read_logs(0)] == [0, 2, 3]
    assert len(list(tmp_path.glob("study.journal.damaged-*"))) == 1


def test_a_real_study_with_a_torn_tail_resumes_through_gradwise(tmp_path):
    x, y = binary_data(64)
    Tuner(build_tiny, max_trials=2, directory=str(tmp_path), project_name="study", seed=1).search(
        x, y, epochs=1, validation_split=0.25, verbose=0)
    journal = tmp_path / "study" / "study.journal"
    with open(journal, "ab") as handle:
        handle.write(b'{"op_code":5,"worker_id":"x","study_id":0,"datetime_st')
    with pytest.warns(JournalRepairedWarning):
        tuner = Tuner(build_tiny, max_trials=4, directory=str(tmp_path), project_name="study", seed=1)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert len(_complete(tmp_path)) == 4
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(journal)))
    assert len(optuna.load_study(study_name="study", storage=storage).trials) == 4  # Optuna itself reads it

"""Storage descriptions, the journal heartbeat, and how trials count toward max_trials."""

import os
import time
import warnings

import optuna
import pytest
from optuna.trial import TrialState, create_trial

from gradwise.tuning import trial_seed
from gradwise.tuning.storage import HEARTBEAT_KEY, StorageSpec, resolve
from gradwise.tuning.study import counted, queue_missing

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_resolve_describes_each_kind_of_storage(tmp_path):
    journal = resolve(None, str(tmp_path), heartbeat_interval=3)
    assert journal.url is None and journal.journal_path == os.path.join(str(tmp_path), "study.journal")
    assert (journal.heartbeat_interval, journal.grace_period) == (3, 6)
    database = resolve("postgresql://tuner:secret@db.example:5432/studies", str(tmp_path))
    assert database.url.startswith("postgresql://") and database.describe() == "postgresql://tuner:***@db.example:5432/studies"
    assert resolve("sqlite:///studies.db", str(tmp_path)).url == "sqlite:///studies.db"
    assert resolve("shared.journal", str(tmp_path)).journal_path == os.path.abspath("shared.journal")
    with pytest.raises(TypeError, match="not an Optuna storage object"):
        resolve(optuna.storages.InMemoryStorage(), str(tmp_path))
    with pytest.raises(ValueError, match=r"`storage` must be None.*got 'redis://cache'"):
        resolve("redis://cache", str(tmp_path))


def _journal_study(tmp_path, grace=2):
    spec = StorageSpec(journal_path=str(tmp_path / "study.journal"), heartbeat_interval=1, grace_period=grace)
    storage = spec.open()
    return spec, storage, optuna.create_study(storage=storage, study_name="s")


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used with Study.optimize")
def test_a_trial_without_a_recent_heartbeat_is_failed_and_requeued_with_its_parameters(tmp_path):
    _, storage, study = _journal_study(tmp_path)
    dead, alive = study.ask(), study.ask()
    dead.suggest_int("units", 1, 100)
    storage.set_trial_system_attr(dead._trial_id, HEARTBEAT_KEY, time.time() - 10)
    storage.record_heartbeat(alive._trial_id)
    assert storage._get_stale_trial_ids(study._study_id) == [dead._trial_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    trials = study.trials
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.RUNNING, TrialState.WAITING]
    assert trials[2].params == trials[0].params and trials[2].system_attrs["failed_trial"] == 0


def test_counted_trials_skip_failures_that_were_retried():
    def trial(state, number, retry_history=None):
        frozen = create_trial(state=state, value=0.0 if state == TrialState.COMPLETE else None,
                              system_attrs={"retry_history": retry_history} if retry_history else None)
        frozen.number = number
        return frozen

    trials = [trial(TrialState.COMPLETE, 0), trial(TrialState.FAIL, 1), trial(TrialState.FAIL, 2),
              trial(TrialState.WAITING, 3, retry_history=[1]), trial(TrialState.PRUNED, 4), trial(TrialState.RUNNING, 5)]
    # Trial 1 was retried by trial 3: only the retry counts. Trial 2 failed for good: it counts.
    assert counted(trials) == 5


def test_queue_missing_tops_the_study_up_exactly(tmp_path):
    spec, storage, study = _journal_study(tmp_path)
    study.add_trial(create_trial(state=TrialState.COMPLETE, value=1.0))
    assert queue_missing(study, spec, storage, 4) == 3
    assert queue_missing(study, spec, storage, 4) == 0
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] + [TrialState.WAITING] * 3


def test_trial_seeds_are_fixed_functions_of_study_seed_and_number():
    assert trial_seed(7, 3) == trial_seed(7, 3)
    assert len({trial_seed(7, number) for number in range(100)} | {trial_seed(8, 0)}) == 101

"""The study journal's cost per trial: which records are fsynced, and reads that skip an unchanged file."""

import os

import optuna
import pytest

from gradwise.tuning import storage as storage_module

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture
def fsyncs(monkeypatch):
    calls = []
    real = os.fsync

    def counting(descriptor):
        calls.append(descriptor)
        return real(descriptor)

    monkeypatch.setattr(storage_module.os, "fsync", counting)
    return calls


def _study(tmp_path, name="journal"):
    spec = storage_module.resolve(None, str(tmp_path))
    return optuna.create_study(storage=spec.open(), study_name=name, direction="maximize", load_if_exists=True)


def test_a_running_trials_progress_is_written_without_fsync_and_its_end_with_one(tmp_path, fsyncs):
    study = _study(tmp_path)
    study.enqueue_trial({"x": 0.5})  # a queued trial must survive a crash of the machine
    assert len(fsyncs) >= 2
    before = len(fsyncs)
    trial = study.ask()  # the claim (RUNNING) of the queued trial
    trial.suggest_float("x", 0.0, 1.0)
    for epoch in range(5):
        trial.report(0.1 * epoch, epoch)
        trial.should_prune()
    trial.set_user_attr("seed", 3)
    study._storage.record_heartbeat(trial._trial_id)
    assert len(fsyncs) == before  # progress: claim, parameter, reports, attribute, heartbeat
    study.tell(trial, 0.9)
    assert len(fsyncs) == before + 1  # the trial's end, which flushes everything before it too


def test_a_second_process_sees_every_record_the_first_writes(tmp_path):
    first, second = _study(tmp_path), _study(tmp_path)
    trial = first.ask()
    assert second.trials[-1].state.name == "RUNNING"
    before = second.trials[-1].intermediate_values
    trial.report(0.25, 0)
    assert before == {} and second.trials[-1].intermediate_values == {0: 0.25}
    assert second.trials[-1].intermediate_values == {0: 0.25}  # a read with nothing new changes nothing
    first.tell(trial, 0.5)
    assert second.trials[-1].value == 0.5

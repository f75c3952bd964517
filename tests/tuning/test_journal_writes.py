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


@pytest.fixture
def appends(monkeypatch):
    calls = []
    real = storage_module.CrashSafeJournalBackend.append_logs

    def counting(self, logs):
        calls.append([log["op_code"] for log in logs])
        return real(self, logs)

    monkeypatch.setattr(storage_module.CrashSafeJournalBackend, "append_logs", counting)
    return calls


def _model_and_data():
    from .builders import binary_data, build_tiny
    from gradwise.tuning import HyperParameters

    return build_tiny(HyperParameters({"units": 4, "learning_rate": 0.01})), *binary_data(64)


@pytest.mark.parametrize("every, expected", [(3600.0, [12]), (0.0, [1] * 12)])
def test_a_fits_pruning_reports_reach_the_journal_together_and_all_of_them(tmp_path, appends, monkeypatch, every,
                                                                           expected):
    from gradwise.tuning import PruningCallback, pruning

    monkeypatch.setattr(pruning, "WRITE_EVERY_SECONDS", every)
    study = _study(tmp_path)
    trial = study.ask()
    model, x, y = _model_and_data()
    del appends[:]
    model.fit(x, y, epochs=12, validation_split=0.25, verbose=0, callbacks=[PruningCallback(trial, "val_loss")])
    report = storage_module.JournalOperation.SET_TRIAL_INTERMEDIATE_VALUE
    assert appends == [[report] * count for count in expected]  # when training ends / as each interval passes
    stored = _study(tmp_path).trials[-1].intermediate_values  # what another process reads
    assert stored == pytest.approx(dict(enumerate(model.history.history["val_loss"])), rel=1e-12)


def test_deferred_reports_are_seen_by_the_pruner_at_once_and_a_pruned_trial_keeps_its_last_report(tmp_path):
    from gradwise.tuning import PruningCallback

    spec = storage_module.resolve(None, str(tmp_path))
    study = optuna.create_study(storage=spec.open(), study_name="pruned", direction="minimize",
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0))
    done = study.ask()
    for step in range(5):
        done.report(1e-6, step)  # a completed trial no loss can beat
    study.tell(done, 1e-6)
    trial = study.ask()
    model, x, y = _model_and_data()
    with pytest.raises(optuna.TrialPruned, match="epoch 1"):  # pruned on its first report, not written yet
        model.fit(x, y, epochs=5, validation_split=0.25, verbose=0, callbacks=[PruningCallback(trial, "val_loss")])
    frozen = study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    assert list(frozen.intermediate_values) == [0] and frozen.value == frozen.intermediate_values[0]


def test_a_trials_set_up_reaches_the_journal_in_one_append_and_its_results_with_its_end(tmp_path, appends):
    from .builders import binary_data, build_tiny
    from gradwise.tuning import Tuner

    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=1, seed=0, directory=str(tmp_path), project_name="attrs",
                  pruner=None)
    del appends[:]
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0)
    attribute, parameter = storage_module.JournalOperation.SET_TRIAL_USER_ATTR, storage_module.JournalOperation.SET_TRIAL_PARAM
    batches = [ops for ops in appends if attribute in ops or parameter in ops]
    # set-up: seed, BLAS threads, host, pid, ops, the two parameters, hp_values; results: 5 attributes, written
    # with the trial's end
    end = storage_module.JournalOperation.SET_TRIAL_STATE_VALUES
    assert batches == [[attribute] * 5 + [parameter] * 2 + [attribute], [attribute] * 5 + [end]]
    trial = tuner.study.trials[0]
    assert set(trial.user_attrs) >= {"seed", "blas_threads", "host", "pid", "ops", "hp_values", "epochs", "best_epoch",
                                     "best_logs", "params_count", "model_file"}
    reread = _study(tmp_path / "attrs", "attrs").trials[0]  # what another process reads from the file
    assert reread.params == trial.params and set(reread.params) == {"units", "learning_rate"}
    assert reread.user_attrs == trial.user_attrs


@pytest.mark.parametrize("pruner_kind", ["median", "prunes_at_once"])
def test_a_search_writes_three_appends_a_complete_trial_claim_set_up_and_end_with_its_reports(tmp_path, appends, pruner_kind):
    from .builders import binary_data, build_tiny
    from gradwise.tuning import Tuner

    x, y = binary_data(64)
    # "prunes_at_once": every trial after the first is pruned at its first report (a completed trial no loss beats)
    pruner = "median" if pruner_kind == "median" else optuna.pruners.ThresholdPruner(upper=1e-9)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=3, seed=0, directory=str(tmp_path),
                  project_name=pruner_kind, pruner=pruner)
    del appends[:]
    tuner.search(x, y, epochs=6, validation_split=0.25, verbose=0)
    operations = storage_module.JournalOperation
    claims = [ops for ops in appends if ops == [operations.SET_TRIAL_STATE_VALUES]]
    ends = [ops for ops in appends if ops[-1] == operations.SET_TRIAL_STATE_VALUES and len(ops) > 1]
    assert len(claims) == 3 and len(ends) == 3
    set_ups = [ops for ops in appends if operations.SET_TRIAL_PARAM in ops]
    pruned = sum(t.state.name == "PRUNED" for t in tuner.study.trials)
    # + the search's run counter and its queued trials, and a pruned trial's reports, written before its end
    # (Optuna reads a pruned trial's value from its stored last report)
    assert len(appends) == 3 * 3 + 2 + pruned
    reread = _study(tmp_path / pruner_kind, pruner_kind).trials  # what another process reads from the file
    for trial, stored in zip(tuner.study.trials, reread):
        assert stored.intermediate_values == trial.intermediate_values and stored.user_attrs == trial.user_attrs
        assert stored.state == trial.state and stored.value == trial.value
        if trial.state.name == "COMPLETE":
            assert len(trial.intermediate_values) == 6
        else:  # pruned: its report went out before the pruned state, whose value it is
            assert trial.value == trial.intermediate_values[0] and trial.user_attrs["epochs"] == 1
    assert len(set_ups) == 3
    assert {t.state.name for t in reread} == ({"COMPLETE"} if pruner_kind == "median" else {"PRUNED"})


def test_gathered_records_are_written_when_the_block_raises_and_other_threads_write_at_once(tmp_path, appends):
    import threading

    study = _study(tmp_path)
    trial = study.ask()
    storage = study._storage
    del appends[:]
    with pytest.raises(RuntimeError, match="build failed"):
        with storage_module.gathered(trial):
            trial.suggest_float("x", 0.0, 1.0)
            trial.set_user_attr("seed", 3)
            beat = threading.Thread(target=storage.record_heartbeat, args=(trial._trial_id,))
            beat.start()
            beat.join()
            assert len(appends) == 1  # the heartbeat, from its own thread, is not held
            assert _study(tmp_path).trials[-1].params == {}  # nothing of this thread's written yet
            raise RuntimeError("build failed")
    operations = storage_module.JournalOperation
    assert appends[-1] == [operations.SET_TRIAL_PARAM, operations.SET_TRIAL_USER_ATTR]  # one append, on the way out
    reread = _study(tmp_path).trials[-1]
    assert reread.params == trial.params and reread.user_attrs == {"seed": 3}
    assert storage_module.HEARTBEAT_KEY in reread.system_attrs


def test_gathering_the_set_up_records_changes_no_draw_of_a_seeded_search(tmp_path, monkeypatch):
    import contextlib

    from .builders import binary_data, build_small
    from gradwise.tuning import Tuner, runner

    x, y = binary_data(64)

    def searched(name):
        tuner = Tuner(build_small, objective="val_loss", max_trials=14, seed=5, directory=str(tmp_path),
                      project_name=name, pruner="median")
        tuner.search(x, y, epochs=4, validation_split=0.25, verbose=0)
        return [(t.params, t.state.name, t.value) for t in tuner.study.trials]

    gathered = searched("gathered")
    monkeypatch.setattr(runner, "gathered", lambda trial: contextlib.nullcontext())  # every record on its own
    assert searched("one_by_one") == gathered
    assert len({str(params) for params, *_ in gathered}) == 14  # past TPE's 10 random start-up trials


def test_queued_trials_reach_the_journal_in_one_fsynced_append_as_add_trial_writes_them(tmp_path, appends, fsyncs):
    from gradwise.tuning import study as study_module

    spec = storage_module.resolve(None, str(tmp_path))
    batched = optuna.create_study(storage=spec.open(), study_name="batched")
    one_by_one = optuna.create_study(storage=spec.open(), study_name="one_by_one")
    del appends[:], fsyncs[:]
    assert study_module.queue_missing(batched, spec, batched._storage, 5) == 5
    assert appends == [[storage_module.JournalOperation.CREATE_TRIAL] * 5] and len(fsyncs) == 1
    for _ in range(5):
        one_by_one.add_trial(optuna.trial.create_trial(state=optuna.trial.TrialState.WAITING))
    reread = optuna.load_study(study_name="batched", storage=spec.open()).trials
    expected = one_by_one.trials
    assert [(t.number, t.state, t.params, t.user_attrs, t.system_attrs, t.datetime_start) for t in reread] == \
        [(t.number, t.state, t.params, t.user_attrs, t.system_attrs, t.datetime_start) for t in expected]
    assert study_module.queue_missing(batched, spec, batched._storage, 5) == 0  # they count toward max_trials


@pytest.fixture
def fsync_threads(monkeypatch):
    import threading

    threads = []
    real = os.fsync

    def recording(descriptor):
        threads.append(threading.current_thread().name)
        return real(descriptor)

    monkeypatch.setattr(storage_module.os, "fsync", recording)
    return threads


def test_in_a_search_loop_a_trials_end_is_fsynced_by_a_thread_of_its_own_and_all_of_it_before_the_loop_ends(
        tmp_path, fsync_threads):
    import threading

    study = _study(tmp_path)
    backend = study._storage._backend
    del fsync_threads[:]
    with storage_module.fsyncs_in_background(study._storage):
        with storage_module.fsyncs_in_background(study._storage):  # nested: the outer block's thread
            pass
        assert backend._fsyncs is not None
        for value in (0.25, 0.5, 0.75):
            trial = study.ask()
            trial.report(value, 0)
            study.tell(trial, value)
    # the writer never waited for the disk (a trial's creation and end ask for fsyncs); the fsync thread did
    assert fsync_threads and set(fsync_threads) == {"gradwise-journal-fsync"}
    assert backend._fsyncs is None  # the block closed its thread, after every asked fsync ran
    assert not [thread for thread in threading.enumerate() if thread.name == "gradwise-journal-fsync"]
    assert [t.value for t in _study(tmp_path).trials] == [0.25, 0.5, 0.75]  # what another process reads
    del fsync_threads[:]
    study.tell(study.ask(), 1.0)  # outside the block: fsynced in the write, as before (creation and end)
    assert fsync_threads == [threading.current_thread().name] * 2


def test_every_fsync_asked_in_the_block_starts_after_its_write_and_ends_before_the_block_does(tmp_path, monkeypatch):
    import time

    study = _study(tmp_path)
    path = study._storage._backend._file_path
    synced_sizes = []
    real = os.fsync

    def slow(descriptor):
        size = os.path.getsize(path)  # what this fsync is sure to cover
        time.sleep(0.02)
        real(descriptor)
        synced_sizes.append(size)

    monkeypatch.setattr(storage_module.os, "fsync", slow)
    with storage_module.fsyncs_in_background(study._storage):
        for value in range(5):
            study.tell(study.ask(), float(value))  # asked faster than the disk answers: requests share fsyncs
        written = os.path.getsize(path)
    assert synced_sizes and synced_sizes[-1] == written and len(synced_sizes) <= 5


def test_a_failed_background_fsync_is_raised_as_a_journal_write_error(tmp_path, monkeypatch):
    import errno

    study = _study(tmp_path)

    def failing(descriptor):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(storage_module.os, "fsync", failing)
    with pytest.raises(storage_module.JournalWriteError, match="Input/output error"):
        with storage_module.fsyncs_in_background(study._storage):
            study.tell(study.ask(), 0.5)
    monkeypatch.undo()
    assert _study(tmp_path).trials[-1].value == 0.5  # the record itself was written


def test_a_search_runs_its_journal_fsyncs_in_the_background_and_leaves_no_thread(tmp_path, fsync_threads):
    import threading

    from .builders import binary_data, build_tiny
    from gradwise.tuning import Tuner

    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=3, seed=0, directory=str(tmp_path), project_name="bg",
                  pruner=None, save_models=1)
    del fsync_threads[:]
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert "gradwise-journal-fsync" in fsync_threads
    assert not [thread for thread in threading.enumerate() if thread.name == "gradwise-journal-fsync"]
    assert [t.state.name for t in _study(tmp_path / "bg", "bg").trials] == ["COMPLETE"] * 3

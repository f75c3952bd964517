"""What a search does besides training, done once instead of once a trial or once a tick."""

import threading

import optuna

from gradwise.tuning import Tuner, runner, workers

from .builders import binary_data, build_tiny

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_the_blas_thread_count_is_asked_once_per_process_and_recorded_on_every_trial(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(runner, "_blas_threads", lambda: asked.append(1) or 1)
    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=3, seed=0, directory=str(tmp_path), project_name="blas",
                  pruner=None)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert len(asked) == 1
    assert [t.user_attrs["blas_threads"] for t in tuner.study.trials] == [1, 1, 1]


def test_the_coordinator_returns_when_its_workers_exit_not_at_its_next_poll(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "POLL_SECONDS", 3600.0)  # a coordinator that waited for its tick would hang
    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=4, seed=0, directory=str(tmp_path), project_name="exit",
                  pruner=None, workers=2, threads_per_worker=1)
    reported = []
    search = threading.Thread(target=tuner.search, args=(x, y), daemon=True,
                              kwargs={"epochs": 1, "validation_split": 0.25, "on_trial": reported.append})
    search.start()
    search.join(120)  # seconds when it works; an hour when it waits for the poll
    assert not search.is_alive()
    assert sorted(t.number for t in reported) == [0, 1, 2, 3]  # every trial still reported, by the last poll
    assert all(t.state.name == "COMPLETE" for t in tuner.study.trials)


def test_one_heartbeat_thread_serves_a_whole_loop_of_trials_and_is_gone_after_it(tmp_path, monkeypatch):
    started = []
    real = threading.Thread

    class Counted(real):
        def start(self):
            started.append(self)
            super().start()

    monkeypatch.setattr(workers.threading, "Thread", Counted)
    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=3, seed=0, directory=str(tmp_path), project_name="beat",
                  pruner=None)
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    beats = [thread for thread in started if thread.name == "gradwise-heartbeat"]
    assert len(beats) == 1 and not beats[0].is_alive()  # so a later search may fork its workers
    assert [t.state.name for t in tuner.study.trials] == ["COMPLETE"] * 3


def test_a_heartbeat_never_reaches_a_trial_after_its_block(tmp_path):
    from gradwise.tuning import storage as storage_module

    spec = storage_module.StorageSpec(journal_path=str(tmp_path / "study.journal"), heartbeat_interval=1)
    study = optuna.create_study(storage=spec.open(), study_name="beats")
    beaten = []
    storage = study._storage
    storage.record_heartbeat = beaten.append  # the thread's beats, by trial id
    with workers._Heartbeat(storage) as heartbeat:
        heartbeat.interval = 0.01  # the thread already waits on the first interval; later waits are short
        first, second = study.ask(), study.ask()
        with heartbeat.beating(first._trial_id):
            threading.Event().wait(1.3)
        after = len(beaten)
        threading.Event().wait(0.1)
        assert len(beaten) == after  # nothing beats between trials
        with heartbeat.beating(second._trial_id):
            for _ in range(500):  # until the thread beats for it (at once on an idle machine)
                if second._trial_id in beaten:
                    break
                threading.Event().wait(0.02)
    assert second._trial_id in beaten and set(beaten) <= {first._trial_id, second._trial_id}

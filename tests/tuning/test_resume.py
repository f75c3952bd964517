"""Resumed, shared and interrupted searches: no repeated configuration, no lost trial budget."""

import multiprocessing
import os
import signal

import optuna
from optuna.trial import TrialState

from gradwise.tuning import Tuner

from .builders import binary_data, build_discrete, build_tiny, search_shared, search_until_killed
from .test_workers import _wait_for

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _configuration(trial):
    return tuple(sorted(trial.params.items()))


def _two_runs(directory, sampler="tpe"):
    """A search of 4 trials, then the same search resumed to 8; the params of the 8 trials."""
    x, y = binary_data(64)
    for total in (4, 8):
        tuner = Tuner(build_tiny, objective="val_loss", max_trials=total, seed=0, directory=str(directory),
                      project_name="resumed", sampler=sampler)
        tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    return [_configuration(t) for t in tuner.study.trials]


def test_a_resumed_search_draws_new_configurations_reproducibly(tmp_path):
    first = _two_runs(tmp_path / "a", sampler="random")
    assert len(first) == 8 and len(set(first)) == 8  # before: trials 4-7 replayed trials 0-3
    assert _two_runs(tmp_path / "b", sampler="random") == first  # and a rerun of both runs is identical


def test_processes_sharing_a_project_never_draw_the_same_configurations(tmp_path):
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=search_shared, args=(str(tmp_path), 12)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0, 0]
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=12, directory=str(tmp_path), project_name="shared")
    trials = tuner.study.get_trials(states=(TrialState.COMPLETE,))
    assert len(trials) == 12
    assert len({_configuration(t) for t in trials}) == 12  # before: 11 distinct in 16


def test_a_small_discrete_space_is_covered_without_repeats(tmp_path):
    x, y = binary_data(64)
    tuner = Tuner(build_discrete, objective="val_loss", max_trials=8, seed=4, directory=str(tmp_path),
                  project_name="discrete", sampler="random")
    tuner.search(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert len({_configuration(t) for t in tuner.study.trials}) == 8  # all 8 configurations, once each


def test_ctrl_c_with_one_worker_reruns_the_interrupted_trial_on_resume(tmp_path):
    marker = str(tmp_path / "hung")
    process = multiprocessing.get_context("spawn").Process(target=search_until_killed, args=(str(tmp_path), marker))
    process.start()
    try:
        pid = _wait_for(marker)  # the third trial is training
        os.kill(pid, signal.SIGINT)  # what Ctrl-C sends
    finally:
        process.join(60)
    assert process.exitcode == 1  # stopped by KeyboardInterrupt
    x, y = binary_data()
    resumed = Tuner(build_tiny, objective="val_accuracy", max_trials=3, seed=5, directory=str(tmp_path),
                    project_name="killed", heartbeat_interval=1, grace_period=2)
    before = resumed.study.trials
    assert [t.state for t in before] == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.FAIL,
                                         TrialState.WAITING]
    resumed.search(x, y, epochs=3, validation_split=0.25, verbose=0)
    after = resumed.study.trials
    assert len(after) == 4  # nothing more was queued: the interrupted trial did not spend the budget
    complete = [t for t in after if t.state == TrialState.COMPLETE]
    assert len(complete) == 3
    rerun = after[3]
    assert rerun.state == TrialState.COMPLETE and rerun.system_attrs["failed_trial"] == 2
    assert rerun.params == before[2].params and rerun.user_attrs["seed"] == before[2].user_attrs["seed"]

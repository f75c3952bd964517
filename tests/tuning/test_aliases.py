"""RandomSearch, BayesianOptimization and Hyperband: KerasTuner's arguments, Optuna's sampler and pruner."""

import optuna
import pytest
from optuna.trial import TrialState

from gradwise.tuning import BayesianOptimization, Hyperband, RandomSearch
from gradwise.tuning.aliases import hyperband_trials

from .builders import binary_data, build_tiny

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_random_search_uses_the_random_sampler(tmp_path):
    x, y = binary_data()
    tuner = RandomSearch(build_tiny, objective="val_accuracy", max_trials=3, seed=1, directory=str(tmp_path),
                         project_name="random", executions_per_trial=1, max_retries_per_trial=2)
    assert isinstance(tuner.study.sampler, optuna.samplers.RandomSampler)
    assert isinstance(tuner.study.pruner, optuna.pruners.NopPruner)
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert len(tuner.study.get_trials(states=(TrialState.COMPLETE,))) == 3


def test_bayesian_optimization_uses_tpe_with_its_initial_points(tmp_path):
    tuner = BayesianOptimization(build_tiny, objective="val_loss", max_trials=4, num_initial_points=2, seed=0,
                                 directory=str(tmp_path), project_name="bayes")
    assert isinstance(tuner.study.sampler, optuna.samplers.TPESampler)
    assert tuner.study.sampler._n_startup_trials == 2


def test_hyperband_uses_the_hyperband_pruner_and_max_epochs(tmp_path):
    x, y = binary_data()
    tuner = Hyperband(build_tiny, objective="val_loss", max_epochs=4, factor=2, max_trials=6, seed=0,
                      directory=str(tmp_path), project_name="hyperband")
    assert isinstance(tuner.study.pruner, optuna.pruners.HyperbandPruner)
    tuner.search(x, y, validation_split=0.25, verbose=0)  # epochs default to max_epochs
    complete = tuner.study.get_trials(states=(TrialState.COMPLETE,))
    assert complete and all(t.user_attrs["epochs"] == 4 for t in complete)
    assert len(tuner.study.trials) == 6


def test_hyperband_trial_count_matches_kerastuner_brackets():
    # factor 3, 27 epochs: s_max = 3; brackets give ceil(4/1*1) + ceil(4/2*3) + ceil(4/3*9) + ceil(4/4*27)
    assert hyperband_trials(27, 3) == 4 + 6 + 12 + 27
    assert hyperband_trials(1, 3) == 1


@pytest.mark.parametrize("cls, kwargs, message", [
    (RandomSearch, {"executions_per_trial": 3}, r"RandomSearch: `executions_per_trial`=3 is not supported"),
    (RandomSearch, {"tune_new_entries": False}, r"`tune_new_entries`=False is not supported"),
    (Hyperband, {"max_epochs": 0}, r"Hyperband: `max_epochs` must be a positive int, got 0"),
    (Hyperband, {"factor": 1}, r"Hyperband: `factor` must be an int >= 2, got 1"),
])
def test_unsupported_kerastuner_arguments_are_refused(tmp_path, cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(build_tiny, directory=str(tmp_path), **kwargs)

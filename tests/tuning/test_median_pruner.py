"""StepMedianPruner decides as Optuna's MedianPruner, and reads NumPy's percentile bit for bit."""


import numpy as np
import optuna
import pytest

from gradwise.tuning.median import StepMedianPruner, sorted_percentile
from gradwise.tuning.samplers import median_pruner

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_sorted_percentile_is_numpys_linear_percentile():
    rng = np.random.default_rng(0)
    for case in range(3000):
        size = int(rng.integers(1, 12))
        values = [rng.random(size), np.round(rng.random(size), 1), rng.normal(size=size) * 1e3][case % 3]
        percentile = float(rng.choice([0.0, 25.0, 50.0, 75.0, 100.0, 33.3, rng.random() * 100]))
        assert sorted_percentile(sorted(values.tolist()), percentile) == float(np.percentile(values, percentile))


@pytest.mark.parametrize("seed", range(12))
def test_decisions_equal_median_pruners_on_random_studies(seed):
    rng = np.random.default_rng(seed)
    direction = ("minimize", "maximize")[seed % 2]
    settings = dict(n_startup_trials=int(rng.integers(0, 4)), n_warmup_steps=int(rng.integers(0, 4)),
                    interval_steps=int(rng.integers(1, 4)), n_min_trials=int(rng.integers(1, 3)))
    theirs = optuna.create_study(direction=direction, pruner=optuna.pruners.MedianPruner(**settings))
    ours = optuna.create_study(direction=direction, pruner=StepMedianPruner(**settings))
    decisions = []
    for _ in range(20):
        their_trial, our_trial = theirs.ask(), ours.ask()
        state = optuna.trial.TrialState.COMPLETE
        for step in range(int(rng.integers(1, 12))):
            value = float("nan") if rng.random() < 0.05 else round(float(rng.random()), int(rng.integers(1, 4)))
            their_trial.report(value, step)
            our_trial.report(value, step)
            decision = their_trial.should_prune()
            assert our_trial.should_prune() == decision, (step, value)
            decisions.append(decision)
            if decision:
                state = optuna.trial.TrialState.PRUNED
                break
        for study, trial in ((theirs, their_trial), (ours, our_trial)):
            study.tell(trial, 0.5 if state == optuna.trial.TrialState.COMPLETE else None, state=state)
    assert True in decisions and False in decisions  # both answers were compared


def test_the_tuners_median_pruner_is_the_stepwise_one():
    pruner = median_pruner(30)
    assert isinstance(pruner, StepMedianPruner)
    assert (pruner._n_startup_trials, pruner._n_warmup_steps, pruner._interval_steps) == (5, 6, 3)


def _study_with(pruner, completed_curves):
    study = optuna.create_study(pruner=pruner)
    for curve in completed_curves:
        trial = study.ask()
        for step, value in enumerate(curve):
            trial.report(value, step)
        study.tell(trial, curve[-1])
    return study


def test_the_same_step_pruner_compares_running_means_at_the_step_not_the_best_one_so_far():
    from gradwise.tuning.median import SameStepMedianPruner

    # pima's folds: the first one is easy, so every running mean rises with the folds
    completed = [[0.42, 0.49, 0.51], [0.41, 0.50, 0.53], [0.43, 0.49, 0.53], [0.42, 0.48, 0.51], [0.43, 0.48, 0.51]]
    for pruner, pruned in ((SameStepMedianPruner(n_startup_trials=5, n_warmup_steps=1), True),
                           (optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1), False)):
        study = _study_with(pruner, completed)
        bad = study.ask()
        bad.report(0.487, 0)  # a first fold at the median ...
        assert not bad.should_prune()  # (step 0 is the warm-up)
        bad.report(0.546, 1)  # ... then a fold far worse: its running mean is above every other's at step 1
        assert bad.should_prune() == pruned  # Optuna's compares 0.487, its best so far, against 0.49
    study = _study_with(SameStepMedianPruner(n_startup_trials=5, n_warmup_steps=1), completed)
    good = study.ask()
    good.report(0.45, 0)
    good.report(0.47, 1)  # below the median (0.49) at this step: kept, though above its own first fold
    assert not good.should_prune()

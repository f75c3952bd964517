"""How the Tuner uses Optuna: grouped multivariate TPE for conditional spaces, a median pruner
that waits for slow starters, and pruning decisions asked only where the pruner can act."""

import optuna
import pytest
from optuna.trial import TrialState

from gradwise.tuning import HyperParameters, PruningCallback, Tuner, samplers

from .builders import binary_data, build_tiny

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _conditional(trial):
    """A build function's shape of space: units_1 and units_2 exist only with more layers."""
    total = trial.suggest_float("learning_rate", 1e-3, 1e-1, log=True)
    for index in range(trial.suggest_int("layers", 1, 3)):
        total += trial.suggest_int(f"units_{index}", 2, 64, log=True) / 64
    return total


def _space():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(_conditional, n_trials=30)
    return {name: dist for trial in study.trials for name, dist in trial.distributions.items()}


def test_tpe_models_conditional_parameters_jointly_instead_of_falling_back_to_independent_draws():
    sampler = samplers.make_search_sampler("tpe", 0, _space())
    tpe, fallbacks = sampler.sampler, []
    independent = tpe.sample_independent

    def spying(study, trial, name, distribution):
        seen = any(name in t.params for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
        if seen and len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))) >= 10:
            fallbacks.append(name)  # TPE past its 10 random start-up trials, drawing a known parameter alone
        return independent(study, trial, name, distribution)

    tpe.sample_independent = spying
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(_conditional, n_trials=16)
    # Without group=True, the multivariate TPE models only the parameters every trial has, and draws
    # each conditional one (units_1, units_2) on its own, blind to the others.
    assert fallbacks == []
    assert len({tuple(sorted(t.params.items())) for t in study.trials}) == 16


def _judged_from(pruner, steps):
    """The first step at which `pruner` prunes a trial that lags every complete trial from the start."""
    study = optuna.create_study(direction="maximize", pruner=pruner)
    for _ in range(samplers.MEDIAN_STARTUP_TRIALS):
        done = study.ask()
        for step in range(steps):
            done.report(0.9, step)
        study.tell(done, 0.9)
    slow = study.ask()
    for step in range(steps):
        slow.report(0.5, step)
        if slow.should_prune():
            return step
    return None


@pytest.mark.parametrize("epochs, first_judged", [(30, 6), (100, 20), (10, 3), (4, 3), (3, None)])
def test_the_median_pruner_gives_a_slow_starter_a_fifth_of_its_epochs_and_at_least_three(epochs, first_judged):
    assert _judged_from(samplers.median_pruner(epochs), epochs) == first_judged


def test_a_named_median_pruner_is_fitted_to_the_epochs_of_the_search(tmp_path):
    x, y = binary_data(64)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=1, pruner="median", seed=0, directory=str(tmp_path),
                  project_name="fitted")
    assert _judged_from(tuner.pruner, 30) == 3  # epochs not known yet
    tuner.search(x, y, epochs=30, validation_split=0.25, verbose=0)
    assert _judged_from(tuner.study.pruner, 30) == 6


class CountingMedianPruner(optuna.pruners.MedianPruner):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.asked_at = []

    def prune(self, study, trial):
        self.asked_at.append(trial.last_step)
        return super().prune(study, trial)


def _fit_with_pruning(pruner, epochs=12):
    study = optuna.create_study(direction="minimize", pruner=pruner)
    for _ in range(2):
        done = study.ask()
        for step in range(epochs):
            done.report(1e-6, step)  # complete trials no loss can beat: every decision prunes
        study.tell(done, 1e-6)
    model = build_tiny(HyperParameters({"units": 4, "learning_rate": 0.01}))
    x, y = binary_data(64)
    with pytest.raises(optuna.TrialPruned) as pruned:
        model.fit(x, y, epochs=epochs, validation_split=0.25, verbose=0,
                  callbacks=[PruningCallback(study.ask(), "val_loss")])
    return str(pruned.value)


def test_the_pruner_is_asked_only_at_the_epochs_where_it_can_decide():
    pruner = CountingMedianPruner(n_startup_trials=1, n_warmup_steps=2, interval_steps=3)
    assert "epoch 3:" in _fit_with_pruning(pruner)  # the first decision step (0-based 2) prunes
    assert pruner.asked_at == [2]
    never = CountingMedianPruner(n_startup_trials=1, n_warmup_steps=20)
    model = build_tiny(HyperParameters({"units": 4, "learning_rate": 0.01}))
    study = optuna.create_study(direction="minimize", pruner=never)
    model.fit(*binary_data(64), epochs=12, validation_split=0.25, verbose=0,
              callbacks=[PruningCallback(study.ask(), "val_loss")])
    assert never.asked_at == []  # its warm-up outlasts the fit


def test_between_decisions_the_pruner_is_not_asked_and_decides_as_if_it_were():
    from gradwise.tuning.pruning import decision_steps

    pruner = optuna.pruners.MedianPruner(n_warmup_steps=2, interval_steps=3)
    decides = decision_steps(pruner)
    assert [step for step in range(12) if decides(step, step - 1)] == [2, 5, 8, 11]
    assert decides(6, 4)  # a NaN epoch (5) was not reported: 6 is the first report of its interval
    assert not decides(7, 6)


def test_other_pruners_are_asked_at_every_epoch():
    from gradwise.tuning.pruning import decision_steps

    decides = decision_steps(optuna.pruners.ThresholdPruner(upper=1.0, n_warmup_steps=5))
    assert all(decides(step, step - 1) for step in range(12))
    assert decision_steps(None)(0, -1)  # a FixedTrial's callback has no study


def test_save_models_keeps_the_models_of_the_trials_among_the_k_best_when_they_ended(tmp_path):
    import os

    x, y = binary_data(96)
    tuner = Tuner(build_tiny, objective="val_loss", max_trials=10, pruner=None, seed=0, directory=str(tmp_path),
                  project_name="kept", save_models=2)
    tuner.search(x, y, epochs=3, validation_split=0.25, verbose=0)
    complete = sorted(tuner.study.get_trials(states=(TrialState.COMPLETE,)), key=lambda t: t.datetime_complete)
    expected = {t.number for index, t in enumerate(complete)
                if sum(d.value < t.value or (d.value == t.value and d.number < t.number) for d in complete[:index]) < 2}
    saved = {t.number for t in complete if "model_file" in t.user_attrs}
    assert saved == expected and len(saved) < len(complete)  # a trial saved once is never written again
    assert sorted(os.listdir(tmp_path / "kept" / "trials")) == sorted(f"trial_{n:04d}.gw" for n in saved)
    best = tuner.best_trials(2)
    assert {t.number for t in best} <= saved
    assert [m.count_params() for m in tuner.get_best_models(2)] == [t.user_attrs["params_count"] for t in best]
    with pytest.raises(ValueError, match="save_models=2"):
        tuner.get_best_models(len(saved) + 1)


def test_save_models_must_be_a_positive_int(tmp_path):
    with pytest.raises(ValueError, match="`save_models` must be a positive int, got 0"):
        Tuner(build_tiny, save_models=0, directory=str(tmp_path))

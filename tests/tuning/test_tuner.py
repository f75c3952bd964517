"""Tuner in one process: search, best hyperparameters and models, resume, overwrite, space changes, seeds."""

import optuna
import pytest
from optuna.trial import TrialState

from gradwise.ops import use_ops
from gradwise.saving import clone_model
from gradwise.tuning import HyperParameters, SearchSpaceChangedError, Tuner, trial_seed

from .builders import binary_data, build_small, build_tiny

optuna.logging.set_verbosity(optuna.logging.WARNING)
FIT = {"epochs": 3, "batch_size": 32, "validation_split": 0.25}


def _tuner(tmp_path, build=build_small, **kwargs):
    kwargs.setdefault("objective", "val_accuracy")
    kwargs.setdefault("max_trials", 4)
    kwargs.setdefault("seed", 3)
    kwargs.setdefault("pruner", None)
    return Tuner(build, directory=str(tmp_path), project_name=kwargs.pop("project_name", "study"), **kwargs)


def _values(study):
    return [(t.number, t.state, t.values, t.params) for t in study.trials]


def test_search_runs_max_trials_and_the_best_model_is_the_trained_one(tmp_path, capsys):
    x, y = binary_data()
    tuner = _tuner(tmp_path)
    tuner.search(x, y, **FIT)
    trials = tuner.study.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 4
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(line.startswith("Trial ") and "COMPLETE" in line for line in lines)

    best = max(trials, key=lambda t: (t.value, -t.number))
    assert tuner.get_best_hyperparameters()[0].values == best.user_attrs["hp_values"]
    assert tuner.get_best_hyperparameters()[0].values == best.params
    model = tuner.get_best_models()[0]
    # Not retrained: the saved model scores exactly the trial's value on the validation split.
    x_val, y_val = x[120:], y[120:]
    assert model.evaluate(x_val, y_val, return_dict=True)["accuracy"] == pytest.approx(best.value, abs=1e-12)
    assert len(tuner.get_best_models(3)) == 3
    values = [t.value for t in tuner.best_trials(4)]
    assert values == sorted(values, reverse=True)


def test_results_summary_and_trials_dataframe(tmp_path):
    x, y = binary_data()
    tuner = _tuner(tmp_path, max_trials=3)
    tuner.search(x, y, verbose=0, **FIT)
    lines = []
    tuner.results_summary(num_trials=2, print_fn=lines.append)
    best = tuner.best_trials(1)[0]
    assert "Showing 2 best trials" in lines and f"Trial {best.number} summary" in lines
    assert "Trials: 3 complete" in lines and f"Score: val_accuracy={best.value:.4g}" in lines
    frame = tuner.trials_dataframe()
    assert list(frame["number"]) == [0, 1, 2] and list(frame["state"]) == ["COMPLETE"] * 3
    summary = []
    tuner.search_space_summary(print_fn=summary.append)
    assert "layers (int 1..2)" in summary and "units_1 (int 2..8)" in summary


def test_resume_keeps_completed_trials_and_runs_only_the_missing_ones(tmp_path):
    x, y = binary_data()
    first = _tuner(tmp_path, max_trials=3)
    first.search(x, y, verbose=0, **FIT)
    before = _values(first.study)

    resumed = _tuner(tmp_path, max_trials=5)
    assert _values(resumed.study) == before  # loaded, not recomputed
    resumed.search(x, y, verbose=0, **FIT)
    after = _values(resumed.study)
    assert after[:3] == before and len(after) == 5 and all(t.state == TrialState.COMPLETE for t in resumed.study.trials)

    again = _tuner(tmp_path, max_trials=5)
    again.search(x, y, verbose=0, **FIT)
    assert _values(again.study) == after  # nothing left to do


def test_overwrite_starts_over(tmp_path):
    x, y = binary_data()
    _tuner(tmp_path, max_trials=2).search(x, y, verbose=0, **FIT)
    fresh = _tuner(tmp_path, max_trials=1, overwrite=True)
    assert fresh.study.trials == []
    assert not (tmp_path / "study" / "trials").exists()
    fresh.search(x, y, verbose=0, **FIT)
    assert len(fresh.study.trials) == 1


def test_a_changed_search_space_is_reported_not_mixed(tmp_path):
    x, y = binary_data()
    _tuner(tmp_path, build=build_tiny, max_trials=1).search(x, y, verbose=0, **FIT)
    with pytest.raises(SearchSpaceChangedError, match=r"search space of study 'study' changed.*'activation' was added "
                                                      r"\(choice \['relu', 'tanh'\]\).*'units' was removed.*overwrite=True"):
        _tuner(tmp_path, build=build_small)
    with pytest.raises(SearchSpaceChangedError, match=r"optimizes \['maximize'\].*asks for \['minimize'\]"):
        _tuner(tmp_path, build=build_tiny, objective="val_loss")


def test_same_seed_same_results_and_a_trial_can_be_rerun(tmp_path):
    x, y = binary_data()
    runs = []
    for name in ("a", "b"):
        tuner = _tuner(tmp_path, project_name=name, max_trials=3)
        tuner.search(x, y, verbose=0, **FIT)
        runs.append(tuner)
    assert [(t.params, t.values) for t in runs[0].study.trials] == [(t.params, t.values) for t in runs[1].study.trials]

    trial = runs[0].study.trials[2]
    assert trial.user_attrs["seed"] == trial_seed(runs[0].seed, 2)
    model = clone_model(build_small(HyperParameters(trial.params)), seed=trial.user_attrs["seed"])
    with use_ops(trial.user_attrs["ops"]):  # the kernels the search chose (NumPy's for a search this small)
        history = model.fit(x, y, verbose=0, **FIT)
    assert max(history.history["val_accuracy"]) == trial.value


def test_pruning_stops_hopeless_trials_early(tmp_path):
    x, y = binary_data()

    def fit_epochs(trial):
        return trial.user_attrs["epochs"]

    pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    tuner = _tuner(tmp_path, build=build_tiny, objective="val_loss", max_trials=10, pruner=pruner, seed=0)
    tuner.search(x, y, epochs=8, batch_size=32, validation_split=0.25, verbose=0)
    pruned = tuner.study.get_trials(states=(TrialState.PRUNED,))
    complete = tuner.study.get_trials(states=(TrialState.COMPLETE,))
    assert pruned and complete and len(pruned) + len(complete) == 10
    assert all(fit_epochs(t) < 8 and len(t.intermediate_values) == fit_epochs(t) for t in pruned)
    assert all(fit_epochs(t) == 8 for t in complete)
    assert all("model_file" not in t.user_attrs for t in pruned)


def test_multi_objective_search_returns_the_pareto_front(tmp_path):
    x, y = binary_data()
    tuner = _tuner(tmp_path, objective=["val_accuracy", "params"], sampler="nsga2", max_trials=6)
    assert [d.name for d in tuner.study.directions] == ["MAXIMIZE", "MINIMIZE"]
    tuner.search(x, y, verbose=0, **FIT)
    trials = tuner.study.trials
    front = tuner.pareto_front()
    assert front

    def dominates(a, b):
        return a.values[0] >= b.values[0] and a.values[1] <= b.values[1] and a.values != b.values

    for member in front:
        assert not any(dominates(other, member) for other in trials)
        assert member.values[1] == member.user_attrs["params_count"]
    for outside in set(t.number for t in trials) - {t.number for t in front}:
        assert any(dominates(member, trials[outside]) for member in front)
    best = tuner.get_best_hyperparameters(len(front))
    assert sorted(hp.trial_number for hp in best) == sorted(t.number for t in front)


def test_grid_sampler_runs_every_combination_once(tmp_path):
    import gradwise as gw
    from gradwise.layers import Dense, Input

    x, y = binary_data()

    def build_grid(hp):
        model = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 4), activation=hp.Choice("act", ["relu", "tanh"])),
                               Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return model

    tuner = _tuner(tmp_path, build=build_grid, sampler="grid", max_trials=50)
    assert tuner.max_trials == 6
    tuner.search(x, y, verbose=0, epochs=1, validation_split=0.25)
    combos = sorted((t.params["units"], t.params["act"]) for t in tuner.study.trials)
    assert combos == sorted((u, a) for u in (2, 3, 4) for a in ("relu", "tanh"))


def test_timeout_leaves_trials_queued_for_the_next_run(tmp_path):
    x, y = binary_data()
    tuner = _tuner(tmp_path, build=build_tiny, max_trials=2)
    tuner.search(x, y, timeout=0, verbose=0, **FIT)
    assert [t.state for t in tuner.study.trials] == [TrialState.WAITING] * 2
    _tuner(tmp_path, build=build_tiny, max_trials=2).search(x, y, verbose=0, **FIT)
    assert [t.state for t in tuner.study.trials] == [TrialState.COMPLETE] * 2


def test_on_trial_receives_each_finished_trial(tmp_path):
    x, y = binary_data()
    seen = []
    _tuner(tmp_path, build=build_tiny, max_trials=2).search(x, y, on_trial=seen.append, **FIT)
    assert [t.number for t in seen] == [0, 1] and all(t.state == TrialState.COMPLETE for t in seen)


def test_a_failing_build_function_fails_the_trial_and_the_search(tmp_path):
    x, y = binary_data()
    calls = []

    def build_later_broken(hp):
        calls.append(1)
        if len(calls) > 8:  # the probe (8 builds) passes; the first trial fails
            raise RuntimeError("broken on purpose")
        return build_tiny(hp)

    tuner = _tuner(tmp_path, build=build_later_broken, max_trials=2)
    with pytest.raises(RuntimeError, match="broken on purpose"):
        tuner.search(x, y, verbose=0, **FIT)
    assert tuner.study.trials[0].state == TrialState.FAIL


def test_build_function_must_return_a_compiled_model(tmp_path):
    x, y = binary_data()
    tuner = _tuner(tmp_path, build=lambda hp: (hp.Int("u", 1, 2), "not a model")[1], max_trials=1)
    with pytest.raises(TypeError, match="build_model\\(hp\\) must return a compiled gradwise model, got str"):
        tuner.search(x, y, verbose=0, **FIT)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"max_trials": 0}, ValueError, r"`max_trials` must be a positive int, got 0"),
    ({"workers": 0}, ValueError, r"`workers` must be a positive int, got 0"),
    ({"seed": -1}, ValueError, r"`seed` must be a non-negative int, got -1"),
    ({"sampler": "bogus"}, ValueError, r"`sampler` must be one of tpe, random, grid, cmaes, nsga2"),
    ({"pruner": "bogus"}, ValueError, r"`pruner` must be one of median, hyperband, successive_halving"),
    ({"objective": ["val_accuracy", "params"], "pruner": "median"}, ValueError, r"cannot prune multi-objective"),
    ({"storage": "redis://host"}, ValueError, r"`storage` must be None.*postgresql://"),
    ({"project_name": "a/b"}, ValueError, r"`project_name` must be a non-empty name without '/'"),
    ({"sampler": "grid"}, ValueError, r"sampler='grid' needs a discrete space, but 'learning_rate' is a continuous"),
])
def test_bad_arguments_raise(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        _tuner(tmp_path, build=build_tiny, **kwargs)


def test_hypermodel_must_be_callable(tmp_path):
    with pytest.raises(TypeError, match="`hypermodel` must be a function build_model\\(hp\\)"):
        Tuner("build_model", directory=str(tmp_path))


def test_cmaes_needs_its_package(monkeypatch):
    import importlib.util

    from gradwise.tuning.samplers import make_sampler

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="sampler='cmaes' needs the 'cmaes' package: pip install cmaes"):
        make_sampler("cmaes", 0)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    assert isinstance(make_sampler("cmaes", 0), optuna.samplers.CmaEsSampler)

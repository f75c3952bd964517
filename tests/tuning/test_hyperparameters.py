"""hp.Int/Float/Choice/Boolean/Fixed: values from Optuna trials, conditional parameters, replay, errors."""

import math

import optuna
import pytest

from gradwise.tuning import HyperParameters
from gradwise.tuning.distributions import probe_value

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _sampled(define, trials=40, seed=0):
    """Run `define(hp)` in `trials` random-sampler trials; return each trial's (hp.values, params)."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    results = []
    for _ in range(trials):
        trial = study.ask()
        hp = HyperParameters.for_trial(trial)
        define(hp)
        results.append((dict(hp.values), dict(trial.params)))
        study.tell(trial, 0.0)
    return results


def test_each_method_returns_values_of_its_range_and_type():
    def define(hp):
        hp.Int("units", 8, 256, sampling="log")
        hp.Int("stepped", 0, 30, step=10)
        hp.Float("rate", 0.0, 0.5)
        hp.Float("lr", 1e-4, 1e-1, sampling="log")
        hp.Float("grid", 0.0, 1.0, step=0.25)
        hp.Choice("optimizer", ["adam", "sgd", "rmsprop"])
        hp.Boolean("batch_norm")
        hp.Fixed("epochs", 7)

    for values, params in _sampled(define):
        assert isinstance(values["units"], int) and 8 <= values["units"] <= 256
        assert values["stepped"] in (0, 10, 20, 30)
        assert isinstance(values["rate"], float) and 0.0 <= values["rate"] <= 0.5
        assert 1e-4 <= values["lr"] <= 1e-1
        assert values["grid"] in (0.0, 0.25, 0.5, 0.75, 1.0)
        assert values["optimizer"] in ("adam", "sgd", "rmsprop")
        assert values["batch_norm"] in (False, True)
        assert values["epochs"] == 7 and "epochs" not in params  # Fixed is recorded, never sampled
        assert {k: v for k, v in values.items() if k != "epochs"} == params


def test_log_sampling_spreads_over_orders_of_magnitude():
    values = [v["lr"] for v, _ in _sampled(lambda hp: hp.Float("lr", 1e-4, 1e-1, sampling="log"), trials=200)]
    below = sum(v < 1e-3 for v in values) / len(values)
    # Log-uniform: a third of the mass lies in [1e-4, 1e-3); linear sampling would put 0.9 % there.
    assert 0.2 < below < 0.5


def test_conditional_parameter_exists_only_when_its_branch_runs():
    def define(hp):
        layers = hp.Int("layers", 1, 5)
        for index in range(layers):
            hp.Int(f"units_{index}", 8, 64)

    results = _sampled(define, trials=40)
    for values, params in results:
        assert ("units_3" in params) == (values["layers"] > 3)
        assert sorted(k for k in params if k.startswith("units_")) == [f"units_{i}" for i in range(values["layers"])]
    assert {v["layers"] for v, _ in results} == {1, 2, 3, 4, 5}


def test_parent_values_and_conditional_scope_make_parameters_conditional():
    def define(hp):
        optimizer = hp.Choice("optimizer", ["sgd", "adam"])
        momentum = hp.Float("momentum", 0.5, 0.99, parent_name="optimizer", parent_values=["sgd"])
        with hp.conditional_scope("optimizer", ["adam"]) as active:
            beta = hp.Float("beta_1", 0.8, 0.99)
        hp.Fixed("seen", (optimizer, momentum, beta, active))

    for values, params in _sampled(define, trials=20):
        sgd = values["optimizer"] == "sgd"
        assert ("momentum" in params) == sgd and ("beta_1" in params) == (not sgd)
        optimizer, momentum, beta, active = values["seen"]
        # An inactive parameter returns its default (the minimum) without being sampled.
        assert momentum == (params["momentum"] if sgd else 0.5)
        assert beta == (0.8 if sgd else params["beta_1"]) and active == (not sgd)


def test_replay_returns_given_values_and_defaults_for_the_rest():
    hp = HyperParameters({"units": 32, "optimizer": "sgd"})
    assert hp.Int("units", 8, 256) == 32
    assert hp.Choice("optimizer", ["adam", "sgd"]) == "sgd"
    assert hp.Int("layers", 1, 5) == 1                      # KerasTuner's default: the minimum
    assert hp.Float("dropout", 0.0, 0.5, default=0.2) == 0.2
    assert hp.Choice("activation", ["relu", "tanh"]) == "relu"  # the first choice
    assert hp.Boolean("batch_norm") is False
    assert hp.values == {"units": 32, "optimizer": "sgd", "layers": 1, "dropout": 0.2, "activation": "relu",
                         "batch_norm": False}
    assert hp["units"] == 32 and "layers" in hp and "missing" not in hp


def test_same_name_same_range_returns_the_same_value():
    (values, params), = _sampled(lambda hp: hp.Fixed("pair", (hp.Int("u", 1, 100), hp.Int("u", 1, 100))), trials=1)
    assert values["pair"][0] == values["pair"][1] == params["u"]


def test_probe_draws_cover_extremes_and_every_choice():
    import numpy as np

    from gradwise.tuning.distributions import int_distribution, choice_distribution

    rng = np.random.default_rng(0)
    units = int_distribution("u", 8, 256, 1, "log")
    assert probe_value(units, 0, rng) == 256 and probe_value(units, 1, rng) == 8
    assert all(8 <= probe_value(units, draw, rng) <= 256 for draw in range(2, 50))
    choice = choice_distribution("c", ["a", "b", "c"])
    assert [probe_value(choice, draw, rng) for draw in range(3)] == ["a", "b", "c"]


@pytest.mark.parametrize("call, error, message", [
    (lambda hp: hp.Int("u", 10, 5), ValueError, r"Int 'u': min_value 10 is larger than max_value 5"),
    (lambda hp: hp.Int("u", 0, 5, sampling="log"), ValueError, r"sampling='log' needs min_value >= 1, got 0"),
    (lambda hp: hp.Int("u", 1, 9, step=2, sampling="log"), ValueError, r"cannot be combined with step=2"),
    (lambda hp: hp.Int("u", 1.5, 5), TypeError, r"`min_value` must be an int, got 1.5"),
    (lambda hp: hp.Float("f", 0.0, 1.0, sampling="log"), ValueError, r"needs min_value > 0, got 0.0"),
    (lambda hp: hp.Float("f", 0.0, 1.0, sampling="reverse_log"), ValueError, r"'linear' or 'log', got 'reverse_log'"),
    (lambda hp: hp.Float("f", 0.0, math.inf), TypeError, r"`max_value` must be a finite number"),
    (lambda hp: hp.Choice("c", []), ValueError, r"Choice 'c': `values` must not be empty"),
    (lambda hp: hp.Choice("c", "adam"), TypeError, r"`values` must be a list, got 'adam'"),
    (lambda hp: hp.Choice("c", ["a", "a"]), ValueError, r"`values` has duplicates"),
    (lambda hp: hp.Choice("c", [[1, 2]]), TypeError, r"numbers, strings, booleans or None, got \[1, 2\]"),
    (lambda hp: hp.Int("", 1, 2), TypeError, r"parameter name must be a non-empty str"),
    (lambda hp: hp.Int("u", 1, 5, default=9), ValueError, r"default 9 of 'u' is outside its range"),
    (lambda hp: (hp.Int("u", 1, 5), hp.Int("u", 1, 6)), ValueError, r"'u' is defined twice with different ranges"),
    (lambda hp: hp.Float("m", 0.1, 0.9, parent_name="optimizer", parent_values=["sgd"]), ValueError,
     r"parent_name='optimizer' must be defined before its children"),
])
def test_bad_definitions_raise_naming_the_parameter(call, error, message):
    with pytest.raises(error, match=message):
        call(HyperParameters())


def test_values_must_be_a_dict():
    with pytest.raises(TypeError, match="`values` must be a dict or None, got list"):
        HyperParameters([1, 2])
    with pytest.raises(KeyError, match="'units' is not defined"):
        HyperParameters().get("units")


def test_a_build_function_runs_inside_a_plain_optuna_objective():
    from .builders import binary_data, build_small

    x, y = binary_data()

    def objective(trial):
        model = build_small(HyperParameters.for_trial(trial))
        history = model.fit(x, y, epochs=1, batch_size=32, validation_split=0.25, verbose=0)
        return history.history["val_loss"][-1]

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=3)
    for trial in study.trials:
        assert trial.state == optuna.trial.TrialState.COMPLETE
        assert ("units_1" in trial.params) == (trial.params["layers"] == 2)

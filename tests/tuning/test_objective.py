"""Objectives (directions, best-epoch values, weights restored) and PruningCallback in plain Optuna."""

import numpy as np
import optuna
import pytest

import gradwise as gw
from gradwise.layers import Dense, Input
from gradwise.tuning import Objective, PruningCallback
from gradwise.tuning.objective import BestEpoch, resolve, trial_values

from .builders import binary_data

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.mark.parametrize("name, direction", [
    ("val_loss", "minimize"), ("loss", "minimize"), ("val_accuracy", "maximize"), ("val_auc", "maximize"),
    ("val_mean_absolute_error", "minimize"), ("val_precision", "maximize"), ("val_mse", "minimize"),
])
def test_direction_is_inferred_from_the_name(name, direction):
    assert resolve(name) == [Objective(name, direction[:3])]


def test_list_gives_several_objectives_and_params_is_minimized():
    assert resolve(["val_accuracy", "params"]) == [Objective("val_accuracy", "max"), Objective("params", "min")]
    assert resolve([Objective("val_score", "max")])[0].direction == "maximize"


@pytest.mark.parametrize("spec, error, message", [
    ("val_score", ValueError, r"cannot tell whether objective 'val_score'.*Objective\('val_score', direction='max'\)"),
    ([], ValueError, r"at least one key"),
    (["params", "val_loss"], ValueError, r"'params' cannot be the first objective"),
    (["val_loss", "val_loss"], ValueError, r"names a key twice"),
    (3, TypeError, r"must be a str, an Objective or a list of them, got 3"),
])
def test_bad_objectives_raise(spec, error, message):
    with pytest.raises(error, match=message):
        resolve(spec)


def test_objective_direction_must_be_min_or_max():
    with pytest.raises(ValueError, match=r"`direction` must be 'min' or 'max', got 'up'"):
        Objective("val_loss", "up")


def _model(seed=0):
    model = gw.Sequential([Input((4,)), Dense(3, activation="relu"), Dense(1, activation="sigmoid")], seed=seed)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("direction, values, best", [
    ("max", [0.5, 0.8, 0.7, 0.6], 1),
    ("min", [0.9, 0.4, 0.3, 0.5], 2),
    ("max", [0.5, float("nan"), 0.6, 0.2], 2),   # NaN never counts as the best
])
def test_best_epoch_restores_the_weights_of_the_best_epoch(direction, values, best):
    model = _model()
    tracker = BestEpoch(Objective("val_score", direction))
    tracker.set_model(model)
    tracker.on_train_begin()
    snapshots = []
    for epoch, value in enumerate(values):
        model.set_weights([w + epoch + 1 for w in model.get_weights()])  # a different state every epoch
        snapshots.append(model.get_weights())
        tracker.on_epoch_end(epoch, {"val_score": value, "loss": 1.0})
    tracker.on_train_end()
    assert tracker.best == values[best] and tracker.epochs == len(values)
    for restored, expected in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(restored, expected)


def test_best_epoch_names_the_logged_keys_when_the_objective_is_missing():
    tracker = BestEpoch(Objective("val_accuracy", "max"))
    tracker.set_model(_model())
    tracker.on_train_begin()
    with pytest.raises(ValueError, match=r"'val_accuracy' is not logged.*Logged keys: accuracy, loss.*validation_data"):
        tracker.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.7})


def test_trial_values_read_the_best_epoch_and_count_parameters():
    model = _model()
    objectives = resolve(["val_accuracy", "params"])
    assert trial_values(objectives, {"val_accuracy": 0.75}, model) == [0.75, float(4 * 3 + 3 + 3 + 1)]


def test_pruning_callback_reports_every_epoch_and_prunes_in_a_plain_optuna_objective():
    x, y = binary_data()
    epochs_run = {}

    def objective(trial):
        model = _model(seed=trial.number)
        callback = PruningCallback(trial, monitor="val_loss")
        try:
            model.fit(x, y, epochs=6, batch_size=32, validation_split=0.25, verbose=0, callbacks=[callback])
        finally:
            epochs_run[trial.number] = callback.epochs
        return min(model.history.history["val_loss"])

    # ThresholdPruner prunes any trial whose reported val_loss exceeds 0.0 from step 2 on: always.
    study = optuna.create_study(pruner=optuna.pruners.ThresholdPruner(upper=0.0, n_warmup_steps=2))
    study.optimize(objective, n_trials=2)
    for trial in study.trials:
        assert trial.state == optuna.trial.TrialState.PRUNED
        assert sorted(trial.intermediate_values) == [0, 1, 2]  # epochs 1-3 reported, pruned after the third
        assert epochs_run[trial.number] == 3


def test_pruning_callback_lets_good_trials_finish():
    x, y = binary_data()

    def objective(trial):
        model = _model()
        model.fit(x, y, epochs=4, batch_size=32, validation_split=0.25, verbose=0,
                  callbacks=[PruningCallback(trial, monitor="val_loss")])
        return model.history.history["val_loss"][-1]

    study = optuna.create_study(pruner=optuna.pruners.ThresholdPruner(upper=100.0))
    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == optuna.trial.TrialState.COMPLETE
    assert sorted(study.trials[0].intermediate_values) == [0, 1, 2, 3]


def test_pruning_callback_checks_its_monitor():
    study = optuna.create_study()
    callback = PruningCallback(study.ask(), monitor="val_acc")
    with pytest.raises(ValueError, match=r"monitor='val_acc' is not logged.*Did you mean 'val_accuracy'"):
        callback.on_epoch_end(0, {"loss": 1.0, "val_accuracy": 0.5})
    with pytest.raises(TypeError, match="`monitor` must be a log key"):
        PruningCallback(study.ask(), monitor=None)

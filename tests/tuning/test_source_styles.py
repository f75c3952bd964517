"""The two search styles of the source documents, run end to end on their datasets (tiny budgets).

1. KerasTuner style on Pima: a random search over the optimizer, then over the number of
   layers (1-10) and units (8-128) with a per-layer activation and dropout.
2. Optuna style on digits: a plain ``objective(trial)`` over n_layers, hidden sizes,
   dropout, a log-uniform learning rate, the initializer and the clipping type and value.
"""

from importlib import resources

import numpy as np
import optuna
from optuna.trial import TrialState

import gradwise as gw
from gradwise.layers import Dense, Dropout, Input
from gradwise.tuning import PruningCallback, RandomSearch, trial_seed

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _pima():
    with resources.files("gradwise").joinpath("data", "diabetes.csv").open("rb") as handle:
        table = np.loadtxt(handle, delimiter=",", skiprows=1)
    x, y = table[:, :8], table[:, 8]
    x = (x - x[:600].mean(axis=0)) / x[:600].std(axis=0)
    return x[:600].astype("float32"), y[:600].astype("float32")


def build_optimizer_search(hp):
    model = gw.Sequential([Input((8,)), Dense(12, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=hp.Choice("optimizer", ["adam", "rmsprop", "sgd"]), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def build_layers_search(hp):
    model = gw.Sequential([Input((8,))])
    for index in range(hp.Int("num_layers", 1, 10)):
        model.add(Dense(hp.Int(f"units_{index}", 8, 128, step=8),
                        activation=hp.Choice(f"activation_{index}", ["relu", "tanh", "sigmoid"])))
        model.add(Dropout(hp.Float(f"dropout_{index}", 0.0, 0.5, step=0.1)))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(optimizer=hp.Choice("optimizer", ["adam", "rmsprop"]), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def test_kerastuner_style_random_searches_on_pima(tmp_path):
    x, y = _pima()
    first = RandomSearch(build_optimizer_search, objective="val_accuracy", max_trials=3, seed=0,
                         directory=str(tmp_path), project_name="optimizer")
    first.search(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
    assert {t.params["optimizer"] for t in first.study.trials} <= {"adam", "rmsprop", "sgd"}

    second = RandomSearch(build_layers_search, objective="val_accuracy", max_trials=4, seed=1,
                          directory=str(tmp_path), project_name="layers")
    second.search(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
    for trial in second.study.trials:
        assert trial.state == TrialState.COMPLETE
        layers = trial.params["num_layers"]
        per_layer = {name for name in trial.params if name[-1].isdigit()}
        assert per_layer == {f"{kind}_{i}" for kind in ("units", "activation", "dropout") for i in range(layers)}
    best_model = second.get_best_models()[0]
    best = second.get_best_hyperparameters()[0].values
    assert len([layer for layer in best_model.layers if isinstance(layer, Dense)]) == best["num_layers"] + 1
    assert 0.0 <= second.best_trials()[0].value <= 1.0


def test_optuna_style_objective_on_digits(digits_split):
    x_train, _, y_train, _ = digits_split
    x, y = x_train[:400], y_train[:400]
    seen = {}

    def objective(trial):
        n_layers = trial.suggest_int("n_layers", 1, 10)
        dropout = trial.suggest_float("dropout", 0.0, 0.5)
        init = trial.suggest_categorical("init_method", ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"])
        model = gw.Sequential([Input((64,))], seed=trial_seed(0, trial.number))
        for index in range(n_layers):
            model.add(Dense(trial.suggest_int(f"n_units_l{index}", 32, 128), activation="relu", kernel_initializer=init))
            model.add(Dropout(dropout))
        model.add(Dense(10, activation="softmax"))
        learning_rate = trial.suggest_float("learning_rate", 1e-3, 1e-1, log=True)
        clip_type = trial.suggest_categorical("clip_type", ["value", "norm"])
        clip_value = trial.suggest_float("clip_value", 0.1, 5.0)
        clip = {"clipvalue": clip_value} if clip_type == "value" else {"clipnorm": clip_value}
        optimizer = gw.optimizers.Adam(learning_rate=learning_rate, **clip)
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        seen[trial.number] = (model, optimizer)
        history = model.fit(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0,
                            callbacks=[PruningCallback(trial, monitor="val_accuracy")])
        return max(history.history["val_accuracy"])

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=3)
    for trial in study.trials:
        assert trial.state in (TrialState.COMPLETE, TrialState.PRUNED)
        model, optimizer = seen[trial.number]
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        assert len(dense) == trial.params["n_layers"] + 1
        assert type(dense[0].kernel_initializer).__name__.lower() == trial.params["init_method"].replace("_", "")
        clip = optimizer.clipvalue if trial.params["clip_type"] == "value" else optimizer.clipnorm
        assert clip == trial.params["clip_value"]
    assert 0.0 <= study.best_value <= 1.0

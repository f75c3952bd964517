"""A trial's model is built with the trial's seed instead of built and then cloned with it: the same
weights and training either way, and the clone still made whenever building directly would differ
(an optimizer or a layer kept from an earlier trial, a seed given in the build function, a nested model)."""

import numpy as np
import optuna
import pytest

import gradwise as gw
from gradwise import backend
from gradwise.layers import Dense, Dropout, Input
from gradwise.saving import clone_model
from gradwise.tuning import HyperParameters, Tuner, runner

from .builders import binary_data

optuna.logging.set_verbosity(optuna.logging.WARNING)
HP = HyperParameters({"units": 6, "rate": 0.25, "learning_rate": 0.01})


def build_dropout_net(hp):
    model = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 8), activation="relu"),
                           Dropout(hp.Float("rate", 0.0, 0.5)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=gw.optimizers.Adam(hp.Float("learning_rate", 1e-3, 1e-1, sampling="log")),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _trained_weights(model):
    x, y = binary_data(64)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    return model.get_weights()


def _assert_same(left, right):
    assert len(left) == len(right)
    for a, b in zip(left, right):
        np.testing.assert_array_equal(a, b)


def test_a_model_built_with_the_trial_seed_is_the_clone_it_replaces_before_and_after_training(monkeypatch):
    cloned = runner._seeded(build_dropout_net(HP), 41)
    clones = []
    monkeypatch.setattr(runner, "clone_model", lambda *a, **k: clones.append(1) or clone_model(*a, **k))
    direct = runner.build_seeded(build_dropout_net, HP, 41)
    assert clones == []  # built directly: no second model made
    assert direct.seed == cloned.seed == 41
    _assert_same(direct.get_weights(), cloned.get_weights())
    _assert_same(_trained_weights(direct), _trained_weights(cloned))  # dropout masks and shuffles too


def test_the_seed_block_reaches_only_models_made_in_it_without_a_seed_of_their_own():
    with backend.model_seed(7):
        inside, given = gw.Sequential(), gw.Sequential(seed=3)
    assert (inside.seed, given.seed, gw.Sequential().seed) == (7, 3, None)


SHARED_OPTIMIZER = {}
SHARED_LAYER = {}


def build_with_one_optimizer(hp):
    """Every call compiles with the same optimizer object, as a build function written carelessly does."""
    optimizer = SHARED_OPTIMIZER.setdefault("adam", gw.optimizers.Adam(0.01))
    model = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 8), activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


def build_with_one_layer(hp):
    """Every call reuses one hidden layer object."""
    hidden = SHARED_LAYER.setdefault("hidden", Dense(hp.Int("units", 2, 8), activation="relu"))
    model = gw.Sequential([Input((4,)), hidden, Dense(1, activation="sigmoid")])
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


def build_with_its_own_seed(hp):
    model = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 8), activation="relu"), Dense(1, activation="sigmoid")],
                          seed=123)
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


def build_nested(hp):
    inner = gw.Sequential([Input((4,)), Dense(hp.Int("units", 2, 8), activation="relu")])
    model = gw.Sequential([Input((4,)), inner, Dense(1, activation="sigmoid")])
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


@pytest.mark.parametrize("build", [build_with_one_optimizer, build_with_one_layer])
def test_what_an_earlier_trial_left_in_a_build_function_never_reaches_the_next(build):
    SHARED_OPTIMIZER.clear()
    SHARED_LAYER.clear()
    first = runner.build_seeded(build, HP, 5)
    first_trained = _trained_weights(first)
    again = runner.build_seeded(build, HP, 5)  # the trained optimizer or layer is in what build returns now
    assert again.optimizer.iterations == 0
    _assert_same(again.get_weights(), runner._seeded(first, 5).get_weights())  # fresh weights, as the first began
    _assert_same(_trained_weights(again), first_trained)


@pytest.mark.parametrize("build", [build_with_its_own_seed, build_nested])
def test_models_built_otherwise_are_cloned_with_the_trial_seed_as_before(build, monkeypatch):
    expected = runner._seeded(build(HP), 9)
    clones = []
    monkeypatch.setattr(runner, "clone_model", lambda *a, **k: clones.append(1) or clone_model(*a, **k))
    model = runner.build_seeded(build, HP, 9)
    assert clones == [1] and model.seed == 9
    _assert_same(model.get_weights(), expected.get_weights())


def test_a_search_gives_the_same_trials_built_directly_or_cloned(tmp_path, monkeypatch):
    x, y = binary_data(96)

    def search(name):
        tuner = Tuner(build_dropout_net, objective="val_loss", max_trials=4, seed=3, directory=str(tmp_path),
                      project_name=name, pruner=None)
        tuner.search(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
        return [(t.params, t.value) for t in tuner.study.trials]

    direct = search("direct")
    monkeypatch.setattr(runner, "_drawn_from", lambda *args: False)  # every trial cloned, as before
    assert search("cloned") == direct


BUILDS = []


def build_functional(hp):
    BUILDS.append(1)
    inputs = Input((4,))
    outputs = Dense(1, activation="sigmoid")(Dense(hp.Int("units", 2, 8), activation="relu")(inputs))
    model = gw.Model(inputs, outputs)
    model.compile(optimizer=gw.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


def test_a_functional_model_is_cloned_from_its_one_build_with_the_weights_it_had_before():
    expected = runner._seeded(build_functional(HP), 9)
    BUILDS.clear()
    model = runner.build_seeded(build_functional, HP, 9)
    assert BUILDS == [1]  # a build function with side effects runs once a trial
    _assert_same(model.get_weights(), expected.get_weights())
    _assert_same(_trained_weights(model), _trained_weights(expected))

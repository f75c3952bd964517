"""KerasClassifier / KerasRegressor: Keras' names and build_fn=, inside scikit-learn as the tutorials use them."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from gradwise import Sequential
from gradwise.layers import Dense
from gradwise.wrappers import KerasClassifier, KerasRegressor, NeuralClassifier, NeuralRegressor, expected_failed_checks

from .conftest import SHARED_DATASETS
from .test_wrappers import _StableName, build_classifier, build_regressor


def create_model(optimizer="adam", units=12):
    """The source document's build function, as written for Keras."""
    model = Sequential()
    model.add(Dense(units, input_dim=8, activation="relu"))
    model.add(Dense(8, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def pima():
    table = np.loadtxt(SHARED_DATASETS / "pima" / "diabetes.csv", delimiter=",", skiprows=1)
    return table[:, :8], table[:, 8]


@parametrize_with_checks(
    [KerasClassifier(build_fn=_StableName(build_classifier), epochs=20, random_state=0),
     KerasRegressor(build_fn=_StableName(build_regressor), epochs=20, random_state=0)],
    expected_failed_checks=expected_failed_checks,
    xfail_strict=True,
)
def test_scikit_learn_estimator_checks(estimator, check, monkeypatch):
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


def test_cross_val_score_as_the_tutorial_writes_it(pima):
    x, y = pima
    model = KerasClassifier(build_fn=create_model, epochs=20, batch_size=10, verbose=0, random_state=5)
    scores = cross_val_score(make_pipeline(StandardScaler(), model), x, y,
                             cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=5))
    assert scores.shape == (3,)
    assert scores.mean() > 0.72  # the majority class alone scores 0.651


def test_build_function_arguments_by_name_in_grid_search(pima):
    x, y = pima
    model = KerasClassifier(build_fn=create_model, epochs=2, batch_size=32, verbose=0, random_state=0, units=4)
    assert model.get_params()["units"] == 4 and clone(model).get_params()["units"] == 4
    grid = GridSearchCV(model, {"optimizer": ["adam", "sgd"], "units": [4, 6], "batch_size": [32, 64]}, cv=2)
    grid.fit(x[:200], y[:200])
    assert set(grid.best_params_) == {"optimizer", "units", "batch_size"}
    assert grid.best_estimator_.model_.layers[0].units == grid.best_params_["units"]
    assert type(grid.best_estimator_.model_.optimizer).__name__.lower() == grid.best_params_["optimizer"]


def test_unknown_argument_names_both_argument_lists(pima):
    x, y = pima
    model = KerasClassifier(build_fn=create_model, epochs=1, unit=3)
    with pytest.raises(TypeError, match=r"KerasClassifier: unexpected parameter\(s\) \['unit'\]: they are neither "
                                        r"arguments of the wrapper \[.*'epochs'.*\] nor of the build function "
                                        r"create_model\(optimizer='adam', units=12\)"):
        model.fit(x, y)
    with pytest.raises(ValueError, match=r"Invalid parameter 'unit'"):
        KerasClassifier(build_fn=create_model).set_params(unit=3)


def test_regressor_alias_learns(rng):
    x = rng.normal(size=(200, 3))
    y = x @ np.array([1.0, -2.0, 0.5])

    def build(n_features_in, units=16):
        model = Sequential([Dense(units, input_dim=n_features_in, activation="relu"), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        return model

    regressor = KerasRegressor(build_fn=build, epochs=60, batch_size=16, units=32, random_state=0).fit(x, y)
    assert regressor.predict(x).shape == (200,)
    assert regressor.score(x, y) > 0.9


@pytest.mark.parametrize("cls, alias", [(NeuralClassifier, "KerasClassifier"), (NeuralRegressor, "KerasRegressor")])
def test_neural_wrappers_refuse_build_fn_at_construction(cls, alias):
    with pytest.raises(TypeError, match=rf"{cls.__name__}: unexpected argument `build_fn` \(Keras' name\); pass the "
                                        rf"build function as `model=`.*gradwise.wrappers.{alias}\(build_fn="):
        cls(build_fn=create_model, epochs=3)


def test_one_callback_object_is_copied_for_each_fit(pima):
    from gradwise.callbacks import EarlyStopping

    x, y = pima
    stopper = EarlyStopping(monitor="loss", min_delta=10.0, patience=1)  # no epoch improves by 10
    model = KerasClassifier(build_fn=create_model, epochs=10, callbacks=stopper, random_state=0).fit(x, y)
    assert len(model.history_["loss"]) == 2 and stopper.model is None  # a fresh copy trained, not the given one

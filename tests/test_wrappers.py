"""NeuralClassifier / NeuralRegressor: scikit-learn's own checks, and real use on real data."""

import functools
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from gradwise import Dense, Input, Sequential
from gradwise.optimizers import Adam
from gradwise.wrappers import NeuralClassifier, NeuralRegressor, expected_failed_checks


def build_classifier(n_features_in, n_classes, units=16, learning_rate=0.01):
    """Sigmoid output for 2 classes, softmax otherwise; float64 so batch and row results agree."""
    output = Dense(1, activation="sigmoid") if n_classes == 2 else Dense(n_classes, activation="softmax")
    loss = "binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy"
    model = Sequential([Input((n_features_in,)), Dense(units, activation="relu"), output], dtype="float64")
    model.compile(optimizer=Adam(learning_rate), loss=loss, metrics=["accuracy"])
    return model


def build_regressor(n_features_in, n_outputs, units=16, learning_rate=0.01):
    model = Sequential([Input((n_features_in,)), Dense(units, activation="relu"), Dense(n_outputs)], dtype="float64")
    model.compile(optimizer=Adam(learning_rate), loss="mse")
    return model


class _StableName:
    """A build function whose repr has no memory address, so the test ids scikit-learn derives
    from the estimator's repr are the same in every pytest-xdist worker."""

    def __init__(self, function):
        functools.update_wrapper(self, function)  # keeps the signature the wrappers inspect

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self):
        return self.__wrapped__.__name__


@parametrize_with_checks(
    [NeuralClassifier(_StableName(build_classifier), epochs=20, random_state=0),
     NeuralRegressor(_StableName(build_regressor), epochs=20, random_state=0)],
    expected_failed_checks=expected_failed_checks,
    xfail_strict=True,  # a check listed as failing that starts passing must be unlisted
)
def test_scikit_learn_estimator_checks(estimator, check, monkeypatch):
    # scikit-learn runs its array-API check only when this is set; with NumPy inputs (all
    # gradwise takes) it needs nothing else, so set it rather than let the check skip.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


# ----- real data: cross_val_score, GridSearchCV, Pipeline ------------------------------------------
@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer()
    return data.data, data.target


def test_cross_val_score_of_a_pipeline_with_standard_scaler(cancer):
    x, y = cancer
    pipeline = make_pipeline(StandardScaler(), NeuralClassifier(build_classifier, epochs=10, random_state=0))
    scores = cross_val_score(pipeline, x, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.93


def test_grid_search_over_build_function_and_fit_parameters():
    digits = load_digits()
    x, y = digits.data[:600] / 16.0, digits.target[:600]
    search = GridSearchCV(
        NeuralClassifier(build_classifier, epochs=8, random_state=0),
        {"model__units": [4, 32], "epochs": [8]}, cv=3,
    )
    search.fit(x, y)
    assert search.best_params_["model__units"] == 32  # 4 hidden units are too few for 10 digits
    assert search.best_score_ > 0.85
    assert search.best_estimator_.model_.get_layer(index=0).units == 32
    assert search.score(x, y) > 0.9


def test_pipeline_predicts_string_labels_with_probabilities(cancer):
    x, y = cancer
    labels = np.array(["malignant", "benign"])[y]
    pipeline = make_pipeline(StandardScaler(), NeuralClassifier(build_classifier, epochs=10, random_state=0))
    pipeline.fit(x[::2], labels[::2])
    classifier = pipeline[-1]
    assert classifier.classes_.tolist() == ["benign", "malignant"]
    probabilities = pipeline.predict_proba(x[1::2])
    assert probabilities.shape == (len(x[1::2]), 2)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    predicted = pipeline.predict(x[1::2])
    assert set(predicted) <= {"benign", "malignant"}
    assert np.array_equal(predicted, classifier.classes_[probabilities.argmax(axis=1)])
    assert pipeline.score(x[1::2], labels[1::2]) > 0.93


def test_regressor_in_a_pipeline_on_the_diabetes_data():
    from sklearn.datasets import load_diabetes

    x, y = load_diabetes(return_X_y=True)
    y = (y - y.mean()) / y.std()
    pipeline = make_pipeline(StandardScaler(), NeuralRegressor(build_regressor, epochs=30, random_state=0))
    pipeline.fit(x[::2], y[::2])
    assert pipeline.predict(x[1::2]).shape == (len(x[1::2]),)
    assert pipeline.score(x[1::2], y[1::2]) > 0.35  # linear regression reaches about 0.5 here


# ----- the model argument ------------------------------------------------------------------------
def _compiled(loss="sparse_categorical_crossentropy", outputs=3, activation="softmax"):
    model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(outputs, activation=activation)], seed=1)
    model.compile(optimizer=Adam(0.05), loss=loss)
    return model


@pytest.fixture
def three_classes(rng):
    y = np.repeat([10, 20, 30], 20)
    return rng.normal(size=(60, 4)) + (y[:, None] - 20) / 5, y  # centers at -2, 0 and 2


def test_a_compiled_model_is_copied_for_each_fit_and_never_changed(three_classes):
    x, y = three_classes
    given = _compiled()
    before = given.get_weights()
    classifier = NeuralClassifier(given, epochs=3).fit(x, y)
    assert classifier.model_ is not given
    assert all(np.array_equal(a, b) for a, b in zip(before, given.get_weights()))
    assert given.optimizer.iterations == 0 and classifier.model_.optimizer.iterations > 0
    refit = clone(classifier).fit(x, y)  # clone deep-copies the model argument
    assert np.array_equal(refit.predict_proba(x), classifier.predict_proba(x))  # same seed, same data


@pytest.mark.parametrize("loss, outputs, activation", [
    ("categorical_crossentropy", 3, "softmax"),
    ("sparse_categorical_crossentropy", 3, "softmax"),
])
def test_the_loss_decides_the_target_encoding(three_classes, loss, outputs, activation):
    x, y = three_classes
    classifier = NeuralClassifier(_compiled(loss, outputs, activation), epochs=30, random_state=0).fit(x, y)
    assert classifier.classes_.tolist() == [10, 20, 30]
    assert classifier.score(x, y) > 0.8


def test_binary_logits_and_softmax_outputs_give_probabilities(cancer):
    x, y = cancer
    x = StandardScaler().fit_transform(x)
    model = Sequential([Input((30,)), Dense(1)], seed=0)
    model.compile(optimizer="adam", loss=__import__("gradwise").losses.BinaryCrossentropy(from_logits=True))
    classifier = NeuralClassifier(model, epochs=5).fit(x, y)
    probabilities = classifier.predict_proba(x)
    assert probabilities.min() >= 0 and probabilities.max() <= 1
    logits = classifier.model_.predict(x)[:, 0].astype(np.float64)
    assert np.allclose(probabilities[:, 1], 1 / (1 + np.exp(-logits)))
    assert classifier.score(x, y) > 0.9


def test_random_state_makes_fits_repeatable(three_classes):
    x, y = three_classes
    first = NeuralClassifier(build_classifier, epochs=3, random_state=5).fit(x, y).predict_proba(x)
    second = NeuralClassifier(build_classifier, epochs=3, random_state=5).fit(x, y).predict_proba(x)
    other = NeuralClassifier(build_classifier, epochs=3, random_state=6).fit(x, y).predict_proba(x)
    assert np.array_equal(first, second) and not np.allclose(first, other)


def test_class_weight_shifts_predictions_to_the_heavy_class(three_classes):
    _, y = three_classes
    noisy = np.random.default_rng(0).normal(size=(60, 4)) * 3 + (y[:, None] - 20) / 5  # overlapping classes
    heavy = NeuralClassifier(build_classifier, epochs=10, random_state=0,
                             class_weight={10: 1000.0, 20: 1e-4, 30: 1e-4}).fit(noisy, y)
    plain = NeuralClassifier(build_classifier, epochs=10, random_state=0).fit(noisy, y)
    assert np.mean(heavy.predict(noisy) == 10) > 0.75
    assert np.mean(plain.predict(noisy) == 10) < 0.6


def test_balanced_class_weight_lets_a_minority_class_be_predicted():
    y = np.repeat([0, 1], [50, 10])
    x = np.random.default_rng(0).normal(size=(60, 4)) * 2 + y[:, None]
    balanced = NeuralClassifier(build_classifier, epochs=10, random_state=0, class_weight="balanced").fit(x, y)
    plain = NeuralClassifier(build_classifier, epochs=10, random_state=0).fit(x, y)
    assert np.mean(plain.predict(x) == 1) < 0.05 < 0.3 < np.mean(balanced.predict(x) == 1)


def test_fit_records_history_and_uses_validation_split_and_fresh_callbacks(three_classes):
    from gradwise.callbacks import Callback

    class Counter(Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    x, y = three_classes
    order = np.random.default_rng(1).permutation(len(y))
    counter = Counter()
    classifier = NeuralClassifier(build_classifier, epochs=4, validation_split=0.25, callbacks=[counter],
                                  random_state=0).fit(x[order], y[order])
    assert len(classifier.history_["loss"]) == 4 and len(classifier.history_["val_loss"]) == 4
    assert counter.epochs == 0 and counter.model is None  # the parameter itself is never used


def test_pickled_classifier_predicts_the_same_and_keeps_training_correctly(three_classes):
    x, y = three_classes
    classifier = NeuralClassifier(build_classifier, epochs=3, random_state=0).fit(x, y)
    restored = pickle.loads(pickle.dumps(classifier))
    assert np.array_equal(restored.predict_proba(x), classifier.predict_proba(x))
    # The restored model's layers still share the optimizer's parameter buffer: training moves them.
    before = restored.predict_proba(x)
    restored.model_.fit(x, np.searchsorted(restored.classes_, y), epochs=2, verbose=0)
    assert not np.array_equal(restored.predict_proba(x), before)


# ----- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("estimator, message", [
    (NeuralClassifier(), "`model` must be a function returning a compiled gradwise model"),
    (NeuralClassifier(lambda: _compiled(loss="mse")), "must be compiled with one of .*got loss 'mean_squared_error'"),
    (NeuralClassifier(lambda: _compiled(outputs=2)), "y has 3 classes, so .* must output shape \\(3,\\), got \\(2,\\)"),
    (NeuralClassifier(lambda: _compiled(loss="binary_crossentropy", outputs=1, activation="sigmoid")),
     "'binary_crossentropy' handles 2 classes but y has 3; compile with 'sparse_categorical_crossentropy'"),
    (NeuralClassifier(lambda: Sequential([Input((4,)), Dense(3)])), "must return a compiled gradwise model"),
    (NeuralClassifier(_compiled(), model__units=3),
     "\\['units'\\] are build-function arguments but `model` is a model"),
])
def test_bad_models_are_clear_errors_at_fit(three_classes, estimator, message):
    x, y = three_classes
    with pytest.raises(ValueError, match=message):
        estimator.fit(x, y)


def test_unprefixed_build_arguments_are_refused_at_fit(three_classes):
    x, y = three_classes
    estimator = NeuralClassifier(build_classifier, units=3)  # stored verbatim, as scikit-learn requires
    assert estimator.get_params()["units"] == 3
    with pytest.raises(TypeError, match=r"unexpected parameter\(s\) \['units'\].*prefix 'model__'"):
        estimator.fit(x, y)


def test_one_class_with_weight_is_an_error_naming_the_class(three_classes):
    x, y = three_classes
    with pytest.raises(ValueError, match=r"at least 2 classes .*got 1 class: \[20\]"):
        NeuralClassifier(build_classifier).fit(x, y, sample_weight=(y == 20).astype(float))


def test_regressor_output_shape_must_match_the_targets(rng):
    x = rng.normal(size=(20, 4))
    with pytest.raises(ValueError, match=r"y has 2 target\(s\), so the model must output shape \(2,\), got \(1,\)"):
        NeuralRegressor(lambda n_features_in: build_regressor(n_features_in, 1)).fit(x, rng.normal(size=(20, 2)))

"""cross_validate: fresh models and callbacks per fold, held-out validation, summary statistics."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import KFold, StratifiedKFold

from gradwise import Dense, Input, Sequential
from gradwise.callbacks import Callback
from gradwise.validation import cross_validate


def build(features=4, classes=3, seed=0):
    model = Sequential([Input((features,)), Dense(8, activation="relu"), Dense(classes, activation="softmax")],
                       seed=seed)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture
def data(rng):
    y = np.repeat([0, 1, 2], [30, 15, 15])  # sorted and imbalanced: stratification matters
    x = rng.normal(size=(60, 4)) + y[:, None]
    return x, y


class Recorder(Callback):
    """Records the epochs it saw and the model it was attached to."""

    instances = []

    def __init__(self):
        super().__init__()
        self.epochs_seen = []

    def on_train_begin(self, logs=None):
        Recorder.instances.append(self)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_seen.append(epoch)


def test_each_fold_validates_on_its_held_out_part(data):
    x, y = data
    result = cross_validate(build, x, y, cv=3, epochs=2, random_state=0, return_models=True)
    assert isinstance(result.splitter, StratifiedKFold)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(x, y))
    for (train, test), model, scores, history in zip(folds, result.models, result.fold_scores, result.histories):
        held_out = model.evaluate(x[test], y[test], batch_size=32, return_dict=True)
        assert scores["test_loss"] == held_out["loss"] == history["val_loss"][-1]
        assert scores["test_accuracy"] == held_out["accuracy"]
        assert np.bincount(y[test]).tolist() == [10, 5, 5]  # stratified
        assert len(history["loss"]) == 2


def test_mean_and_std_summarize_every_key_over_the_folds(data):
    x, y = data
    result = cross_validate(build, x, y, cv=4, epochs=1)
    assert set(result.mean) == {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate",
                                "test_loss", "test_accuracy"}
    for key in result.mean:
        values = np.array([scores[key] for scores in result.fold_scores])
        assert result.mean[key] == pytest.approx(values.sum() / 4)
        assert result.std[key] == pytest.approx(np.sqrt(((values - values.mean()) ** 2).sum() / 4))
    assert result.std["test_loss"] > 0


def test_every_fold_builds_a_fresh_model(data):
    x, y = data
    built = []

    def counting_build():
        built.append(build())
        return built[-1]

    result = cross_validate(counting_build, x, y, cv=3, return_models=True)
    assert len(built) == 3 and len({id(model) for model in built}) == 3
    assert result.models == built
    cached = build()
    with pytest.raises(ValueError, match="returned the same model object twice"):
        cross_validate(lambda: cached, x, y, cv=3)


def test_callbacks_are_deep_copied_per_fold_and_the_originals_stay_untouched(data):
    x, y = data
    Recorder.instances.clear()
    original = Recorder()
    old_model = build()
    original.set_model(old_model)  # as after an earlier fit: the copy must not clone this model
    cross_validate(build, x, y, cv=3, epochs=2, callbacks=[original], return_models=True)
    copies = Recorder.instances
    assert len(copies) == 3 and len({id(c) for c in copies}) == 3 and original not in copies
    assert all(copy.epochs_seen == [0, 1] for copy in copies)  # no state carried between folds
    assert len({id(copy.model) for copy in copies}) == 3 and old_model not in [c.model for c in copies]
    assert original.epochs_seen == [] and original.model is old_model


def test_a_callback_factory_is_called_once_per_fold(data):
    x, y = data
    Recorder.instances.clear()
    calls = []
    cross_validate(build, x, y, cv=3, callbacks=lambda: calls.append(1) or [Recorder()])
    assert len(calls) == 3 and len(Recorder.instances) == 3


def test_continuous_targets_use_plain_kfold_and_one_hot_targets_are_stratified(data):
    x, y = data

    def regressor():
        model = Sequential([Input((4,)), Dense(1)], seed=0)
        model.compile(optimizer="sgd", loss="mse")
        return model

    result = cross_validate(regressor, x, x.sum(axis=1), cv=3, stratified=True)
    assert isinstance(result.splitter, KFold) and set(result.mean) >= {"test_loss", "val_loss"}

    def categorical():
        model = build()
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    result = cross_validate(categorical, x, np.eye(3)[y], cv=5, random_state=1, return_models=True)
    assert isinstance(result.splitter, StratifiedKFold)


def test_sample_weight_is_split_with_the_data(data):
    x, y = data
    weights = np.where(y == 0, 0.0, 2.0)
    result = cross_validate(build, x, y, cv=3, shuffle=False, sample_weight=weights, return_models=True)
    for (train, test), model, scores in zip(StratifiedKFold(3).split(x, y), result.models, result.fold_scores):
        expected = model.evaluate(x[test], y[test], sample_weight=weights[test], return_dict=True)
        assert scores["test_loss"] == expected["loss"]


def test_same_random_state_and_seeded_models_give_the_same_result(data):
    x, y = data
    first = cross_validate(build, x, y, cv=3, epochs=2, random_state=4)
    second = cross_validate(build, x, y, cv=3, epochs=2, random_state=4)
    assert first.fold_scores == second.fold_scores


@pytest.mark.parametrize("kwargs, error, message", [
    ({"cv": 1}, ValueError, r"`cv` must be an int >= 2 or a scikit-learn splitter, got 1"),
    ({"validation_split": 0.2}, ValueError, "`validation_split` cannot be given"),
    ({"callbacks": 3}, TypeError, "`callbacks` must be a list or a factory, got int"),
])
def test_bad_arguments_are_clear_errors(data, kwargs, error, message):
    x, y = data
    with pytest.raises(error, match=message):
        cross_validate(build, x, y, **kwargs)


def test_build_fn_must_return_a_compiled_model(data):
    x, y = data
    with pytest.raises(ValueError, match="must return a compiled model"):
        cross_validate(lambda: Sequential([Input((4,)), Dense(3)]), x, y, cv=2)
    with pytest.raises(TypeError, match="`build_fn` must be a callable"):
        cross_validate("model", x, y)


def test_breast_cancer_cross_validation_scores_well():
    data = load_breast_cancer()
    x = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)

    def binary():
        model = Sequential([Input((30,)), Dense(16, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return model

    result = cross_validate(binary, x, data.target, cv=3, epochs=10, random_state=0)
    assert result.mean["test_accuracy"] > 0.93
    assert result.std["test_accuracy"] < 0.05

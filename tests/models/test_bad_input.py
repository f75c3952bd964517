"""Every bad input gets a ValueError/TypeError that names the argument, what was expected
and what was received."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Dense, Input


@pytest.fixture
def classifier():
    model = gw.Sequential([Input((4,)), Dense(8, activation="relu"), Dense(3, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


X = np.ones((10, 4))
Y = np.zeros(10, dtype=int)


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"x": np.ones((10, 5))}, ValueError, r"`x` has per-sample shape \(5,\) but the model expects \(4,\)"),
    ({"y": np.zeros(9)}, ValueError, r"`x` and `y` must have the same number of samples, got 10 and 9"),
    ({"x": np.where(np.eye(10, 4) > 0, np.nan, 1.0)}, ValueError, r"`x` contains 4 non-finite value\(s\) \(NaN"),
    ({"x": np.where(np.eye(10, 4) > 0, np.inf, 1.0)}, ValueError, r"`x` contains 4 non-finite value\(s\) \(Inf"),
    ({"y": np.array([0.0] * 9 + [np.nan])}, ValueError, r"`y` contains 1 non-finite"),
    ({"y": np.array([0] * 9 + [3])}, ValueError, r"`y`.*3 classes"),
    ({"y": np.array([0] * 9 + [-1])}, ValueError, r"`y`"),
    ({"x": np.ones((10, 2, 2))}, ValueError, r"`x` has per-sample shape \(2, 2\) but the model expects \(4,\)"),
    ({"x": np.ones((0, 4)), "y": np.zeros(0)}, ValueError, r"`x` is empty"),
    ({"batch_size": 0}, ValueError, r"`batch_size` must be a positive int, got 0"),
    ({"batch_size": -3}, ValueError, r"`batch_size` must be a positive int, got -3"),
    ({"x": np.array(["a"] * 40).reshape(10, 4)}, TypeError, r"`x` must hold numbers"),
    ({"validation_split": 1.5}, ValueError, r"`validation_split` must be a float in \[0, 1\), got 1.5"),
    ({"validation_data": (X,)}, ValueError, r"`validation_data` must be a tuple \(x_val, y_val\)"),
    ({"epochs": -1}, ValueError, r"`epochs` must be a non-negative int, got -1"),
    ({"sample_weight": np.ones(3)}, ValueError, r"`sample_weight` must have shape \(10,\)"),
    ({"class_weight": {0: 1.0}, "y": np.array([0, 1] * 5)}, ValueError, r"`class_weight` has no weight for class\(es\) \[1\]"),
])
def test_fit_rejects_bad_input_with_a_clear_message(classifier, kwargs, error, pattern):
    arguments = {"x": X, "y": Y, "verbose": 0, **kwargs}
    before = [w.copy() for w in classifier.get_weights()]
    with pytest.raises(error, match=pattern):
        classifier.fit(**arguments)
    for old, new in zip(before, classifier.get_weights()):
        assert np.array_equal(old, new), "a rejected fit must not change the model"


def test_dense_on_3d_input_gives_3d_outputs_that_must_match_the_targets():
    # Keras's Dense maps the last axis, so (5, 2, 4) inputs give (5, 2, 3) outputs: 2-D targets are refused
    model = gw.Sequential([Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"\(5, 3\)"):
        model.fit(np.ones((5, 2, 4)), np.ones((5, 3)), verbose=0)


def test_fit_before_compile():
    model = gw.Sequential([Input((4,)), Dense(1)])
    with pytest.raises(ValueError, match=r"fit: the model must be compiled first"):
        model.fit(X, Y)


@pytest.mark.parametrize("factory, pattern", [
    (lambda: Dense(3, activation="relux"), r"Unknown activation 'relux'. Valid names: .*relu.*sigmoid"),
    (lambda: Dense(3, kernel_initializer="he_unifrom"), r"Unknown initializer 'he_unifrom'. Valid names: .*he_uniform"),
    (lambda: Dense(3, kernel_regularizer="l3"), r"Unknown regularizer 'l3'. Valid names: l1, l1_l2, l2"),
    (lambda: gw.optimizers.get("adamm"), r"Unknown optimizer 'adamm'. Valid names: .*adam.*sgd"),
    (lambda: gw.losses.get("msee"), r"Unknown loss 'msee'. Valid names: .*mse"),
    (lambda: gw.layers.Dropout(1.0), r"`rate` must be a float in \[0, 1\), got 1.0"),
    (lambda: gw.layers.Dropout(-0.1), r"`rate` must be a float in \[0, 1\), got -0.1"),
    (lambda: Dense(0), r"Dense: `units` must be a positive int, got 0"),
    (lambda: Dense(3, activation=lambda v: v),
     r"`activation` got the function '<lambda>': a plain Python function has no derivative"),
])
def test_unknown_names_and_bad_arguments(factory, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        factory()


def test_model_input_mismatch_at_predict(classifier):
    with pytest.raises(ValueError, match=r"expected shape \(samples, 4\), got \(2, 7\)"):
        classifier.predict(np.ones((2, 7)))


def test_one_hot_targets_must_match_output_width():
    model = gw.Sequential([Input((4,)), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"`y`"):
        model.fit(X, np.eye(4)[np.zeros(10, dtype=int)], verbose=0)

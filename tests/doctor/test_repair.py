"""Repairs as spec edits, and the exact folding of standardization into Dense layers."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.doctor import remedies
from gradwise.doctor.edits import EDITS
from gradwise.doctor.repair import fold
from gradwise.doctor.spec import Preparation, Spec

from .traces import mlp, new_trace


def _spec(copy=True):
    model = gw.Sequential([gw.Input((6,)), gw.Dense(8, activation="relu", name="h0"),
                           gw.Dense(8, activation="relu", name="h1", kernel_regularizer=gw.regularizers.L2(1.0)),
                           gw.Dense(3, activation="softmax", name="out")], seed=0)
    model.compile(gw.optimizers.SGD(learning_rate=5.0), "sparse_categorical_crossentropy", metrics=["accuracy"])
    spec = Spec.from_model(model)
    return spec.copy() if copy else spec  # repairs edit copies, which start from fresh weights


def _apply(spec, remedy, trace=None):
    change = EDITS[remedy.action](spec, remedy, trace or new_trace(mlp()))
    return change, spec.build()


def test_learning_rate_and_clipping_edits():
    spec = _spec()
    setup = {"optimizer": {"class": "SGD", "learning_rate": 5.0}}
    change, model = _apply(spec, remedies.lower_learning_rate(setup))
    assert change == "SGD learning_rate 5 -> 0.5" and model.optimizer.learning_rate == pytest.approx(0.5)
    _, model = _apply(spec, remedies.clipnorm(setup))
    assert model.optimizer.clipnorm == 1.0


def test_leaky_relu_edit_uses_he_initialization():
    spec = _spec()
    change, model = _apply(spec, remedies.leaky_relu([{"name": "h0", "units": 8}]))
    layer = model.get_layer("h0")
    assert layer.activation.name == "leaky_relu" and layer.activation.negative_slope == 0.1
    assert type(layer.kernel_initializer).__name__ == "HeNormal"
    assert model.get_layer("h1").activation.name == "relu"
    assert "LeakyReLU(negative_slope=0.1)" in change


def test_batch_norm_edit_moves_the_activation_after_the_normalization():
    _, model = _apply(_spec(), remedies.batch_norm([{"name": "h1"}]))
    names = [(type(layer).__name__, getattr(getattr(layer, "activation", None), "name", None))
             for layer in model.layers]
    assert names == [("Dense", "relu"), ("Dense", "linear"), ("BatchNormalization", None), ("Activation", "relu"),
                     ("Dense", "softmax")]


def test_regularize_edit_adds_dropout_and_early_stopping():
    spec = _spec()
    _, model = _apply(spec, remedies.regularize(rate=0.3, patience=5))
    assert [type(layer).__name__ for layer in model.layers].count("Dropout") == 2
    (callback,) = spec.make_callbacks()
    assert type(callback).__name__ == "EarlyStopping" and callback.restore_best_weights and callback.patience == 5


def test_weaken_regularization_divides_the_coefficient():
    _, model = _apply(_spec(), remedies.weaken_regularization([{"name": "h1"}], factor=100.0))
    assert model.get_layer("h1").kernel_regularizer.l2 == pytest.approx(0.01)


def test_fix_output_changes_the_loss_and_the_activation():
    trace = new_trace(mlp(outputs=3), loss="binary_crossentropy")
    trace.setup["output_layer"] = "out"
    spec = _spec()
    _, model = _apply(spec, remedies.fix_output(trace.setup, None, "categorical_crossentropy", from_logits=True), trace)
    assert model.get_layer("out").activation.name == "linear"
    assert model.loss.name == "categorical_crossentropy" and model.loss.from_logits


def test_copies_start_from_fresh_weights_but_the_original_spec_keeps_them():
    spec = _spec(copy=False)
    assert spec.weights is not None and spec.copy().weights is None


def test_folding_input_standardization_is_exact(rng):
    model = gw.Sequential([gw.Input((4,)), gw.Dense(5, activation="tanh"), gw.Dense(2)], seed=1, dtype="float64")
    spec = Spec(gw.Sequential, model.get_config(), {})
    spec.standardize_inputs = spec.standardize_targets = True
    x = rng.normal(size=(50, 4)) * [10.0, 0.1, 3.0, 100.0] + [5.0, -2.0, 0.0, 1000.0]
    y = rng.normal(size=(50, 2)) * 40.0 + 150.0
    preparation = Preparation(spec, x, y)
    expected = preparation.predictions(model.predict(preparation.inputs(x)))
    folded = fold(model, preparation)
    assert preparation.x_mean is None and preparation.y_mean is None
    np.testing.assert_allclose(folded.predict(x), expected, rtol=1e-10, atol=1e-9)


def test_folding_skips_a_model_that_does_not_start_with_dense(rng):
    model = gw.Sequential([gw.Input((4,)), gw.BatchNormalization(), gw.Dense(2)], seed=1, dtype="float64")
    spec = Spec(gw.Sequential, model.get_config(), {})
    spec.standardize_inputs = True
    preparation = Preparation(spec, rng.normal(size=(20, 4)) + 3.0, np.zeros(20))
    fold(model, preparation)
    assert preparation.x_mean is not None  # kept for the caller to apply


def test_every_remedy_the_detectors_propose_can_be_applied():
    import inspect

    actions = set()
    for name, function in inspect.getmembers(remedies, inspect.isfunction):
        source = inspect.getsource(function)
        if 'Remedy("' in source:
            actions.add(source.split('Remedy("', 1)[1].split('"', 1)[0])
    from gradwise.doctor.detectors import numerics

    actions.add(inspect.getsource(numerics).split('remedies.Remedy("', 1)[1].split('"', 1)[0])
    assert len(actions) >= 19 and actions <= set(EDITS)

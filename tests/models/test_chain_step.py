"""The compiled whole step of a small Dense/Dropout chain (models/chain_step.py) against the
layer-by-layer step it replaces: the same loss and gradients (to float rounding: only the
products' order of summation differs), the same dropout draws, the same training; and the
layer-by-layer step wherever the kernel does not describe the model."""

import types

import numpy as np
import pytest

import gradwise as gw
from gradwise import ops
from gradwise.callbacks import Callback
from gradwise.layers import Dense, Dropout, Input
from gradwise.models import chain_step
from gradwise.models.chain_step import ChainStep

pytestmark = pytest.mark.skipif("numba" not in ops.available_ops(), reason="the kernel is numba's")

NO_HOOKS = types.SimpleNamespace(wants_train_step=False, needs_every_step=False)
TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-7), "float64": dict(rtol=1e-11, atol=1e-14)}

# (loss, output activation, output units, hidden activations)
CASES = [
    ("binary_crossentropy", "sigmoid", 1, ("relu", "tanh")),
    ("binary_crossentropy", "sigmoid", 3, ("sigmoid", "linear")),
    ("sparse_categorical_crossentropy", "softmax", 5, ("relu", "relu")),
    ("mse", "linear", 2, ("tanh", "relu")),
    ("mse", "sigmoid", 2, ("relu", "sigmoid")),
    ("binary_crossentropy", "sigmoid", 1, ("elu", "gelu")),
    ("sparse_categorical_crossentropy", "softmax", 3, (gw.activations.ELU(alpha=0.5),
                                                       gw.activations.GELU(approximate=True))),
]


def _data(loss, units, dtype, rows=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 7)).astype(dtype)
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, units, rows)
    elif loss == "binary_crossentropy":
        y = (rng.random((rows, units)) > 0.5).astype(dtype)
    else:
        y = rng.normal(size=(rows, units)).astype(dtype)
    return x, y, rng.random(rows) + 0.25


def _model(loss, last, units, hidden, dtype="float32", dropout=(0.1, 0.3), seed=3):
    model = gw.Sequential([Input((7,)), Dropout(dropout[0]), Dense(16, activation=hidden[0]), Dropout(dropout[1]),
                           Dense(12, activation=hidden[1], use_bias=False), Dense(units, activation=last)],
                          seed=seed, dtype=dtype)
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"] if loss != "mse" else ["mae"])
    return model


def _chain_gradients(model, x, y, weights):
    inputs, targets, sample_weights = model._prepare(x, y, weights)
    model._fused_output()
    chain = ChainStep.plan(model, model.parameter_set, NO_HOOKS)
    assert chain is not None
    chain.take_generators()
    value, outputs = chain.run(inputs, targets, sample_weights)
    chain.give_back_generators()
    return value, model.parameter_set.grads.copy(), outputs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss,last,units,hidden", CASES)
def test_one_step_gives_the_layers_loss_gradients_outputs_and_dropout_draws(loss, last, units, hidden, weighted, dtype):
    x, y, weights = _data(loss, units, dtype)
    weights = weights if weighted else None
    compiled, layered = _model(loss, last, units, hidden, dtype), _model(loss, last, units, hidden, dtype)
    value, grads, outputs = _chain_gradients(compiled, x, y, weights)
    expected_value, _ = layered.compute_gradients(x, y, sample_weight=weights, training=True)
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(value, expected_value, **tolerance)
    np.testing.assert_allclose(grads, layered.parameter_set.grads, **tolerance)
    assert np.abs(grads).max() > 0
    # the outputs of the same masks (the dropout generators drew the same bits and are left alike)
    for mine, theirs in zip(compiled.layers, layered.layers):
        if isinstance(mine, Dropout):
            assert mine._rng.bit_generator.state == theirs._rng.bit_generator.state
    layered_outputs = layered._graph.forward([x.astype(dtype)], training=False).values[-1]
    assert outputs.shape == layered_outputs.shape


@pytest.mark.parametrize("loss,last,units,hidden", CASES[:1] + CASES[2:4])
def test_one_step_agrees_with_the_numpy_seam_too(loss, last, units, hidden):
    x, y, weights = _data(loss, units, "float64")
    value, grads, _ = _chain_gradients(_model(loss, last, units, hidden, "float64"), x, y, weights)
    layered = _model(loss, last, units, hidden, "float64")
    with ops.use_ops("numpy"):
        expected_value, _ = layered.compute_gradients(x, y, sample_weight=weights, training=True)
    np.testing.assert_allclose(value, expected_value, **TOLERANCE["float64"])
    np.testing.assert_allclose(grads, layered.parameter_set.grads, **TOLERANCE["float64"])


def test_the_gradient_matches_finite_differences_in_float64():
    x, y, _ = _data("binary_crossentropy", 2, "float64", rows=9)
    model = _model("binary_crossentropy", "sigmoid", 2, ("tanh", "sigmoid"), "float64", dropout=(0.0, 0.0))
    value, grads, _ = _chain_gradients(model, x, y, None)
    values = model.parameter_set.values
    rng = np.random.default_rng(1)
    for index in rng.choice(values.size, 25, replace=False):
        saved = values[index]
        values[index] = saved + 1e-6
        above, _, _ = _chain_gradients(model, x, y, None)
        values[index] = saved - 1e-6
        below, _, _ = _chain_gradients(model, x, y, None)
        values[index] = saved
        assert (above - below) / 2e-6 == pytest.approx(grads[index], rel=1e-6, abs=1e-9)
    assert value > 0


def _fit(loss, last, units, hidden, compiled, callbacks=(), monkeypatch=None, epochs=3):
    x, y, weights = _data(loss, units, "float32", rows=70)
    if not compiled:
        monkeypatch.setattr(chain_step, "LARGEST_PRODUCT", 0)  # every layer too wide: the layers' step
    model = _model(loss, last, units, hidden)
    history = model.fit(x, y, sample_weight=weights, batch_size=16, epochs=epochs, verbose=0,
                        validation_data=(x[:20], y[:20]), callbacks=list(callbacks))
    monkeypatch.undo()
    return model, history.history


@pytest.mark.parametrize("loss,last,units,hidden", CASES)
def test_fit_trains_as_the_layers_do(loss, last, units, hidden, monkeypatch):
    calls = []
    run = ChainStep.run
    monkeypatch.setattr(ChainStep, "run", lambda self, *args: calls.append(1) or run(self, *args))
    compiled, compiled_history = _fit(loss, last, units, hidden, True, monkeypatch=monkeypatch)
    assert len(calls) == 15  # 5 batches a epoch, 3 epochs, all of them compiled
    layered, layered_history = _fit(loss, last, units, hidden, False, monkeypatch=monkeypatch)
    assert compiled_history.keys() == layered_history.keys()
    for key in compiled_history:
        np.testing.assert_allclose(compiled_history[key], layered_history[key], rtol=1e-5, atol=1e-6)
    for mine, theirs in zip(compiled.get_weights(), layered.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
    assert compiled.layers[0]._rng.bit_generator.state == layered.layers[0]._rng.bit_generator.state


class DrawsAtBatchEnd(Callback):
    """Reads and draws from the first dropout layer's generator at the end of every batch."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(float(self.model.layers[0]._rng.random()))


def test_a_batch_callback_sees_and_draws_from_the_generators_as_with_the_layers(monkeypatch):
    compiled_callback, layered_callback = DrawsAtBatchEnd(), DrawsAtBatchEnd()
    compiled, _ = _fit(*CASES[0], True, [compiled_callback], monkeypatch)
    layered, _ = _fit(*CASES[0], False, [layered_callback], monkeypatch)
    assert compiled_callback.seen == layered_callback.seen and len(set(compiled_callback.seen)) == 15
    for mine, theirs in zip(compiled.get_weights(), layered.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)


def test_a_non_finite_loss_writes_no_gradient():
    x, y, _ = _data("binary_crossentropy", 1, "float32")
    model = _model("binary_crossentropy", "sigmoid", 1, ("relu", "tanh"))
    model.layers[-1].params["kernel"][...] = np.inf
    model.parameter_set.grads[...] = 7.0
    value, grads, _ = _chain_gradients(model, x, y, None)
    assert not np.isfinite(value) and np.all(grads == 7.0)


def _plan(model):
    model._fused_output()
    return ChainStep.plan(model, model.parameter_set, NO_HOOKS)


def _chain(*layers, loss="binary_crossentropy"):
    model = gw.Sequential([Input((7,)), *layers], seed=0)
    model.compile(optimizer="adam", loss=loss)
    return model


@pytest.mark.parametrize("make", [
    lambda: _chain(Dense(4, activation="selu"), Dense(1, activation="sigmoid")),
    lambda: _chain(Dense(4, activation="relu", activity_regularizer="l1"), Dense(1, activation="sigmoid")),
    lambda: _chain(Dense(4), Dropout(0.5, noise_shape=(None, 1)), Dense(1, activation="sigmoid")),
    lambda: _chain(Dense(4), Dense(1, activation="sigmoid"), loss=gw.losses.BinaryCrossentropy(label_smoothing=0.1)),
    lambda: _chain(Dense(4), Dense(1, activation="linear"), loss=gw.losses.BinaryCrossentropy(from_logits=True)),
    lambda: _chain(Dense(4), Dense(1, activation="tanh"), loss="binary_crossentropy"),
    lambda: _chain(Dense(4), Dense(3, activation="softmax"), loss="mse"),
    lambda: _chain(Dense(4), Dense(3, activation="softmax"), loss="categorical_crossentropy"),
    lambda: _chain(Dense(1000), Dense(200), Dense(1, activation="sigmoid")),  # 32 x 1000 x 200: the layers'
    lambda: _chain(gw.layers.BatchNormalization(), Dense(1, activation="sigmoid")),
], ids=["selu", "activity-penalty", "noise-shape", "label-smoothing", "from-logits",
        "bce-on-tanh", "mse-on-softmax", "categorical", "too-wide", "other-layer"])
def test_what_the_kernel_does_not_describe_keeps_the_layers_step(make):
    assert _plan(make()) is None


def test_frozen_or_replaced_layers_numpy_seam_and_step_readers_keep_the_layers_step():
    model = _chain(Dense(4, activation="relu"), Dense(1, activation="sigmoid"))
    assert _plan(model) is not None
    with ops.use_ops("numpy"):
        assert _plan(model) is None
    model._fused_output()
    step_readers = types.SimpleNamespace(wants_train_step=True, needs_every_step=True)
    assert ChainStep.plan(model, model.parameter_set, step_readers) is None
    forward = model.layers[0].forward
    model.layers[0].forward = lambda inputs, training=False: forward(inputs, training)
    assert _plan(model) is None
    del model.layers[0].forward
    assert _plan(model) is not None
    model.layers[0].trainable = False
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert _plan(model) is None


def test_a_subclassed_model_keeps_its_own_pass():
    class Chain(gw.Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(4, activation="relu")
            self.out = Dense(1, activation="sigmoid")

        def call(self, inputs, training=False):
            return self.out(self.hidden(inputs))

    model = Chain()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(np.zeros((4, 7), np.float32), np.zeros(4, np.float32), verbose=0)
    assert _plan(model) is None


def test_the_weights_penalties_train_as_with_the_layers(monkeypatch):
    def penalized():
        model = gw.Sequential([Input((7,)), Dense(16, activation="relu", kernel_regularizer=gw.regularizers.L2(0.01),
                                                  bias_regularizer=gw.regularizers.L1(0.02)),
                               Dropout(0.2), Dense(1, activation="sigmoid", kernel_regularizer=gw.regularizers.L1L2(
                                   0.001, 0.003))], seed=4)
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return model

    x, y, weights = _data("binary_crossentropy", 1, "float32", rows=70)
    calls = []
    run = ChainStep.run
    monkeypatch.setattr(ChainStep, "run", lambda self, *args: calls.append(1) or run(self, *args))
    compiled = penalized()
    compiled_history = compiled.fit(x, y, sample_weight=weights, batch_size=16, epochs=3, verbose=0,
                                    validation_data=(x[:20], y[:20])).history
    assert len(calls) == 15
    monkeypatch.setattr(chain_step, "LARGEST_PRODUCT", 0)
    layered = penalized()
    layered_history = layered.fit(x, y, sample_weight=weights, batch_size=16, epochs=3, verbose=0,
                                  validation_data=(x[:20], y[:20])).history
    assert len(calls) == 15
    for key in compiled_history:
        np.testing.assert_allclose(compiled_history[key], layered_history[key], rtol=1e-5, atol=1e-6)
    for mine, theirs in zip(compiled.get_weights(), layered.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
    # the layers' fit counts the penalties in its loss and their gradients in its steps: a chain step
    # without them would report a loss lower by the penalty and end with other weights
    penalty = sum(layer.regularization_penalty() for layer in compiled.layers if layer.regularizers)
    assert penalty > 1e-3


def test_numba_without_scipy_offers_no_chain_kernel():
    # the kernel's larger products call BLAS through numba's np.dot, which SciPy provides
    with ops.use_ops("numba") as seam:
        assert seam.dense_chain_step() is not None
        seam._has_scipy = False
        try:
            assert seam.dense_chain_step() is None
            assert _plan(_chain(Dense(4), Dense(1, activation="sigmoid"))) is None
        finally:
            seam._has_scipy = True

"""A call's fixed mode: `base_model(x, training=False)` (Keras's fine-tuning pattern) and
`layer(x, training=...)` run those layers in that mode in every pass, fit included."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import BatchNormalization, Dense, Dropout, Input

from .test_model_gradients import finite_difference_check


def _base(name="base", rate=0.5):
    """Dense -> BatchNormalization -> Dropout: every layer that trains differently from inference."""
    return gw.Sequential([Input((5,)), Dense(6, name=f"{name}_dense"), BatchNormalization(name=f"{name}_norm"),
                          Dropout(rate, name=f"{name}_drop")], name=name, seed=1)


def _training_pass(model, x):
    """The outputs of one training-mode forward pass (as fit's)."""
    return model._forward(model._prepare_inputs(x), training=True)[0]


def _fine_tuned(training):
    base = _base()
    inputs = gw.Input((5,), name="features")
    outputs = Dense(1, name="head")(base(inputs, training=training))
    return base, gw.Model(inputs, outputs, seed=2)


def test_a_nested_dropout_called_with_training_false_stays_off_in_fit(rng):
    x = rng.normal(size=(64, 5))
    base, model = _fine_tuned(training=False)
    model.compile("sgd", "mse")
    # a training pass through an inference-mode base is the inference pass: dropout off, moving stats
    assert np.array_equal(_training_pass(model, x), model.predict(x, verbose=0))
    seen = []

    class Watch(gw.callbacks.Callback):
        def on_train_step(self, step, data):
            seen.append(data["layer_outputs"]["base_drop"].copy())

    model.fit(x, x[:, :1], epochs=1, batch_size=64, verbose=0, callbacks=[Watch()])
    assert seen and np.count_nonzero(seen[0] == 0) == 0  # rate 0.5 would zero about half of them
    # without training=False the same base drops units in fit
    _, dropping = _fine_tuned(training=None)
    dropping.compile("sgd", "mse")
    assert not np.array_equal(_training_pass(dropping, x), dropping.predict(x, verbose=0))


def test_batch_normalization_of_a_base_called_with_training_false_keeps_its_moving_stats(rng):
    x = rng.normal(loc=3.0, size=(64, 5))
    base, model = _fine_tuned(training=False)
    norm = base.get_layer("base_norm")
    before = {key: value.copy() for key, value in norm.state.items()}
    gamma = norm.params["gamma"].copy()
    model.compile(gw.optimizers.Adam(0.05), "mse")
    model.fit(x, x[:, :1], epochs=3, batch_size=16, verbose=0)
    for key, value in norm.state.items():
        assert np.array_equal(value, before[key]), key
    assert not np.array_equal(norm.params["gamma"], gamma)  # still trainable: fine-tuned on moving statistics
    # the same base called in the pass's mode updates them
    base, model = _fine_tuned(training=None)
    norm = base.get_layer("base_norm")
    before = norm.state["moving_mean"].copy()
    model.compile("sgd", "mse")
    model.fit(x, x[:, :1], epochs=1, batch_size=16, verbose=0)
    assert not np.array_equal(norm.state["moving_mean"], before)


def test_frozen_base_in_inference_mode_trains_only_the_head_and_keeps_its_stats(rng):
    x = rng.normal(loc=2.0, size=(48, 5))
    base, model = _fine_tuned(training=False)
    base.trainable = False
    weights = base.get_weights()
    model.compile("adam", "mse")
    model.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0)
    for before, after in zip(weights, base.get_weights()):
        assert np.array_equal(before, after)
    assert model.parameter_set.names == ["head/kernel", "head/bias"]


def test_finite_differences_through_an_inference_mode_node(float64, rng):
    base, model = _fine_tuned(training=False)
    norm = base.get_layer("base_norm")
    norm.state["moving_mean"][:] = rng.normal(size=6)
    norm.state["moving_variance"][:] = rng.uniform(0.5, 2.0, size=6)
    model.compile("sgd", "mse")
    x, y = rng.normal(size=(6, 5)), rng.normal(size=(6, 1))
    before = norm.state["moving_mean"].copy()
    finite_difference_check(model, x, y)  # compute_gradients runs training passes
    assert np.array_equal(norm.state["moving_mean"], before)


def test_a_layer_call_with_a_fixed_mode(rng):
    inputs = gw.Input((5,))
    hidden = Dense(8, name="hidden")(inputs)
    always = Dropout(0.5, name="mc_drop")(hidden, training=True)  # Monte Carlo dropout: on in predict too
    model = gw.Model(inputs, Dense(1, name="out")(always), seed=0)
    x = rng.normal(size=(32, 5))
    assert not np.array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    never = Dropout(0.5, name="never")(Dense(8)(inputs), training=False)
    quiet = gw.Model(inputs, never, seed=0)
    quiet.compile("sgd", "mse")
    assert np.array_equal(_training_pass(quiet, x), quiet.predict(x, verbose=0))


def test_the_fixed_mode_is_saved_and_loaded(tmp_path, rng):
    _, model = _fine_tuned(training=False)
    model.compile("sgd", "mse")
    x = rng.normal(size=(16, 5))
    model.save(tmp_path / "fine.gw")
    loaded = gw.load_model(tmp_path / "fine.gw")
    loaded.compile("sgd", "mse")
    assert np.array_equal(_training_pass(loaded, x), model.predict(x, verbose=0))
    assert [node.get("training") for node in loaded.get_config()["nodes"]] == [False, None]


def test_a_subclassed_model_passes_training_false_to_a_nested_base(rng):
    base = _base()

    class FineTune(gw.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.base = base
            self.head = Dense(1)

        def call(self, inputs, training=False):
            return self.head(self.base(inputs, training=False))

    model = FineTune(seed=0)
    x = rng.normal(size=(32, 5))
    model.compile("sgd", "mse")
    model.build((5,))
    mean = base.get_layer("base_norm").state["moving_mean"].copy()
    assert np.array_equal(_training_pass(model, x), model.predict(x, verbose=0))
    model.fit(x, x[:, :1], epochs=1, batch_size=8, verbose=0)
    assert np.array_equal(base.get_layer("base_norm").state["moving_mean"], mean)


def test_training_must_be_a_bool_or_none():
    with pytest.raises(TypeError, match=r"'base': `training` must be True, False or None, got 'no'"):
        _base()(gw.Input((5,)), training="no")

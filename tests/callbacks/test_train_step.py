"""on_train_step: dispatched only when overridden, with the batch and what the step made of it;
on_train_end also after fit raises."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import Callback, CallbackList
from gradwise.layers import Dense, Input


class Steps(Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_step(self, step, data):
        self.seen.append((step, {key: (value.copy() if isinstance(value, np.ndarray) else value)
                                 for key, value in data.items() if key != "layer_outputs"},
                          {name: array.copy() for name, array in data["layer_outputs"].items()}))


def _model(activation="sigmoid", loss="binary_crossentropy"):
    model = gw.Sequential([Input((3,)), Dense(4, activation="relu", name="hidden"),
                           Dense(1, activation=activation, name="out")], seed=0, dtype="float64")
    model.compile(optimizer=gw.optimizers.SGD(learning_rate=1e-12), loss=loss)  # weights stay put
    return model


def test_the_step_hook_is_dispatched_only_when_overridden():
    model = _model()
    assert not CallbackList([Callback(), gw.callbacks.History()], model, {}).wants_train_step
    assert CallbackList([Callback(), Steps()], model, {}).wants_train_step


@pytest.mark.parametrize("activation, loss", [("sigmoid", "binary_crossentropy"), ("tanh", "mse")])
def test_the_step_hook_gets_each_batch_and_its_results(rng, activation, loss):
    model = _model(activation, loss)
    x, y = rng.normal(size=(20, 3)), rng.integers(0, 2, size=20).astype(float)
    steps = Steps()
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0, callbacks=[steps])
    assert [step for step, _, _ in steps.seen] == list(range(6))
    assert [(data["epoch"], data["batch"]) for _, data, _ in steps.seen] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    for _, data, layers in steps.seen[:3]:
        start = 8 * data["batch"]
        np.testing.assert_array_equal(data["inputs"], x[start:start + 8])
        np.testing.assert_array_equal(data["targets"].ravel(), y[start:start + 8])
        np.testing.assert_allclose(data["outputs"], model.predict(data["inputs"], verbose=0), rtol=1e-9)
        assert data["loss"] == pytest.approx(model.evaluate(data["inputs"], data["targets"], verbose=0), rel=1e-9)
        assert data["updated"] and data["sample_weight"] is None
        hidden = model.get_layer("hidden")
        np.testing.assert_allclose(layers["hidden"], np.maximum(data["inputs"] @ hidden.params["kernel"]
                                                                + hidden.params["bias"], 0), rtol=1e-9)
        np.testing.assert_array_equal(layers["out"], data["outputs"])
        if activation == "sigmoid":  # the loss reads the logits: the hook gets them too
            np.testing.assert_allclose(1 / (1 + np.exp(-data["logits"])), data["outputs"], rtol=1e-12)
        else:
            assert data["logits"] is None


class _Ends(Callback):
    ended = 0

    def on_train_end(self, logs=None):
        _Ends.ended += 1


class _Boom(Callback):
    def on_train_step(self, step, data):
        if step == 2:
            raise RuntimeError("boom")


def test_on_train_end_runs_when_fit_raises(rng):
    _Ends.ended = 0
    with pytest.raises(RuntimeError, match="boom"):
        _model().fit(rng.normal(size=(20, 3)), np.ones(20), epochs=2, batch_size=4, verbose=0,
                     callbacks=[_Ends(), _Boom()])
    assert _Ends.ended == 1


class _BrokenEnd(Callback):
    def on_train_end(self, logs=None):
        raise ValueError("cleanup failed")


def test_the_error_that_stopped_fit_wins_over_one_in_on_train_end(rng):
    with pytest.warns(RuntimeWarning, match=r"_BrokenEnd.on_train_end failed after fit raised: ValueError"):
        with pytest.raises(RuntimeError, match="boom"):
            _model().fit(rng.normal(size=(20, 3)), np.ones(20), epochs=1, batch_size=4, verbose=0,
                         callbacks=[_BrokenEnd(), _Boom()])


class _Keeps(Callback):
    def on_train_step(self, step, data):
        if step == 0:
            self.kept = data
            self.loss, self.inputs = data["loss"], data["inputs"]


def test_step_data_is_a_dict_gathered_when_read_and_only_during_the_call(rng):
    model = _model()
    x, y = rng.normal(size=(16, 3)), rng.integers(0, 2, size=16).astype(float)
    keeps = _Keeps()
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0, callbacks=[keeps])
    data = keeps.kept
    assert data["loss"] == keeps.loss and data["inputs"] is keeps.inputs and data["epoch"] == 0
    assert "outputs" in data and "layer_outputs" in data  # every key is listed, made or not
    with pytest.raises(RuntimeError, match=r"data\['outputs'\] was read after the hook call returned"):
        data["outputs"]  # noqa: B018 - the step's arrays are recycled by the next step
    with pytest.raises(KeyError):
        data["no such key"]  # noqa: B018


class EveryThird(Callback):
    """A gated observer: every batch's loss, the data of every third step only."""

    def __init__(self):
        super().__init__()
        self.losses, self.steps = [], []

    def on_train_loss(self, step, loss):
        self.losses.append((step, loss))
        return step % 3 == 0

    def on_train_step(self, step, data):
        self.steps.append((step, data["loss"], data["batch"]))


def test_a_gated_observer_gets_the_data_of_the_steps_it_asks_for_and_every_loss(rng, monkeypatch):
    from gradwise.models.step_data import StepSource

    built = []
    make = StepSource.data
    monkeypatch.setattr(StepSource, "data", lambda self, *args: built.append(args[1]) or make(self, *args))
    model = _model()
    x, y = rng.normal(size=(20, 3)), rng.integers(0, 2, size=20).astype(float)
    gated, history = EveryThird(), gw.callbacks.History()
    model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0, callbacks=[gated, history])
    assert [step for step, _ in gated.losses] == list(range(9))
    assert [step for step, _, _ in gated.steps] == [0, 3, 6]
    assert [batch for _, _, batch in gated.steps] == [0, 0, 0]  # three batches an epoch
    assert dict(gated.losses)[3] == gated.steps[1][1]
    assert built == [0, 0, 0]  # the step data were built for the steps asked for only
    # an ungated observer beside it still gets every step, and the data are built once a step
    built.clear()
    steps, gated = Steps(), EveryThird()
    _model().fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0, callbacks=[gated, steps])
    assert [step for step, _, _ in steps.seen] == [0, 1, 2] and [s for s, _, _ in gated.steps] == [0]
    assert built == [0, 1, 2]

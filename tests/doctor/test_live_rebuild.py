"""Doctor(repair=True) rebuilding the model in place during fit, and layers it has no role for."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs

import gradwise as gw
from gradwise.doctor import Doctor
from gradwise.layers import Layer


@pytest.fixture(scope="module")
def blobs():
    x, y = make_blobs(n_samples=360, centers=3, n_features=4, cluster_std=2.2, random_state=7)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x[:250], y[:250], x[250:], y[250:]


class RolelessScale(Layer, register=False):
    """A layer kind the doctor has never heard of: a learned scale per feature (no role flags),
    and not in the registry (a config cannot rebuild it)."""

    def build(self, input_shape, rng):
        self.params["scale"] = np.ones(input_shape[-1:], dtype=self.dtype)

    def forward(self, inputs, training=False):
        return inputs * self.params["scale"], inputs

    # y = s x  =>  ds = sum(dy x), dx = dy s
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        grad = (grad_outputs * cache).reshape(-1, cache.shape[-1]).sum(axis=0)
        if accumulate:
            self.grads["scale"] += grad
        else:
            self.grads["scale"][...] = grad
        return grad_outputs * self.params["scale"] if input_grad else None


def _fit(model, data, epochs, doctor):
    x, y, x_val, y_val = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, validation_data=(x_val, y_val),
                         callbacks=[doctor])


def _accuracy(model, x, y):
    return float((model.predict(x, verbose=0).argmax(axis=1) == y).mean())


def test_a_sigmoid_stack_is_rebuilt_with_relu_during_fit_and_trains(blobs):
    model = gw.Sequential([gw.Input((4,))] + [gw.Dense(24, activation="sigmoid") for _ in range(9)]
                          + [gw.Dense(3, activation="softmax")], seed=0)
    model.compile(gw.optimizers.SGD(learning_rate=0.05), "sparse_categorical_crossentropy")
    before = [id(layer) for layer in model.layers]
    doctor = Doctor(repair=True, verbose=0)
    history = _fit(model, blobs, 20, doctor)
    entry = next(item for item in doctor.report.repairs if item["finding"] == "VANISHING_GRADIENT")
    assert entry["applied"] and entry["action"] == "relu_he" and "rebuilt in place" in entry["description"]
    assert entry["evidence"]  # logged with the finding's evidence
    assert [id(layer) for layer in model.layers] != before
    assert {layer.activation.name for layer in model.layers[:-1] if layer.has_kernel} == {"relu"}
    # fit trained the new layers: the rebuilt stack learns what the sigmoid stack could not
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][entry["epoch"]]
    assert _accuracy(model, blobs[2], blobs[3]) > 0.9
    assert doctor.report.after["original"]["kept"] is False


def test_raw_inputs_get_a_standardizing_first_layer_seeded_with_their_statistics(blobs):
    x, y, x_val, y_val = blobs
    raw = (x * 30.0 + 400.0, y, x_val * 30.0 + 400.0, y_val)
    model = gw.Sequential([gw.Input((4,)), gw.Dense(32, activation="tanh"), gw.Dense(3, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    doctor = Doctor(repair=True, verbose=0)
    _fit(model, raw, 12, doctor)
    entry = next(item for item in doctor.report.repairs if item["finding"] == "UNNORMALIZED_INPUT")
    assert entry["applied"] and entry["action"] == "standardize_inputs"
    first = model.layers[0]
    assert first.name == "input_standardization" and first.normalizes
    assert np.allclose(first.state["moving_mean"], raw[0].mean(axis=0), rtol=0.05)
    assert _accuracy(model, raw[2], raw[3]) > 0.85  # the model still takes the raw inputs


def test_a_layer_kind_without_roles_does_not_crash_the_doctor(blobs):
    model = gw.Sequential([gw.Input((4,)), RolelessScale(name="scale"), gw.Dense(16, activation="relu"),
                           gw.Dense(3, activation="softmax")], seed=0)
    model.compile(gw.optimizers.Adam(learning_rate=0.01), "sparse_categorical_crossentropy")
    doctor = Doctor(verbose=0)
    _fit(model, blobs, 15, doctor)
    assert doctor.report.codes("warning") == set()
    assert any(info["name"] == "scale" for info in doctor.report.trace.layers)


def test_a_rebuild_the_config_cannot_express_is_proposed_not_crashed(blobs):
    # a sigmoid stack behind an unregistered layer: the ReLU rebuild needs a config that names every
    # layer, so it is logged as proposed and training runs to the end
    model = gw.Sequential([gw.Input((4,)), RolelessScale(name="scale")] + [gw.Dense(24, activation="sigmoid")
                                                                  for _ in range(9)]
                          + [gw.Dense(3, activation="softmax")], seed=0)
    model.compile(gw.optimizers.SGD(learning_rate=0.05), "sparse_categorical_crossentropy")
    doctor = Doctor(repair=True, verbose=0)
    history = _fit(model, blobs, 8, doctor)
    assert len(history.history["loss"]) == 8
    entries = [item for item in doctor.report.repairs if item["finding"] == "VANISHING_GRADIENT"]
    assert entries and not any(item["applied"] and item["action"] == "relu_he" for item in entries)
    assert isinstance(model.layers[0], RolelessScale)


def test_a_nan_epoch_is_treated_and_training_goes_on_from_the_remedy(blobs):
    x, y, x_val, y_val = blobs
    model = gw.Sequential([gw.Input((4,)), gw.Dense(32, activation="relu"), gw.Dense(32, activation="relu"),
                           gw.Dense(1)], seed=0)
    model.compile(gw.optimizers.SGD(learning_rate=2.0), "mse")
    target = (x[:, :1] * 2.0 + x[:, 1:2] ** 2)
    doctor = Doctor(repair=True, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(x, target, epochs=10, batch_size=32, verbose=0, callbacks=[doctor])
    entry = next(item for item in doctor.report.repairs if item["applied"])
    assert entry["epoch"] == 0 and entry["action"] == "lower_learning_rate"
    assert "restarted" in entry["description"]
    assert not np.isfinite(history.history["loss"][0])  # the failed epoch stays in the history
    assert len(history.history["loss"]) == 10 and np.isfinite(history.history["loss"][-1])
    assert model.stop_reason is None

"""Doctor(repair=True) inside fit on functional and subclassed models: remedies that change no layer's
shape are applied to their layers in place; remedies that add layers or units rebuild a functional
model's graph in place; for a subclassed model (its call() is user code) they are proposed, with the reason."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs

import gradwise as gw
from gradwise.doctor import Doctor
from gradwise.layers import Dense


@pytest.fixture(scope="module")
def blobs():
    x, y = make_blobs(n_samples=360, centers=3, n_features=4, cluster_std=2.2, random_state=7)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x[:250], y[:250], x[250:], y[250:]


def _sigmoid_functional(depth=9):
    inputs = gw.Input((4,))
    hidden = inputs
    for index in range(depth):
        hidden = Dense(24, activation="sigmoid", name=f"hidden_{index}")(hidden)
    return gw.Model(inputs, Dense(3, activation="softmax", name="out")(hidden), seed=0)


class SigmoidStack(gw.Model):
    def __init__(self, depth=9, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth
        self.stack = [Dense(24, activation="sigmoid") for _ in range(depth)]
        self.out = Dense(3, activation="softmax")

    def call(self, inputs, training=False):
        for layer in self.stack:
            inputs = layer(inputs)
        return self.out(inputs)

    def get_config(self):
        return {**super().get_config(), "depth": self.depth}


def _fit(model, data, epochs, doctor):
    x, y, x_val, y_val = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, validation_data=(x_val, y_val),
                         callbacks=[doctor])


def _accuracy(model, x, y):
    return float((model.predict(x, verbose=0).argmax(axis=1) == y).mean())


@pytest.mark.parametrize("make", [_sigmoid_functional, lambda: SigmoidStack(seed=0)], ids=["functional", "subclassed"])
def test_a_sigmoid_graph_model_gets_relu_in_place_during_fit_and_trains(blobs, make):
    model = make()
    model.compile(gw.optimizers.SGD(learning_rate=0.05), "sparse_categorical_crossentropy")
    model.build((None, 4)) if not model.built else None
    said = []
    doctor = Doctor(repair=True, print_fn=said.append)
    history = _fit(model, blobs, 20, doctor)
    entry = next(item for item in doctor.report.repairs if item["finding"] == "VANISHING_GRADIENT")
    assert entry["applied"] and entry["action"] == "relu_he" and "edited in place" in entry["description"]
    assert any("relu_he" in line or "ReLU" in line for line in said)
    # (a later OVERFITTING may rebuild the graph with dropout: the edited layers' configs carry over)
    hidden = [layer for layer in model._all_layers() if layer.params.get("kernel") is not None][:-1]
    assert {layer.activation.name for layer in hidden} == {"relu"}
    assert {type(layer.kernel_initializer).__name__ for layer in hidden} == {"HeNormal"}
    # fit trained the edited layers from re-drawn weights: they learn what the sigmoid stack could not
    assert min(history.history["loss"][entry["epoch"] + 1:]) < 0.5 * history.history["loss"][entry["epoch"]]
    assert _accuracy(model, blobs[2], blobs[3]) > 0.9
    assert doctor.report.after["original"]["kept"] is False


def test_a_worse_repaired_graph_model_gets_its_activations_back(blobs):
    # the never-worse rule puts back the edited attributes too, not only the weights
    from gradwise.doctor.live_repair import LiveRepairer
    from gradwise.doctor.findings import Remedy

    model = _sigmoid_functional(depth=2)
    model.compile("adam", "sparse_categorical_crossentropy")
    repairer = LiveRepairer(model, lambda message: None)
    repairer._last_val = 0.5
    repairer._keep_original(0)
    before = model.get_weights()
    remedy = Remedy("relu_he", "ReLU", "", params={"layers": ["hidden_0", "hidden_1"]})
    assert "edited in place" in repairer._apply(remedy, 0)
    assert model.get_layer("hidden_0").activation.name == "relu"
    assert not np.array_equal(before[0], model.get_weights()[0])  # re-drawn
    repairer._last_val = 0.9  # the repaired run ended worse
    repairer.finish()
    assert repairer.kept_original["kept"]
    assert model.get_layer("hidden_0").activation.name == "sigmoid"
    assert type(model.get_layer("hidden_0").kernel_initializer).__name__ != "HeNormal"
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def _raw(blobs):
    x, y, x_val, y_val = blobs
    return x * 30.0 + 400.0, y, x_val * 30.0 + 400.0, y_val  # raw inputs: the remedy adds a standardizing layer


class TanhNet(gw.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(32, activation="tanh")
        self.out = Dense(3, activation="softmax")

    def call(self, inputs, training=False):
        return self.out(self.hidden(inputs))


def test_a_functional_model_gets_a_standardizing_first_layer_during_fit(blobs):
    raw = _raw(blobs)
    inputs = gw.Input((4,))
    hidden = Dense(32, activation="tanh", name="hidden")(inputs)
    model = gw.Model(inputs, Dense(3, activation="softmax", name="out")(hidden), seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    said = []
    doctor = Doctor(repair=True, print_fn=said.append)
    history = _fit(model, raw, 12, doctor)
    assert len(history.history["loss"]) == 12
    entry = next(item for item in doctor.report.repairs if item["finding"] == "UNNORMALIZED_INPUT")
    assert entry["applied"] and entry["action"] == "standardize_inputs" and "rebuilt in place" in entry["description"]
    assert any("UNNORMALIZED_INPUT" in line and "BatchNormalization() as the first layer" in line for line in said)
    # the graph now reads input -> input_standardization -> hidden -> out, and takes raw rows
    assert [layer.name for layer in model.layers[1:]] == ["input_standardization", "hidden", "out"]
    bn = model.get_layer("input_standardization")
    assert np.allclose(bn.state["moving_mean"], raw[0].mean(axis=0), rtol=0.05)
    assert _accuracy(model, raw[2], raw[3]) > 0.9
    assert doctor.report.after["original"]["kept"] is False


def test_a_subclassed_model_gets_the_layer_adding_remedy_proposed_with_the_reason(blobs):
    model = TanhNet(seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.build((None, 4))
    layers = [id(layer) for layer in model._all_layers()]
    said = []
    doctor = Doctor(repair=True, print_fn=said.append)
    history = _fit(model, _raw(blobs), 8, doctor)
    assert len(history.history["loss"]) == 8
    entry = next(item for item in doctor.report.repairs if item["finding"] == "UNNORMALIZED_INPUT")
    assert entry["applied"] is False and "call() is user code" in entry["note"]
    assert "standardize_inputs" in entry["note"]
    assert any("UNNORMALIZED_INPUT" in line and "not applied during fit" in line for line in said)  # announced
    assert [id(layer) for layer in model._all_layers()] == layers

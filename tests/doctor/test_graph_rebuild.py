"""The remedies that add layers or units, on a functional model's graph (``gradwise.doctor.wiring``): the
edited config builds, new layers sit where the remedy says, the rest of the graph (a skip connection) is
kept; live, the model is rebuilt in place and put back when the repaired run ends worse."""

import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise.doctor import Doctor
from gradwise.doctor.edits import EDITS
from gradwise.doctor.findings import Remedy
from gradwise.doctor.live_repair import LiveRepairer
from gradwise.doctor.spec import Spec
from gradwise.layers import Add, Dense


def _skip_model():
    """input -> a (tanh) -> b (tanh) -> Add(a, b) -> out: `a` has two readers, `b` one."""
    inputs = gw.Input((4,), name="x")
    a = Dense(8, activation="tanh", name="a")(inputs)
    b = Dense(8, activation="tanh", name="b")(a)
    out = Dense(1, name="out")(Add(name="join")([a, b]))
    model = gw.Model(inputs, out, seed=0)
    model.compile("adam", "mse")
    return model


def _reads(model, name):
    """The names of the layers whose outputs layer `name` reads."""
    config = model.get_config()
    names = [entry["config"]["name"] for entry in config["layers"]]
    made = {node["output"]: names[node["layer"]] for node in config["nodes"] if "output" in node}
    node = next(node for node in config["nodes"] if names[node["layer"]] == name)
    return [made.get(tensor, "input") for tensor in node["inputs"]]


def _edited(model, action, **params):
    spec = Spec.from_model(model).copy()
    change = EDITS[action](spec, Remedy(action, "", "", params), None)
    return change, spec.build(input_shape=(4,))


def test_batch_norm_goes_between_a_kernel_and_its_activation_and_the_skip_reads_the_block():
    change, model = _edited(_skip_model(), "batch_norm", layers=["a", "b"])
    assert "a, b" in change
    assert _reads(model, "a_bn") == ["a"] and _reads(model, "a_act") == ["a_bn"]
    assert _reads(model, "b") == ["a_act"] and _reads(model, "join") == ["a_act", "b_act"]
    assert model.get_layer("a").activation.name == "linear" and model.get_layer("a_act").activation.name == "tanh"
    assert model.predict(np.ones((3, 4)), verbose=0).shape == (3, 1)


def test_dropout_after_each_hidden_layer_but_not_the_output():
    _, model = _edited(_skip_model(), "regularize", rate=0.2, patience=3)
    assert _reads(model, "a_dropout") == ["a"] and _reads(model, "b_dropout") == ["b"]
    assert _reads(model, "join") == ["a_dropout", "b_dropout"] and _reads(model, "out") == ["join"]
    assert "out_dropout" not in [layer.name for layer in model.layers]


def test_add_capacity_widens_and_a_one_layer_graph_gets_a_second_hidden_layer():
    inputs = gw.Input((4,))
    model = gw.Model(inputs, Dense(1, name="out")(Dense(2, activation="tanh", name="narrow")(inputs)), seed=0)
    model.compile("adam", "mse")
    change, wider = _edited(model, "add_capacity", layers=["narrow"], units=16, depth=2)
    assert "16 units in narrow" in change and "narrow_deeper" in change
    assert wider.get_layer("narrow").units == 16 and wider.get_layer("narrow_deeper").units == 16
    assert wider.get_layer("narrow_deeper").activation.name == "tanh"
    assert _reads(wider, "narrow_deeper") == ["narrow"] and _reads(wider, "out") == ["narrow_deeper"]
    # the skip model has two hidden layers already: widened only
    change, skip = _edited(_skip_model(), "add_capacity", layers=["a", "b"], units=16, depth=2)
    assert "deeper" not in change and skip.get_layer("a").units == skip.get_layer("b").units == 16
    with pytest.raises(ValueError, match="one shape"):  # one branch of an Add widened: it does not build
        _edited(_skip_model(), "add_capacity", layers=["a"], units=16, depth=2)


def test_a_shared_layer_is_not_rewired():
    inputs = gw.Input((4,))
    shared = Dense(4, activation="tanh", name="shared")
    model = gw.Model(inputs, Dense(1, name="out")(shared(shared(inputs))), seed=0)
    model.compile("adam", "mse")
    with pytest.raises(ValueError, match="called 2 times"):
        _edited(model, "batch_norm", layers=["shared"])


def test_a_rebuilt_graph_model_is_put_back_when_the_repaired_run_ends_worse():
    model = _skip_model()
    layers = [id(layer) for layer in model._all_layers()]
    repairer = LiveRepairer(model, lambda message: None)
    repairer._last_val = 0.5
    repairer._keep_original(0)
    before = model.get_weights()
    assert "rebuilt in place" in repairer._apply(Remedy("batch_norm", "", "", {"layers": ["a"]}), 0)
    assert "a_bn" in [layer.name for layer in model.layers]
    repairer._last_val = 0.9
    repairer.finish()
    assert repairer.kept_original["kept"]
    assert [id(layer) for layer in model._all_layers()] == layers
    assert all(np.array_equal(x, y) for x, y in zip(before, model.get_weights()))
    assert model.predict(np.ones((2, 4)), verbose=0).shape == (2, 1)


def test_a_two_unit_functional_regressor_is_widened_and_deepened_during_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    y = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + 0.5 * x[:, 3] ** 2
    y = (y - y.mean()) / y.std()
    inputs = gw.Input((5,))
    model = gw.Model(inputs, Dense(1, name="out")(Dense(2, activation="tanh", name="narrow")(inputs)), seed=0)
    model.compile("adam", "mse")
    doctor = Doctor(repair=True, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x[:300], y[:300], epochs=20, batch_size=32, verbose=0, validation_data=(x[300:], y[300:]),
                  callbacks=[doctor])
    entry = next(item for item in doctor.report.repairs if item["finding"] == "UNDERFITTING")
    assert entry["applied"] and entry["action"] == "add_capacity" and "rebuilt in place" in entry["description"]
    if not doctor.report.after["original"]["kept"]:
        assert model.get_layer("narrow").units == 64 and model.get_layer("narrow_deeper").units == 64


class _Rows:
    def training_rows(self):
        return np.zeros((128, 4)), np.zeros((128, 1))

    def note_overhead(self, seconds, recurring=True):
        pass


@pytest.mark.parametrize("suggestion, expected", [(0.02, 0.02), (1e-5, 1e-3), (None, 1e-3)])
def test_a_rebuild_at_the_checkpoint_takes_the_range_tests_rate_only_when_higher(monkeypatch, suggestion, expected):
    model = _skip_model()  # Adam at 1e-3
    repairer = LiveRepairer(model, lambda message: None, recorder=_Rows())
    monkeypatch.setattr(repairer, "_range_test", lambda rows, fresh=True: {"suggestion": suggestion,
                                                                             "optimizer": "Adam"})
    detail = repairer._catch_up()
    assert model.optimizer.learning_rate == pytest.approx(expected)
    assert ("range test's rate" in detail) == (expected != 1e-3)

"""The doctor reads layers by role (no batch normalization after a layer normalization, no activation
rules inside recurrent cells, a clear note instead of a live rebuild for a functional model), and counts
dead ReLU units by an inference pass over kept rows where that costs less than light samples."""

import numpy as np

import gradwise as gw
from gradwise import layers as L
from gradwise.doctor import Doctor, measure, remedies
from gradwise.doctor.edits import EDITS
from gradwise.doctor.setup import describe_model
from gradwise.doctor.spec import Spec


def test_fired_matches_a_boolean_reduction_on_relu_outputs():
    rng = np.random.default_rng(0)
    outputs = np.maximum(rng.normal(size=(37, 9)) - 1.5, 0).astype(np.float32)
    outputs[:, 4] = 0.0
    np.testing.assert_array_equal(measure.fired(outputs), (outputs > 0).any(axis=0))
    conv = np.maximum(rng.normal(size=(3, 4, 4, 5)), 0)
    np.testing.assert_array_equal(measure.fired(conv), (conv.reshape(-1, 5) > 0).any(axis=0))


def _dead_stack(seed=0):
    model = gw.Sequential([gw.Input((6,)), L.Dense(16, activation="relu", bias_initializer=gw.initializers.Constant(-4.0)),
                           L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")], seed=seed)
    model.compile(gw.optimizers.Adam(1e-3), "binary_crossentropy")
    return model


def test_dead_units_are_counted_at_least_every_third_epoch_by_the_cheaper_way():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 6))
    y = (x[:, 0] > 0).astype(float)
    for batch_size in (8, 100):  # a pass over kept rows or light samples, whichever costs less: the same count
        doctor, model = Doctor(verbose=0), _dead_stack()
        model.fit(x, y, epochs=6, batch_size=batch_size, verbose=0, callbacks=[doctor])
        dead = doctor.trace.epoch_layer_series(model.layers[0].name, "dead_fraction")
        counted = np.flatnonzero(np.isfinite(dead))
        assert len(counted) >= 2 and np.diff(counted).max() <= 3 and dead[counted].min() >= 0.9
        assert doctor.report.root_cause.code in ("BAD_INITIALIZATION", "DYING_RELU")


def test_no_batch_normalization_after_a_layer_normalization():
    model = gw.Sequential([gw.Input((6,)), L.Dense(8, activation="tanh"), L.LayerNormalization(),
                           L.Dense(8, activation="tanh"), L.Dense(1)], seed=0)
    model.compile("adam", "mse")
    setup = describe_model(model)
    normalized, plain = setup["layers"][0], setup["layers"][2]
    assert normalized["normalized_after"] and not plain["normalized_after"]
    assert remedies.batch_norm([normalized]) is None
    assert remedies.batch_norm([normalized, plain]).params["layers"] == [plain["name"]]
    spec = Spec.from_model(model)
    EDITS["batch_norm"](spec, remedies.Remedy("batch_norm", "", "", {"layers": [normalized["name"]]}), None)
    assert [entry["class_name"] for entry in spec.layers] == ["Dense", "LayerNormalization", "Dense", "Dense"]


def test_recurrent_cells_get_no_activation_rules():
    model = gw.Sequential([gw.Input((5, 3)), L.LSTM(4), L.Dense(1)], seed=0)
    model.compile("adam", "mse")
    lstm = describe_model(model)["layers"][0]
    assert lstm["recurrent"] and lstm["activation"] is None


def test_a_functional_model_with_a_merge_gets_relu_in_place_and_no_dead_unit_alarm_on_the_merge():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    inputs = gw.Input((6,))
    hidden = inputs
    for _ in range(6):
        hidden = L.Dense(16, activation="sigmoid")(hidden)
    hidden = L.Add()([hidden, L.Dense(16, activation="sigmoid")(hidden)])
    model = gw.Model(inputs, L.Dense(2, activation="softmax")(hidden))
    model.compile(gw.optimizers.SGD(0.01), "sparse_categorical_crossentropy")
    doctor = Doctor(repair=True, verbose=0)
    model.fit(x, y, epochs=6, verbose=0, callbacks=[doctor], validation_split=0.2)
    # the activation change needs no new layer: applied to the functional model's own layers
    entry = next(entry for entry in doctor.report.repairs if entry["finding"] == "VANISHING_GRADIENT")
    assert entry["applied"] and "edited in place" in entry["description"]
    # six epochs of SGD at 0.01 leave the restarted model behind the original: never worse puts the
    # original activations back with its weights
    kept = doctor.report.after["original"]["kept"]
    assert {layer.activation.name for layer in model._all_layers() if layer.params.get("kernel") is not None
            and layer is not model.layers[-1]} == {"sigmoid" if kept else "relu"}
    assert not any(finding.code == "DYING_RELU" and finding.layer and finding.layer.startswith("add")
                   for finding in doctor.report.findings)

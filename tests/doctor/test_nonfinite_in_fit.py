"""NaN/Inf data inside fit: refused without a doctor; with Doctor() reported as NAN_INF (the
imputing remedy); with Doctor(repair=True) imputed inside the model (MeanImputation first) and
rows with a non-finite target left out, so predict takes raw rows with NaN."""

import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise.callbacks import NonFiniteLossWarning
from gradwise.doctor import Doctor
from gradwise.doctor.detectors.numerics import detect_nan_inf
from gradwise.layers import MeanImputation

from .traces import mlp, new_trace


def _data(seed=0, missing=0.05):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(240, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(float)
    x[rng.random(x.shape) < missing] = np.nan
    return x, y


def _model(output="sigmoid", loss="binary_crossentropy"):
    model = gw.Sequential([gw.Input((4,)), gw.Dense(8, activation="relu"), gw.Dense(1, activation=output)], seed=0)
    model.compile(gw.optimizers.Adam(0.02), loss, metrics=["accuracy"] if loss == "binary_crossentropy" else None)
    return model


def test_without_a_doctor_fit_refuses_nan_inputs_clearly():
    x, y = _data()
    with pytest.raises(ValueError, match=r"`x` contains \d+ non-finite value"):
        _model().fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"`y` contains 1 non-finite"):
        _model().fit(np.nan_to_num(x), np.where(np.arange(240) == 3, np.inf, y), epochs=1, verbose=0)


def test_the_doctor_reports_nan_inputs_as_nan_inf_with_the_imputing_remedy():
    x, y = _data()
    doctor = Doctor(verbose=0)
    with pytest.warns(NonFiniteLossWarning):  # training on NaN stops at the first NaN loss
        _model().fit(x, y, epochs=3, verbose=0, callbacks=[doctor], validation_split=0.25)
    root = doctor.report.root_cause
    assert root.code == "NAN_INF" and root.severity == "critical"
    assert root.evidence["nonfinite_x"] + root.evidence["nonfinite_validation_x"] == int(np.isnan(x).sum())
    assert root.remedies[0].action == "impute"


def _functional_model():
    inputs = gw.Input((4,))
    model = gw.Model(inputs, gw.Dense(1, activation="sigmoid")(gw.Dense(8, activation="relu")(inputs)), seed=0)
    model.compile(gw.optimizers.Adam(0.02), "binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("make", [_model, _functional_model], ids=["sequential", "functional"])
def test_repair_imputes_inside_the_model_and_predict_takes_nan_rows(tmp_path, make):
    x, y = _data()
    model, doctor = make(), Doctor(repair=True, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonFiniteLossWarning)
        history = model.fit(x, y, epochs=15, verbose=0, callbacks=[doctor], validation_split=0.25)
    imputation = next(layer for layer in model.layers if not isinstance(layer, gw.layers.InputLayer))
    assert isinstance(imputation, MeanImputation)
    train = x[:180]
    np.testing.assert_allclose(imputation.state["fill"], np.nanmean(train, axis=0), rtol=1e-5)
    assert history.history["val_accuracy"][-1] > 0.8  # trains: a NaN would have stopped fit
    applied = [entry for entry in doctor.report.repairs if entry["action"] == "impute"]
    assert applied and applied[0]["applied"] and applied[0]["epoch"] is None
    # the code shown is the user's own kind of model
    assert applied[0]["code"].startswith("model = Sequential(" if make is _model else "inputs = Input(")
    predictions = model.predict(x, verbose=0)
    assert np.isfinite(predictions).all()
    path = tmp_path / "imputed.keras"
    model.save(path)
    np.testing.assert_array_equal(gw.load_model(path).predict(x, verbose=0), predictions)
    assert doctor.report.root_cause is None or doctor.report.root_cause.code != "NAN_INF"


def test_repair_leaves_out_rows_whose_target_is_infinite():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 4))
    y = x @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=200)
    y[[5, 17, 150, 190]] = -np.inf  # log(0)
    model, doctor = _model("linear", "mse"), Doctor(repair=True, verbose=0)
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[doctor], validation_split=0.25)
    assert np.isfinite(history.history["loss"]).all() and np.isfinite(history.history["val_loss"]).all()
    dropped = next(entry for entry in doctor.report.repairs if entry["action"] == "drop_nonfinite_targets")
    assert "left out 2 training and 2 validation row(s)" in dropped["description"]
    assert not isinstance(model.layers[0], MeanImputation)  # the inputs were finite


def test_nan_inf_data_finding_fires_on_counts_and_is_info_once_treated():
    trace = new_trace(mlp())
    assert detect_nan_inf(trace) == []
    trace.setup["nonfinite_data"] = {"counts": {"x": 0, "validation x": 0, "y": 0, "validation y": 0}}
    assert detect_nan_inf(trace) == []  # silent: nothing non-finite
    trace.setup["nonfinite_data"] = {"counts": {"x": 1, "validation x": 0, "y": 2, "validation y": 0},
                                     "imputed": False, "dropped": None}
    finding, = detect_nan_inf(trace)
    assert finding.severity == "critical" and [r.action for r in finding.remedies] == ["impute", "drop_nonfinite_targets"]
    trace.setup["nonfinite_data"].update(imputed=True, dropped={"y": 2, "validation y": 0})
    finding, = detect_nan_inf(trace)
    assert finding.severity == "info" and not finding.remedies

"""Repair rounds: the next remedy when one does not clear its finding, never a model worse than the original,
and non-finite data repaired by imputation."""

import numpy as np

import gradwise as gw
from gradwise.doctor import diagnose, remedies, repair
from gradwise.doctor.findings import Finding
from gradwise.doctor.probe import ProbeResult
from gradwise.doctor.report import Report
from gradwise.doctor.spec import Preparation, Spec

from .traces import mlp, new_trace


def _spec():
    model = gw.Sequential([gw.Input((4,)), gw.Dense(8, activation="relu", name="h0"),
                           gw.Dense(3, activation="softmax", name="out")], seed=0)
    model.compile(gw.optimizers.SGD(learning_rate=1.0), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return Spec.from_model(model)


def _result(spec, accuracy, codes):
    setup = {"optimizer": {"class": "SGD", "learning_rate": 1.0}}
    findings = [Finding(code, code, "error", "", {}, [remedies.lower_learning_rate(setup),
                                                      remedies.clipnorm(setup)], step=0) for code in codes]
    model = spec.build(input_shape=(4,))
    x = np.zeros((4, 4))
    return ProbeResult(model, Report(findings, new_trace(mlp())), {"val_accuracy": accuracy, "val_log_loss": 1.0},
                       Preparation(spec, x, np.zeros(4)))


def _repair(monkeypatch, outcomes, rounds=3):
    """repair_spec with probes that return `outcomes` (accuracy, codes) in turn; the specs they were given."""
    given = []

    def probe(spec, *args, **kwargs):
        given.append(spec)
        return _result(spec, *outcomes[len(given) - 1])

    monkeypatch.setattr(repair, "run_probe", probe)
    spec = _spec()
    report = repair.repair_spec(spec, _result(spec, 0.5, ["LR_TOO_HIGH"]), None, epochs=1, batch_size=4,
                                rounds=rounds)
    return report, given


def test_a_remedy_that_does_not_clear_its_finding_gives_way_to_the_next(monkeypatch):
    report, given = _repair(monkeypatch, [(0.6, ["LR_TOO_HIGH"]), (0.9, [])])
    assert [entry["action"] for entry in report.repairs] == ["lower_learning_rate", "clipnorm"]
    assert given[1].optimizer_config["clipnorm"] == 1.0 and given[1].optimizer_config["learning_rate"] == 0.1
    assert report.after["codes"] == [] and report.after["improved"]


def test_a_round_that_scores_worse_is_undone(monkeypatch):
    report, given = _repair(monkeypatch, [(0.3, []), (0.8, [])])
    assert [entry["kept"] for entry in report.repairs] == [False, True]
    assert given[1].optimizer_config["learning_rate"] == 1.0  # the lower rate was undone before clipping
    assert "undone" in report.text()


def test_the_original_is_kept_when_every_repair_scores_worse(monkeypatch):
    report, _ = _repair(monkeypatch, [(0.3, []), (0.2, [])])
    assert report.repaired_model is None and report.after["codes"] == ["LR_TOO_HIGH"]
    assert any("original is kept" in note for note in report.notes)


def test_non_finite_data_reach_the_doctor_and_are_imputed():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    x = rng.normal(size=(300, 4)) + 2.0 * np.eye(3, 4)[y]
    x_val = x[:60].copy()
    x_val[::7, 2] = np.nan
    model = gw.Sequential([gw.Input((4,)), gw.Dense(16, activation="relu"), gw.Dense(3, activation="softmax")],
                          seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    report = diagnose(model, x, y, validation_data=(x_val, y[:60]), epochs=4, repair=True)
    assert report.root_cause.code == "NAN_INF" and report.root_cause.evidence["nonfinite_validation_x"] == 9
    assert report.repairs[0]["action"] == "impute" and "NAN_INF" not in report.after["codes"]
    assert report.repaired_model is not None and report.preparation.x_fill is not None


def test_a_model_compiled_with_a_metric_function_can_be_diagnosed():
    from gradwise.doctor import find_learning_rate

    def hits(y_true, y_pred):
        return (y_pred.argmax(axis=1) == y_true.reshape(-1)).astype("float64")

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    x = rng.normal(size=(200, 4)) + 2.0 * np.eye(3, 4)[y]
    model = gw.Sequential([gw.Input((4,)), gw.Dense(8, activation="relu"), gw.Dense(3, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy", hits])
    assert diagnose(model, x, y, epochs=2).trace.epochs
    assert find_learning_rate(model, x, y, steps=20).learning_rates.size
    assert model._metric_specs[-1] is hits  # the user's model keeps its metrics

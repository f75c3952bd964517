"""diagnose(): a probe on a copy of the model, returning a report."""

import json

import numpy as np
import pytest
from sklearn.datasets import load_digits

import gradwise as gw
from gradwise.doctor import Report, diagnose


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return data.data[:500] / 16.0, data.target[:500]


def _mlp(learning_rate=0.01, optimizer="adam", loss="sparse_categorical_crossentropy", seed=0, **dense):
    model = gw.Sequential([gw.Input((64,)), gw.Dense(32, activation="relu", **dense),
                           gw.Dense(10, activation="softmax")], seed=seed)
    model.compile(optimizer=gw.optimizers.get(optimizer).__class__(learning_rate=learning_rate), loss=loss,
                  metrics=["accuracy"])
    return model


def test_diagnose_returns_a_report_with_text_dict_and_figure(digits):
    model = _mlp(learning_rate=5.0, optimizer="sgd")
    report = diagnose(model, *digits, epochs=4)
    assert isinstance(report, Report)
    assert report.root_cause.code == "LR_TOO_HIGH"
    assert "LR_TOO_HIGH [root cause]" in report.text()
    data = json.loads(json.dumps(report.to_dict()))
    assert data["root_cause"] == "LR_TOO_HIGH" and data["before"]["val_accuracy"] is not None
    assert len(report.figure().axes) == 4


def test_diagnose_leaves_the_model_untouched(digits):
    model = _mlp()
    weights = [array.copy() for array in model.get_weights()]
    diagnose(model, *digits, epochs=2)
    assert all(np.array_equal(before, after) for before, after in zip(weights, model.get_weights()))
    assert model.optimizer.iterations == 0 and model.history is None


def test_diagnose_catches_labels_fit_would_reject(digits):
    x, y = digits
    model = _mlp(loss="categorical_crossentropy")
    report = diagnose(model, x, y, epochs=2)
    assert report.root_cause.code == "LOSS_ACTIVATION_MISMATCH"
    assert report.root_cause.remedies[0].params["loss"] == "sparse_categorical_crossentropy"
    assert any("did not train" in note for note in report.notes)


def test_diagnose_repair_logs_each_change_and_improves_a_zero_init(digits):
    model = _mlp(kernel_initializer="zeros")
    report = diagnose(model, *digits, epochs=6, repair=True)
    assert "BAD_INITIALIZATION" in report.before["codes"]
    entry = next(item for item in report.repairs if item["finding"] == "BAD_INITIALIZATION")
    assert entry["action"] == "reinitialize" and "he_normal" in entry["code"]
    assert "BAD_INITIALIZATION" not in report.after["codes"]
    assert report.after["val_accuracy"] > report.before["val_accuracy"] + 0.3
    assert report.after["improved"] and "Before and after the repairs" in report.text()
    repaired = report.repaired_model
    assert np.std(repaired.layers[0].get_weights()[0]) > 0


def test_repaired_model_takes_raw_inputs_after_standardization(rng):
    x = rng.normal(size=(400, 4)) * [100.0, 1.0, 50.0, 1.0] + [1000.0, 0.0, -300.0, 5.0]
    y = ((x[:, 0] - 1000) / 100 + (x[:, 2] + 300) / 50 > 0).astype(float)
    model = gw.Sequential([gw.Input((4,)), gw.Dense(8, activation="sigmoid"), gw.Dense(1, activation="sigmoid")],
                          seed=0)
    model.compile(gw.optimizers.Adam(learning_rate=0.01), "binary_crossentropy", metrics=["accuracy"])
    report = diagnose(model, x, y, epochs=8, repair=True)
    assert "UNNORMALIZED_INPUT" in report.before["codes"]
    assert any(item["action"] == "standardize_inputs" for item in report.repairs)
    accuracy = ((report.repaired_model.predict(x) > 0.5)[:, 0] == (y > 0.5)).mean()
    assert accuracy > 0.9  # raw inputs: the scaler was folded into the first Dense layer
    assert any("folded into the kernel and bias" in note for note in report.notes)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "`epochs` must be a positive int, got 0"),
    ({"validation_split": 1.5}, r"`validation_split` must be a float in \(0, 1\)"),
    ({"validation_data": [1, 2, 3]}, r"`validation_data` must be a tuple \(x_val, y_val\)"),
])
def test_diagnose_rejects_bad_arguments(digits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        diagnose(_mlp(), *digits, **kwargs)


def test_diagnose_needs_a_compiled_model(digits):
    model = gw.Sequential([gw.Input((64,)), gw.Dense(10, activation="softmax")])
    with pytest.raises(ValueError, match="`model` must be compiled first"):
        diagnose(model, *digits)
    with pytest.raises(ValueError, match="same number of samples, got 500 and 499"):
        diagnose(_mlp(), digits[0], digits[1][:499])


def test_a_finished_training_is_probed_from_scratch_and_stopped_as_it_was_trained(digits):
    x, y = digits
    model = _mlp()
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)  # trained: its first probe epoch starts near the end
    continued = diagnose(model, x, y, epochs=6)
    fresh = diagnose(model, x, y, epochs=6, from_scratch=True)
    first_loss = lambda report: report.trace.epochs[0]["logs"]["loss"]  # noqa: E731
    assert first_loss(continued) < 0.5 * first_loss(fresh)  # fresh starts where an untrained network does
    # restarted from the initializers the model's config draws: the same as an untrained copy's probe
    untrained = diagnose(_mlp(), x, y, epochs=6)
    assert first_loss(fresh) == pytest.approx(first_loss(untrained), rel=1e-6)

    stopped = diagnose(_mlp(learning_rate=0.05), x, y, epochs=60, batch_size=16, patience=2)
    epochs = len(stopped.trace.epochs)
    assert epochs < 60  # EarlyStopping ended the probe, and the run is judged up to its best epoch
    assert stopped.trace.setup["restored_epoch"] <= epochs - 3
    with pytest.raises(ValueError, match="`patience` must be a positive int or None, got 0"):
        diagnose(model, x, y, patience=0)

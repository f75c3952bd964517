"""Doctor inside fit: a faulty run, a healthy run, and live repairs."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

import gradwise as gw
from gradwise.doctor import Doctor


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return data.data[:600] / 16.0, data.target[:600]


def _mlp(optimizer, seed=0):
    model = gw.Sequential([gw.Input((64,)), gw.Dense(32, activation="relu"), gw.Dense(32, activation="relu"),
                           gw.Dense(10, activation="softmax")], seed=seed)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_a_learning_rate_of_five_is_named_and_printed(digits):
    lines = []
    doctor = Doctor(print_fn=lines.append)
    _mlp(gw.optimizers.SGD(learning_rate=5.0)).fit(*digits, epochs=4, batch_size=32, verbose=0, callbacks=[doctor])
    report = doctor.report
    assert report.root_cause.code == "LR_TOO_HIGH"
    assert report.root_cause.evidence["learning_rate"] == 5.0
    assert any("LR_TOO_HIGH" in line and "SGD(learning_rate=0.5)" in line for line in lines)
    assert report.overhead is not None and report.overhead > 0


def test_a_healthy_run_has_no_findings(digits):
    doctor = Doctor(verbose=0)
    _mlp(gw.optimizers.Adam(learning_rate=0.01)).fit(*digits, epochs=8, batch_size=32, verbose=0,
                                                      validation_split=0.2, callbacks=[doctor])
    assert doctor.report.codes() == set()
    assert doctor.report.text().startswith("gradwise doctor: no problems found")


def test_live_repair_lowers_the_learning_rate_and_logs_it(digits):
    lines = []
    model = _mlp(gw.optimizers.SGD(learning_rate=5.0))
    doctor = Doctor(repair=True, print_fn=lines.append)
    model.fit(*digits, epochs=6, batch_size=32, verbose=0, callbacks=[doctor])
    entry = next(item for item in doctor.report.repairs if item["finding"] == "LR_TOO_HIGH")
    assert entry["applied"] and entry["action"] == "lower_learning_rate"
    # sized by the range test run live on a copy, over the training rows kept from the first epoch
    found = doctor.report.trace.setup["lr_finder"]
    assert found["live"] and 1e-3 < found["suggestion"] < 5.0
    new = f"{found['suggestion']:.3g}"
    assert entry["code"] == f"optimizer=SGD(learning_rate={new})  # was 5"
    assert model.optimizer.learning_rate == pytest.approx(found["suggestion"])
    assert any(line.startswith("gradwise doctor repair") and f"learning_rate={new}" in line for line in lines)
    assert doctor.report.after["since_epoch"] == entry["epoch"] + 2
    assert "Repairs applied" in doctor.report.text()


def test_live_repair_adds_dropout_for_overfitting_and_restores_the_best_weights(digits):
    x, y = digits
    model = gw.Sequential([gw.Input((64,)), gw.Dense(256, activation="relu"), gw.Dense(10, activation="softmax")],
                          seed=0)
    model.compile(gw.optimizers.Adam(learning_rate=0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    doctor = Doctor(repair=True, verbose=0)
    history = model.fit(x[:40], y[:40], epochs=40, batch_size=8, verbose=0, validation_data=(x[300:], y[300:]),
                        callbacks=[doctor])
    entry = next(item for item in doctor.report.repairs if item["finding"] == "OVERFITTING")
    assert entry["applied"] and entry["action"] == "regularize" and "trained weights kept" in entry["description"]
    assert [layer.name for layer in model.layers if layer.drops_out]  # rebuilt in place with dropout
    best = int(np.argmin(history.history["val_loss"]))
    assert entry["restored_epoch"] == best
    probabilities = model.predict(x[300:], verbose=0)[np.arange(len(y) - 300), y[300:]]
    restored = -np.log(probabilities).mean()  # the data loss: a weight penalty added later is not in the history
    assert restored == pytest.approx(history.history["val_loss"][best], rel=1e-4)


def test_a_constant_initialization_is_redrawn_in_place_and_training_restarts(digits):
    x, y = digits
    model = gw.Sequential([gw.Input((64,)), gw.Dense(32, activation="relu", kernel_initializer="zeros"),
                           gw.Dense(32, activation="relu", kernel_initializer="zeros"),
                           gw.Dense(10, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    doctor = Doctor(repair=True, verbose=0)
    history = model.fit(x, y, epochs=6, batch_size=32, verbose=0, callbacks=[doctor])
    entry = next(item for item in doctor.report.repairs if item["finding"] == "BAD_INITIALIZATION")
    assert entry["applied"] and entry["action"] == "reinitialize" and "rebuilt in place" in entry["description"]
    assert np.ptp(model.layers[0].get_weights()[0]) > 0  # the units differ now
    # zero kernels keep the loss at log(10) = 2.30; from the new weights training makes progress
    assert history.history["loss"][-1] < 0.75 * history.history["loss"][0]


def test_rebuilding_remedies_are_proposed_when_too_few_epochs_are_left(digits):
    x, y = digits
    model = _mlp("adam")
    doctor = Doctor(repair=True, verbose=0)
    raw = x * 160.0  # unscaled inputs: standardizing them restarts training, which 2 epochs leave no room for
    model.fit(raw, y, epochs=2, batch_size=32, verbose=0, callbacks=[doctor])
    entry = next(item for item in doctor.report.repairs if item["finding"] == "UNNORMALIZED_INPUT")
    assert entry["applied"] is False and "StandardScaler" in entry["code"]

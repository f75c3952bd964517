"""Underfitting from a limit in plain sight (a narrow layer, a crushing penalty), dead units in a
too-narrow layer as its symptom, and a memorized regression target: hand-built traces, each rule
fires on its fault and stays silent just past its threshold."""

import numpy as np

from gradwise.doctor import Finding, Remedy, Report
from gradwise.doctor.detectors import generalization, progress

from .traces import add_epoch, codes, dense, mlp, new_trace

REGRESSION = {"task": "regression", "std": 1.0, "majority": None, "classes": 0, "format": "continuous"}
THREE_CLASSES = {"task": "multiclass", "prior_loss": 1.1, "majority": 0.34, "classes": 3, "format": "sparse"}


def _fitted(layers, final_accuracy, baseline=0.95, epochs=8, penalty=None):
    """A classifier whose loss falls steadily (not a plateau) to a training accuracy `final_accuracy`."""
    trace = new_trace(layers, labels=THREE_CLASSES, baseline={"kind": "accuracy", "score": baseline}, epochs=epochs)
    trace.setup["finished"] = True
    names = [info["name"] for info in layers]
    for epoch, loss in enumerate(np.linspace(1.0, 0.3, epochs)):
        add_epoch(trace, {"loss": float(loss), "accuracy": final_accuracy},
                  samples={name: {"update_ratio": 1e-3, "grad_norm": 0.5} for name in names}, loss=float(loss))
        if penalty is not None:
            trace.epochs[-1]["penalty"] = penalty * float(loss)
    return trace


def _narrow(units):
    layers = [dense("hidden_0", "tanh", units, 8), dense("out", "softmax", 3, units, output=True)]
    for index, info in enumerate(layers):
        info["index"] = index
    return layers


def test_a_narrow_layer_underfits_once_below_the_linear_baseline_by_the_limited_gap():
    findings = progress.detect_progress(_fitted(_narrow(2), 0.95 - 0.03))
    assert codes(findings) == ["UNDERFITTING"]
    assert findings[0].evidence["narrow_layers"] == ["hidden_0"]
    assert findings[0].evidence["threshold_gap"] == progress.LIMITED_GAP
    assert findings[0].remedies[0].action == "add_capacity"


def test_the_limited_gap_needs_the_limit_and_the_gap():
    assert progress.detect_progress(_fitted(_narrow(2), 0.95 - 0.01)) == []  # within 0.02 of the baseline
    assert progress.detect_progress(_fitted(mlp(("tanh",), units=16), 0.95 - 0.05)) == []  # wide: needs 0.1


def test_a_heavy_penalty_underfits_once_below_the_baseline_by_the_limited_gap():
    heavy = mlp(("relu", "relu"), regularizers={"kernel": {"class": "L2", "l2": 3.0}})
    findings = progress.detect_progress(_fitted(heavy, 0.95 - 0.04, penalty=0.9))
    assert codes(findings) == ["UNDERFITTING"] and "weight penalty" in findings[0].explanation
    assert findings[0].remedies[0].action == "weaken_regularization"
    light = mlp(("relu", "relu"), regularizers={"kernel": {"class": "L2", "l2": 0.01}})
    assert progress.detect_progress(_fitted(light, 0.95 - 0.04, penalty=0.9)) == []  # Keras' default: needs 0.1


def _finding(code, step, layer=None, evidence=None):
    return Finding(code, code.lower(), "error", "why", evidence or {}, [Remedy("add_units", "d", "c")],
                   epoch=0, step=step, layer=layer)


def test_dead_units_of_a_too_narrow_layer_are_a_symptom_of_underfitting():
    dead = _finding("DYING_RELU", 3, layer="hidden_0")
    underfit = _finding("UNDERFITTING", 90, evidence={"narrow_layers": ["hidden_0"]})
    report = Report([dead, underfit], new_trace(mlp()))
    assert report.root_cause.code == "UNDERFITTING"
    assert dead.caused_by == ["UNDERFITTING"] and underfit.caused_by == []


def test_dead_units_elsewhere_stay_the_root():
    dead = _finding("DYING_RELU", 3, layer="hidden_1")
    underfit = _finding("UNDERFITTING", 90, evidence={"narrow_layers": ["hidden_0"]})
    assert Report([dead, underfit], new_trace(mlp())).root_cause.code == "DYING_RELU"
    wide = _finding("UNDERFITTING", 90)  # no narrow layer: dead units came first and explain it
    assert Report([_finding("DYING_RELU", 3, layer="hidden_0"), wide], new_trace(mlp())).root_cause.code == "DYING_RELU"


def _regression(ratio, epochs=12, task=REGRESSION):
    """Training loss falling to 0.003, validation loss falling slowly to `ratio` times it (no rise);
    both held for the last 3 epochs, so the smoothed ratio ends at `ratio`."""
    trace = new_trace(mlp(outputs=1, output_activation="linear"), loss="mean_squared_error", labels=task,
                      epochs=epochs)
    train = np.append(np.geomspace(0.5, 0.003, epochs - 3), [0.003] * 3)
    validation = np.append(np.linspace(0.4, 0.003 * ratio, epochs - 3), [0.003 * ratio] * 3)
    for epoch in range(epochs):
        add_epoch(trace, {"loss": float(train[epoch]), "val_loss": float(validation[epoch])})
    return trace


def test_a_memorized_regression_target_is_overfitting_without_a_rise():
    findings = generalization.detect_overfitting(_regression(40))
    assert codes(findings) == ["OVERFITTING"]
    assert findings[0].evidence["val_to_train_loss"] >= generalization.MEMORIZED_RATIO
    assert {remedy.action for remedy in findings[0].remedies} >= {"early_stopping"}


def test_memorized_regression_silent_below_the_ratio_or_for_classification():
    assert generalization.detect_overfitting(_regression(9.5)) == []  # just under the ratio of 10
    assert generalization.detect_overfitting(_regression(40, task=THREE_CLASSES)) == []  # cross-entropy: left out


def test_two_diverging_losses_are_not_memorizing():
    trace = new_trace(mlp(outputs=1, output_activation="linear"), loss="mean_squared_error", labels=REGRESSION,
                      epochs=8)
    for epoch in range(8):  # a learning rate that overflows: validation 35x training, both exploding
        add_epoch(trace, {"loss": 1e6 * 1e4 ** epoch, "val_loss": 3.5e7 * 1e4 ** epoch})
    assert generalization.detect_overfitting(trace) == []


def test_dead_units_of_a_narrow_layer_are_repaired_by_widening_it():
    from gradwise.doctor.detectors import activations

    def dead(units):
        layers = [dense("hidden_0", "relu", units, 8), dense("out", "softmax", 3, units, output=True)]
        trace = new_trace(layers, epochs=3)
        for _ in range(3):
            add_epoch(trace, {"loss": 1.1}, loss=1.1, layers={"hidden_0": {"dead_fraction": 1.0}})
        return activations.detect_dying_relu(trace)

    narrow, wide = dead(1), dead(16)
    assert codes(narrow) == codes(wide) == ["DYING_RELU"]
    assert narrow[0].remedies[0].action == "add_capacity" and "too narrow" in narrow[0].explanation
    assert wide[0].remedies[0].action != "add_capacity"

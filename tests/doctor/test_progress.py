"""PLATEAU, UNDERFITTING and OVERFITTING on hand-built traces."""

import pytest

from gradwise.doctor.detectors import generalization, progress

from .traces import add_epoch, codes, dense, mlp, new_trace

LABELS = {"task": "multiclass", "prior_loss": 2.3, "majority": 0.1, "classes": 10, "format": "sparse"}
BASELINE = {"kind": "accuracy", "score": 0.95, "samples": 1000}


def _fit(losses, accuracy, layers=None, optimizer=None, **epoch_extra):
    trace = new_trace(layers or mlp(units=32, outputs=10), labels=LABELS, baseline=BASELINE, epochs=len(losses),
                      optimizer=optimizer)
    for loss in losses:
        add_epoch(trace, {"loss": loss, "accuracy": accuracy})
        trace.epochs[-1].update(epoch_extra)
    return trace


def test_plateau_fires_on_a_flat_loss_far_from_the_baseline():
    findings = progress.detect_progress(_fit([2.30] * 12, 0.11))
    assert codes(findings) == ["PLATEAU"]
    assert findings[0].severity == "error"  # within 0.02 of the majority accuracy


def test_progress_silent_just_inside_the_baseline_gap():
    # training accuracy 0.86 against a baseline of 0.95: a gap of 0.09 < 0.1
    assert progress.detect_progress(_fit([0.5] * 12, 0.86)) == []
    assert codes(progress.detect_progress(_fit([0.5] * 12, 0.84))) == ["PLATEAU"]


def test_plateau_needs_the_loss_to_be_flat():
    losses = [2.3 - 0.05 * epoch for epoch in range(12)]  # still falling 2-3% an epoch
    findings = progress.detect_progress(_fit(losses, 0.5))
    assert codes(findings) == ["UNDERFITTING"]
    assert findings[0].remedies[0].action == "train_longer"


def test_underfitting_names_a_narrow_layer():
    layers = [dense("hidden_0", "relu", 1, 64), dense("out", "softmax", 10, 1, output=True)]
    findings = progress.detect_progress(_fit([1.8] * 12, 0.3, layers=layers))
    assert codes(findings) == ["UNDERFITTING"]
    assert findings[0].remedies[0].action == "add_capacity"
    assert "only 1 unit" in findings[0].explanation


def test_underfitting_names_a_heavy_penalty():
    layers = mlp(units=32, outputs=10)
    layers[0]["regularizers"] = {"kernel": {"l1": 0.0, "l2": 1.0}}
    findings = progress.detect_progress(_fit([1.8] * 12, 0.6, layers=layers, penalty=1.2))
    assert findings[0].remedies[0].action == "weaken_regularization"


def test_progress_waits_for_the_end_of_training():
    trace = _fit([2.30] * 6, 0.11)
    trace.setup["epochs"] = 20
    assert progress.detect_progress(trace) == []


def test_plain_sgd_still_learning_suggests_adam():
    optimizer = {"class": "SGD", "learning_rate": 0.05, "momentum": 0.0}
    findings = progress.detect_progress(_fit([2.3 - 0.05 * e for e in range(12)], 0.5, optimizer=optimizer))
    assert findings[0].remedies[0].action == "switch_to_adam"


def _overfit(validation, training=None, accuracy=None, val_accuracy=None):
    training = training or [1.0 - 0.07 * epoch for epoch in range(len(validation))]
    trace = new_trace(mlp(), epochs=len(validation))
    for epoch, (value, loss) in enumerate(zip(validation, training)):
        logs = {"loss": loss, "val_loss": value}
        if accuracy is not None:
            logs.update(accuracy=accuracy, val_accuracy=val_accuracy)
        add_epoch(trace, logs)
    return trace


def test_overfitting_fires_when_validation_loss_rises_while_training_falls():
    validation = [1.0, 0.8, 0.6, 0.5, 0.5, 0.55, 0.65, 0.75, 0.85, 0.9]
    findings = generalization.detect_overfitting(_overfit(validation))
    assert codes(findings) == ["OVERFITTING"]
    assert findings[0].evidence["val_loss_rise"] >= generalization.RISE


def test_overfitting_silent_on_a_small_rise():
    validation = [1.0, 0.8, 0.6, 0.5, 0.5, 0.51, 0.52, 0.53, 0.54, 0.55]  # +8% (smoothed), no accuracy gap
    assert generalization.detect_overfitting(_overfit(validation)) == []


def test_overfitting_fires_on_a_moderate_rise_with_an_accuracy_gap():
    validation = [1.0, 0.8, 0.6, 0.5, 0.5, 0.52, 0.55, 0.57, 0.58, 0.6]
    assert generalization.detect_overfitting(_overfit(validation, accuracy=1.0, val_accuracy=0.9)) != []
    assert generalization.detect_overfitting(_overfit(validation, accuracy=1.0, val_accuracy=0.95)) == []


def test_overfitting_ignores_single_noisy_epochs():
    validation = [1.0, 0.8, 0.6, 0.5, 0.45, 0.9, 0.45, 0.44, 0.43, 0.42]
    assert generalization.detect_overfitting(_overfit(validation)) == []


def test_overfitting_judged_up_to_restored_weights():
    validation = [1.0, 0.8, 0.6, 0.5, 0.5, 0.55, 0.65, 0.75, 0.85, 0.9]
    trace = _overfit(validation)
    trace.setup["restored_epoch"] = 4
    assert generalization.detect_overfitting(trace) == []


def test_overfitting_needs_validation_data():
    trace = new_trace(mlp(), epochs=10)
    for epoch in range(10):
        add_epoch(trace, {"loss": 1.0 / (epoch + 1)})
    assert generalization.detect_overfitting(trace) == []


@pytest.mark.parametrize("window", [3, 4])
def test_smoothing_is_a_moving_average(window):
    series = generalization._smooth(__import__("numpy").arange(8.0), window)
    assert series[-1] == pytest.approx(sum(range(8 - window, 8)) / window)
    assert series[0] == 0.0


def test_overfitting_of_a_model_without_hidden_layers_is_not_told_to_add_dropout_after_them():
    validation = [1.0, 0.8, 0.6, 0.5, 0.5, 0.55, 0.65, 0.75, 0.85, 0.9]
    deep = generalization.detect_overfitting(_overfit(validation))
    assert [remedy.action for remedy in deep[0].remedies] == ["regularize", "l2", "early_stopping"]
    trace = new_trace([dense("out", "softmax", 3, 8, output=True)], epochs=len(validation))  # a linear model
    for epoch, value in enumerate(validation):
        add_epoch(trace, {"loss": 1.0 - 0.07 * epoch, "val_loss": value})
    linear = generalization.detect_overfitting(trace)
    assert codes(linear) == ["OVERFITTING"] and [remedy.action for remedy in linear[0].remedies] == ["l2",
                                                                                                   "early_stopping"]

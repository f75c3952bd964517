"""LR_TOO_HIGH and LR_TOO_LOW on hand-built traces."""

from gradwise.doctor.detectors import learning_rate

from .traces import add_epoch, mlp, new_trace

PRIOR = {"task": "multiclass", "prior_loss": 1.1, "majority": 0.34, "classes": 3, "format": "sparse"}


def _trace(update_ratio, losses, epochs=4):
    trace = new_trace(mlp(("relu", "relu")), labels=PRIOR, epochs=epochs)
    names = [info["name"] for info in trace.layers]
    for epoch in range(epochs):
        loss = losses[epoch]
        add_epoch(trace, {"loss": loss}, samples={name: {"update_ratio": update_ratio} for name in names}, loss=loss)
    return trace


def test_too_high_fires_on_large_steps_and_a_loss_spike():
    findings = learning_rate.detect_lr_too_high(_trace(0.25, [1.0, 5.0, 4.0, 3.0]))
    assert [finding.code for finding in findings] == ["LR_TOO_HIGH"]
    assert findings[0].evidence["peak_update_ratio"] == 0.25
    assert findings[0].remedies[0].action == "lower_learning_rate"
    assert findings[0].remedies[0].params["learning_rate"] == 0.0001


def test_too_high_silent_just_below_the_step_threshold():
    assert learning_rate.detect_lr_too_high(_trace(0.19, [1.0, 5.0, 4.0, 3.0])) == []


def test_too_high_silent_when_large_steps_still_reduce_the_loss():
    # large steps alone are not a fault: the loss must misbehave as well
    assert learning_rate.detect_lr_too_high(_trace(0.5, [1.0, 0.6, 0.4, 0.3])) == []


def test_too_high_fires_when_training_ends_worse_than_the_prior():
    findings = learning_rate.detect_lr_too_high(_trace(0.5, [1.0, 1.05, 1.12, 1.15]))
    assert findings and "label frequencies" in findings[0].explanation


def test_too_low_fires_on_tiny_steps_and_slow_progress():
    findings = learning_rate.detect_lr_too_low(_trace(5e-5, [1.0, 0.97, 0.95, 0.9]))
    assert [finding.code for finding in findings] == ["LR_TOO_LOW"]
    assert findings[0].remedies[0].action == "raise_learning_rate"


def test_too_low_silent_just_above_the_step_threshold():
    assert learning_rate.detect_lr_too_low(_trace(1.1e-4, [1.0, 0.97, 0.95, 0.9])) == []


def test_too_low_silent_when_the_loss_falls_fast_enough():
    assert learning_rate.detect_lr_too_low(_trace(5e-5, [1.0, 0.9, 0.8, 0.7])) == []


def test_too_low_silent_after_any_large_step():
    trace = _trace(5e-5, [1.0, 0.97, 0.95, 0.9])
    trace.samples[3]["layers"]["hidden_0"]["update_ratio"] = 0.5
    assert learning_rate.detect_lr_too_low(trace) == []

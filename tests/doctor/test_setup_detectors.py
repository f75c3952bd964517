"""UNNORMALIZED_INPUT, NAN_INF, LOSS_ACTIVATION_MISMATCH and BAD_INITIALIZATION on hand-built traces."""

import numpy as np
import pytest

from gradwise.doctor import datastats
from gradwise.doctor.detectors import check_labels, initialization, inputs, numerics, pairing

from .traces import add_epoch, codes, dense, mlp, new_trace


@pytest.mark.parametrize("scale, fires", [(11.0, True), (9.0, False)])
def test_unnormalized_input_threshold(scale, fires, rng):
    x = rng.normal(size=(500, 4))
    x[:, 2] = x[:, 2] * scale / 2 + scale  # mean `scale`, std scale / 2
    trace = new_trace(mlp(), inputs=datastats.feature_summary(x, ["a", "b", "glucose", "d"]))
    findings = inputs.detect_unnormalized_input(trace)
    assert (codes(findings) == ["UNNORMALIZED_INPUT"]) is fires
    if fires:
        assert "glucose" in findings[0].explanation
        assert findings[0].step == -1 and findings[0].epoch is None


def test_unnormalized_input_skipped_when_the_model_normalizes(rng):
    trace = new_trace(mlp(), inputs=datastats.feature_summary(rng.normal(100.0, 50.0, size=(100, 3))))
    trace.setup["input_normalized_in_model"] = True
    assert inputs.detect_unnormalized_input(trace) == []


def test_nan_inf_from_a_failed_fit():
    trace = new_trace(mlp())
    add_epoch(trace, {"loss": 1.0}, loss=1.0)
    trace.failure = {"epoch": 1, "batch": 3, "step": 8, "kind": "NaN", "message": "fit: the loss became NaN"}
    findings = numerics.detect_nan_inf(trace)
    assert codes(findings) == ["NAN_INF"]
    assert (findings[0].epoch, findings[0].batch, findings[0].severity) == (1, 3, "critical")


def test_nan_inf_from_a_nonfinite_sample_comes_first():
    trace = new_trace(mlp())
    add_epoch(trace, {"loss": 1.0}, samples={"hidden_0": {"grad_norms": {"kernel": 1.0}}})
    trace.samples[2]["nonfinite"] = True
    trace.samples[2]["layers"]["hidden_0"]["grad_norms"]["kernel"] = float("inf")
    findings = numerics.detect_nan_inf(trace)
    assert (findings[0].step, findings[0].layer) == (2, "hidden_0")


def test_nan_inf_silent_on_a_finite_run():
    trace = new_trace(mlp())
    add_epoch(trace, {"loss": 1.0}, samples={"hidden_0": {"grad_norms": {"kernel": 1.0}}}, loss=1.0)
    assert numerics.detect_nan_inf(trace) == []


def test_nan_in_the_inputs(rng):
    x = rng.normal(size=(50, 3))
    x[4, 1] = np.nan
    trace = new_trace(mlp(), inputs=datastats.feature_summary(x))
    assert numerics.detect_nan_inf(trace)[0].remedies[0].action == "impute"


@pytest.mark.parametrize("output, loss, units, from_logits, fires", [
    ("softmax", "binary_crossentropy", 10, False, True),
    ("softmax", "binary_crossentropy", 1, False, True),
    ("sigmoid", "categorical_crossentropy", 10, False, True),
    ("linear", "categorical_crossentropy", 10, False, True),
    ("linear", "categorical_crossentropy", 10, True, False),
    ("softmax", "sparse_categorical_crossentropy", 10, True, True),
    ("softmax", "categorical_crossentropy", 10, False, False),
    ("sigmoid", "binary_crossentropy", 1, False, False),
    ("linear", "mean_squared_error", 1, False, False),
])
def test_loss_activation_pairs(output, loss, units, from_logits, fires):
    trace = new_trace(mlp(outputs=units, output_activation=output), loss=loss, from_logits=from_logits)
    assert (codes(pairing.detect_mismatch(trace)) == ["LOSS_ACTIVATION_MISMATCH"]) is fires


def test_sigmoid_output_for_targets_outside_zero_one():
    labels = {"task": "regression", "min": 25.0, "max": 346.0, "mean": 150.0, "std": 77.0}
    trace = new_trace(mlp(outputs=1, output_activation="sigmoid"), loss="mean_squared_error", labels=labels)
    assert pairing.detect_mismatch(trace)[0].evidence["target_range"] == [25.0, 346.0]


def test_label_checks_before_fit():
    setup = new_trace(mlp(outputs=3), loss="categorical_crossentropy").setup
    fix = check_labels(np.array([0, 1, 2, 1]), setup)[0].remedies[0]
    assert fix.params["loss"] == "sparse_categorical_crossentropy"
    assert check_labels(np.eye(3)[[0, 1, 2]], setup) == []
    sparse = new_trace(mlp(outputs=3), loss="sparse_categorical_crossentropy").setup
    assert codes(check_labels(np.eye(3)[[0, 1, 2]], sparse)) == ["LOSS_ACTIVATION_MISMATCH"]
    binary = new_trace(mlp(outputs=1, output_activation="sigmoid"), loss="binary_crossentropy").setup
    assert check_labels(np.array([0, 1, 4]), binary)[0].evidence["classes"] == 5
    assert check_labels(np.array([0, 1, 1]), binary) == []


def test_constant_kernel():
    layers = mlp()
    layers[0].update(kernel_constant=True, kernel_std=0.0, kernel_mean=0.0)
    findings = initialization.detect_bad_initialization(new_trace(layers))
    assert (findings[0].code, findings[0].layer, findings[0].severity) == ("BAD_INITIALIZATION", "hidden_0", "error")
    assert findings[0].remedies[0].params["initializer"] == "he_normal"


@pytest.mark.parametrize("ratio, fires", [(0.08, True), (0.12, False), (12.0, True), (9.0, False)])
def test_signal_collapse_across_depth(ratio, fires):
    trace = new_trace(mlp(("relu",) * 4))
    add_epoch(trace, {"loss": 1.0}, count=1,
              samples={"hidden_0": {"act_std": 1.0}, "hidden_1": {"act_std": 0.5}, "hidden_3": {"act_std": ratio}})
    assert (codes(initialization.detect_bad_initialization(trace)) == ["BAD_INITIALIZATION"]) is fires


def test_signal_collapse_needs_three_hidden_layers():
    trace = new_trace(mlp(("relu",) * 2))
    add_epoch(trace, {"loss": 1.0}, count=1, samples={"hidden_0": {"act_std": 1.0}, "hidden_1": {"act_std": 0.01}})
    assert initialization.detect_bad_initialization(trace) == []


@pytest.mark.parametrize("scale, saturated, fires", [(4.0, 0.2, True), (2.5, 0.2, False), (4.0, 0.05, False)])
def test_large_kernels_for_sigmoid(scale, saturated, fires):
    layers = mlp(("sigmoid",), units=32, inputs=30, outputs=1, output_activation="sigmoid")
    layers[0]["kernel_std"] = scale * np.sqrt(2.0 / 62)
    trace = new_trace(layers, loss="binary_crossentropy")
    add_epoch(trace, {"loss": 0.6}, count=1, samples={"hidden_0": {"saturated_fraction": saturated}})
    assert (codes(initialization.detect_bad_initialization(trace)) == ["BAD_INITIALIZATION"]) is fires


def test_negative_relu_biases_need_dead_units():
    layers = [dense("hidden_0", "relu", 16, 8, bias_mean=-3.0), dense("out", "softmax", 3, 16, output=True)]
    trace = new_trace(layers)
    add_epoch(trace, {"loss": 1.0}, layers={"hidden_0": {"dead_fraction": 0.8}})
    assert initialization.detect_bad_initialization(trace)[0].remedies[0].action == "reset_bias"
    trace.epochs[0]["layers"]["hidden_0"]["dead_fraction"] = 0.3
    assert initialization.detect_bad_initialization(trace) == []

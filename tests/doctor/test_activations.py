"""DYING_RELU and SATURATION on hand-built traces."""

from gradwise.doctor.detectors import activations

from .traces import add_epoch, mlp, new_trace


def _dead_trace(fractions, units=16, bias=0.0):
    trace = new_trace(mlp(("relu", "relu"), units=units, bias_mean=bias))
    for fraction in fractions:
        add_epoch(trace, {"loss": 1.0}, layers={"hidden_1": {"dead_fraction": fraction}})
    return trace


def test_dying_relu_fires_at_the_threshold():
    findings = activations.detect_dying_relu(_dead_trace([0.1, 0.3, 0.5625]))
    assert [(finding.code, finding.layer, finding.epoch) for finding in findings] == [("DYING_RELU", "hidden_1", 2)]
    assert findings[0].evidence["dead_units"] == 9
    assert findings[0].severity == "warning"


def test_dying_relu_silent_just_below_the_threshold():
    assert activations.detect_dying_relu(_dead_trace([0.1, 0.3, 0.4375])) == []


def test_dying_relu_error_when_nearly_all_units_are_dead():
    assert activations.detect_dying_relu(_dead_trace([1.0]))[0].severity == "error"


def test_dying_relu_silent_when_units_recover():
    assert activations.detect_dying_relu(_dead_trace([0.75, 0.75, 0.25])) == []


def test_dying_relu_needs_two_dead_units():
    # one of two units dead is 50%, but a single unit is not a dying layer
    assert activations.detect_dying_relu(_dead_trace([0.5], units=2)) == []


def test_dying_relu_blames_negative_biases_first():
    findings = activations.detect_dying_relu(_dead_trace([0.9, 0.9], bias=-3.0))
    assert findings[0].remedies[0].action == "reset_bias"
    assert findings[0].evidence["dead_from_first_epoch"] is True


def _penalized_trace(fractions, units=64, bias=0.0, kernel=None, weight_decay=None):
    optimizer = {"class": "AdamW", "learning_rate": 0.001, "schedule": None, "clipnorm": None, "clipvalue": None,
                 "global_clipnorm": None, "momentum": None, "weight_decay": weight_decay}
    layers = mlp(("relu",), units=units, bias_mean=bias, regularizers={"kernel": kernel} if kernel else {})
    trace = new_trace(layers, optimizer=optimizer)
    for fraction in fractions:
        add_epoch(trace, {"loss": 1.0}, layers={"hidden_0": {"dead_fraction": fraction}})
    return trace


def test_units_a_weight_penalty_switched_off_are_information_not_a_fault():
    findings = activations.detect_dying_relu(_penalized_trace([0.5, 0.875], kernel={"l1": 5e-4, "l2": 1e-4}))
    assert [(finding.code, finding.severity) for finding in findings] == [("DYING_RELU", "info")]
    assert findings[0].evidence["live_units"] == 8 and findings[0].evidence["dead_units"] == 56
    assert findings[0].remedies[0].action == "weaken_regularization"
    assert "switched off by the weight penalty" in findings[0].title and "(L1 0.0005, L2 0.0001)" in findings[0].explanation
    # the optimizer's weight decay shrinks the kernel as a penalty does
    decayed = activations.detect_dying_relu(_penalized_trace([0.875], weight_decay=1e-4))
    assert decayed[0].severity == "info" and decayed[0].evidence["penalty"] == "weight decay 0.0001"


def test_a_penalized_layer_is_still_dying_when_biases_explain_it_or_too_few_units_live():
    dead_from_start = activations.detect_dying_relu(_penalized_trace([0.95, 0.95], bias=-3.0, kernel={"l2": 1e-3}))
    assert dead_from_start[0].severity == "error" and dead_from_start[0].remedies[0].action == "reset_bias"
    all_dead = activations.detect_dying_relu(_penalized_trace([0.9375], units=64, kernel={"l1": 1e-3}))
    assert all_dead[0].severity == "error"  # 4 live units, fewer than LIVE_ENOUGH, do not carry the layer
    assert activations.detect_dying_relu(_penalized_trace([0.95], units=64))[0].severity == "error"  # no penalty


def _saturated_trace(fraction, activation="sigmoid", output_fraction=0.0):
    trace = new_trace(mlp((activation,), output_activation="sigmoid", outputs=1), loss="binary_crossentropy")
    for _ in range(3):
        add_epoch(trace, {"loss": 0.5}, layers={"hidden_0": {"saturated_fraction": fraction},
                                                "out": {"saturated_fraction": output_fraction}},
                  samples={"hidden_0": {"saturated_fraction": fraction}})
    return trace


def test_saturation_fires_at_the_threshold():
    findings = activations.detect_saturation(_saturated_trace(0.55, "tanh"))
    assert [(finding.code, finding.layer) for finding in findings] == [("SATURATION", "hidden_0")]
    assert findings[0].severity == "warning"


def test_saturation_silent_just_below_the_threshold():
    assert activations.detect_saturation(_saturated_trace(0.45)) == []


def test_saturation_ignores_the_output_layer():
    # a confident classifier saturates its sigmoid output on purpose
    assert activations.detect_saturation(_saturated_trace(0.0, output_fraction=1.0)) == []


def test_saturation_points_at_unscaled_inputs():
    trace = _saturated_trace(0.95)
    trace.setup["inputs"] = {"max_abs_mean": 120.0, "max_std": 115.0, "worst": []}
    findings = activations.detect_saturation(trace)
    assert findings[0].severity == "error"
    assert findings[0].remedies[0].action == "standardize_inputs"

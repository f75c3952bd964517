"""VANISHING_GRADIENT and EXPLODING_GRADIENT on hand-built traces: fire on the fault, silent just below."""

import math

import pytest

from gradwise.doctor.detectors import gradients

from .traces import add_epoch, mlp, new_trace


def _ratio_trace(ratio, hidden=("sigmoid",) * 3, epochs=3, last=0.1):
    trace = new_trace(mlp(hidden))
    names = [info["name"] for info in trace.layers]
    for _ in range(epochs):
        samples = {name: {"grad_norm": last} for name in names}
        samples[names[0]]["grad_norm"] = ratio * last
        add_epoch(trace, {"loss": 1.0}, samples=samples, loss=1.0)
    return trace


def test_vanishing_fires_below_the_ratio_threshold():
    findings = gradients.detect_vanishing(_ratio_trace(0.5 * gradients.VANISHING_RATIO))
    assert [finding.code for finding in findings] == ["VANISHING_GRADIENT"]
    assert findings[0].layer == "hidden_0"
    assert findings[0].evidence["gradient_ratio_first_to_last"] == pytest.approx(0.5 * gradients.VANISHING_RATIO)
    assert findings[0].severity == "error"  # the loss did not fall


def test_vanishing_silent_just_above_the_threshold():
    assert gradients.detect_vanishing(_ratio_trace(1.1 * gradients.VANISHING_RATIO)) == []


def test_vanishing_silent_in_shallow_networks():
    # two kernel layers: AUTOTRAINER's rule would fire on shallow sigmoid nets; ours needs depth 3
    assert gradients.detect_vanishing(_ratio_trace(1e-5, hidden=("sigmoid",))) == []


def test_vanishing_ignores_exactly_zero_gradients():
    # dead layers (gradient exactly 0) belong to DYING_RELU / BAD_INITIALIZATION
    assert gradients.detect_vanishing(_ratio_trace(0.0)) == []


def _norm_trace(norm, epochs=3, first_norm=None):
    trace = new_trace(mlp(("relu", "relu")))
    names = [info["name"] for info in trace.layers]
    for epoch in range(epochs):
        value = first_norm if (first_norm is not None and epoch == 0) else norm
        add_epoch(trace, {"loss": 1.0}, samples={name: {"grad_norm": value} for name in names}, loss=1.0)
    return trace


def test_exploding_fires_above_the_norm_threshold():
    findings = gradients.detect_exploding(_norm_trace(2 * gradients.EXPLODING_NORM))
    assert [finding.code for finding in findings] == ["EXPLODING_GRADIENT"]
    assert findings[0].evidence["grad_norm_epoch_median"] == pytest.approx(2 * gradients.EXPLODING_NORM)


def test_exploding_silent_just_below_the_norm_threshold():
    # 900 after a first epoch at 10: below the norm threshold, and 90x growth is below GROWTH (100x)
    trace = _norm_trace(0.9 * gradients.EXPLODING_NORM, first_norm=0.9 * gradients.EXPLODING_NORM / 90)
    assert gradients.detect_exploding(trace) == []


def test_exploding_fires_on_growth():
    trace = _norm_trace(0.5 * gradients.EXPLODING_NORM, first_norm=0.5 * gradients.EXPLODING_NORM / 150)
    findings = gradients.detect_exploding(trace)
    assert findings and findings[0].evidence["growth"] == pytest.approx(150)


def test_exploding_fires_on_a_large_first_batch_gradient():
    trace = new_trace(mlp(("relu", "relu")))
    names = [info["name"] for info in trace.layers]
    add_epoch(trace, {"loss": 1.0}, samples={name: {"grad_norm": 1.0} for name in names}, loss=1.0)
    trace.samples[0]["layers"][names[0]]["grad_norm"] = 1.5 * gradients.INITIAL_NORM
    findings = gradients.detect_exploding(trace)
    assert findings and findings[0].step == 0
    trace.samples[0]["layers"][names[0]]["grad_norm"] = 0.9 * gradients.INITIAL_NORM
    assert gradients.detect_exploding(trace) == []


def test_exploding_fires_on_an_infinite_gradient():
    trace = _norm_trace(1.0)
    trace.samples[4]["layers"]["hidden_0"]["grad_norm"] = math.inf
    findings = gradients.detect_exploding(trace)
    assert findings and findings[0].evidence["infinite_gradient_step"] == 4


def test_exploding_fires_on_a_first_to_last_ratio():
    trace = _ratio_trace(1.2 * gradients.EXPLODING_RATIO, hidden=("relu", "relu"))
    assert [finding.code for finding in gradients.detect_exploding(trace)] == ["EXPLODING_GRADIENT"]
    assert gradients.detect_exploding(_ratio_trace(0.9 * gradients.EXPLODING_RATIO, hidden=("relu", "relu"))) == []


@pytest.mark.parametrize("share, fires", [(1.0, False), (0.5, True)])
def test_the_ratio_rule_is_left_out_when_a_heavy_penalty_drives_the_kernel_gradients(share, fires):
    # a weight penalty's own gradient (2 l2 w) dominates a heavily penalized kernel's gradient; just
    # below the heavy-penalty level the ratio rule applies again
    from gradwise.doctor.detectors.progress import HEAVY_PENALTY

    trace = _ratio_trace(1.2 * gradients.EXPLODING_RATIO, hidden=("relu", "relu"))
    for info in trace.layers:
        info["regularizers"] = {"kernel": {"l2": share * HEAVY_PENALTY}}
    assert bool(gradients.detect_exploding(trace)) is fires


def test_one_odd_batch_is_never_an_epoch_median():
    # one sample per epoch (sparse sampling): a single spike is pooled with its neighbours
    trace = new_trace(mlp(("relu", "relu")))
    names = [info["name"] for info in trace.layers]
    for norm in (1.0, 5 * gradients.EXPLODING_NORM, 1.0, 1.0, 1.0, 1.0):
        add_epoch(trace, {"loss": 1.0}, samples={name: {"grad_norm": norm} for name in names}, count=1)
    assert gradients.detect_exploding(trace) == []

"""The second round's rules on hand-built traces: each fires on its fault and is silent just below its threshold."""

import math

import numpy as np
import pytest

from gradwise.doctor.detectors import generalization, initialization, learning_rate, numerics, progress

from .traces import add_epoch, codes, dense, mlp, new_trace

BINARY = {"task": "binary", "prior_loss": 0.69, "majority": 0.5, "classes": 2, "format": "binary"}
ADAM = {"class": "Adam", "learning_rate": 1e-3, "momentum": None}


def _stalled(final_loss, epochs=10, update_ratio=1e-3, grad_norm=0.5):
    """A loss falling evenly from the prior's 0.69 to `final_loss`, with healthy gradients."""
    trace = new_trace(mlp(("tanh", "tanh"), outputs=1, output_activation="sigmoid"), loss="binary_crossentropy",
                      labels=BINARY, baseline={"kind": "accuracy", "score": 0.5}, epochs=epochs, optimizer=ADAM)
    names = [info["name"] for info in trace.layers]
    for loss in np.linspace(0.69, final_loss, epochs):
        add_epoch(trace, {"loss": float(loss), "accuracy": 0.7},
                  samples={name: {"update_ratio": update_ratio, "grad_norm": grad_norm} for name in names},
                  loss=float(loss))
    return trace


def test_plateau_fires_on_a_loss_near_its_start_with_healthy_gradients():
    findings = progress.detect_progress(_stalled(0.69 * 0.86))
    assert codes(findings) == ["PLATEAU"]
    assert findings[0].evidence["loss_drop_from_start"] < progress.NEAR_START
    assert {remedy.action for remedy in findings[0].remedies} >= {"raise_learning_rate", "train_longer"}


def test_plateau_silent_just_past_the_near_start_threshold():
    assert progress.detect_progress(_stalled(0.69 * 0.84)) == []


def test_a_loss_that_ended_far_above_its_start_is_no_plateau():
    # uis' tuned network at its learning rate of 0.019: 0.491 -> 0.623, 27% above; as a plateau it was told to
    # raise the learning rate beside LR_TOO_HIGH's advice to lower it
    assert progress.detect_progress(_stalled(0.69 * 1.27)) == []
    slightly_above = progress.detect_progress(_stalled(0.69 * 1.05))  # within the band: still flat near the start
    assert codes(slightly_above) == ["PLATEAU"] and "5% above where it started" in slightly_above[0].explanation


def test_plateau_near_start_needs_flowing_gradients():
    assert progress.detect_progress(_stalled(0.69 * 0.9, update_ratio=5e-5)) == []  # tiny steps: LR_TOO_LOW's case
    assert progress.detect_progress(_stalled(0.69 * 0.9, grad_norm=5e3)) == []  # exploding


def test_plateau_near_start_needs_a_hidden_layer():
    # a linear model's loss is convex: ending near the prior is the data's limit, not a saddle
    deep = _stalled(0.69 * 0.86)
    linear = new_trace([dense("out", "sigmoid", 1, 8, output=True)], loss="binary_crossentropy", labels=BINARY,
                       baseline={"kind": "accuracy", "score": 0.7}, epochs=10, optimizer=ADAM)
    for loss in np.linspace(0.69, 0.69 * 0.86, 10):
        add_epoch(linear, {"loss": float(loss), "accuracy": 0.7},
                  samples={"out": {"update_ratio": 1e-3, "grad_norm": 0.5}}, loss=float(loss))
    assert progress.stalled_near_start(deep)[0] and not progress.stalled_near_start(linear)[0]
    assert codes(progress.detect_progress(linear)) == []


def test_a_linear_model_at_the_majority_is_a_fault_only_below_the_linear_baseline():
    def linear(baseline):
        trace = new_trace([dense("out", "sigmoid", 1, 8, output=True)], loss="binary_crossentropy",
                          labels=dict(BINARY, majority=0.85), baseline={"kind": "accuracy", "score": baseline},
                          epochs=10, optimizer=ADAM)
        for loss in np.linspace(0.42, 0.40, 10):
            add_epoch(trace, {"loss": float(loss), "accuracy": 0.856}, loss=float(loss))
        return trace

    assert codes(progress.detect_progress(linear(0.855))) == []  # the data give a linear model no more
    assert codes(progress.detect_progress(linear(0.875))) == []  # within the gap: its penalty's, or its loss's doing
    flagged = progress.detect_progress(linear(0.97))  # a linear model does far better here: poor, and at the majority
    assert len(flagged) == 1 and flagged[0].severity == "error"
    # a network at the majority whose loss learned nothing is flagged whatever a linear model gets (rings); its
    # steps too small for the near-start PLATEAU (LR_TOO_LOW's case), the majority rule is what flags it here
    deep = _stalled(0.69 * 0.95, update_ratio=5e-5)
    deep.setup["labels"] = dict(BINARY, majority=0.69)
    assert [finding.severity for finding in progress.detect_progress(deep)] == ["error"]


def test_a_network_at_the_majority_whose_loss_learned_is_not_stuck():
    # rare positives with a weak signal: the probabilities move, the argmax stays on the majority
    learned = _stalled(0.69 * 0.75, update_ratio=5e-5)
    learned.setup["labels"] = dict(BINARY, majority=0.69)
    assert progress.detect_progress(learned) == []
    # near the prior, but unseen rows show the data offer no more: weak signal, not a fault
    weak = _stalled(0.69 * 0.95, update_ratio=5e-5)
    weak.setup["labels"] = dict(BINARY, majority=0.69)
    weak.setup["reference"] = {"kind": "accuracy", "score": 0.69, "loss_drop": 0.04, "model": "linear"}
    assert progress.detect_progress(weak) == []


def _with_reference(trace, loss_drop):
    trace.setup["reference"] = {"kind": "accuracy", "score": 0.7, "loss_drop": loss_drop, "model": "random features"}
    return trace


def test_plateau_near_start_needs_data_that_offer_more():
    # the network's loss ended 10% below the prior's; simple smoothers on unseen rows get 12%: weak signal, learned
    assert progress.detect_progress(_with_reference(_stalled(0.69 * 0.9), 0.12)) == []
    # where they get 60% (the rings), the same loss is a plateau, with the reference as evidence
    findings = progress.detect_progress(_with_reference(_stalled(0.69 * 0.9), 0.6))
    assert codes(findings) == ["PLATEAU"]
    assert findings[0].evidence["held_out_reference_drop"] == 0.6
    # just past the gap (0.1 + SIGNAL_GAP) and just short of it
    assert codes(progress.detect_progress(_with_reference(_stalled(0.69 * 0.9), 0.1 + progress.SIGNAL_GAP + 0.01))) \
        == ["PLATEAU"]
    assert progress.detect_progress(_with_reference(_stalled(0.69 * 0.9), 0.1 + progress.SIGNAL_GAP - 0.01)) == []


def test_a_flat_linear_model_far_below_the_linear_baseline_has_steps_too_small_not_a_saddle():
    def flat(layers):
        trace = new_trace(layers, loss="binary_crossentropy", labels=dict(BINARY, majority=0.6),
                          baseline={"kind": "accuracy", "score": 0.97}, epochs=10, optimizer=ADAM)
        for loss in np.linspace(0.45, 0.449, 10):  # 0.2% over the last epochs: flat
            add_epoch(trace, {"loss": float(loss), "accuracy": 0.75}, loss=float(loss))
        return progress.detect_progress(trace)

    linear = flat([dense("out", "sigmoid", 1, 8, output=True)])
    assert codes(linear) == ["PLATEAU"]
    # a convex loss has no saddle before its optimum: flat short of it, the steps are too small
    assert "convex" in linear[0].explanation and "saddle" not in linear[0].explanation.replace("without saddles", "")
    assert [remedy.action for remedy in linear[0].remedies] == ["raise_learning_rate"]
    deep = flat(mlp(("tanh", "tanh"), outputs=1, output_activation="sigmoid"))
    assert codes(deep) == ["PLATEAU"] and "a saddle or a plateau" in deep[0].explanation
    assert [remedy.action for remedy in deep[0].remedies] == ["reduce_lr_on_plateau"]


def test_train_longer_is_sized_from_the_loss_slope():
    halving = [1.0 - sum(0.1 * 0.5 ** k for k in range(epoch)) for epoch in range(8)]
    assert progress.epoch_factor(halving, 4) == 2  # converging fast: the minimum
    slow = [1.0 - sum(0.02 * 0.97 ** k for k in range(epoch)) for epoch in range(8)]
    assert 2 < progress.epoch_factor(slow, 4) <= progress.MAX_EPOCH_FACTOR
    steady = [1.0 - 0.02 * epoch for epoch in range(8)]
    assert progress.epoch_factor(steady, 4) == progress.MAX_EPOCH_FACTOR  # not slowing down


def _dead(dead_fraction, kernel_min=0.0, update_ratio=1e-6):
    layers = mlp(("relu", "relu"), kernel_min=kernel_min)
    trace = new_trace(layers, epochs=4, optimizer=ADAM)
    for loss in (1.10, 1.099, 1.098, 1.098):
        add_epoch(trace, {"loss": loss}, loss=loss, layers={"hidden_0": {"dead_fraction": dead_fraction}},
                  samples={info["name"]: {"update_ratio": update_ratio} for info in layers})
    return trace


def test_all_positive_kernel_with_dead_units_is_bad_initialization():
    findings = initialization.detect_bad_initialization(_dead(1.0))
    assert codes(findings) == ["BAD_INITIALIZATION"] and "All-positive" in findings[0].title
    assert findings[0].remedies[0].action == "reinitialize"


def test_all_positive_kernel_silent_below_the_dead_threshold_or_with_a_negative_weight():
    assert initialization.detect_bad_initialization(_dead(0.49)) == []
    assert initialization.detect_bad_initialization(_dead(1.0, kernel_min=-0.01)) == []


def test_tiny_updates_from_dead_units_are_not_blamed_on_the_learning_rate():
    assert learning_rate.detect_lr_too_low(_dead(0.5)) == []
    assert codes(learning_rate.detect_lr_too_low(_dead(0.49))) == ["LR_TOO_LOW"]


def _memorized(val_accuracy, rise, epochs=20):
    trace = new_trace(mlp(), epochs=epochs)
    validation = [1.0 - 0.05 * epoch for epoch in range(10)]
    validation += [validation[-1] * (1 + rise * (k + 1) / (epochs - 10)) for k in range(epochs - 10)]
    for epoch, value in enumerate(validation):
        add_epoch(trace, {"loss": 1.0 / (epoch + 1), "val_loss": value, "accuracy": 1.0,
                          "val_accuracy": val_accuracy})
    return trace


def test_overfitting_fires_on_a_memorized_training_set_with_a_modest_rise():
    findings = generalization.detect_overfitting(_memorized(0.88, 0.06))
    assert codes(findings) == ["OVERFITTING"] and findings[0].evidence["val_loss_rise"] < generalization.RISE_WITH_GAP


def test_overfitting_memorized_silent_just_below_the_gap_or_the_rise():
    assert generalization.detect_overfitting(_memorized(0.91, 0.06)) == []  # gap 0.09
    assert generalization.detect_overfitting(_memorized(0.88, 0.025)) == []  # rise under 3%


def test_overfitting_silent_on_small_batch_noise():
    trace = new_trace(mlp(), epochs=10)
    noisy = [0.3, 0.1, 0.021, 0.10, 0.05, 0.126, 0.061, 0.163, 0.018, 0.074]  # batch-1 momentum SGD, blobs
    for epoch, value in enumerate(noisy):
        add_epoch(trace, {"loss": 0.2 / (epoch + 1), "val_loss": value, "accuracy": 1.0, "val_accuracy": 0.99})
    assert generalization.detect_overfitting(trace) == []
    steady = noisy[:3] + [0.021 * (1 + 0.4 * k) for k in range(1, 8)]
    trace = new_trace(mlp(), epochs=10)
    for epoch, value in enumerate(steady):
        add_epoch(trace, {"loss": 0.2 / (epoch + 1), "val_loss": value})
    assert codes(generalization.detect_overfitting(trace)) == ["OVERFITTING"]


def test_nonfinite_data_is_nan_inf_with_the_imputing_remedy():
    x, y = np.zeros((10, 3)), np.zeros(10)
    assert numerics.nonfinite_data(x, y, x, y) == []
    x_val = x.copy()
    x_val[2, 1] = np.nan
    (finding,) = numerics.nonfinite_data(x, y, x_val, y)
    assert finding.code == "NAN_INF" and finding.evidence["nonfinite_validation_x"] == 1
    assert [remedy.action for remedy in finding.remedies] == ["impute"]
    y_log = y.copy()
    y_log[0] = -math.inf
    (finding,) = numerics.nonfinite_data(x, y_log, x, y)
    assert [remedy.action for remedy in finding.remedies] == ["drop_nonfinite_targets"]


def _ratio_trace(first_norm, last_norm, epochs=4):
    from gradwise.doctor.detectors import gradients

    trace = new_trace(mlp(("tanh", "tanh")), epochs=epochs, optimizer=ADAM)
    names = [info["name"] for info in trace.layers]
    for _ in range(epochs):
        add_epoch(trace, {"loss": 2.3}, samples={names[0]: {"grad_norm": first_norm},
                                                 names[1]: {"grad_norm": first_norm / 2},
                                                 names[-1]: {"grad_norm": last_norm}}, loss=2.3)
    return gradients.detect_exploding(trace)


def test_exploding_ratio_needs_large_gradients():
    assert codes(_ratio_trace(8.0, 0.1)) == ["EXPLODING_GRADIENT"]  # ratio 80 at norms up to 8
    assert _ratio_trace(0.8, 0.01) == []  # ratio 80 at norms below 1: a saddle, not an explosion


def _saturated(batch_size, per_epoch=(0.6, 0.1, 0.1, 0.1), samples=1):
    from gradwise.doctor.detectors import activations

    trace = new_trace(mlp(("tanh", "tanh")), epochs=len(per_epoch), steps=samples, optimizer=ADAM)
    trace.setup["batch_size"] = batch_size
    for fraction in per_epoch:
        add_epoch(trace, {"loss": 1.0}, layers={"hidden_0": {"saturated_fraction": fraction}},
                  samples={"hidden_0": {"saturated_fraction": fraction}})
    return activations.detect_saturation(trace)


def test_saturation_is_judged_on_enough_rows_for_the_batch_size():
    assert codes(_saturated(32)) == ["SATURATION"]  # one batch of 32 rows at 0.6
    assert _saturated(1, samples=1) == []  # one row at 0.6, pooled with the next epochs: 0.23
    assert codes(_saturated(1, per_epoch=(0.6,) * 4, samples=8)) == ["SATURATION"]  # 32 rows at 0.6


def test_the_doctors_own_training_accuracy_is_pooled_over_the_last_epochs():
    # without a compiled accuracy metric the doctor measures it on sampled batches: one batch of 64 rows read 0.469
    # where the network was at 0.57, 0.1 below a linear baseline of 0.574, and a healthy network was told of a plateau
    def trace(rows):
        flat = _stalled(0.69 * 0.96)
        flat.setup["labels"] = dict(BINARY, majority=0.506)
        flat.setup["baseline"] = {"kind": "accuracy", "score": 0.574}
        flat.setup["reference"] = {"kind": "accuracy", "score": 0.57, "loss_drop": 0.03, "model": "linear"}
        for epoch, accuracy in zip(flat.epochs, [0.55, 0.56, 0.57, 0.58, 0.56, 0.57, 0.59, 0.58, 0.57, 0.469]):
            epoch["logs"].pop("accuracy")
            epoch.update(train_accuracy=accuracy, train_accuracy_rows=rows)
        return flat

    assert trace(64).final_train_accuracy(max_epochs=3) == pytest.approx((0.58 + 0.57 + 0.469) / 3)
    assert trace(64).final_train_accuracy(min_rows=128) == pytest.approx((0.57 + 0.469) / 2)
    assert progress.detect_progress(trace(64)) == []
    flagged = progress.detect_progress(trace(1000))  # 1,000 rows at 0.469: a real shortfall (the loss still falls)
    assert codes(flagged) == ["UNDERFITTING"] and flagged[0].evidence["train_accuracy"] == pytest.approx(0.469)


def test_losses_judged_against_the_prior_leave_the_weight_penalty_out():
    from gradwise.doctor.detectors import _signals

    trace = _stalled(0.69 * 0.6)
    for epoch in trace.epochs:
        epoch["logs"]["loss"] += 0.3  # fit's logs: the data's loss plus the penalty
        epoch["penalty"] = 0.3
    assert _signals.losses(trace)["final"] == pytest.approx(0.69 * 0.6)
    assert progress.learned_nothing(trace)[1]["loss_drop_from_start"] == pytest.approx(0.4)
    assert progress.detect_progress(trace) == []  # 0.714 logged is above the prior; the data's 0.414 is 40% below


def test_a_rise_of_a_near_zero_validation_loss_without_an_accuracy_gap_is_no_overfitting():
    # a tuned softmax regression of wine retrained by `gradwise doctor`: every validation row right throughout, the
    # validation loss 0.0115 -> 0.018 ("57%"), 0.6% of the prior's 1.09; it was an error-level OVERFITTING
    def run(validation_losses, prior=1.09):
        trace = new_trace(mlp(("relu",), outputs=3), labels={"task": "multiclass", "prior_loss": prior,
                                                            "majority": 0.4, "classes": 3, "format": "sparse"},
                          baseline={"kind": "accuracy", "score": 1.0}, epochs=len(validation_losses), optimizer=ADAM)
        for epoch, val_loss in enumerate(validation_losses):
            train_loss = 0.05 * 0.8 ** epoch
            add_epoch(trace, {"loss": train_loss, "val_loss": val_loss, "accuracy": 1.0, "val_accuracy": 1.0},
                      loss=train_loss)
        return generalization.detect_overfitting(trace)

    rising = [0.02, 0.0115, 0.012, 0.013, 0.0145, 0.016, 0.017, 0.018]
    assert run(rising) == []
    # the same curve scaled to a material rise (0.07 of a prior of 1.09) is overfitting
    assert codes(run([10 * value for value in rising])) == ["OVERFITTING"]

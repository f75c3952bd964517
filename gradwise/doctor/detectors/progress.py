"""PLATEAU and UNDERFITTING: training that ends far from what the data allow.

Both compare the final training score with two references computed from the first
epoch's data: the majority-class accuracy and a ridge least-squares model's training
accuracy (R² for regression), the *linear baseline*. A network that cannot beat a
linear model on its own training data is not using its capacity. Published rules miss
these problems (AUTOTRAINER's "not converged" needs a user-given target accuracy;
DeepDiagnosis has no rule for them); the baseline makes the rule data-adaptive: Pima
is hard (baseline 0.78), digits easy (0.95).

A run *fits poorly* when, at the end of training, its training score is more than
``BASELINE_GAP`` = 0.1 below the baseline, or a classifier is within 0.02 of the
majority accuracy. A model without hidden layers is judged against the linear baseline alone
(near the majority, it is an error only when also below the baseline by the gap): a linear
model's reference is a linear model, and a tuned one near the majority is where its
cross-validated penalty or the columns put it. Found with ``gradwise doctor`` on tuned models:
Zelig's voteincome (logistic regression, least-squares baseline and majority all at 0.855-0.856
training accuracy) and birthwt (0.695 against a baseline of 0.715 and a majority of 0.689) were
error-level PLATEAUs, "stuck in a flat region" of a convex loss at its solved optimum.
Calibration: the suite's healthy runs end 0.01 to 0.05 *above* the baseline (iris: 0.09
below, hence the gap of 0.1). When the set-up itself limits the
capacity (a hidden layer narrower than ``NARROW`` units or than the output, or an L1/L2
coefficient of ``HEAVY_PENALTY`` or more), ``LIMITED_GAP`` = 0.02 below the baseline is
enough: the cause is in plain sight, and a network that then cannot beat a linear model
on its own training data is not doing what a network is for. Calibration (independent
set-ups, seeds 0-1): 2 tanh units on a Friedman target end 0.05 below, 32-32 ReLU under an
L2 of 3.0 on blobs 0.04 and 0.07 below; 0.02 is the spread of a healthy run's score over
seeds.

A dead ReLU unit in such a narrow layer is a consequence of its width, not a cause of
its own: one or two units either fire or not (a dead fraction of 0, 50% or 100%), and a
single unit that happens to start dead takes the whole layer with it, where a wide
layer would lose a few percent. The UNDERFITTING finding names its narrow layers
(``evidence['narrow_layers']``), and a DYING_RELU finding confined to them is reported
as its symptom (``report.mark_root_cause``).

At most one of the two findings is reported for a poor fit:

UNDERFITTING
    The model cannot fit: a hidden layer narrower than ``NARROW`` = 4 units or than the
    output; a weight penalty that makes up more than half of the loss, or an L1/L2
    coefficient of ``HEAVY_PENALTY`` = 0.1 or more (ten times Keras' default 'l2' of 0.01;
    the tutorials recommend 1e-4 to 1e-2); or dropout of 0.5 or more; or the loss is
    still falling (then: train longer, and use Adam in place of plain SGD).

PLATEAU
    The loss has stopped moving although the model has the capacity: over the last
    ``max(3, epochs / 4)`` epochs it improved by less than ``FLAT`` = 1%.

PLATEAU also has evidence of its own, which needs neither a poor score against the
linear baseline (useless on rings, where a linear model is at chance) nor a flat end:
the loss sat near its start value while the gradients flowed. All of:

- the training loss ended within ``NEAR_START`` = 15% of its starting value, the loss of
  the label prior (the best constant prediction; the first batch's loss when the prior is
  unknown): the run learned next to nothing beyond the label frequencies. (The first
  version took the larger of the two, and missed a held-out plateau whose loss first fell
  from a poor start, 0.82, to the prior's 0.69 and then stalled there.)
  Calibration: the suite's healthy runs end 30% (Pima, the hardest) to 99% below it; the
  plateaus of tanh units on rings and of a saddle at a tiny initialization end 3% to 9%
  below;
- the gradients neither vanished (every epoch median of the first-to-last gradient ratio
  is at least the vanishing detector's 1e-3) nor exploded (no epoch median of a kernel
  gradient norm above its 1e3), and the steps were not too small (the largest median
  update ratio is at least the LR_TOO_LOW detector's 1e-4): what stalls is the loss
  surface, not the optimizer's scale;
- the model is not too small or over-regularized (``_capacity_limits``; those are
  UNDERFITTING), and at least ``MIN_EPOCHS`` = 5 epochs ran;
- the model has a hidden layer. Without one (logistic, softmax or ridge regression) the loss is
  convex in the weights: there is no saddle or flat region before its optimum, and a loss that
  ends near the prior's while the steps are of normal size is the most a linear model gets from
  these columns, not a plateau. Found with ``gradwise doctor`` on a tuned linear model of car's
  Womenlf (participation, 3 classes): its training loss ends 14% below the prior's at the solved
  optimum, and raising the learning rate or training 20x longer, the remedies, change nothing.
  Slow steps of such a model are LR_TOO_LOW's to judge, a poor fit UNDERFITTING's;
- the data offer more: the *held-out reference* (``setup['reference']``, the instruments compute it
  only for a loss that ended near the prior's: 3-fold cross-validated ridge least squares on the
  inputs and on random Fourier features of them, datastats.held_out_reference) drops the loss
  from the prior's at least ``SIGNAL_GAP`` = 0.05 further than the network did. On a table with
  little signal every model ends near the prior on unseen rows, and a healthy network there was
  told of a plateau and to raise its learning rate tenfold (a 32-32 ReLU network on a logistic
  target of slope 0.25-0.35: training loss 9-12% below the prior, the reference 1.5-2%).
  Calibration: the suite's near-start faults have a reference 0.21 (Pima) to 0.90 (rings) of the
  prior, 0.18 to 0.9 above the network's drop; the session's weak-signal networks ended
  0.05-0.11 above their reference. Without a reference (another loss; no rows) the data are taken
  to offer more, as before.

The same reference qualifies a network "within 0.02 of the majority accuracy": rare positives
with a weak signal move the probabilities, not the argmax, so a healthy network sits at the
majority's accuracy with its loss 20% below the prior's; that is a poor fit only when its loss
learned nothing the reference finds (``learned_nothing``). An error-level UNDERFITTING was
reported on such networks (12-15% positives, slopes 0.2-0.6).

Without a compiled accuracy metric the training accuracy is the doctor's own, measured on
sampled batches: it is pooled over the last epochs' batches up to 512 rows
(``Trace.final_train_accuracy``), where one batch of 64 rows (standard error 0.06) read 0.47
for a network at 0.57 and put it 0.1 below the linear baseline.

The remedies for such a plateau are a better-scaled initialization (a saddle near the
origin), an adaptive optimizer, and a learning rate sized by the range test.

``train longer`` is sized from the loss slope: the per-epoch improvements of the last
window are fitted by a geometric decay d_k = d_0 q^k (linear convergence, the usual model
of a loss still falling steadily), and the epochs are multiplied until the improvement
per epoch would drop below ``FLAT`` of the loss, at least 2x and at most
``MAX_EPOCH_FACTOR`` = 20x (a loss that is not slowing down gets the maximum).
"""

import math

import numpy as np

from .. import remedies
from ..findings import Finding
from . import _signals
from ._signals import fmt

BASELINE_GAP = 0.1
LIMITED_GAP = 0.02
MAJORITY_MARGIN = 0.02
NARROW = 4
FLAT = 0.01
PENALTY_SHARE = 0.5
HEAVY_PENALTY = 0.1
NEAR_START = 0.15
SIGNAL_GAP = 0.05
# the losses whose drop from the prior the reference measures (log loss, squared error)
REFERENCE_LOSSES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
                    "mean_squared_error")
MIN_EPOCHS = 5
MAX_EPOCH_FACTOR = 20
VANISHING_RATIO = 1e-3  # the vanishing and exploding detectors' thresholds (gradients.py)
EXPLODING_NORM = 1e3
LOW_UPDATE = 1e-4  # the LR_TOO_LOW detector's (learning_rate.py)


def epoch_factor(series, window):
    """How many times the epochs to train for the loss to stop improving by FLAT per epoch
    (the geometric-decay model in the module docstring); between 2 and MAX_EPOCH_FACTOR."""
    series = np.asarray(series, dtype=np.float64)
    recent = series[-(window + 1):]
    drops = recent[:-1] - recent[1:]
    if recent.size < 3 or not np.isfinite(recent).all() or (drops <= 0).any():
        return MAX_EPOCH_FACTOR if recent.size >= 2 and recent[-1] < recent[0] else 2
    slope = np.polyfit(np.arange(drops.size), np.log(drops), 1)[0]
    if slope >= 0:
        return MAX_EPOCH_FACTOR
    goal = FLAT * max(recent[-1], 1e-12)
    remaining = max(math.log(goal / drops[-1]) / slope, 0.0) if drops[-1] > goal else 0.0
    return int(min(max(math.ceil((series.size + remaining) / series.size), 2), MAX_EPOCH_FACTOR))


def _gradients_flow(trace):
    """True when no epoch's gradients vanished or exploded and the steps were not tiny."""
    epochs, ratios = _signals.gradient_ratios(trace)
    if ratios.size and min(_signals.per_epoch_median(epochs, ratios).values()) < VANISHING_RATIO:
        return False
    for info in trace.kernel_layers():
        epochs = [sample["epoch"] for sample in trace.samples
                  if sample["layers"].get(info["name"], {}).get("grad_norm") is not None]
        norms = trace.sample_series(info["name"], "grad_norm")
        if np.isinf(norms).any() or (norms.size and max(_signals.per_epoch_median(epochs, norms).values())
                                     > EXPLODING_NORM):
            return False
    medians = _signals.update_ratio_medians(trace)
    return bool(medians) and max(medians.values()) >= LOW_UPDATE


def loss_from_start(trace):
    """The final training loss (the data's part) against its start, the label prior's loss (the first batches'
    when the prior is unknown), as evidence; {} when the loss is not finite or training failed."""
    series = trace.data_loss_series()
    if not series.size or not np.isfinite(series).all() or trace.failure:
        return {}
    prior = trace.prior_loss()
    start = prior if math.isfinite(prior) and prior > 0 else trace.initial_loss()
    return {"start_loss": start, "final_loss": float(series[-1]),
            "loss_drop_from_start": _signals.relative_drop(start, float(series[-1])), "threshold_near_start": NEAR_START}


def learned_nothing(trace):
    """(True, evidence) when the training loss ended less than ``NEAR_START`` below its start, the label
    prior's loss (or above it), while the data offer clearly more: a held-out reference (``setup['reference']``,
    simple smoothers scored on rows they did not see) drops the loss by ``SIGNAL_GAP`` more. Without a
    reference (another loss, no rows kept) the data are taken to offer more. The loss is the data's part,
    without the weight penalty."""
    evidence = loss_from_start(trace)
    if not evidence:
        return False, {}
    drop = evidence["loss_drop_from_start"]
    if not (evidence["start_loss"] > 0 and drop < NEAR_START):
        return False, evidence
    reference = trace.setup.get("reference") or {}
    if trace.setup.get("loss") in REFERENCE_LOSSES and reference.get("loss_drop") is not None:
        evidence.update(held_out_reference_drop=reference["loss_drop"], reference_model=reference.get("model"),
                        threshold_signal_gap=SIGNAL_GAP)
        if reference["loss_drop"] < drop + SIGNAL_GAP:
            return False, evidence  # weak signal: the network learned what unseen rows show there is to learn
    return True, evidence


def stalled_near_start(trace):
    """(True, evidence) when the loss sat near its start while the gradients flowed (see PLATEAU)."""
    series = trace.epoch_series("loss")
    if series.size < MIN_EPOCHS or not _signals.has_hidden_layer(trace):  # convex: no plateau before its optimum
        return False, {}
    nothing, evidence = learned_nothing(trace)
    # near the start on either side: a loss that ended far above it did not sit on a plateau, it went astray (a step
    # too large, unscaled inputs), which other rules name; as a plateau it was told to raise the learning rate
    return bool(nothing and evidence["loss_drop_from_start"] > -NEAR_START and _gradients_flow(trace)), evidence


def finished(trace):
    """True once the last planned epoch ran (or fit stopped): end-of-training verdicts apply."""
    return bool(trace.setup.get("finished")) or bool(trace.epochs and len(trace.epochs) >= trace.total_epochs)


def fit_quality(trace):
    """(score, reference, kind, majority) at the end of training, or None when unknown."""
    if not trace.epochs:
        return None
    labels = trace.setup.get("labels") or {}
    baseline = trace.setup.get("baseline") or {}
    if labels.get("task") == "regression":
        variance = labels.get("std", 0.0) ** 2
        if trace.setup.get("loss") != "mean_squared_error" or variance <= 0:
            return None
        score = 1.0 - trace.data_loss_series()[-1] / variance  # the data's part of the loss, not the penalty's
        return score, baseline.get("score"), "R²", None
    accuracy = trace.final_train_accuracy(max_epochs=max(3, math.ceil(trace.total_epochs / 4)))
    if not math.isfinite(accuracy):
        return None
    return accuracy, baseline.get("score"), "accuracy", labels.get("majority")


def narrow_layers(trace):
    """The hidden layers narrower than ``NARROW`` units or than the output (up to 2 * NARROW)."""
    output_units = trace.setup.get("output_units") or 1
    hidden = [info for info in trace.kernel_layers()
              if not info.get("is_output") and info["name"] != trace.setup.get("output_layer")]
    return [info for info in hidden if info["units"] < max(NARROW, min(output_units, 2 * NARROW))]


def _heavy_penalty(trace):
    return [info for info in trace.layers if any(
        max(config.get("l1", 0.0), config.get("l2", 0.0)) >= HEAVY_PENALTY for config in info["regularizers"].values())]


def _capacity_limits(trace):
    """Reasons the model cannot fit, with the remedies for each."""
    reasons, fixes = [], []
    output_units = trace.setup.get("output_units") or 1
    narrow = narrow_layers(trace)
    if narrow:
        reasons.append(f"{narrow[0]['name']} has only {narrow[0]['units']} unit(s) for {output_units} output(s)")
        fixes.append(remedies.add_capacity(narrow, 64))
    epochs = trace.epochs
    penalty = epochs[-1].get("penalty") if epochs else None
    loss = epochs[-1]["logs"].get("loss") if epochs else None
    heavy_penalty = _heavy_penalty(trace)
    if (penalty and loss and penalty > PENALTY_SHARE * loss) or heavy_penalty:
        share = f"the weight penalty is {fmt(100 * penalty / loss)}% of the loss" if penalty and loss else ""
        strong = (f"{heavy_penalty[0]['name']} has a weight penalty of {HEAVY_PENALTY:g} or more"
                  if heavy_penalty else "")
        reasons.append(" and ".join(item for item in (strong, share) if item))
        fixes.append(remedies.weaken_regularization([info for info in trace.layers if info["regularizers"]]))
    heavy = [info for info in trace.layers if info.get("drops_out") and (info.get("rate") or 0) >= 0.5]
    if heavy:
        reasons.append(f"Dropout({heavy[0]['rate']:g}) drops half the units or more")
    return reasons, fixes


def _plateau_near_start(trace, evidence):
    series = trace.epoch_series("loss")
    drop = evidence["loss_drop_from_start"]  # of the data's part of the loss (evidence['final_loss'])
    optimizer = trace.setup.get("optimizer", {})
    fixes = []
    small = [info for info in trace.kernel_layers() if not info.get("is_output") and info.get("fan_in")
             and info.get("kernel_std", 1.0) < 0.2 * _fitting_std(info)]
    if small:
        fixes.append(remedies.reinitialize(small, "he_normal" if small[0]["activation"] == "relu"
                                           else "glorot_uniform"))
    if optimizer.get("class") == "SGD":
        fixes.append(remedies.switch_to_adam(trace.setup))
    fixes.append(remedies.raise_learning_rate(trace.setup, factor=10.0))
    fixes.append(remedies.train_longer(epoch_factor(series, max(3, math.ceil(series.size / 4)))))
    cause = (f" The kernels of {small[0]['name']} start at {fmt(small[0]['kernel_std'])} standard deviation, "
             "near the saddle point at the origin." if small else "")
    return [Finding(
        "PLATEAU", "Loss plateau near its starting value", "warning",
        f"After {series.size} epochs the training loss is {fmt(evidence['final_loss'])}, " + (
            f"only {fmt(100 * drop)}% below" if drop >= 0 else f"{fmt(-100 * drop)}% above") +
        f" where it started ({fmt(evidence['start_loss'])}, the "
        "loss of predicting the label frequencies), "
        "although the gradients neither vanished nor exploded and the steps were of normal size. The optimizer is "
        "crossing a flat region of the loss surface (a plateau or a saddle)." + cause,
        evidence, fixes, epoch=series.size - 1, step=_signals.epoch_start_step(trace, series.size - 1))]


def _fitting_std(info):
    from ..setup import fitting_std

    return fitting_std(info["activation"], info["fan_in"], info["fan_out"])


def detect_progress(trace):
    if not finished(trace) or trace.failure:
        return []
    stalled, stall_evidence = stalled_near_start(trace)
    if stalled and not _capacity_limits(trace)[0]:
        return _plateau_near_start(trace, stall_evidence)
    quality = fit_quality(trace)
    if quality is None:
        return []
    score, reference, kind, majority = quality
    narrow = narrow_layers(trace)
    gap = LIMITED_GAP if narrow or _heavy_penalty(trace) else BASELINE_GAP  # a limit in plain sight
    poor_vs_baseline = reference is not None and score < reference - gap
    near_majority = majority is not None and score <= majority + MAJORITY_MARGIN
    convex = not _signals.has_hidden_layer(trace)  # no hidden layer: logistic, softmax or ridge regression
    if convex and reference is not None:  # a linear model: against the linear baseline
        near_majority = near_majority and poor_vs_baseline
    elif near_majority and trace.setup.get("loss") in REFERENCE_LOSSES:
        # a network at the majority's accuracy whose loss learned the data's weak signal (rare positives: the
        # probabilities move, the argmax stays on the majority) is not stuck: its loss says whether it learned
        near_majority = learned_nothing(trace)[0]
    if not (poor_vs_baseline or near_majority):
        return []
    series = trace.epoch_series("loss")
    window = max(3, math.ceil(trace.total_epochs / 4))
    recent = series[-(window + 1):]
    flat_drop = _signals.relative_drop(recent[0], np.nanmin(recent[1:])) if recent.size > 1 else math.nan
    flat = not math.isnan(flat_drop) and flat_drop < FLAT
    reasons, fixes = _capacity_limits(trace)
    evidence = {f"train_{kind}": score, f"linear_baseline_{kind}": reference, "majority_accuracy": majority,
                "recent_loss_drop": flat_drop, "window_epochs": window, "threshold_gap": gap}
    where = dict(epoch=len(series) - 1, step=_signals.epoch_start_step(trace, len(series) - 1))
    compared = (f"a linear least-squares model reaches {fmt(reference)} on the same data"
                if reference is not None else f"always predicting the majority class gives {fmt(majority)}")
    severity = "error" if near_majority else "warning"
    if reasons or not flat:
        if not reasons:
            reasons = [f"the loss is still falling ({fmt(100 * flat_drop)}% over the last {window} epochs)"]
            fixes = [remedies.train_longer(epoch_factor(series, window), " (sized from the loss slope)")]
            optimizer = trace.setup.get("optimizer", {})
            if optimizer.get("class") == "SGD" and not optimizer.get("momentum"):
                reasons[0] += ", slowly, with plain SGD"
                fixes.insert(0, remedies.switch_to_adam(trace.setup))
        fixes = fixes or [remedies.add_capacity([], 64)]
        if narrow:
            evidence["narrow_layers"] = [info["name"] for info in narrow]
        return [Finding(
            "UNDERFITTING", f"Underfitting: training {kind} {fmt(score)}", severity,
            f"The model reaches a training {kind} of only {fmt(score)}, while {compared}. It cannot fit even the "
            "data it trains on: " + "; ".join(reasons) + ".",
            evidence, fixes, **where)]
    optimizer = trace.setup.get("optimizer", {})
    # a convex loss has no saddle or plateau before its optimum: flat short of it, the steps are too small
    fixes = [remedies.raise_learning_rate(trace.setup)] if convex else [remedies.reduce_lr_on_plateau()]
    if optimizer.get("class") == "SGD" and not optimizer.get("momentum"):
        fixes.insert(0, remedies.switch_to_adam(trace.setup))
    cause = ("The model has no hidden layer, so its loss is convex, without saddles or plateaus before its optimum: "
             "a loss this flat this far from the linear baseline means the optimizer's steps are too small to reach "
             "that optimum." if convex else
             "The optimizer is stuck in a flat region (a saddle or a plateau of the loss surface) rather than at a "
             "good minimum.")
    return [Finding(
        "PLATEAU", "Loss plateau", severity,
        f"The training loss improved by only {fmt(100 * flat_drop)}% over the last {window} epochs and stays at "
        f"{fmt(series[-1])}, with a training {kind} of {fmt(score)} while {compared}. " + cause,
        evidence, fixes, **where)]


DETECTORS = [detect_progress]

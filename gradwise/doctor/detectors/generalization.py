"""OVERFITTING: the validation loss turns up while the training loss keeps falling.

The losses are first smoothed with a 3-epoch moving average (small validation sets are
noisy). With validation data, let e* be the epoch of the lowest smoothed validation loss. The finding
fires when, after e*, the validation loss rose by at least ``RISE`` = 20% while the
training loss fell by at least ``TRAIN_DROP`` = 20%, or when the validation loss rose
by at least ``RISE_WITH_GAP`` = 10% and the accuracy gap is AUTOTRAINER's (ICSE'21):
train minus validation accuracy of 0.1 or more (0.07 once training accuracy exceeds
0.9). At least ``MIN_EPOCHS_AFTER`` = 3 epochs must follow e*, so one noisy validation
epoch is not enough. Calibration: the suite's healthy runs rise by at most 10% with an
accuracy gap of 0.03; its overfitting set-ups rise 20% to 100%. When training restored
the weights of the best epoch (``setup['restored_epoch']``, set by the doctor's own
early-stopping repair), the run is judged up to that epoch: the model handed back is
the one from before the rise.

A memorized training set is enough with a modest rise: training accuracy of at least
``MEMORIZED`` = 0.99 with a gap of ``GAP`` = 0.1 or more (AUTOTRAINER's) to the validation
accuracy, and a validation loss ``MODEST_RISE`` = 3% above its minimum. On small training
sets the validation loss of a memorizing model rises slowly (its confident errors are few)
while the accuracy gap is plain: 80 digits images under three 256-unit tanh layers reach a
gap of 0.12 with a 7% rise. Calibration: the healthy runs' gaps stay at or below 0.03, so
the gap, not the rise, separates them.

A rise without an accuracy gap must also be material: at least ``MATERIAL_RISE`` = 2% of the
label prior's loss (the targets' variance for a regression). Near zero a relative rise says
little: `gradwise doctor` on a tuned softmax regression of wine (36 validation rows, every one
right throughout) reported an error-level OVERFITTING for a validation loss that went from
0.0115 to 0.018, "57%", 0.6% of the prior's 1.09. Calibration: the suite's overfitting set-ups
without a wide accuracy gap rise by 14% of the prior (breast cancer under three 256-unit
layers), those with one by 1.3% to 99%.

Noise. The smaller the batch, the noisier the weights an epoch ends on, and the
validation loss of a model near zero loss jumps by several times its value from epoch to
epoch (momentum SGD with batches of 1 on an easy problem: 0.02, 0.10, 0.05, 0.13, ...).
The rise is therefore judged against the run's own noise floor, measured rather than
guessed from the batch size: sigma, the median absolute epoch-to-epoch change of the
raw validation loss since e*. A rise over k epochs must exceed ``NOISE_MULTIPLE`` = 1
times sqrt(k) sigma, about what a random walk with steps of that size reaches in k
epochs. A steady rise of k epochs scores about sqrt(k): the suite's overfitting runs
score 3.5 to 18, noisy healthy runs with batches of 1 (three seeds) 0.1 to 0.3.

A memorized regression target needs no rise at all: on a few rows a large network drives
its training loss toward zero while the validation loss stays where the data put it, and
may even keep falling slowly (60 rows of a Friedman target under two 256-unit layers:
training MSE 0.003, validation 0.25). With no accuracy to compare, the evidence is the
ratio of the two losses: the smoothed validation loss at least ``MEMORIZED_RATIO`` = 10
times the smoothed training loss at the end of training, for a regression loss, after at
least ``MIN_EPOCHS_AFTER`` + 2 epochs, the training loss down to ``MEMORIZED_TRAIN_SHARE`` = 20% of its
first epoch's value or less and the validation loss no higher than at its first epoch (two
diverging losses, as under a learning rate that overflows, are not memorizing). Calibration (independent set-ups, seeds 0-1): healthy
regression runs on 630 rows end at 2.6 to 3.8, the other faulty ones at 0.96 to 2.4, the
memorizing ones at 73 to 78. (Cross-entropy is left out: an easy classification problem
can end with a near-zero training loss and a validation loss many times larger while
generalizing well; the accuracy gap above is its evidence.)
"""

import math

import numpy as np

from .. import remedies
from ..findings import Finding
from . import _signals
from ._signals import fmt

RISE = 0.2
RISE_WITH_GAP = 0.1
TRAIN_DROP = 0.2
MIN_EPOCHS_AFTER = 3
MEMORIZED = 0.99
GAP = 0.1
MODEST_RISE = 0.03
NOISE_MULTIPLE = 1.0
MEMORIZED_RATIO = 10.0
MEMORIZED_TRAIN_SHARE = 0.2
MATERIAL_RISE = 0.02


def _smooth(series, window=3):
    """Moving average over `window` epochs (shorter at the start)."""
    totals = np.cumsum(np.insert(series, 0, 0.0))
    counts = np.minimum(np.arange(1, series.size + 1), window)
    return (totals[1:] - totals[np.arange(series.size) + 1 - counts]) / counts


def _accuracy_gap_threshold(train_accuracy):
    return 0.07 if train_accuracy > 0.9 else 0.1


def detect_overfitting(trace):
    validation = trace.epoch_series("val_loss")
    training = trace.epoch_series("loss")
    restored = trace.setup.get("restored_epoch")
    if restored is not None:
        validation, training = validation[:restored + 1], training[:restored + 1]
    if validation.size < MIN_EPOCHS_AFTER + 2 or not np.isfinite(validation).all():
        return []
    raw = validation
    validation, training = _smooth(validation), _smooth(training)
    best = int(np.argmin(validation))
    after = validation.size - 1 - best
    if after < MIN_EPOCHS_AFTER:
        return _memorized_regression(trace, validation, training)
    rise = (validation[-1] - validation[best]) / validation[best] if validation[best] > 0 else math.inf
    noise = float(np.median(np.abs(np.diff(raw[best:])))) if after else 0.0
    if validation[-1] - validation[best] < NOISE_MULTIPLE * math.sqrt(after) * noise:
        # a rise no larger than the epoch-to-epoch noise of small-batch training
        return _memorized_regression(trace, validation, training)
    train_drop = _signals.relative_drop(training[best], training[-1])
    accuracy, val_accuracy = trace.train_accuracy(), trace.val_accuracy()
    gap = math.nan
    if accuracy.size >= validation.size and math.isfinite(accuracy[validation.size - 1]) and math.isfinite(
            val_accuracy[validation.size - 1]):
        gap = float(accuracy[validation.size - 1] - val_accuracy[validation.size - 1])
    wide_gap = not math.isnan(gap) and gap >= _accuracy_gap_threshold(accuracy[validation.size - 1])
    memorized = wide_gap and accuracy[validation.size - 1] >= MEMORIZED and gap >= GAP
    prior = trace.prior_loss()
    material = not (math.isfinite(prior) and prior > 0) or validation[-1] - validation[best] >= MATERIAL_RISE * prior
    if not ((rise >= RISE and train_drop >= TRAIN_DROP and material) or (rise >= RISE_WITH_GAP and wide_gap)
            or (rise >= MODEST_RISE and memorized)):
        return _memorized_regression(trace, validation, training)
    evidence = {"best_val_loss_epoch": best + 1, "best_val_loss": float(validation[best]),
                "final_val_loss": float(validation[-1]), "val_loss_rise": float(rise), "train_loss_drop": train_drop,
                "accuracy_gap": gap, "threshold_rise": RISE}
    return [Finding(
        "OVERFITTING", "Overfitting: validation loss rising while training loss falls",
        "error" if rise >= 0.5 else "warning",
        f"The validation loss was lowest at epoch {best + 1} ({fmt(validation[best])}) and has since risen "
        f"{fmt(100 * rise)}% to {fmt(validation[-1])}, while the training loss fell another "
        f"{fmt(100 * train_drop)}%. The model is memorizing the training set instead of learning what generalizes.",
        evidence, _remedies(trace),
        epoch=best + 1, step=_signals.epoch_start_step(trace, best + 1))]


def _memorized_regression(trace, validation, training):
    """OVERFITTING of a regression model that memorized its training rows (the module docstring):
    the smoothed validation loss `MEMORIZED_RATIO` times the training loss or more at the end."""
    if (trace.setup.get("labels") or {}).get("task") != "regression" or not np.isfinite(training).all():
        return []
    if training[-1] > MEMORIZED_TRAIN_SHARE * training[0] or validation[-1] > validation[0]:
        return []  # nothing was learned by heart (or both losses diverge, which is another problem)
    ratios = validation / np.maximum(training, np.finfo(np.float64).tiny)
    if ratios[-1] < MEMORIZED_RATIO:
        return []
    below = np.flatnonzero(ratios < MEMORIZED_RATIO)
    first = int(below[-1]) + 1 if below.size else 0  # the epoch from which the ratio stayed above it
    evidence = {"final_train_loss": float(training[-1]), "final_val_loss": float(validation[-1]),
                "val_to_train_loss": float(ratios[-1]), "threshold_ratio": MEMORIZED_RATIO,
                "train_rows": (trace.setup.get("baseline") or {}).get("samples")}
    return [Finding(
        "OVERFITTING", "Overfitting: the training rows are memorized", "warning",
        f"The training loss fell to {fmt(training[-1])} while the validation loss stays at {fmt(validation[-1])}, "
        f"{fmt(ratios[-1])} times higher (since epoch {first + 1}). The model fits the noise of its training rows, "
        "which does not carry over to new data: fewer parameters, regularization or more rows would.",
        evidence, _remedies(trace),
        epoch=first, step=_signals.epoch_start_step(trace, first))]


def _remedies(trace):
    """Dropout after each hidden layer, an L2 penalty, early stopping; a model without a hidden layer (a tuned
    linear model) has nowhere to put the dropout, so it is offered the other two."""
    dropout = [remedies.regularize()] if _signals.has_hidden_layer(trace) else []
    return dropout + [remedies.l2(), remedies.early_stopping()]


DETECTORS = [detect_overfitting]

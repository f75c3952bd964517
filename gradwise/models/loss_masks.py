"""Keras's loss masking: padded time steps do not count in the loss.

When a model's output carries a Keras mask (an ``Embedding(mask_zero=True)`` or ``Masking``
upstream and layers that hand it on, e.g. ``LSTM(return_sequences=True)`` then
``TimeDistributed(Dense)``), the loss of a (batch, steps, ...) output is the mean over the
real steps, as Keras's "sum_over_batch_size" reduction with a mask: each step is a row of
the loss, weighted by ``mask * (batch * steps) / real steps`` (times its sample's weight),
so a masked step adds nothing to the loss or to its gradient. Compiled metrics skip the
masked steps likewise (each real step a row of weight 1).
"""

import numpy as np


def applies(mask, outputs):
    """Whether `mask` (None or (batch, steps)) masks the steps of `outputs`."""
    return mask is not None and outputs.ndim >= 3 and mask.shape == outputs.shape[:2]


def by_step(array, mask):
    """(batch, steps, ...) as (batch * steps, ...): one loss row per step (None stays None)."""
    return None if array is None else array.reshape(mask.size, *array.shape[2:])


def step_weights(mask, sample_weight):
    """The weight of each step row in the loss: a metric's weights (below) scaled to average over
    the real steps."""
    weights = metric_weights(mask, sample_weight)
    real = np.count_nonzero(mask)
    if real:
        weights *= mask.size / real  # mask is 0/1, so scaling after the sample weight rounds alike
    return weights


def metric_weights(mask, sample_weight):
    """The weight of each step row in a metric: 1 for a real step, 0 for a padded one (times the
    sample's weight), so a mean metric averages over the real steps."""
    weights = mask.reshape(-1).astype(np.float64)
    if sample_weight is not None:
        weights *= np.repeat(np.asarray(sample_weight, dtype=np.float64), mask.shape[1])
    return weights


def per_sample(step_losses, mask):
    """Per-sample values whose sum is the batch's mean over real steps times the batch size (what
    evaluate sums): each sample's real-step losses, scaled by batch / real steps."""
    batch = mask.shape[0]
    real = np.count_nonzero(mask)
    summed = (step_losses.reshape(mask.shape) * mask).sum(axis=1)
    return summed * (batch / real) if real else np.zeros_like(summed)

"""Keras's metric functions, ``keras.metrics.binary_accuracy(y_true, y_pred)`` and the others: one value
per sample, for use by hand or as ``compile(metrics=[gradwise.metrics.binary_accuracy])`` (a function
metric is averaged over the epoch under its name, as Keras's). The loss-shaped ones are the loss
functions of ``gradwise.losses``."""

import numpy as np

from ..losses import (binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
                      categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence, log_cosh,
                      mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
                      mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 for each output on the right side of `threshold`, else 0 (elementwise, as Keras 3's)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return (y_true == (y_pred > threshold).astype(y_true.dtype)).astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    """1 where the one-hot target's class is the largest output, else 0."""
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the class index is the largest output, else 0 (targets (batch,) or (batch, 1))."""
    y_pred = np.asarray(y_pred)
    labels = np.asarray(y_true).reshape(y_pred.shape[:-1])
    return (labels == np.argmax(y_pred, axis=-1)).astype(np.float32)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 where the class index is among the `k` largest outputs (or, `from_sorted_ids`, among the first
    `k` of `y_pred`'s class ids sorted best first)."""
    y_pred = np.asarray(y_pred)
    labels = np.asarray(y_true).reshape(y_pred.shape[:-1])
    top = y_pred[..., :k] if from_sorted_ids else np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    return (top == labels[..., None]).any(axis=-1).astype(np.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """``sparse_top_k_categorical_accuracy`` of one-hot targets."""
    return sparse_top_k_categorical_accuracy(np.argmax(y_true, axis=-1), y_pred, k)


__all__ = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "binary_crossentropy", "binary_focal_crossentropy",
           "categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber",
           "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
           "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy", "squared_hinge"]

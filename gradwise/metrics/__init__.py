"""Metrics accumulated over an epoch (stateful, as Keras metrics).

Contract::

    class Metric:
        name = "accuracy"
        def update_state(self, y_true, y_pred, sample_weight=None)   # one batch
        def result(self) -> float (or one value per class)            # over all batches so far
        def reset_state(self)

`y_true` arrives as the loss prepared it (class indices for sparse losses, one-hot or
0/1 arrays otherwise); `y_pred` is the model's output (probabilities, or logits when
the loss has from_logits=True: then accuracy thresholds at 0 instead of 0.5, where
Keras silently keeps 0.5). A plain function ``f(y_true, y_pred)`` is a metric too: it
becomes a `MeanMetricWrapper`. Metrics need no gradient.
"""

from .. import registry
from .accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                       SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy)
from .base import MeanMetric, MeanMetricWrapper, Metric
from .confusion import FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives
from .curves import AUC, PrecisionAtRecall
from .fscore import F1Score, FBetaScore
from .from_losses import (BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge,
                          KLDivergence, LogCoshError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
                          Poisson, SparseCategoricalCrossentropy, SquaredHinge)
from .functions import (binary_accuracy, binary_crossentropy, binary_focal_crossentropy, categorical_accuracy,
                        categorical_crossentropy, categorical_focal_crossentropy, categorical_hinge, hinge, huber,
                        kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
                        mean_squared_error, mean_squared_logarithmic_error, poisson, sparse_categorical_accuracy,
                        sparse_categorical_crossentropy, sparse_top_k_categorical_accuracy, squared_hinge,
                        top_k_categorical_accuracy)
from .iou import MeanIoU
from .reduction import Mean, Sum
from .regression import MeanAbsoluteError, MeanSquaredError, R2Score, RootMeanSquaredError

_REGISTRY = registry.View("metric", lambda cls: cls.name)  # gradwise's own metrics, by name


def register(cls, *aliases):
    """Make `cls` resolvable by its ``name`` and `aliases` (and loadable from a saved model);
    subclassing Metric already registers it under its name and class name."""
    return registry.register("metric", cls, cls.name, cls.__name__, *aliases)


def _as_loss(loss):
    if isinstance(loss, (str, dict)):
        from .. import losses

        return losses.get(loss)
    return loss


def resolve_accuracy(name, loss, output_shape):
    """Keras' rule for 'accuracy'/'acc': pick the variant that fits the loss and outputs.

    Binary crossentropy (and any single-column output) gives BinaryAccuracy, with the
    threshold at 0 when the loss takes logits; categorical and sparse categorical
    crossentropy give their accuracies; other multi-column outputs CategoricalAccuracy.
    """
    loss = _as_loss(loss)
    from_logits = getattr(loss, "from_logits", False)
    loss_name = getattr(loss, "name", "")
    if loss_name == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy(name=name)
    if loss_name == "categorical_crossentropy":
        return CategoricalAccuracy(name=name)
    if loss_name == "binary_crossentropy" or output_shape[-1] == 1:
        return BinaryAccuracy(name=name, threshold=0.0 if from_logits else 0.5)
    return CategoricalAccuracy(name=name)


def _from_name(identifier, loss):
    cls = registry.lookup("metric", identifier)
    try:
        metric = cls()
    except TypeError:
        raise ValueError(
            f"metric {identifier!r} needs arguments: pass an instance such as gradwise.metrics.{cls.__name__}(...) "
            f"instead of its name."
        ) from None
    if getattr(_as_loss(loss), "from_logits", False) and hasattr(metric, "use_logits"):
        metric.use_logits()
    metric.name = identifier
    return metric


def serialize(metric):
    """A Metric as ``{"class_name": ..., "config": ...}`` (what ``deserialize`` and ``get`` take back)."""
    if not isinstance(metric, Metric):
        raise TypeError(f"serialize: `metric` must be a gradwise Metric, got {metric!r} of type "
                        f"{type(metric).__name__} (a plain function holds no config to save).")
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config, custom_objects=None):
    """The Metric of ``serialize(metric)``: its class (by class name) built from its config."""
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"deserialize: `config` must be a dict with a 'class_name', as serialize() returns, "
                         f"got {config!r}.")
    with registry.custom_objects(custom_objects):
        cls = registry.lookup("metric", config["class_name"])
        return cls(**config.get("config", {}))


def get(identifier, loss=None, output_shape=(1,)):
    """Resolve a metric from a name, a ``serialize`` dict, a Metric or a function ``f(y_true, y_pred)``;
    'accuracy' depends on the loss.

    Metrics with a threshold ('precision', 'recall', 'f1_score' on one column, 'true_positives'
    and the other counts) threshold at 0 instead of 0.5 when the loss takes logits, and the
    crossentropy metrics ('binary_crossentropy', ...) take logits.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return resolve_accuracy(identifier, loss, output_shape)
        return _from_name(identifier, loss)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier) and not isinstance(identifier, type):
        return MeanMetricWrapper(identifier)
    raise TypeError(
        f"metric must be a name such as 'accuracy', a gradwise Metric or a function f(y_true, y_pred), got "
        f"{identifier!r} of type {type(identifier).__name__}."
    )


__all__ = [
    "Metric", "MeanMetric", "MeanMetricWrapper", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError", "R2Score",
    "Precision", "Recall", "F1Score", "FBetaScore", "AUC", "PrecisionAtRecall", "MeanIoU", "get", "register",
    "resolve_accuracy", "Accuracy", "Mean", "Sum", "RootMeanSquaredError", "MeanSquaredLogarithmicError",
    "MeanAbsolutePercentageError", "LogCoshError", "CosineSimilarity", "TruePositives", "TrueNegatives",
    "FalsePositives", "FalseNegatives", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge",
    "serialize", "deserialize", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "binary_crossentropy",
    "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge",
    "hinge", "huber", "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_error", "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge"]

"""Keras's remaining metric classes (RMSE, MSLE, MAPE, log-cosh, cosine similarity, Accuracy, the
confusion counts, the loss metrics, Mean and Sum) against NumPy and PyTorch formulas, over uneven
batches with sample weights, and by name in compile/fit/evaluate.

scripts/keras_metric_parity.py compares the same classes with Keras itself."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradwise as gw
from gradwise import metrics

from .accumulate import accumulate


@pytest.fixture
def data(rng):
    binary = rng.integers(0, 2, size=(21, 3)).astype(float)
    probabilities = rng.uniform(0.02, 0.98, size=(21, 3))
    labels = rng.integers(0, 4, size=21)
    softmax = rng.dirichlet(np.ones(4), size=21)
    targets = rng.uniform(0.1, 3.0, size=(21, 2))
    predictions = targets + rng.normal(scale=0.5, size=(21, 2))
    return {"binary": (binary, probabilities), "sparse": (labels, softmax), "categorical": (np.eye(4)[labels], softmax),
            "regression": (targets, predictions), "weights": rng.uniform(0.1, 2.0, size=21)}


def _t(array):
    return torch.as_tensor(array, dtype=torch.float64)


def _reference(kind, y, p):
    """Per-sample values by an independent formula (NumPy or PyTorch)."""
    if kind == "root_mean_squared_error":
        return ((p - y) ** 2).mean(axis=1)  # squared first: the root comes after the epoch's mean
    if kind == "mean_squared_logarithmic_error":
        return ((np.log1p(np.maximum(p, 1e-7)) - np.log1p(np.maximum(y, 1e-7))) ** 2).mean(axis=1)
    if kind == "mean_absolute_percentage_error":
        return (100 * np.abs(y - p) / np.abs(y)).mean(axis=1)
    if kind == "logcosh":
        return np.log(np.cosh(p - y)).mean(axis=1)
    if kind == "cosine_similarity":
        return F.cosine_similarity(_t(y), _t(p), dim=1).numpy()
    if kind == "binary_crossentropy":
        return F.binary_cross_entropy(_t(p), _t(y), reduction="none").mean(dim=1).numpy()
    if kind == "categorical_crossentropy":
        return -(y * np.log(p)).sum(axis=1)
    if kind == "sparse_categorical_crossentropy":
        return F.nll_loss(torch.log(_t(p)), torch.as_tensor(y), reduction="none").numpy()
    if kind == "kl_divergence":
        return F.kl_div(torch.log(_t(p)), _t(np.clip(y, 1e-7, 1)), reduction="none").sum(dim=1).numpy()
    if kind == "poisson":
        return F.poisson_nll_loss(_t(p), _t(y), log_input=False, eps=1e-7, reduction="none").mean(dim=1).numpy()
    signed = 2 * y - 1
    if kind == "hinge":
        return np.maximum(1 - signed * p, 0).mean(axis=1)
    if kind == "squared_hinge":
        return (np.maximum(1 - signed * p, 0) ** 2).mean(axis=1)
    if kind == "categorical_hinge":
        return np.maximum(((1 - y) * p).max(axis=1) - (y * p).sum(axis=1) + 1, 0)
    raise AssertionError(kind)


@pytest.mark.parametrize("cls, kind", [
    (metrics.RootMeanSquaredError, "regression"), (metrics.MeanSquaredLogarithmicError, "regression"),
    (metrics.MeanAbsolutePercentageError, "regression"), (metrics.LogCoshError, "regression"),
    (metrics.CosineSimilarity, "regression"), (metrics.BinaryCrossentropy, "binary"),
    (metrics.CategoricalCrossentropy, "categorical"), (metrics.SparseCategoricalCrossentropy, "sparse"),
    (metrics.KLDivergence, "categorical"), (metrics.Poisson, "binary"), (metrics.Hinge, "binary"),
    (metrics.SquaredHinge, "binary"), (metrics.CategoricalHinge, "categorical"),
])
@pytest.mark.parametrize("weighted", [False, True])
def test_mean_metrics_match_reference_formulas_over_batches(cls, kind, weighted, data):
    y, p = data[kind]
    weights = data["weights"] if weighted else None
    metric = cls()
    values = _reference(metric.name, y, p)
    expected = np.average(values, weights=weights)
    if cls is metrics.RootMeanSquaredError:
        expected = np.sqrt(expected)
    assert accumulate(metric, y, p, weights) == pytest.approx(expected, rel=1e-9)
    assert accumulate(metric, y, p, weights) == pytest.approx(expected, rel=1e-9)  # reset_state forgets the epoch
    rebuilt = metrics.deserialize(metrics.serialize(metric))
    assert type(rebuilt) is cls and rebuilt.get_config() == metric.get_config()


def test_loss_metric_arguments_reach_the_loss(data):
    y, p = data["binary"]
    logits = np.log(p / (1 - p))
    smoothed = y * 0.9 + 0.05
    expected = F.binary_cross_entropy(_t(p), _t(smoothed), reduction="none").mean(dim=1).numpy().mean()
    assert accumulate(metrics.BinaryCrossentropy(label_smoothing=0.1), y, p) == pytest.approx(expected, rel=1e-9)
    assert accumulate(metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), y, logits) == \
        pytest.approx(expected, rel=1e-9)
    labels, softmax = data["sparse"]
    expected = F.cross_entropy(_t(np.log(softmax)), torch.as_tensor(labels), label_smoothing=0.2).item()
    one_hot = np.eye(4)[labels]
    assert accumulate(metrics.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), one_hot,
                      np.log(softmax)) == pytest.approx(expected, rel=1e-9)
    config = metrics.CategoricalCrossentropy(label_smoothing=0.2).get_config()
    assert config == {"name": "categorical_crossentropy", "from_logits": False, "label_smoothing": 0.2, "axis": -1}
    with pytest.raises(ValueError, match=r"CosineSimilarity: `axis` must be -1 \(the last axis\), got 0"):
        metrics.CosineSimilarity(axis=0)


@pytest.mark.parametrize("weighted", [False, True])
def test_confusion_counts_and_accuracy(weighted, data):
    y, p = data["binary"]
    weights = data["weights"] if weighted else None
    w = np.ones(21) if weights is None else weights
    predicted, actual = p > 0.3, y > 0.5
    for cls, cell in [(metrics.TruePositives, predicted & actual), (metrics.TrueNegatives, ~predicted & ~actual),
                      (metrics.FalsePositives, predicted & ~actual), (metrics.FalseNegatives, ~predicted & actual)]:
        metric = cls(thresholds=0.3)
        assert accumulate(metric, y, p, weights) == pytest.approx((cell * w[:, None]).sum(), rel=1e-12)
        assert metrics.deserialize(metrics.serialize(metric)).thresholds == 0.3
    guessed = np.where(data["regression"][1] > 1.5, 1.0, 0.0)
    exact = np.where(data["regression"][0] > 1.5, 1.0, 0.0)
    expected = np.average((guessed == exact).mean(axis=1), weights=weights)
    assert accumulate(metrics.Accuracy(), exact, guessed, weights) == pytest.approx(expected, rel=1e-12)
    assert 0.3 < expected < 0.95


def test_mean_and_sum_follow_keras_weighting():
    mean, total = metrics.Mean(), metrics.Sum()
    for metric in (mean, total):
        metric.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        metric.update_state([[1, 2], [3, 5]], sample_weight=[2, 1])  # a sample's values count once, by their mean
    assert mean.result() == pytest.approx((4 + 2 * 1.5 + 4) / (2 + 3))
    assert total.result() == pytest.approx(4 + 2 * 3 + 8)
    mean.reset_state()
    assert mean.result() == 0.0
    mean.update_state(2.5)
    assert mean.result() == 2.5
    with pytest.raises(ValueError, match=r"`sample_weight` of shape \(3,\) does not broadcast to the values of shape"):
        total.update_state([1, 2], sample_weight=[1, 2, 3])


def test_keras_names_resolve_and_bad_configs_raise():
    for name, cls in [("root_mean_squared_error", metrics.RootMeanSquaredError),
                      ("msle", metrics.MeanSquaredLogarithmicError),
                      ("MAPE", metrics.MeanAbsolutePercentageError), ("bce", metrics.BinaryCrossentropy),
                      ("LogCoshError", metrics.LogCoshError), ("true_negatives", metrics.TrueNegatives),
                      ("kl_divergence", metrics.KLDivergence), ("categorical_hinge", metrics.CategoricalHinge)]:
        assert type(metrics.get(name)) is cls
    assert type(metrics.get({"class_name": "Poisson", "config": {"name": "p"}})) is metrics.Poisson
    with pytest.raises(ValueError, match=r"Unknown metric 'rmse'"):
        metrics.get("rmse")  # not a Keras name either
    with pytest.raises(ValueError, match=r"deserialize: `config` must be a dict with a 'class_name'"):
        metrics.deserialize({"config": {}})
    with pytest.raises(TypeError, match=r"serialize: `metric` must be a gradwise Metric"):
        metrics.serialize(len)


def test_compile_fit_evaluate_log_keras_names(rng):
    x = rng.normal(size=(48, 4))
    y = (x[:, :1] + x[:, 1:2] > 0).astype(float)
    model = gw.Sequential([gw.Input((4,)), gw.Dense(1)], seed=0)
    model.compile(optimizer="adam", loss=gw.losses.BinaryCrossentropy(from_logits=True),
                  metrics=["root_mean_squared_error", "msle", "binary_crossentropy", "true_positives", "hinge",
                           metrics.LogCoshError(), metrics.FalseNegatives(), metrics.CosineSimilarity()])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25)
    names = ["root_mean_squared_error", "msle", "binary_crossentropy", "true_positives", "hinge", "logcosh",
             "false_negatives", "cosine_similarity"]
    validation = ["val_" + name for name in ["loss", *names]]
    assert sorted(history.history) == sorted(["loss", "learning_rate", *names, *validation])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    logits = model.predict(x, verbose=0)
    # by name, a crossentropy metric and the counts follow the loss's logits
    assert logs["binary_crossentropy"] == pytest.approx(logs["loss"], rel=1e-6)
    assert logs["true_positives"] == ((logits > 0) & (y > 0.5)).sum()
    assert logs["false_negatives"] == ((logits <= 0.5) & (y > 0.5)).sum()  # an instance keeps its 0.5
    assert logs["root_mean_squared_error"] == pytest.approx(np.sqrt(np.mean((logits - y) ** 2)), rel=1e-5)

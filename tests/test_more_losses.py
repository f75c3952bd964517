"""Keras' hinge, distribution and other regression losses: finite differences, PyTorch
references with identical inputs, names, functions, compile, save and load."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradwise as gw
from gradwise import losses
from gradwise.layers import Dense
from gradwise.testing import check_gradients

EPS = 1e-7


def _inputs(name, rng, shape=(5, 3)):
    """(loss, y_true, y_pred) away from every kink, in float64."""
    normal = rng.normal(size=shape)
    positive = rng.uniform(0.1, 2.0, size=shape)
    if name in ("hinge", "squared_hinge"):
        y = rng.integers(0, 2, size=shape).astype(float)
        signed = 2 * y - 1
        margin = rng.uniform(0.2, 1.8, size=shape) * rng.choice([-1.0, 1.0], size=shape)  # 1 - y p away from 0
        return y, (1.0 - margin) * signed
    if name == "categorical_hinge":
        y = np.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[:-1])]
        return y, 3 * normal
    if name == "kl_divergence":
        y = rng.uniform(0.05, 1.0, size=shape)
        return y / y.sum(axis=-1, keepdims=True), rng.uniform(0.05, 0.95, size=shape)
    if name == "mean_absolute_percentage_error":
        y = normal + np.sign(normal) * 0.2
        return y, y + rng.uniform(0.1, 1.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    if name in ("poisson", "mean_squared_logarithmic_error"):
        return positive, rng.uniform(0.1, 2.0, size=shape)
    return normal, rng.normal(size=shape)  # log_cosh, cosine_similarity


# By class, not by name: a test or a docs page that defines its own LogCosh takes the name
# "log_cosh" in its process (a name maps to the last class registered under it).
CLASSES = {
    "hinge": losses.Hinge, "squared_hinge": losses.SquaredHinge, "categorical_hinge": losses.CategoricalHinge,
    "kl_divergence": losses.KLDivergence, "log_cosh": losses.LogCosh, "poisson": losses.Poisson,
    "mean_absolute_percentage_error": losses.MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": losses.MeanSquaredLogarithmicError,
    "cosine_similarity": losses.CosineSimilarity,
}
NAMES = ["hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "log_cosh", "poisson",
         "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "cosine_similarity"]


def _torch_per_sample(name, y, p):
    """The same loss written with PyTorch's own functions where it has them."""
    if name == "hinge":
        return torch.clamp(1 - (2 * y - 1) * p, min=0).mean(-1)
    if name == "squared_hinge":
        return (torch.clamp(1 - (2 * y - 1) * p, min=0) ** 2).mean(-1)
    if name == "categorical_hinge":
        # y one-hot: the multiclass margin loss (torch multi_margin_loss sums over the other
        # classes; Keras takes the largest one), written from the formula.
        neg = ((1 - y) * p).max(-1).values
        return torch.clamp(neg - (y * p).sum(-1) + 1, min=0)
    if name == "kl_divergence":
        return F.kl_div(torch.log(p), y, reduction="none").sum(-1)
    if name == "log_cosh":
        return torch.log(torch.cosh(p - y)).mean(-1)
    if name == "poisson":
        return F.poisson_nll_loss(p, y, log_input=False, full=False, eps=EPS, reduction="none").mean(-1)
    if name == "mean_absolute_percentage_error":
        return 100 * (torch.abs(y - p) / torch.abs(y)).mean(-1)
    if name == "mean_squared_logarithmic_error":
        return ((torch.log1p(p) - torch.log1p(y)) ** 2).mean(-1)
    return -F.cosine_similarity(y, p, dim=-1)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name, rng):
    y, p = _inputs(name, rng)
    check_gradients(CLASSES[name](), p, y)


@pytest.mark.parametrize("name", NAMES)
def test_value_and_gradient_match_torch(name, rng):
    y, p = _inputs(name, rng)
    weights = rng.uniform(0.2, 2.0, size=p.shape[0])
    loss = CLASSES[name]()
    value, grad = loss.value_and_gradient(loss.prepare_targets(y, p.shape[1:]), p.copy(), weights)
    p_t = torch.tensor(p, requires_grad=True)
    reference = (_torch_per_sample(name, torch.tensor(y), p_t) * torch.tensor(weights)).mean()
    reference.backward()
    assert value == pytest.approx(reference.item(), rel=1e-10)
    np.testing.assert_allclose(grad, p_t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["categorical_hinge", "kl_divergence", "cosine_similarity", "log_cosh"])
def test_three_dimensional_outputs_average_over_the_middle_axis(name, rng):
    y, p = _inputs(name, rng, shape=(4, 2, 3))
    loss = CLASSES[name]()
    check_gradients(loss, p, y)
    expected = _torch_per_sample(name, torch.tensor(y), torch.tensor(p)).mean(-1).numpy()
    np.testing.assert_allclose(getattr(losses, name)(y, p), expected, rtol=1e-10)


def test_hinge_keeps_labels_already_signed(rng):
    y = rng.choice([-1.0, 1.0], size=(6, 2))
    p = rng.normal(size=(6, 2))
    np.testing.assert_allclose(losses.hinge(y, p), np.maximum(1 - y * p, 0).mean(-1))
    np.testing.assert_allclose(losses.hinge((y + 1) / 2, p), losses.hinge(y, p))


def test_hand_worked_values():
    assert losses.Hinge()([[1.0, 0.0]], [[0.3, -2.0]]) == pytest.approx((0.7 + 0.0) / 2)
    assert losses.Poisson()([[2.0]], [[1.0]]) == pytest.approx(1.0 - 2.0 * np.log(1.0 + EPS))
    assert losses.MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 5.0]]) == pytest.approx(37.5)
    assert losses.CosineSimilarity()([[1.0, 0.0]], [[2.0, 0.0]]) == pytest.approx(-1.0)
    assert losses.CategoricalHinge()([[0.0, 1.0, 0.0]], [[0.5, 0.2, 0.1]]) == pytest.approx(1.3)


def test_probabilities_outside_the_clip_stay_finite():
    y = np.array([[0.0, 1.0], [0.5, 0.5]])
    p = np.array([[0.0, 1.0], [1e-12, 1.0]])
    for loss in (losses.KLDivergence(), losses.MeanSquaredLogarithmicError(), losses.CosineSimilarity()):
        value, grad = loss.value_and_gradient(y, p.copy())
        assert np.isfinite(value) and np.isfinite(grad).all()
    value, grad = losses.CosineSimilarity().value_and_gradient(y, np.zeros((2, 2)))
    assert value == 0.0 and np.isfinite(grad).all()


@pytest.mark.parametrize("alias, cls", [
    ("kld", losses.KLDivergence), ("kullback_leibler_divergence", losses.KLDivergence),
    ("mape", losses.MeanAbsolutePercentageError), ("msle", losses.MeanSquaredLogarithmicError),
    ("logcosh", losses.LogCosh), ("hinge", losses.Hinge), ("squared_hinge", losses.SquaredHinge),
    ("categorical_hinge", losses.CategoricalHinge), ("poisson", losses.Poisson),
    ("cosine_similarity", losses.CosineSimilarity),
])
def test_names_resolve(alias, cls):
    assert type(losses.get(alias)) is cls


@pytest.mark.parametrize("function, name", [
    (losses.hinge, "hinge"), (losses.kld, "kl_divergence"), (losses.mape, "mean_absolute_percentage_error"),
    (losses.msle, "mean_squared_logarithmic_error"), (losses.poisson, "poisson"),
    (losses.cosine_similarity, "cosine_similarity"), (losses.categorical_hinge, "categorical_hinge"),
])
def test_functions_given_as_loss_resolve_to_the_class(function, name):
    assert losses.get(function).name == name


def test_cosine_similarity_axis_other_than_last_is_refused():
    with pytest.raises(ValueError, match="`axis` must be -1"):
        losses.CosineSimilarity(axis=0)
    assert losses.get({"name": "cosine_similarity", "axis": -1}).axis == -1


@pytest.mark.parametrize("name", ["kld", "mape", "msle", "hinge", "poisson", "cosine_similarity",
                                  "squared_hinge", "categorical_hinge", "logcosh"])
def test_compiled_model_trains_saves_and_loads(name, rng, tmp_path):
    x = rng.normal(size=(32, 3))
    y, _ = _inputs(losses.get(name).name, rng, shape=(32, 2))
    activation = {"kld": "softmax", "poisson": "softplus", "msle": "softplus"}.get(name)
    model = gw.Sequential([gw.Input((3,)), Dense(2, activation=activation)], seed=0)
    model.compile(optimizer="sgd", loss=name)
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert np.isfinite(after) and after < before
    model.save(tmp_path / "model.gw")
    loaded = gw.load_model(tmp_path / "model.gw")
    assert loaded.loss.name == model.loss.name
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(after)

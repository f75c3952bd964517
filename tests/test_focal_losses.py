"""BinaryFocalCrossentropy and CategoricalFocalCrossentropy: finite differences, a PyTorch autograd
reference with identical inputs, Keras's documented values, config round trip and training by name."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise import losses
from gradwise.testing import check_gradients

SETTINGS = [dict(), dict(gamma=0.0), dict(gamma=3.5, apply_class_balancing=True, alpha=0.4),
            dict(label_smoothing=0.2, apply_class_balancing=True)]


def _inputs(rng):
    y = rng.integers(0, 2, size=(6, 3)).astype(float)
    return y, rng.uniform(0.05, 0.95, size=(6, 3))


def _torch_focal(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0, label_smoothing=0.0):
    """The focal loss written in PyTorch (its own binary_cross_entropy), per sample."""
    y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    bce = torch.nn.functional.binary_cross_entropy(p, y, reduction="none")
    factor = (1 - (y * p + (1 - y) * (1 - p))) ** gamma
    weight = y * alpha + (1 - y) * (1 - alpha) if apply_class_balancing else 1.0
    return (weight * factor * bce).mean(-1)


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("from_logits", [False, True])
def test_focal_matches_torch_and_finite_differences(settings, from_logits, rng):
    y, p = _inputs(rng)
    loss = losses.BinaryFocalCrossentropy(from_logits=from_logits, **settings)
    inputs = np.log(p / (1 - p)) if from_logits else p
    assert check_gradients(loss, inputs, y).passed
    z = torch.tensor(inputs, dtype=torch.float64, requires_grad=True)
    expected = _torch_focal(torch.tensor(y), torch.sigmoid(z) if from_logits else z, **settings)
    expected.sum().backward()
    ours = loss.per_sample_from_logits(y, inputs) if from_logits else loss.per_sample(y, inputs)
    grad = loss.gradient_from_logits(y, inputs) if from_logits else loss.gradient(y, inputs)
    np.testing.assert_allclose(ours, expected.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(grad, z.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_keras_documented_values_and_config():
    y, p = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]])
    np.testing.assert_allclose(losses.binary_focal_crossentropy(y, p, gamma=2), [0.330, 0.206], atol=5e-4)
    loss = losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5, label_smoothing=0.1)
    rebuilt = losses.get(loss.get_config())
    assert type(rebuilt) is losses.BinaryFocalCrossentropy and rebuilt.get_config() == loss.get_config()
    with pytest.raises(ValueError, match=r"BinaryFocalCrossentropy: `gamma` must be a non-negative finite number"):
        losses.BinaryFocalCrossentropy(gamma=-1)
    with pytest.raises(ValueError, match=r"BinaryFocalCrossentropy: `alpha` must be a float in \[0, 1\], got 2"):
        losses.BinaryFocalCrossentropy(alpha=2)


def test_trains_by_name_with_a_sigmoid_output(rng, tmp_path):
    x = rng.normal(size=(64, 4))
    y = (x[:, :1] - x[:, 2:3] > 0).astype(float)
    model = gw.Sequential([gw.Input((4,)), gw.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.05), loss="binary_focal_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    model.save(tmp_path / "focal.gw")
    reloaded = gw.models.load_model(tmp_path / "focal.gw")
    assert type(reloaded.loss) is losses.BinaryFocalCrossentropy


def _torch_categorical_focal(y, p, alpha=0.25, gamma=2.0, label_smoothing=0.0):
    """Keras's categorical focal loss in PyTorch: rows renormalized and clamped, per sample."""
    y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    q = torch.clamp(p / p.sum(-1, keepdim=True), 1e-7, 1 - 1e-7)
    return (-alpha * (1 - q) ** gamma * y * torch.log(q)).sum(-1)


@pytest.mark.parametrize("settings", [dict(), dict(gamma=0.0, alpha=1.0),
                                      dict(gamma=1.5, alpha=0.7, label_smoothing=0.2)])
@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_focal_matches_torch_and_finite_differences(settings, from_logits, rng):
    y = np.eye(4)[rng.integers(0, 4, size=6)]
    p = rng.dirichlet(np.ones(4), size=6) * rng.uniform(0.5, 2.0, size=(6, 1))  # rows not summing to 1
    inputs = rng.normal(size=(6, 4)) if from_logits else p
    loss = losses.CategoricalFocalCrossentropy(from_logits=from_logits, **settings)
    assert check_gradients(loss, inputs, y).passed
    z = torch.tensor(inputs, dtype=torch.float64, requires_grad=True)
    expected = _torch_categorical_focal(torch.tensor(y), torch.softmax(z, -1) if from_logits else z, **settings)
    expected.sum().backward()
    ours = loss.per_sample_from_logits(y, inputs) if from_logits else loss.per_sample(y, inputs)
    grad = loss.gradient_from_logits(y, inputs) if from_logits else loss.gradient(y, inputs)
    np.testing.assert_allclose(ours, expected.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(grad, z.grad.numpy(), rtol=1e-8, atol=1e-12)
    rebuilt = losses.get(loss.get_config())
    assert type(rebuilt) is losses.CategoricalFocalCrossentropy and rebuilt.get_config() == loss.get_config()


def test_categorical_focal_trains_by_name(rng):
    x = rng.normal(size=(60, 4))
    y = np.eye(3)[np.argmax(x[:, :3], axis=1)]
    model = gw.Sequential([gw.Input((4,)), gw.Dense(3, activation="softmax")], seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.05), loss="categorical_focal_crossentropy")
    history = model.fit(x, y, epochs=15, batch_size=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_serialize_round_trips_keras_form():
    loss = losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0, label_smoothing=0.1)
    config = losses.serialize(loss)
    assert config == {"class_name": "CategoricalFocalCrossentropy", "config": loss.get_config()}
    for rebuilt in (losses.deserialize(config), losses.get(config)):
        assert type(rebuilt) is losses.CategoricalFocalCrossentropy and rebuilt.get_config() == loss.get_config()
    keras_form = {"module": "keras.losses", "class_name": "BinaryFocalCrossentropy", "registered_name": None,
                  "config": {"name": "focal", "reduction": "sum_over_batch_size", "gamma": 3.0}}
    rebuilt = losses.deserialize(keras_form)
    assert (type(rebuilt), rebuilt.name, rebuilt.gamma) == (losses.BinaryFocalCrossentropy, "focal", 3.0)
    with pytest.raises(ValueError, match=r"deserialize: `config` must be a dict with a 'class_name'"):
        losses.deserialize({"name": "mse"})
    with pytest.raises(TypeError, match=r"serialize: `loss` must be a gradwise Loss"):
        losses.serialize(np.mean)

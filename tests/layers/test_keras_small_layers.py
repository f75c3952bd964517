"""PReLU, Identity, ActivityRegularization, ZeroPadding1D, Cropping1D, UpSampling1D and Keras's
alias names: finite differences, PyTorch with identical weights, configs, and training."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradwise as gw
from gradwise import layers

from .gradient_check import built, check_layer_gradients


def _away_from_zero(rng, shape):
    inputs = rng.normal(size=shape)
    inputs[np.abs(inputs) < 0.05] = 0.1
    return inputs


@pytest.mark.parametrize("shared_axes, shape", [(None, (3, 4)), ([1], (3, 4)), ([1, 2], (2, 3, 4)), (2, (3, 4))])
def test_prelu_gradients_and_torch(rng, shared_axes, shape):
    layer = built(layers.PReLU(alpha_initializer="random_normal", shared_axes=shared_axes), shape)
    inputs = _away_from_zero(rng, (5, *shape))
    check_layer_gradients(layer, inputs, rng)
    upstream = rng.normal(size=inputs.shape)
    outputs, cache = layer.forward(inputs)
    grad_inputs = layer.backward(upstream, cache)
    x = torch.from_numpy(inputs).requires_grad_(True)
    alpha = torch.from_numpy(layer.params["alpha"].copy()).requires_grad_(True)
    y = torch.where(x > 0, x, alpha * x)
    y.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(outputs, y.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.grads["alpha"], alpha.grad.numpy(), rtol=1e-12)


def test_prelu_per_channel_after_conv_is_torchs_prelu(rng):
    layer = built(layers.PReLU(alpha_initializer=gw.initializers.Constant(0.25), shared_axes=[1, 2]), (5, 5, 3))
    assert layer.params["alpha"].shape == (1, 1, 3)
    inputs = _away_from_zero(rng, (2, 5, 5, 3))
    expected = F.prelu(torch.from_numpy(inputs.transpose(0, 3, 1, 2)), torch.full((3,), 0.25, dtype=torch.float64))
    np.testing.assert_allclose(layer.forward(inputs)[0], expected.numpy().transpose(0, 2, 3, 1), rtol=1e-12)


def test_prelu_starts_as_relu_and_learns_a_slope():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 1))
    y = np.where(x > 0, x, 0.5 * x)  # a leaky line: only a learned slope fits it
    model = gw.Sequential([gw.Input((1,)), layers.PReLU()])
    np.testing.assert_allclose(model.predict(x, verbose=0), np.maximum(x, 0), rtol=1e-6)
    model.compile(optimizer=gw.optimizers.SGD(0.5), loss="mse")
    model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert abs(float(model.layers[0].params["alpha"][0]) - 0.5) < 0.02


def test_prelu_bad_shared_axes():
    with pytest.raises(ValueError, match="shared_axes"):
        layers.PReLU(shared_axes=[0])
    with pytest.raises(ValueError, match="beyond"):
        built(layers.PReLU(shared_axes=[3]), (4, 2))


def test_identity_and_activity_regularization(rng):
    inputs = rng.normal(size=(4, 3))
    for layer in (layers.Identity(), layers.ActivityRegularization(l1=0.1, l2=0.2)):
        check_layer_gradients(built(layer, (3,)), inputs, rng)
        np.testing.assert_array_equal(layer(inputs), inputs)
    with pytest.raises(ValueError, match="ActivityRegularization: `l1`"):
        layers.ActivityRegularization(l1=-1.0)


def test_activity_regularization_adds_its_penalty_to_the_loss(rng):
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))

    def loss_of(extra):
        model = gw.Sequential([gw.Input((3,)), layers.Dense(2, kernel_initializer="ones"), *extra], seed=0)
        model.compile(optimizer="sgd", loss="mse")
        return model.evaluate(x, y, verbose=0), model.predict(x, verbose=0)

    plain, hidden = loss_of([])
    regularized, _ = loss_of([layers.ActivityRegularization(l1=0.1, l2=0.2)])
    penalty = (0.1 * np.abs(hidden).sum() + 0.2 * (hidden ** 2).sum()) / len(x)
    np.testing.assert_allclose(regularized, plain + penalty, rtol=1e-6)


@pytest.mark.parametrize("padding, data_format", [(1, "channels_last"), ((2, 0), "channels_last"),
                                                  ((0, 3), "channels_first")])
def test_zero_padding_1d_gradients_and_torch(rng, padding, data_format):
    layer = built(layers.ZeroPadding1D(padding, data_format=data_format), (4, 3))
    inputs = rng.normal(size=(2, 4, 3))
    check_layer_gradients(layer, inputs, rng)
    before, after = layer.padding
    if data_format == "channels_last":
        expected = F.pad(torch.from_numpy(inputs.transpose(0, 2, 1)), (before, after)).numpy().transpose(0, 2, 1)
    else:
        expected = F.pad(torch.from_numpy(inputs), (before, after)).numpy()
    np.testing.assert_array_equal(layer.forward(inputs)[0], expected)
    assert layer.output_shape == expected.shape[1:]


@pytest.mark.parametrize("cropping", [1, (2, 0), (0, 3)])
def test_cropping_1d_gradients_and_inverse_of_padding(rng, cropping):
    layer = built(layers.Cropping1D(cropping), (6, 2))
    inputs = rng.normal(size=(3, 6, 2))
    check_layer_gradients(layer, inputs, rng)
    before, after = layer.cropping
    np.testing.assert_array_equal(layer.forward(inputs)[0], inputs[:, before:6 - after])
    padded = built(layers.ZeroPadding1D(cropping), layer.output_shape).forward(layer.forward(inputs)[0])[0]
    np.testing.assert_array_equal(layer.forward(padded)[0], layer.forward(inputs)[0])
    with pytest.raises(ValueError, match="leaves no step"):
        built(layers.Cropping1D(3), (6, 2))


@pytest.mark.parametrize("size", [1, 2, 3])
def test_upsampling_1d_gradients_and_torch(rng, size):
    layer = built(layers.UpSampling1D(size), (4, 3))
    inputs = rng.normal(size=(2, 4, 3))
    check_layer_gradients(layer, inputs, rng)
    x = torch.from_numpy(inputs.transpose(0, 2, 1)).requires_grad_(True)
    y = F.interpolate(x, scale_factor=size, mode="nearest")
    upstream = rng.normal(size=(2, 4 * size, 3))
    y.backward(torch.from_numpy(upstream.transpose(0, 2, 1)))
    outputs, cache = layer.forward(inputs)
    np.testing.assert_array_equal(outputs, y.detach().numpy().transpose(0, 2, 1))
    np.testing.assert_allclose(layer.backward(upstream, cache), x.grad.numpy().transpose(0, 2, 1), rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: layers.PReLU(alpha_initializer="ones", shared_axes=[1]),
    lambda: layers.Identity(), lambda: layers.ActivityRegularization(l2=0.5),
    lambda: layers.ZeroPadding1D((1, 2)), lambda: layers.Cropping1D((1, 0)), lambda: layers.UpSampling1D(3)])
def test_new_layers_save_and_load_with_their_weights(tmp_path, rng, make):
    model = gw.Sequential([gw.Input((5, 4)), make(), layers.Flatten(), layers.Dense(2)], seed=0)
    inputs = rng.normal(size=(3, 5, 4))
    model.save(tmp_path / "model.gw")
    loaded = gw.load_model(tmp_path / "model.gw")
    assert type(loaded.layers[0]) is type(model.layers[0])
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))


def test_keras_alias_names_are_the_same_classes():
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool1D is layers.AveragePooling1D
    assert layers.Convolution2D is layers.Conv2D and layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    model = gw.Sequential([gw.Input((8, 8, 1)), layers.Convolution2D(2, 3), layers.MaxPool2D(),
                           layers.GlobalAvgPool2D()])
    assert [type(layer).__name__ for layer in model.layers] == ["Conv2D", "MaxPooling2D", "GlobalAveragePooling2D"]

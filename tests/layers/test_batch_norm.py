import numpy as np
import pytest
import torch

from gradwise.layers import BatchNormalization

from .gradient_check import built, check_layer_gradients


def random_affine(layer, rng):
    """Non-trivial gamma/beta so the checks see them."""
    for key in layer.params:
        layer.params[key][...] = rng.normal(size=layer.params[key].shape)
    return layer


@pytest.mark.parametrize("center, scale", [(True, True), (False, True), (True, False), (False, False)])
@pytest.mark.parametrize("input_shape, axis", [((5,), -1), ((3, 4, 2), -1), ((2, 3, 4), 1), ((3, 4, 2), 2)])
@pytest.mark.parametrize("training", [True, False])
def test_gradients_match_finite_differences(rng, center, scale, input_shape, axis, training):
    layer = built(BatchNormalization(axis=axis, center=center, scale=scale), input_shape)
    random_affine(layer, rng)
    layer.state["moving_mean"][...] = rng.normal(size=layer.state["moving_mean"].shape)
    layer.state["moving_variance"][...] = rng.uniform(0.5, 2.0, size=layer.state["moving_variance"].shape)
    inputs = rng.normal(size=(4, *input_shape)) * 2 + 0.5
    check_layer_gradients(layer, inputs, rng, training=training)


def to_torch(array):
    return torch.from_numpy(np.ascontiguousarray(array)).requires_grad_(True)


@pytest.mark.parametrize("input_shape", [(6,), (3, 4, 5)])
def test_training_forward_and_gradients_match_torch(rng, input_shape):
    layer = random_affine(built(BatchNormalization(epsilon=1e-3), input_shape), rng)
    inputs = rng.normal(size=(8, *input_shape)) * 3 - 1
    upstream = rng.normal(size=inputs.shape)
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)

    # torch normalizes channel axis 1: NHWC -> NCHW
    to_channels_first = (0, inputs.ndim - 1, *range(1, inputs.ndim - 1))
    x = to_torch(inputs.transpose(to_channels_first))
    gamma, beta = to_torch(layer.params["gamma"]), to_torch(layer.params["beta"])
    y = torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-3)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(to_channels_first))))
    back = np.argsort(to_channels_first)
    np.testing.assert_allclose(outputs, y.detach().numpy().transpose(back), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy().transpose(back), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["gamma"], gamma.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["beta"], beta.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_moving_statistics_follow_keras_closed_form(rng):
    momentum = 0.9
    layer = built(BatchNormalization(momentum=momentum), (3, 3, 4))
    batches = [rng.normal(size=(5, 3, 3, 4)) * (i + 1) + i for i in range(3)]
    for batch in batches:
        layer.forward(batch, training=True)[0]
    mean, variance = np.zeros(4), np.ones(4)
    for batch in batches:
        flat = batch.reshape(-1, 4)
        mean = momentum * mean + (1 - momentum) * flat.mean(axis=0)
        variance = momentum * variance + (1 - momentum) * flat.var(axis=0)  # biased, as Keras
    np.testing.assert_allclose(layer.state["moving_mean"], mean, rtol=1e-12)
    np.testing.assert_allclose(layer.state["moving_variance"], variance, rtol=1e-12)

    # PyTorch's momentum is 1 - Keras': its running mean agrees, its running variance
    # (unbiased batch variance) does not.
    running_mean, running_var = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
    for batch in batches:
        x = torch.from_numpy(batch.transpose(0, 3, 1, 2).copy())
        torch.nn.functional.batch_norm(x, running_mean, running_var, training=True, momentum=1 - momentum)
    np.testing.assert_allclose(layer.state["moving_mean"], running_mean.numpy(), rtol=1e-12)
    assert not np.allclose(layer.state["moving_variance"], running_var.numpy(), rtol=1e-6)


def test_inference_uses_moving_statistics_and_matches_torch(rng):
    layer = random_affine(built(BatchNormalization(epsilon=0.01), (2, 2, 3)), rng)
    layer.state["moving_mean"][...] = [0.5, -1.0, 2.0]
    layer.state["moving_variance"][...] = [0.25, 4.0, 1.5]
    before = {key: value.copy() for key, value in layer.state.items()}
    inputs = rng.normal(size=(4, 2, 2, 3))
    outputs = layer.forward(inputs, training=False)[0]
    expected = (inputs - [0.5, -1.0, 2.0]) / np.sqrt(np.array([0.25, 4.0, 1.5]) + 0.01)
    np.testing.assert_allclose(outputs, expected * layer.params["gamma"] + layer.params["beta"], rtol=1e-12)
    reference = torch.nn.functional.batch_norm(
        torch.from_numpy(inputs.transpose(0, 3, 1, 2).copy()),
        torch.from_numpy(before["moving_mean"]), torch.from_numpy(before["moving_variance"]),
        torch.from_numpy(layer.params["gamma"]), torch.from_numpy(layer.params["beta"]), training=False, eps=0.01,
    )
    np.testing.assert_allclose(outputs, reference.numpy().transpose(0, 2, 3, 1), rtol=1e-12)
    for key, value in before.items():
        np.testing.assert_array_equal(layer.state[key], value)


def test_training_output_is_normalized_per_feature(rng):
    layer = built(BatchNormalization(epsilon=1e-8), (3, 3, 2))
    outputs = layer.forward(rng.normal(size=(6, 3, 3, 2)) * 5 + 3, training=True)[0]
    np.testing.assert_allclose(outputs.mean(axis=(0, 1, 2)), 0.0, atol=1e-12)
    np.testing.assert_allclose(outputs.var(axis=(0, 1, 2)), 1.0, rtol=1e-6)


def test_frozen_layer_runs_in_inference_mode_as_keras(rng):
    layer = built(BatchNormalization(trainable=False), (3,))
    inputs = rng.normal(size=(5, 3)) + 4
    np.testing.assert_allclose(layer.forward(inputs, training=True)[0], inputs / np.sqrt(1 + 1e-3), rtol=1e-12)
    np.testing.assert_array_equal(layer.state["moving_mean"], np.zeros(3))


def test_weights_keys_initializers_and_regularizers():
    layer = built(BatchNormalization(gamma_initializer="zeros", moving_variance_initializer="zeros",
                                     gamma_regularizer="l2", beta_regularizer="l1"), (2, 2, 3))
    assert list(layer.params) == ["gamma", "beta"] and list(layer.state) == ["moving_mean", "moving_variance"]
    assert all(value.shape == (3,) for value in layer.get_weights())
    np.testing.assert_array_equal(layer.params["gamma"], np.zeros(3))
    np.testing.assert_array_equal(layer.state["moving_variance"], np.zeros(3))
    assert set(layer.regularizers) == {"gamma", "beta"}
    bare = built(BatchNormalization(center=False, scale=False, gamma_regularizer="l2"), (3,))
    assert bare.params == {} and bare.regularizers == {} and bare.count_params() == 6


def test_float32_stays_float32(rng):
    layer = built(BatchNormalization(), (4, 4, 3), dtype=np.float32)
    inputs = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    outputs, cache = layer.forward(inputs, training=True)
    assert outputs.dtype == np.float32
    assert layer.backward(np.ones_like(inputs), cache).dtype == np.float32
    assert layer.state["moving_variance"].dtype == np.float32 and layer.grads["gamma"].dtype == np.float32


@pytest.mark.parametrize("kwargs, error, match", [
    ({"momentum": 1.5}, ValueError, r"`momentum` must be a float in \[0, 1\], got 1.5"),
    ({"epsilon": 0}, ValueError, "`epsilon` must be a positive finite number, got 0"),
    ({"axis": 1.0}, TypeError, "`axis` must be an int"),
    ({"gamma_initializer": 3}, TypeError, "initializer must be a name"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        BatchNormalization(**kwargs)


@pytest.mark.parametrize("axis", [0, 3, -4])
def test_axis_outside_the_features_is_rejected(axis):
    with pytest.raises(ValueError, match=rf"`axis` {axis} is not a feature axis of inputs of rank 3"):
        BatchNormalization(axis=axis).compute_output_shape((4, 5))

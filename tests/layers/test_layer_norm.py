import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise import layers
from gradwise.layers import LayerNormalization

from .gradient_check import built, check_layer_gradients


def random_affine(layer, rng):
    for key in layer.params:
        layer.params[key][...] = rng.normal(size=layer.params[key].shape)
    return layer


@pytest.mark.parametrize("center, scale", [(True, True), (False, True), (True, False), (False, False)])
@pytest.mark.parametrize("input_shape, axis", [((5,), -1), ((3, 4), -1), ((3, 4, 2), [1, 2]), ((3, 4, 2), 1)])
def test_gradients_match_finite_differences(rng, center, scale, input_shape, axis):
    layer = random_affine(built(LayerNormalization(axis=axis, center=center, scale=scale), input_shape), rng)
    check_layer_gradients(layer, rng.normal(size=(3, *input_shape)) * 2 + 0.5, rng)


@pytest.mark.parametrize("input_shape, axis", [((5,), -1), ((3, 4, 2), [-2, -1])])
def test_rms_scaling_gradients_match_finite_differences(rng, input_shape, axis):
    layer = random_affine(built(LayerNormalization(axis=axis, rms_scaling=True), input_shape), rng)
    assert set(layer.params) == {"gamma"}
    check_layer_gradients(layer, rng.normal(size=(3, *input_shape)) + 0.5, rng)


def _torch_reference(layer, inputs, upstream, axes):
    """F.layer_norm / F.rms_norm normalize trailing axes: move `axes` last, with gamma and beta."""
    rest = [a for a in range(inputs.ndim) if a not in axes]
    order = rest + list(axes)
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(order))).requires_grad_(True)
    weights = {key: torch.from_numpy(value.copy()).requires_grad_(True) for key, value in layer.params.items()}
    shape = tuple(inputs.shape[a] for a in axes)
    if layer.rms_scaling:
        y = F.rms_norm(x, shape, weights.get("gamma"), eps=layer.epsilon)
    else:
        y = F.layer_norm(x, shape, weights.get("gamma"), weights.get("beta"), eps=layer.epsilon)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(order))))
    back = np.argsort(order)
    return (y.detach().numpy().transpose(back), x.grad.numpy().transpose(back),
            {key: tensor.grad.numpy() for key, tensor in weights.items()})


@pytest.mark.parametrize("input_shape, axis, rms", [((6,), -1, False), ((4, 5), -1, False), ((3, 4, 2), 1, False),
                                                    ((3, 4, 2), [2, 3], False), ((6,), -1, True),
                                                    ((3, 4, 2), [1, 3], True)])
def test_forward_and_gradients_match_torch(rng, input_shape, axis, rms):
    layer = random_affine(built(LayerNormalization(axis=axis, epsilon=1e-5, rms_scaling=rms), input_shape), rng)
    inputs = rng.normal(size=(5, *input_shape)) * 3 - 1
    upstream = rng.normal(size=inputs.shape)
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    axes = sorted(a % inputs.ndim for a in np.atleast_1d(axis))
    y, grad_x, grads = _torch_reference(layer, inputs, upstream, axes)
    np.testing.assert_allclose(outputs, y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, grad_x, rtol=1e-10, atol=1e-12)
    for key, grad in grads.items():
        np.testing.assert_allclose(layer.grads[key], grad, rtol=1e-10, atol=1e-12)


def test_hand_worked_case():
    # x = (1, 3): mean 2, variance 1  =>  x^ = (-1, 1) / sqrt(1 + eps)
    layer = built(LayerNormalization(epsilon=0.25), (2,))
    outputs = layer.forward(np.array([[1.0, 3.0]]))[0]
    np.testing.assert_allclose(outputs, [[-1 / np.sqrt(1.25), 1 / np.sqrt(1.25)]], rtol=1e-15)


def test_training_and_inference_agree_and_defaults_are_keras(rng):
    layer = LayerNormalization()
    assert (layer.axis, layer.epsilon, layer.center, layer.scale, layer.rms_scaling) == ((-1,), 1e-3, True, True, False)
    built(layer, (3, 4))
    inputs = rng.normal(size=(2, 3, 4))
    np.testing.assert_array_equal(layer.forward(inputs, True)[0], layer.forward(inputs, False)[0])
    assert layer.get_config()["axis"] == -1 and LayerNormalization(axis=[1, 2]).get_config()["axis"] == [1, 2]


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="`axis` must be an int or a non-empty list"):
        LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="`epsilon` must be a positive"):
        LayerNormalization(epsilon=0)
    with pytest.raises(ValueError, match=r"`axis` 3 does not name distinct feature axes of inputs of rank 3"):
        built(LayerNormalization(axis=3), (4, 2))
    with pytest.raises(ValueError, match=r"axis 0 is the batch"):
        built(LayerNormalization(axis=0), (4,))


def test_rms_normalization_is_torchs_rms_norm_with_keras_defaults(rng):
    x = rng.normal(size=(3, 4, 6)) * 3
    layer = layers.RMSNormalization()
    layer.build_for((4, 6), np.random.default_rng(0), np.float64)
    weight = np.linspace(0.5, 2.0, 6)
    layer.params["gamma"][...] = weight
    outputs, cache = layer.forward(x)
    t = torch.tensor(x, requires_grad=True)
    scale = torch.tensor(weight, requires_grad=True)
    expected = torch.nn.functional.rms_norm(t, (6,), scale, eps=1e-6)
    upstream = rng.normal(size=x.shape)
    (expected * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(upstream, cache), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["gamma"], scale.grad.numpy(), rtol=1e-10)
    assert set(layer.get_config()) >= {"axis", "epsilon"} and "center" not in layer.get_config()
    assert layers.deserialize(layers.serialize(layer)).epsilon == 1e-6

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import GroupNormalization, LayerNormalization

from .gradient_check import built, check_layer_gradients


def random_affine(layer, rng):
    for key in layer.params:
        layer.params[key][...] = rng.normal(size=layer.params[key].shape)
    return layer


@pytest.mark.parametrize("center, scale", [(True, True), (False, False)])
@pytest.mark.parametrize("input_shape, groups, axis", [((6,), 3, -1), ((3, 4, 4), 2, -1), ((4, 3, 2), 2, 1),
                                                       ((5, 3), -1, -1), ((2, 3, 6), 1, -1)])
def test_gradients_match_finite_differences(rng, center, scale, input_shape, groups, axis):
    layer = random_affine(built(GroupNormalization(groups, axis=axis, center=center, scale=scale), input_shape), rng)
    check_layer_gradients(layer, rng.normal(size=(3, *input_shape)) * 2 + 0.5, rng)


@pytest.mark.parametrize("input_shape, groups", [((3, 4, 6), 3), ((5, 4), 2), ((8,), 4), ((2, 3, 4), -1)])
def test_forward_and_gradients_match_torch(rng, input_shape, groups):
    layer = random_affine(built(GroupNormalization(groups, epsilon=1e-5), input_shape), rng)
    inputs = rng.normal(size=(4, *input_shape)) * 3 - 1
    upstream = rng.normal(size=inputs.shape)
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    to_channels_first = (0, inputs.ndim - 1, *range(1, inputs.ndim - 1))  # torch groups channel axis 1
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(to_channels_first))).requires_grad_(True)
    gamma = torch.from_numpy(layer.params["gamma"].copy()).requires_grad_(True)
    beta = torch.from_numpy(layer.params["beta"].copy()).requires_grad_(True)
    y = F.group_norm(x, input_shape[-1] if groups == -1 else groups, gamma, beta, eps=1e-5)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(to_channels_first))))
    back = np.argsort(to_channels_first)
    np.testing.assert_allclose(outputs, y.detach().numpy().transpose(back), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy().transpose(back), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["gamma"], gamma.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["beta"], beta.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_one_group_is_layer_normalization_over_all_axes_without_affine(rng):
    inputs = rng.normal(size=(3, 4, 5, 6))
    group = built(GroupNormalization(1, center=False, scale=False), (4, 5, 6))
    layer = built(LayerNormalization(axis=[1, 2, 3], center=False, scale=False), (4, 5, 6))
    np.testing.assert_allclose(group.forward(inputs)[0], layer.forward(inputs)[0], rtol=1e-12, atol=1e-14)


def test_defaults_are_keras_and_groups_must_divide_the_channels():
    layer = GroupNormalization()
    assert (layer.groups, layer.axis, layer.epsilon, layer.center, layer.scale) == (32, -1, 1e-3, True, True)
    with pytest.raises(ValueError, match=r"`groups`=32 must divide the 6 channels of axis -1 \(per-sample shape \(4, 6\)\)"):
        built(GroupNormalization(), (4, 6))
    with pytest.raises(ValueError, match="`groups` must be a positive int or -1"):
        GroupNormalization(0)
    with pytest.raises(TypeError, match="`axis` must be an int"):
        GroupNormalization(2, axis=[1])

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradwise as gw
from gradwise.layers import ELU, Activation, Dense, Input, LeakyReLU, ReLU, Softmax

from .gradient_check import built, check_layer_gradients


def away_from_kinks(rng, shape, kinks=(0.0,)):
    """Normal inputs with no entry within 0.05 of a kink (finite differences need smoothness)."""
    inputs = rng.normal(size=shape) * 2
    for kink in kinks:
        close = np.abs(inputs - kink) < 0.05
        inputs[close] = kink + np.where(inputs[close] >= kink, 0.1, -0.1)
    return inputs


# layer, torch reference, kinks of the function
REFERENCES = [
    (lambda: LeakyReLU(), lambda x: F.leaky_relu(x, 0.3), (0.0,)),
    (lambda: LeakyReLU(negative_slope=0.05), lambda x: F.leaky_relu(x, 0.05), (0.0,)),
    (lambda: LeakyReLU(alpha=0.2), lambda x: F.leaky_relu(x, 0.2), (0.0,)),
    (lambda: ReLU(), F.relu, (0.0,)),
    (lambda: ReLU(max_value=1.5), lambda x: torch.clamp(x, 0.0, 1.5), (0.0, 1.5)),
    (lambda: ReLU(negative_slope=0.1, threshold=0.5), lambda x: torch.where(x > 0.5, x, 0.1 * (x - 0.5)), (0.5,)),
    (lambda: ELU(), F.elu, (0.0,)),
    (lambda: ELU(alpha=0.5), lambda x: F.elu(x, alpha=0.5), (0.0,)),
    (lambda: Softmax(), lambda x: F.softmax(x, dim=-1), ()),
    (lambda: Softmax(axis=1), lambda x: F.softmax(x, dim=1), ()),
    (lambda: Activation("tanh"), torch.tanh, ()),
    (lambda: Activation("sigmoid"), torch.sigmoid, ()),
    (lambda: Activation(None), lambda x: x * 1.0, ()),
]


@pytest.mark.parametrize("make, reference, kinks", REFERENCES)
def test_forward_and_input_gradient_match_torch(rng, make, reference, kinks):
    inputs = away_from_kinks(rng, (4, 3, 5), kinks)
    upstream = rng.normal(size=inputs.shape)
    layer = built(make(), (3, 5))
    outputs, cache = layer.forward(inputs)
    grad_inputs = layer.backward(upstream, cache)
    x = torch.from_numpy(inputs).requires_grad_(True)
    y = reference(x)
    y.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(outputs, y.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make, reference, kinks", REFERENCES)
def test_gradients_match_finite_differences(rng, make, reference, kinks):
    check_layer_gradients(built(make(), (2, 3)), away_from_kinks(rng, (3, 2, 3), kinks), rng)


def test_layers_expose_their_function_to_dense(rng):
    inputs = away_from_kinks(rng, (5, 4))
    dense = built(Dense(3, activation=LeakyReLU(negative_slope=0.1)), (4,))
    assert dense.activation.name == "leaky_relu" and dense.activation.negative_slope == 0.1
    linear = built(Dense(3), (4,))
    linear.set_weights(dense.get_weights())
    np.testing.assert_allclose(dense.forward(inputs)[0], F.leaky_relu(torch.from_numpy(linear.forward(inputs)[0]), 0.1).numpy(),
                               rtol=1e-14)
    assert Dense(2, activation=Activation("elu")).activation.name == "elu"
    assert Dense(2, activation=ReLU(max_value=6.0)).activation.max_value == 6.0


def test_preactivation_is_the_input_and_backward_preactivation_passes_through(rng):
    layer = built(Activation("softmax"), (4,))
    inputs = rng.normal(size=(3, 4))
    _, cache = layer.forward(inputs)
    assert layer.logits(cache) is inputs
    upstream = rng.normal(size=(3, 4))
    assert layer.backward_preactivation(upstream, cache) is upstream
    assert layer.backward_preactivation(upstream, cache, input_grad=False) is None
    assert layer.backward(upstream, cache, input_grad=False) is None


@pytest.mark.parametrize("output", [lambda: Activation("softmax"), lambda: Softmax()])
def test_model_fuses_an_output_softmax_layer_with_crossentropy(float64, rng, output):
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    model = gw.Sequential([Input((4,)), Dense(3, bias_initializer="random_normal"), output()], seed=0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert model._fused_output()
    loss, grads = model.compute_gradients(x, y)
    kernel = model.layers[0].params["kernel"]
    logits = x @ kernel + model.layers[0].params["bias"]
    expected = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(y)).item()
    assert loss == pytest.approx(expected, rel=1e-12)

    def loss_at():
        return model.compute_gradients(x, y)[0]

    numeric = np.empty_like(kernel)
    for index in np.ndindex(kernel.shape):
        saved = kernel[index]
        kernel[index] = saved + 1e-6
        plus = loss_at()
        kernel[index] = saved - 1e-6
        minus = loss_at()
        kernel[index] = saved
        numeric[index] = (plus - minus) / 2e-6
    name = f"{model.layers[0].name}/kernel"
    np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9)


def test_leaky_relu_default_and_alias():
    assert LeakyReLU().activation.negative_slope == 0.3  # Keras 3's layer default
    assert LeakyReLU(alpha=0.01).get_config()["negative_slope"] == 0.01


@pytest.mark.parametrize("make, error, match", [
    (lambda: LeakyReLU(negative_slope=-0.1), ValueError, "LeakyReLU: `negative_slope` must be a non-negative number"),
    (lambda: LeakyReLU(negative_slope=None), ValueError, "got None"),
    (lambda: ReLU(max_value=-1.0), ValueError, "ReLU: `max_value` must be a non-negative number or None, got -1.0"),
    (lambda: ReLU(threshold=float("nan")), ValueError, "`threshold` must be a non-negative number"),
    (lambda: ELU(alpha="big"), ValueError, "ELU: `alpha` must be a finite number, got 'big'"),
    (lambda: Softmax(axis=None), TypeError, "Softmax: `axis` must be an int"),
    (lambda: Activation("nope"), ValueError, "Unknown activation 'nope'"),
    (lambda: Activation(np.tanh), TypeError, "no derivative.*activation=.tanh."),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("axis", [0, 3, -3])
def test_softmax_axis_must_be_a_feature_axis(axis):
    with pytest.raises(ValueError, match=rf"`axis` {axis} is not a feature axis of inputs of rank 3"):
        built(Softmax(axis=axis), (2, 3))

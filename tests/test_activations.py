"""Activation functions: finite differences, PyTorch, closed forms, stability and configs."""

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from gradwise import activations
from gradwise._special import erf, erfc

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# (config, PyTorch reference, kinks the inputs keep away from)
CASES = [
    ({"name": "linear"}, lambda t: t * 1.0, ()),
    ({"name": "sigmoid"}, torch.sigmoid, ()),
    ({"name": "tanh"}, torch.tanh, ()),
    ({"name": "relu"}, torch.relu, (0.0,)),
    ({"name": "relu", "negative_slope": 0.1}, lambda t: F.leaky_relu(t, 0.1), (0.0,)),
    ({"name": "relu", "max_value": 6.0}, F.relu6, (0.0, 6.0)),
    ({"name": "relu", "threshold": -1.0}, lambda t: torch.where(t > -1.0, t, torch.zeros_like(t)), (-1.0,)),
    ({"name": "relu", "negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5},
     lambda t: torch.where(t > 0.5, t, 0.1 * (t - 0.5)).clamp(max=2.0), (0.5, 2.0)),
    ({"name": "leaky_relu"}, lambda t: F.leaky_relu(t, 0.2), (0.0,)),
    ({"name": "leaky_relu", "negative_slope": 1.5}, lambda t: F.leaky_relu(t, 1.5), (0.0,)),
    ({"name": "elu"}, F.elu, (0.0,)),
    ({"name": "elu", "alpha": 0.5}, lambda t: F.elu(t, alpha=0.5), (0.0,)),
    ({"name": "selu"}, F.selu, (0.0,)),
    ({"name": "gelu"}, lambda t: F.gelu(t, approximate="none"), ()),
    ({"name": "gelu", "approximate": True}, lambda t: F.gelu(t, approximate="tanh"), ()),
    ({"name": "silu"}, F.silu, ()),
    ({"name": "swish"}, F.silu, ()),
    ({"name": "softplus"}, F.softplus, ()),
    ({"name": "softmax"}, lambda t: torch.softmax(t, -1), ()),
    ({"name": "softmax", "axis": 1}, lambda t: torch.softmax(t, 1), ()),
    # Keras 3's other activations (activations_more.py)
    ({"name": "relu6"}, F.relu6, (0.0, 6.0)),
    # F.hardsigmoid/F.hardswish backward use a float32 1/6 even in float64: their formulas instead
    ({"name": "hard_sigmoid"}, lambda t: torch.clamp(t / 6 + 0.5, 0, 1), (-3.0, 3.0)),
    ({"name": "hard_silu"}, lambda t: t * torch.clamp(t / 6 + 0.5, 0, 1), (-3.0, 3.0)),
    ({"name": "hard_swish"}, lambda t: t * torch.clamp(t / 6 + 0.5, 0, 1), (-3.0, 3.0)),
    ({"name": "softsign"}, F.softsign, (0.0,)),
    ({"name": "mish"}, F.mish, ()),
    ({"name": "celu"}, F.celu, (0.0,)),
    ({"name": "celu", "alpha": 0.5}, lambda t: F.celu(t, alpha=0.5), (0.0,)),
    ({"name": "exponential"}, torch.exp, ()),
    ({"name": "hard_tanh"}, F.hardtanh, (-1.0, 1.0)),
    ({"name": "log_sigmoid"}, F.logsigmoid, ()),
    ({"name": "squareplus"}, lambda t: (t + torch.sqrt(t * t + 4.0)) / 2, ()),
    ({"name": "squareplus", "b": 1.0}, lambda t: (t + torch.sqrt(t * t + 1.0)) / 2, ()),
    ({"name": "sparse_plus"}, lambda t: torch.where(t <= -1, 0.0 * t, torch.where(t >= 1, t, (t + 1) ** 2 / 4)),
     (-1.0, 1.0)),
    ({"name": "tanh_shrink"}, F.tanhshrink, ()),
    ({"name": "soft_shrink"}, F.softshrink, (-0.5, 0.5)),
    ({"name": "soft_shrink", "threshold": 1.0}, lambda t: F.softshrink(t, 1.0), (-1.0, 1.0)),
    ({"name": "hard_shrink"}, F.hardshrink, (-0.5, 0.5)),
    ({"name": "log_softmax"}, lambda t: torch.log_softmax(t, -1), ()),
    ({"name": "log_softmax", "axis": 1}, lambda t: torch.log_softmax(t, 1), ()),
]
IDS = ["-".join(str(v) for v in config.values()) for config, _, _ in CASES]


def _inputs(rng, kinks, shape=(3, 4, 5), scale=4.0):
    """Random inputs at least 0.05 away from every kink (central differences straddle none)."""
    inputs = rng.normal(scale=scale, size=shape)
    for kink in kinks:
        near = np.abs(inputs - kink) < 0.05
        inputs[near] = kink + np.where(inputs[near] >= kink, 0.1, -0.1)
    return inputs


def _numeric_gradient(function, inputs, grad_outputs, eps=1e-6):
    """Central differences of sum(grad_outputs * f(inputs)) with respect to each input."""
    grad = np.zeros_like(inputs)
    shifted = inputs.copy()
    for index in np.ndindex(inputs.shape):
        shifted[index] = inputs[index] + eps
        plus = np.sum(grad_outputs * function.forward(shifted))
        shifted[index] = inputs[index] - eps
        minus = np.sum(grad_outputs * function.forward(shifted))
        shifted[index] = inputs[index]
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def _relative_error(actual, expected):
    return np.linalg.norm(actual - expected) / max(np.linalg.norm(actual), np.linalg.norm(expected))


@pytest.mark.parametrize("config, reference, kinks", CASES, ids=IDS)
def test_backward_matches_finite_differences(rng, config, reference, kinks):
    function = activations.get(config)
    inputs = _inputs(rng, kinks)
    grad_outputs = rng.normal(size=inputs.shape)
    analytic = function.backward(grad_outputs, inputs, function.forward(inputs))
    numeric = _numeric_gradient(function, inputs, grad_outputs)
    assert np.linalg.norm(numeric) > 0.1
    assert _relative_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize("config, reference, kinks", CASES, ids=IDS)
def test_forward_and_backward_match_torch(rng, config, reference, kinks):
    function = activations.get(config)
    inputs = _inputs(rng, kinks)
    grad_outputs = rng.normal(size=inputs.shape)
    outputs = function.forward(inputs)
    grad_inputs = function.backward(grad_outputs, inputs, outputs)

    torch_inputs = torch.tensor(inputs, requires_grad=True)
    torch_outputs = reference(torch_inputs)
    torch_outputs.backward(torch.tensor(grad_outputs))
    np.testing.assert_allclose(outputs, torch_outputs.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, torch_inputs.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("config, reference, kinks", CASES, ids=IDS)
def test_float32_stays_float32_and_arguments_are_not_modified(rng, config, reference, kinks):
    function = activations.get(config)
    inputs = _inputs(rng, kinks).astype(np.float32)
    grad_outputs = rng.normal(size=inputs.shape).astype(np.float32)
    saved_inputs, saved_grad = inputs.copy(), grad_outputs.copy()
    outputs = function.forward(inputs)
    saved_outputs = outputs.copy()
    grad_inputs = function.backward(grad_outputs, inputs, outputs)
    assert outputs.dtype == np.float32 and grad_inputs.dtype == np.float32
    assert outputs is not inputs or config["name"] == "linear"
    np.testing.assert_array_equal(inputs, saved_inputs)
    np.testing.assert_array_equal(grad_outputs, saved_grad)
    np.testing.assert_array_equal(outputs, saved_outputs)
    expected = activations.get(config).forward(inputs.astype(np.float64))
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)


def test_hand_worked_values():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(activations.relu(x), [0.0, 0.0, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(activations.leaky_relu(x), [-0.4, -0.1, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(activations.relu(x, max_value=1.0), [0.0, 0.0, 0.0, 0.5, 1.0])
    # Keras: negative_slope * (x - threshold) at or below the threshold
    np.testing.assert_allclose(activations.relu(x, negative_slope=0.5, threshold=1.0),
                               [-1.5, -0.75, -0.5, -0.25, 3.0])
    np.testing.assert_allclose(activations.sigmoid(x), [1 / (1 + math.exp(-v)) for v in x], rtol=1e-15)
    np.testing.assert_allclose(activations.elu(x, alpha=2.0), [2 * math.expm1(-2), 2 * math.expm1(-0.5), 0, 0.5, 3])
    np.testing.assert_allclose(activations.selu(np.array([-50.0, 1.0])), [-SELU_SCALE * SELU_ALPHA, SELU_SCALE])
    np.testing.assert_allclose(activations.gelu(x), [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x],
                               rtol=1e-14)
    tanh_form = [0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3))) for v in x]
    np.testing.assert_allclose(activations.gelu(x, approximate=True), tanh_form, rtol=1e-14)
    np.testing.assert_allclose(activations.swish(x), x / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(activations.softplus(x), [math.log1p(math.exp(v)) for v in x], rtol=1e-15)
    np.testing.assert_allclose(activations.softmax(np.array([0.0, math.log(3.0)])), [0.25, 0.75], rtol=1e-15)
    low = 1 / (1 + math.e**2)  # each column holds logits differing by 2
    np.testing.assert_allclose(activations.softmax(np.array([[0.0, 1.0], [2.0, 3.0]]), axis=0),
                               [[low, low], [1 - low, 1 - low]], rtol=1e-15)


def test_keras_defaults():
    assert activations.get("leaky_relu").negative_slope == 0.2
    assert activations.get("elu").alpha == 1.0
    assert activations.get("gelu").approximate is False
    assert activations.get("softmax").axis == -1
    assert activations.get({"name": "relu"}).get_config() == {
        "name": "relu", "negative_slope": 0.0, "max_value": None, "threshold": 0.0}
    assert (SELU_ALPHA, SELU_SCALE) == (activations.SELU.alpha, activations.SELU.scale)


def test_erf_matches_math_erf_on_dense_grid():
    grid = np.linspace(-30.0, 30.0, 120_001)
    expected = np.array([math.erf(v) for v in grid])
    assert np.max(np.abs(erf(grid) - expected) / np.maximum(np.abs(expected), 1e-300)) < 2e-15
    tiny = np.geomspace(1e-300, 0.5, 2_000)
    assert np.max(np.abs(erf(tiny) / np.array([math.erf(v) for v in tiny]) - 1)) < 2e-15
    expected_complement = np.array([math.erfc(v) for v in grid])
    normal = expected_complement > 1e-300  # relative error of subnormals is meaningless
    relative = np.abs(erfc(grid) - expected_complement)[normal] / expected_complement[normal]
    assert np.max(relative) < 4e-15


def test_erf_special_values():
    np.testing.assert_array_equal(erf(np.array([np.inf, -np.inf, 1e308, -1e308, 0.0])), [1, -1, 1, -1, 0])
    np.testing.assert_array_equal(erfc(np.array([np.inf, -np.inf, 1e308, 30.0])), [0, 2, 0, 0])
    assert np.isnan(erf(np.array([np.nan]))).all() and np.isnan(erfc(np.array([np.nan]))).all()
    assert erf(np.asfortranarray(np.full((2, 3), 0.3))).shape == (2, 3)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=6), elements=st.floats(-1e3, 1e3)))
def test_softmax_rows_sum_to_one(logits):
    probabilities = activations.softmax(logits)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    shifted = activations.softmax(logits + 100.0)
    np.testing.assert_allclose(shifted, probabilities, rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", ["sigmoid", "softmax", "softplus", "silu", "tanh", "elu", "selu", "gelu", "mish",
                                  "celu", "log_sigmoid", "softsign", "squareplus", "log_softmax", "hard_silu",
                                  "tanh_shrink", "sparse_plus"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_inputs_are_finite_without_warnings(name, dtype):
    function = activations.get(name)
    inputs = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        outputs = function.forward(inputs)
        grad_inputs = function.backward(np.ones_like(inputs), inputs, outputs)
    assert np.isfinite(outputs).all() and np.isfinite(grad_inputs).all()


def test_extreme_values_are_the_limits():
    extremes = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(activations.sigmoid(extremes), [0.0, 1.0])
    np.testing.assert_array_equal(activations.softplus(extremes), [0.0, 1000.0])
    np.testing.assert_array_equal(activations.softmax(extremes), [0.0, 1.0])
    # sigmoid keeps relative accuracy deep in the negative tail
    np.testing.assert_allclose(activations.sigmoid(np.array([-40.0])), [math.exp(-40) / (1 + math.exp(-40))],
                               rtol=1e-14)


@pytest.mark.parametrize("config", [case[0] for case in CASES], ids=IDS)
def test_config_round_trip(rng, config):
    function = activations.get(config)
    rebuilt = activations.get(json.loads(json.dumps(activations.serialize(function))))
    assert type(rebuilt) is type(function)
    assert rebuilt.get_config() == function.get_config()
    inputs = rng.normal(size=(4, 5))
    np.testing.assert_array_equal(rebuilt.forward(inputs), function.forward(inputs))


def test_identifiers():
    assert isinstance(activations.get(None), activations.Linear)
    assert activations.get("swish").get_config() == {"name": "silu"}
    assert isinstance(activations.get("ReLU"), activations.ReLU)
    leaky = activations.LeakyReLU(0.3)
    assert activations.get(leaky) is leaky

    class LayerLike:
        function = leaky

    assert activations.get(LayerLike()) is leaky
    # the functional forms are accepted as `activation=`, as in Keras
    assert isinstance(activations.get(activations.gelu), activations.GELU)
    assert isinstance(activations.get(activations.swish), activations.SiLU)
    np.testing.assert_array_equal(activations.relu([-1, 2]), np.array([0.0, 2.0], dtype=np.float32))
    assert float(activations.sigmoid(0.0)) == 0.5


def test_unknown_name_lists_valid_names():
    pattern = r"Unknown activation 'relux'. Valid names: .*gelu.*leaky_relu.*relu.*selu.*sigmoid.*silu.*softmax.*swish"
    with pytest.raises(ValueError, match=pattern):
        activations.get("relux")
    # (not 'mish': a test module's Mish subclass registers that name by subclassing)
    with pytest.raises(ValueError, match="Unknown activation 'no_such_activation'"):
        activations.get({"name": "no_such_activation"})


def test_plain_function_is_rejected():
    def my_relu(x):
        return np.maximum(x, 0)

    with pytest.raises(TypeError, match="plain Python function has no derivative"):
        activations.get(my_relu)
    with pytest.raises(TypeError, match="`activation` must be None, a name"):
        activations.get(3)


@pytest.mark.parametrize("build, error, pattern", [
    (lambda: activations.ReLU(negative_slope=-0.1), ValueError, r"`negative_slope` must be a non-negative"),
    (lambda: activations.ReLU(max_value=-1.0), ValueError, r"`max_value` must be a non-negative.*-1.0"),
    (lambda: activations.ReLU(threshold=float("nan")), ValueError, r"`threshold` must be a finite number"),
    (lambda: activations.LeakyReLU(negative_slope="0.2"), ValueError, r"`negative_slope`.*'0.2'"),
    (lambda: activations.ELU(alpha=float("inf")), ValueError, r"`alpha` must be a finite number, got inf"),
    (lambda: activations.GELU(approximate="tanh"), TypeError, r"`approximate` must be a bool, got 'tanh'"),
    (lambda: activations.Softmax(axis=1.0), TypeError, r"`axis` must be an int, got 1.0"),
])
def test_bad_arguments(build, error, pattern):
    with pytest.raises(error, match=pattern):
        build()

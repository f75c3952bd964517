"""Losses: finite-difference gradients, PyTorch references, Keras reduction, target checks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise import activations, losses
from gradwise.ops import use_ops


def _softmax(logits):
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def _sigmoid(logits):
    return 0.5 * (1.0 + np.tanh(0.5 * logits))  # never overflows


def _one_hot(labels, classes):
    return np.eye(classes)[labels]


def _away_from(rng, shape, kinks, low=0.1, high=2.0):
    """Signed differences whose magnitude keeps at least 0.1 from every kink in `kinks`."""
    magnitudes = rng.uniform(low, high, size=shape)
    for kink in kinks:
        near = np.abs(magnitudes - kink) < 0.1
        magnitudes[near] += 0.25
    return magnitudes * rng.choice([-1.0, 1.0], size=shape)


# ----- cases: (id, loss, y_true as given by the user, model outputs, logits?) ------------
def _case(name, rng):
    batch = 5
    if name == "mse":
        y = rng.normal(size=(batch, 3))
        return losses.MeanSquaredError(), y, rng.normal(size=(batch, 3)), False
    if name == "mse_3d":
        y = rng.normal(size=(batch, 2, 3))
        return losses.MeanSquaredError(), y, rng.normal(size=(batch, 2, 3)), False
    if name == "mae":
        y = rng.normal(size=(batch, 3))
        return losses.MeanAbsoluteError(), y, y + _away_from(rng, (batch, 3), [0.0]), False
    if name == "huber":
        y = rng.normal(size=(batch, 4))
        return losses.Huber(delta=0.7), y, y + _away_from(rng, (batch, 4), [0.0, 0.7]), False
    if name == "bce":
        y = rng.integers(0, 2, size=(batch, 2)).astype(float)
        return losses.BinaryCrossentropy(), y, rng.uniform(0.05, 0.95, size=(batch, 2)), False
    if name == "bce_soft_smoothed":
        y = rng.uniform(0, 1, size=(batch, 2))
        return losses.BinaryCrossentropy(label_smoothing=0.2), y, rng.uniform(0.05, 0.95, size=(batch, 2)), False
    if name == "bce_from_logits":
        y = rng.integers(0, 2, size=(batch, 1)).astype(float)
        return losses.BinaryCrossentropy(from_logits=True), y, 2 * rng.normal(size=(batch, 1)), True
    if name == "bce_fused":
        y = rng.integers(0, 2, size=(batch, 3)).astype(float)
        return losses.BinaryCrossentropy(), y, 2 * rng.normal(size=(batch, 3)), True
    if name == "cce":
        y = _one_hot(rng.integers(0, 4, size=batch), 4)
        return losses.CategoricalCrossentropy(), y, _softmax(rng.normal(size=(batch, 4))), False
    if name == "cce_unnormalized_soft":
        y = _softmax(rng.normal(size=(batch, 4)))
        return losses.CategoricalCrossentropy(), y, rng.uniform(0.1, 1.0, size=(batch, 4)), False
    if name == "cce_3d":
        y = _one_hot(rng.integers(0, 3, size=(batch, 2)), 3)
        return losses.CategoricalCrossentropy(), y, _softmax(rng.normal(size=(batch, 2, 3))), False
    if name == "cce_from_logits_smoothed":
        y = _one_hot(rng.integers(0, 4, size=batch), 4)
        return losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), y, rng.normal(size=(batch, 4)), True
    if name == "cce_fused_3d":
        y = _one_hot(rng.integers(0, 3, size=(batch, 2)), 3)
        return losses.CategoricalCrossentropy(), y, rng.normal(size=(batch, 2, 3)), True
    if name == "sparse":
        y = rng.integers(0, 4, size=batch)
        return losses.SparseCategoricalCrossentropy(), y, rng.uniform(0.1, 1.0, size=(batch, 4)), False
    if name == "sparse_3d":
        y = rng.integers(0, 3, size=(batch, 2))
        return losses.SparseCategoricalCrossentropy(), y, _softmax(rng.normal(size=(batch, 2, 3))), False
    if name == "sparse_from_logits":
        y = rng.integers(0, 4, size=(batch, 1))
        return losses.SparseCategoricalCrossentropy(from_logits=True), y, rng.normal(size=(batch, 4)), True
    if name == "sparse_fused_3d":
        y = rng.integers(0, 3, size=(batch, 2))
        return losses.SparseCategoricalCrossentropy(), y, rng.normal(size=(batch, 2, 3)), True
    raise KeyError(name)


CASES = [
    "mse", "mse_3d", "mae", "huber", "bce", "bce_soft_smoothed", "bce_from_logits", "bce_fused",
    "cce", "cce_unnormalized_soft", "cce_3d", "cce_from_logits_smoothed", "cce_fused_3d",
    "sparse", "sparse_3d", "sparse_from_logits", "sparse_fused_3d",
]


def _numeric_gradient(function, point, eps=1e-6):
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + eps
        upper = function(point)
        point[index] = original - eps
        lower = function(point)
        point[index] = original
        grad[index] = (upper - lower) / (2 * eps)
    return grad


def _relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
@pytest.mark.parametrize("name", CASES)
def test_gradient_matches_central_differences(name, weighted, rng):
    loss, y, outputs, logits = _case(name, rng)
    targets = loss.prepare_targets(y, outputs.shape[1:])
    weights = rng.uniform(0.2, 2.0, size=outputs.shape[0]) if weighted else None
    before = outputs.copy()
    _, analytic = loss.value_and_gradient(targets, outputs, weights, logits=logits)
    np.testing.assert_array_equal(outputs, before)  # the in-place scaling never touches the inputs

    def value(point):
        return loss.value_and_gradient(targets, point, weights, logits=logits)[0]

    numeric = _numeric_gradient(value, outputs.copy())
    assert np.abs(numeric).max() > 1e-3
    assert _relative_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize("name", CASES)
def test_float32_outputs_give_float32_gradients(name, rng):
    loss, y, outputs, logits = _case(name, rng)
    targets = loss.prepare_targets(y, outputs.shape[1:])
    if np.issubdtype(targets.dtype, np.floating):
        targets = targets.astype(np.float32)
    value, grad = loss.value_and_gradient(targets, outputs.astype(np.float32), logits=logits)
    reference, reference_grad = loss.value_and_gradient(targets, outputs, logits=logits)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(value, reference, rtol=1e-4)
    np.testing.assert_allclose(grad, reference_grad, rtol=1e-3, atol=1e-5)


# ----- PyTorch references ---------------------------------------------------------------
def _ours(loss, y, outputs, logits=False, weights=None):
    targets = loss.prepare_targets(y, outputs.shape[1:])
    return loss.value_and_gradient(targets, outputs, weights, logits=logits)


def _torch(function, outputs):
    tensor = torch.tensor(outputs, dtype=torch.float64, requires_grad=True)
    value = function(tensor)
    value.backward()
    return value.item(), tensor.grad.numpy()


def _assert_same(ours, theirs):
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-15)


def _t(array):
    return torch.tensor(array, dtype=torch.float64)


@pytest.mark.parametrize("name, module", [
    ("mse", torch.nn.MSELoss()), ("mse_3d", torch.nn.MSELoss()), ("mae", torch.nn.L1Loss()),
    ("huber", torch.nn.HuberLoss(delta=0.7)), ("bce", torch.nn.BCELoss()),
    ("bce_from_logits", torch.nn.BCEWithLogitsLoss()),
])
def test_elementwise_losses_match_torch(name, module, rng):
    loss, y, outputs, logits = _case(name, rng)
    _assert_same(_ours(loss, y, outputs, logits), _torch(lambda t: module(t, _t(y)), outputs))


def test_bce_sample_weight_matches_torch_elementwise_weight(rng):
    y = rng.integers(0, 2, size=(6, 3)).astype(float)
    outputs = rng.uniform(0.05, 0.95, size=(6, 3))
    weights = rng.uniform(0, 2, size=6)
    reference = torch.nn.BCELoss(weight=_t(weights[:, None]))
    _assert_same(_ours(losses.BinaryCrossentropy(), y, outputs, weights=weights),
                 _torch(lambda t: reference(t, _t(y)), outputs))


def test_bce_fused_logits_match_torch_with_logits(rng):
    y = rng.uniform(0, 1, size=(6, 2))
    logits = 3 * rng.normal(size=(6, 2))
    _assert_same(_ours(losses.BinaryCrossentropy(), y, logits, logits=True),
                 _torch(lambda t: F.binary_cross_entropy_with_logits(t, _t(y)), logits))


def test_sparse_from_logits_matches_torch_cross_entropy_and_nll(rng):
    labels = rng.integers(0, 5, size=7)
    logits = rng.normal(size=(7, 5))
    ours = _ours(losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits, logits=True)
    torch_labels = torch.tensor(labels)
    _assert_same(ours, _torch(lambda t: F.cross_entropy(t, torch_labels), logits))
    _assert_same(ours, _torch(lambda t: F.nll_loss(F.log_softmax(t, dim=1), torch_labels), logits))


@pytest.mark.parametrize("smoothing", [0.0, 0.15])
def test_categorical_from_logits_matches_torch_probability_targets(smoothing, rng):
    soft = _softmax(rng.normal(size=(6, 4)))
    logits = rng.normal(size=(6, 4))
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing)
    reference = _torch(lambda t: F.cross_entropy(t, _t(soft), label_smoothing=smoothing), logits)
    _assert_same(_ours(loss, soft, logits, logits=True), reference)


def test_categorical_one_hot_matches_torch_class_indices(rng):
    labels = rng.integers(0, 4, size=6)
    logits = rng.normal(size=(6, 4))
    _assert_same(_ours(losses.CategoricalCrossentropy(), _one_hot(labels, 4), logits, logits=True),
                 _torch(lambda t: F.cross_entropy(t, torch.tensor(labels)), logits))


def _through_softmax(grad_probabilities, probabilities):
    # p = softmax(z)  =>  dL/dz = p (g - sum(g p))
    return probabilities * (grad_probabilities - (grad_probabilities * probabilities).sum(-1, keepdims=True))


@pytest.mark.parametrize("sparse", [False, True], ids=["categorical", "sparse"])
def test_probability_form_matches_torch(sparse, rng):
    labels = rng.integers(0, 4, size=6)
    outputs = rng.uniform(0.1, 1.0, size=(6, 4))  # Keras renormalizes rows; torch does it explicitly
    loss = losses.SparseCategoricalCrossentropy() if sparse else losses.CategoricalCrossentropy()
    y = labels if sparse else _one_hot(labels, 4)
    reference = _torch(lambda t: F.nll_loss(torch.log(t / t.sum(1, keepdim=True)), torch.tensor(labels)), outputs)
    _assert_same(_ours(loss, y, outputs), reference)
    # Chained through a softmax, the probability gradient gives torch's logits gradient.
    logits = rng.normal(size=(6, 4))
    probabilities = _softmax(logits)
    value, grad = _ours(loss, y, probabilities)
    torch_value, torch_grad = _torch(lambda t: F.cross_entropy(t, torch.tensor(labels)), logits)
    np.testing.assert_allclose(value, torch_value, rtol=1e-12)
    np.testing.assert_allclose(_through_softmax(grad, probabilities), torch_grad, rtol=1e-9, atol=1e-15)


def test_bce_hand_worked():
    # y=1, p=0.8: -log 0.8; y=0, p=0.4: -log 0.6; mean over the two columns.
    value = losses.BinaryCrossentropy()([[1.0, 0.0]], [[0.8, 0.4]])
    assert value == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2, rel=1e-6)


def test_categorical_sums_over_classes_not_mean_over_elements():
    y = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    p = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    expected = (-np.log(0.95) - np.log(0.1)) / 2  # Keras' documented example, about 1.177
    assert losses.CategoricalCrossentropy()(y, p) == pytest.approx(expected, rel=1e-6)
    assert losses.categorical_crossentropy(y, p) == pytest.approx([-np.log(0.95), -np.log(0.1)], rel=1e-6)


# ----- fused sigmoid/softmax path -------------------------------------------------------
@pytest.mark.parametrize("name", ["bce", "cce", "sparse"])
def test_fused_path_equals_unfused_path(name, rng):
    loss, y, _, _ = _case(name, rng)
    logits = 2 * rng.normal(size=(5, 2 if name == "bce" else 4))
    targets = loss.prepare_targets(y, logits.shape[1:])
    fused_value, fused_grad = loss.value_and_gradient(targets, logits, logits=True)
    if name == "bce":
        probabilities = _sigmoid(logits)
        value, grad = loss.value_and_gradient(targets, probabilities)
        chained = grad * probabilities * (1 - probabilities)
    else:
        probabilities = _softmax(logits)
        value, grad = loss.value_and_gradient(targets, probabilities)
        chained = _through_softmax(grad, probabilities)
    np.testing.assert_allclose(fused_value, value, rtol=1e-12)
    np.testing.assert_allclose(fused_grad, chained, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["bce", "cce", "sparse"])
def test_fused_path_stays_exact_where_probabilities_saturate(name, dtype):
    logits = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]], dtype=dtype)
    labels = np.array([1, 1])
    loss = losses.get({"bce": "binary_crossentropy", "cce": "categorical_crossentropy",
                       "sparse": "sparse_categorical_crossentropy"}[name])
    y = {"bce": [[0.0, 1.0], [1.0, 1.0]], "cce": _one_hot(labels, 2), "sparse": labels}[name]
    targets = loss.prepare_targets(y, logits.shape[1:])
    value, grad = loss.value_and_gradient(targets, logits, logits=True)
    assert np.isfinite(grad).all()
    if name == "bce":
        # Elementwise losses 1000, 1000 | 1000, 0: per sample 1000 and 500, the exact values.
        assert value == pytest.approx(750.0, rel=1e-6)
        np.testing.assert_allclose(grad, [[0.25, -0.25], [-0.25, 0.0]])
    else:
        # Sample 0 puts everything on the wrong class: loss 2000; sample 1 is right: 0.
        assert value == pytest.approx(1000.0, rel=1e-6)
        np.testing.assert_allclose(grad, [[0.5, -0.5], [0.0, 0.0]])
    saturated_value, saturated_grad = loss.value_and_gradient(
        targets, _sigmoid(logits.astype(np.float64)).astype(dtype) if name == "bce" else
        _softmax(logits.astype(np.float64)).astype(dtype))
    assert np.isfinite(saturated_value) and np.isfinite(saturated_grad).all()
    assert saturated_value < value  # the clipped probability form caps the loss near -log(1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss, y", [
    (losses.BinaryCrossentropy(), [[0.0, 1.0], [1.0, 0.0]]),
    (losses.CategoricalCrossentropy(), [[0.0, 1.0], [1.0, 0.0]]),
    (losses.SparseCategoricalCrossentropy(), [1, 0]),
])
def test_probability_form_never_takes_log_of_zero(loss, y, dtype):
    outputs = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=dtype)  # one row right, one row wrong
    targets = loss.prepare_targets(y, outputs.shape[1:])
    value, grad = loss.value_and_gradient(targets, outputs)
    assert np.isfinite(value) and np.isfinite(grad).all()
    # The wrong row costs about -log(1e-7) (float32 rounds 1 - 1e-7), the right one about 0.
    assert value == pytest.approx(-np.log(1e-7) / 2, rel=2e-2)
    zero_row = np.zeros((1, 2), dtype=dtype)
    assert np.isfinite(loss.value_and_gradient(targets[:1], zero_row)[0])


# ----- reduction ------------------------------------------------------------------------
def test_sum_over_batch_size_with_sample_weight():
    # Per-sample losses 1, 0, 4; weights 2, 1, 0.5: Keras divides by the batch (3), not by sum(w).
    y, p, w = [[0.0], [1.0], [2.0]], np.array([[1.0], [1.0], [4.0]]), np.array([2.0, 1.0, 0.5])
    loss = losses.MeanSquaredError()
    assert loss(y, p, sample_weight=w) == pytest.approx(4.0 / 3.0)
    value, grad = loss.value_and_gradient(loss.prepare_targets(y, (1,)), p, w)
    assert value == pytest.approx(4.0 / 3.0)
    np.testing.assert_allclose(grad, [[2 * 1 * 2 / 3], [0.0], [2 * 2 * 0.5 / 3]])


@pytest.mark.parametrize("name", ["mse", "huber", "bce", "cce", "sparse_from_logits"])
def test_call_equals_weighted_mean_of_functional_values(name, rng):
    loss, y, outputs, _ = _case(name, rng)
    weights = rng.uniform(0, 2, size=outputs.shape[0])
    functional = {
        "mse": losses.mean_squared_error, "huber": lambda a, b: losses.huber(a, b, delta=0.7),
        "bce": losses.binary_crossentropy, "cce": losses.categorical_crossentropy,
        "sparse_from_logits": lambda a, b: losses.sparse_categorical_crossentropy(a, b, from_logits=True),
    }[name]
    per_sample = functional(y, outputs)
    assert per_sample.shape == (outputs.shape[0],)
    assert loss(y, outputs, sample_weight=weights) == pytest.approx(np.sum(per_sample * weights) / len(weights))


def test_functional_names_follow_closed_forms(rng):
    y, p = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    np.testing.assert_allclose(losses.mse(y, p), ((p - y) ** 2).mean(axis=1))
    np.testing.assert_allclose(losses.mae(y, p), np.abs(p - y).mean(axis=1))
    np.testing.assert_allclose(losses.mean_absolute_error(y, p), np.abs(p - y).mean(axis=1))


# ----- targets --------------------------------------------------------------------------
@pytest.mark.parametrize("y, message", [
    ([0, 3, 1], r"in \[0, 3\) for a model output with 3 classes, got labels with min 0 and max 3"),
    ([0, -1, 2], r"in \[0, 3\).*min -1 and max 2"),
    ([0.0, 1.5, 2.0], r"integer class indices, got non-integer value 1\.5"),
    ([[0, 1], [1, 0], [2, 2]], r"shape \(samples,\) or \(samples, 1\).*got shape \(3, 2\)"),
    (["a", "b", "c"], r"must hold integers, got dtype"),
])
def test_sparse_labels_are_checked(y, message):
    with pytest.raises(ValueError, match=r"`y` for sparse_categorical_crossentropy.*" + message):
        losses.SparseCategoricalCrossentropy().prepare_targets(np.array(y), (3,))


def test_sparse_labels_accept_whole_floats_and_a_trailing_axis():
    loss = losses.SparseCategoricalCrossentropy()
    labels = loss.prepare_targets(np.array([[0.0], [2.0], [1.0]]), (3,))
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [0, 2, 1])


def test_categorical_targets_need_one_column_per_class():
    loss = losses.CategoricalCrossentropy()
    with pytest.raises(ValueError, match=r"`y` for categorical_crossentropy .* with 3 columns .* got shape \(4, 2\)"):
        loss.prepare_targets(np.zeros((4, 2)), (3,))
    with pytest.raises(ValueError, match=r"got shape \(4,\)\. For integer class labels use loss='sparse_categorical"):
        loss.prepare_targets(np.array([0, 1, 2, 1]), (3,))


def test_binary_targets_must_lie_in_unit_interval():
    with pytest.raises(ValueError, match=r"`y` for binary_crossentropy must hold values in \[0, 1\].*max 2"):
        losses.BinaryCrossentropy().prepare_targets(np.array([0, 1, 2]), (1,))


@pytest.mark.parametrize("loss", ["mse", "mae", "huber", "binary_crossentropy"])
def test_one_dimensional_targets_are_reshaped_for_one_output_column(loss):
    targets = losses.get(loss).prepare_targets(np.array([0, 1, 1]), (1,))
    assert targets.shape == (3, 1) and np.issubdtype(targets.dtype, np.floating)


def test_regression_targets_must_match_the_output_shape():
    with pytest.raises(ValueError, match=r"`y` for mean_squared_error must have shape \(samples, 2\).*got shape \(3,\)"):
        losses.MeanSquaredError().prepare_targets(np.zeros(3), (2,))


@pytest.mark.parametrize("factory, message", [
    (lambda: losses.Huber(delta=0), r"Huber: `delta` must be a positive"),
    (lambda: losses.BinaryCrossentropy(label_smoothing=1.5), r"`label_smoothing` must be a float in \[0, 1\]"),
    (lambda: losses.CategoricalCrossentropy(label_smoothing=-0.1), r"`label_smoothing` must be a float"),
    (lambda: losses.get("cross_entropy_of_doom"), r"Unknown loss 'cross_entropy_of_doom'"),
])
def test_bad_arguments_raise(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_get_rejects_other_types():
    with pytest.raises(TypeError, match=r"`loss` must be a name"):
        losses.get(3)


# ----- registry and config --------------------------------------------------------------
@pytest.mark.parametrize("alias, cls, fused", [
    ("mean_squared_error", losses.MeanSquaredError, None), ("mse", losses.MeanSquaredError, None),
    ("mean_absolute_error", losses.MeanAbsoluteError, None), ("MAE", losses.MeanAbsoluteError, None),
    ("huber", losses.Huber, None), ("binary_crossentropy", losses.BinaryCrossentropy, "sigmoid"),
    ("log_loss", losses.BinaryCrossentropy, "sigmoid"),
    ("categorical_crossentropy", losses.CategoricalCrossentropy, "softmax"),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy, "softmax"),
])
def test_aliases_resolve(alias, cls, fused):
    loss = losses.get(alias)
    assert type(loss) is cls and loss.fused_activation == fused and loss.from_logits is False


@pytest.mark.parametrize("loss", [
    losses.MeanSquaredError(), losses.MeanAbsoluteError(), losses.Huber(delta=2.5),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    losses.CategoricalCrossentropy(label_smoothing=0.2), losses.SparseCategoricalCrossentropy(from_logits=True),
])
def test_config_round_trips(loss):
    clone = losses.get(loss.get_config())
    assert type(clone) is type(loss) and clone.get_config() == loss.get_config()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_fused_value_and_gradient_reuses_probabilities_and_stays_exact(dtype):
    """The fast path (probabilities from the output layer) equals the logits path, also
    where a label's probability underflows to 0."""
    rng_local = np.random.default_rng(5)
    logits = rng_local.normal(size=(6, 4)).astype(dtype)
    logits[2] = [500.0, -500.0, 0.0, 1.0]  # label 1 below: its probability underflows
    labels = np.array([0, 3, 1, 2, 2, 1])
    weights = rng_local.uniform(0.5, 2.0, size=6)
    loss = losses.SparseCategoricalCrossentropy()
    probabilities = activations.get("softmax").forward(logits.copy())
    for sample_weight in (None, weights):
        fast_value, fast_grad = loss.fused_value_and_gradient(labels, logits, probabilities, sample_weight)
        value, grad = loss.value_and_gradient(labels, logits, sample_weight, logits=True)
        assert np.isfinite(fast_value) and fast_value == pytest.approx(value, rel=1e-6)
        np.testing.assert_allclose(fast_grad, grad, rtol=1e-5, atol=1e-7)


class _OwnLogitsForm(losses.BinaryCrossentropy):
    """A subclass with its own logits gradient: the shared-exp fast path must not bypass it."""

    def gradient_from_logits(self, y_true, logits):
        return 2.0 * super().gradient_from_logits(y_true, logits)


@pytest.mark.parametrize("ops", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("columns", [1, 3])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_binary_fused_value_and_gradient_is_the_logits_path_bit_for_bit(ops, dtype, columns, smoothing):
    """One exp(-|z|) shared by the loss and its gradient (either array seam) gives exactly the
    two methods' bits, weighted or not, and a subclass's own logits gradient is still the one used."""
    with use_ops(ops):
        _check_binary_fused(dtype, columns, smoothing)


def _check_binary_fused(dtype, columns, smoothing):
    rng_local = np.random.default_rng(11)
    logits = rng_local.normal(scale=4.0, size=(7, columns)).astype(dtype)
    logits[0, 0], logits[1, 0] = 90.0, -90.0  # exp(-|z|) underflows in float32
    targets = rng_local.integers(0, 2, size=(7, columns)).astype(dtype)
    weights = rng_local.uniform(0.5, 2.0, size=7)
    loss = losses.BinaryCrossentropy(label_smoothing=smoothing)
    probabilities = activations.get("sigmoid").forward(logits.copy())
    for sample_weight in (None, weights):
        fast_value, fast_grad = loss.fused_value_and_gradient(targets, logits, probabilities, sample_weight)
        value, grad = loss.value_and_gradient(targets, logits, sample_weight, logits=True)
        assert fast_value == value and fast_grad.dtype == grad.dtype == dtype
        np.testing.assert_array_equal(fast_grad, grad)
    own = _OwnLogitsForm(label_smoothing=smoothing)
    _, own_grad = own.fused_value_and_gradient(targets, logits, probabilities)
    np.testing.assert_array_equal(own_grad, own.value_and_gradient(targets, logits, logits=True)[1])
    assert not np.array_equal(own_grad, loss.value_and_gradient(targets, logits, logits=True)[1])

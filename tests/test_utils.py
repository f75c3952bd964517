"""gradwise.utils: to_categorical, normalize and set_random_seed as Keras' helpers."""

import random

import numpy as np
import pytest

import gradwise as gw
from gradwise.utils import normalize, set_random_seed, to_categorical


def test_to_categorical_matches_an_identity_lookup(rng):
    labels = rng.integers(0, 5, size=(6, 3))
    encoded = to_categorical(labels, num_classes=7)
    assert encoded.shape == (6, 3, 7) and encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded, np.eye(7)[labels])
    # A trailing axis of 1 is dropped, and num_classes defaults to max + 1, as in Keras.
    np.testing.assert_array_equal(to_categorical(labels.reshape(-1, 1)), np.eye(5)[labels.reshape(-1)])
    np.testing.assert_array_equal(to_categorical([1.0, 0.0]), [[0, 1], [1, 0]])


@pytest.mark.parametrize("labels, num_classes, message", [
    ([0, -1, 2], None, r"`y` must hold class indices >= 0, got -1"),
    ([0, 3], 3, r"class index 3, outside \[0, 3\) for num_classes=3"),
    ([0.0, 1.5], None, r"non-integer value 1.5"),
    (["cat", "dog"], None, r"integer class indices, got an array of dtype <U3.*LabelEncoder"),
    ([0, 1], 0, r"`num_classes` must be a positive int, got 0"),
    ([], None, r"`num_classes` is required when `y` is empty"),
])
def test_to_categorical_bad_input(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        to_categorical(labels, num_classes)


@pytest.mark.parametrize("order", [1, 2, 3, np.inf])
@pytest.mark.parametrize("axis", [0, -1])
def test_normalize_gives_unit_norms(order, axis, rng):
    x = rng.normal(size=(5, 4))
    x[2] = 0.0
    result = normalize(x, axis=axis, order=order)
    norms = np.linalg.norm(result, ord=order, axis=axis)
    expected = np.ones_like(norms)
    if axis == -1:
        expected[2] = 0.0  # an all-zero vector stays zero
    np.testing.assert_allclose(norms, expected, rtol=1e-12)
    np.testing.assert_allclose(result * np.linalg.norm(x, ord=order, axis=axis, keepdims=True), x, atol=1e-12)


def test_normalize_bad_input():
    with pytest.raises(ValueError, match=r"`axis` must be an int in \[-2, 2\) for `x` of shape \(2, 2\), got 2"):
        normalize(np.ones((2, 2)), axis=2)
    with pytest.raises(ValueError, match=r"`order` must be a positive number.*got 0"):
        normalize(np.ones((2, 2)), order=0)
    with pytest.raises(ValueError, match=r"`x` must hold numbers, got an array of dtype <U1"):
        normalize(["a"])


def _draws():
    model = gw.Sequential([gw.Input((3,)), gw.Dense(2)])
    return random.random(), np.random.rand(), model.get_weights()[0].copy()


def test_set_random_seed_seeds_python_numpy_and_models():
    set_random_seed(7)
    first = _draws()
    set_random_seed(7)
    second = _draws()
    assert first[0] == second[0] and first[1] == second[1]
    np.testing.assert_array_equal(first[2], second[2])
    set_random_seed(8)
    assert _draws()[0] != first[0]
    gw.set_random_seed(None)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True, None])
def test_set_random_seed_bad_input(seed):
    with pytest.raises(ValueError, match=r"`seed` must be an int in \[0, 2\*\*32\)"):
        set_random_seed(seed)

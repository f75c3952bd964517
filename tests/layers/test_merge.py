"""Merge layers: outputs by their definition, gradients w.r.t. every input by central differences."""

import numpy as np
import pytest

from gradwise import layers

from .gradient_check import numeric_gradient, relative_error

# id -> (factory, per-sample input shapes)
MERGE_CASES = {
    "add": (lambda: layers.Add(), [(3, 2)] * 3),
    "subtract": (lambda: layers.Subtract(), [(4,)] * 2),
    "multiply": (lambda: layers.Multiply(), [(2, 3)] * 3),
    "average": (lambda: layers.Average(), [(4,)] * 2),
    "maximum": (lambda: layers.Maximum(), [(5,)] * 3),
    "minimum": (lambda: layers.Minimum(), [(5,)] * 2),
    "concatenate": (lambda: layers.Concatenate(), [(2, 3), (2, 1), (2, 4)]),
    "concatenate_axis_1": (lambda: layers.Concatenate(axis=1), [(2, 3), (1, 3)]),
    "dot": (lambda: layers.Dot(axes=1), [(5,), (5,)]),
    "dot_normalize": (lambda: layers.Dot(axes=-1, normalize=True), [(5,), (5,)]),
    "dot_matrices": (lambda: layers.Dot(axes=(1, 2)), [(3, 4), (2, 3)]),
    "dot_matrix_vector": (lambda: layers.Dot(axes=(2, 1), normalize=True), [(3, 4), (4,)]),
}
REFERENCE = {
    "add": lambda xs: xs[0] + xs[1] + xs[2], "subtract": lambda xs: xs[0] - xs[1],
    "multiply": lambda xs: xs[0] * xs[1] * xs[2], "average": lambda xs: (xs[0] + xs[1]) / 2,
    "maximum": lambda xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2]), "minimum": lambda xs: np.minimum(xs[0], xs[1]),
    "concatenate": lambda xs: np.concatenate(xs, axis=-1), "concatenate_axis_1": lambda xs: np.concatenate(xs, axis=1),
    "dot": lambda xs: np.einsum("bi,bi->b", *xs)[:, None],
    "dot_normalize": lambda xs: np.einsum("bi,bi->b", *(x / np.linalg.norm(x, axis=1, keepdims=True) for x in xs))[:, None],
    "dot_matrices": lambda xs: np.einsum("bij,bki->bjk", *xs),
    "dot_matrix_vector": lambda xs: np.einsum("bij,bj->bi", xs[0] / np.linalg.norm(xs[0], axis=2, keepdims=True),
                                              xs[1] / np.linalg.norm(xs[1], axis=1, keepdims=True)),
}


def _make(case, rng):
    factory, shapes = MERGE_CASES[case]
    layer = factory()
    layer.build_for(shapes, np.random.default_rng(0), np.float64)
    return layer, [rng.normal(size=(4, *shape)) for shape in shapes]


@pytest.mark.parametrize("case", sorted(MERGE_CASES))
def test_outputs_and_gradients_match_the_definition(case, rng):
    layer, inputs = _make(case, rng)
    outputs, cache = layer.forward(inputs)
    np.testing.assert_allclose(outputs, REFERENCE[case](inputs), rtol=1e-14)
    assert outputs.shape == (4, *layer.output_shape)
    upstream = rng.normal(size=outputs.shape)
    grads = layer.backward(upstream, cache)
    for index, array in enumerate(inputs):
        numeric = numeric_gradient(lambda: float(np.sum(layer.forward(inputs)[0] * upstream)), array)
        assert relative_error(grads[index], numeric) < 1e-6, index
    assert layer.backward(upstream, cache, input_grad=False) is None


@pytest.mark.parametrize("make, shapes, message", [
    (lambda: layers.Add(name="a"), [(3,), (4,)], r"Add 'a' expected inputs of one shape, got per-sample shapes"),
    (lambda: layers.Add(name="a"), [(3,)], r"Add 'a' expected a list of at least 2 inputs, got 1"),
    (lambda: layers.Subtract(name="s"), [(3,)] * 3, r"Subtract 's' expected exactly 2 inputs, got 3"),
    (lambda: layers.Dot(1, name="d"), [(3,), (4,)], r"Dot 'd' contracts axes of different lengths: \(3,\) along 1"),
    (lambda: layers.Dot(3, name="d"), [(3,), (3,)], r"Dot 'd': axis 3 is not a feature axis of inputs of per-sample "
                                                    r"shape \(3,\)"),
    (lambda: layers.Dot(1, name="d"), [(3,)] * 3, r"Dot 'd' expected 2 inputs of 1 or 2 axes per sample"),
    (lambda: layers.Concatenate(name="c"), [(2, 3), (3, 3)], r"Concatenate 'c' expected at least 2 inputs that "
                                                             r"match except along axis -1"),
])
def test_shapes_that_do_not_merge_are_refused(make, shapes, message):
    with pytest.raises(ValueError, match=message):
        make().build_for(shapes, np.random.default_rng(0), np.float64)


def test_concatenate_refuses_the_batch_axis():
    with pytest.raises(ValueError, match=r"`axis` must be a non-zero int \(0 is the batch axis\), got 0"):
        layers.Concatenate(axis=0)


def test_dot_refuses_bad_axes():
    with pytest.raises(ValueError, match=r"Dot: `axes` must be a non-zero int or a pair of them \(0 is the batch axis\), "
                                         r"got \(1, 2, 3\)"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(TypeError, match=r"Dot: `normalize` must be a bool, got 'yes'"):
        layers.Dot(1, normalize="yes")



@pytest.mark.parametrize("helper, arguments, expected", [
    ("add", {}, lambda a, b: a + b), ("subtract", {}, lambda a, b: a - b), ("multiply", {}, lambda a, b: a * b),
    ("average", {}, lambda a, b: (a + b) / 2), ("maximum", {}, np.maximum), ("minimum", {}, np.minimum),
    ("concatenate", {"axis": 1}, lambda a, b: np.hstack([a, b])),
    ("dot", {"axes": 1}, lambda a, b: np.sum(a * b, axis=1, keepdims=True)),
])
def test_functional_shorthands_make_and_call_the_merge_layer(helper, arguments, expected):
    """Keras' lowercase helpers in the Functional API: ``layers.add([x, y])`` is ``layers.Add()([x, y])``."""
    from gradwise import Input, Model

    inputs = Input((3,))
    shifted = layers.Rescaling(0.5, offset=1.0)(inputs)
    model = Model(inputs, getattr(layers, helper)([inputs, shifted], name="merged", **arguments))
    assert type(model.get_layer("merged")).__name__.lower() == helper
    x = np.linspace(-1, 2, 6).reshape(2, 3)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected(x, 0.5 * x + 1.0), rtol=1e-6)


def test_merge_layers_called_on_lists_of_arrays_as_in_keras_docs(rng):
    """Keras's docs call merge layers on arrays: ``Add()([x1, x2])``, ``Dot(axes=(1, 2))([x, y])``."""
    x1, x2 = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    np.testing.assert_array_equal(layers.Add()([x1, x2]), x1 + x2)
    np.testing.assert_array_equal(layers.Subtract()([x1, x2]), x1 - x2)
    np.testing.assert_array_equal(layers.Concatenate()([x1, x2[..., :1]]), np.concatenate([x1, x2[..., :1]], -1))
    np.testing.assert_array_equal(layers.Concatenate(axis=1)([np.arange(20).reshape(2, 2, 5),
                                                              np.arange(20, 30).reshape(2, 1, 5)]),
                                  np.concatenate([np.arange(20).reshape(2, 2, 5),
                                                  np.arange(20, 30).reshape(2, 1, 5)], axis=1))
    dotted = layers.Dot(axes=(1, 2))([np.arange(10).reshape(1, 5, 2), np.arange(10, 20).reshape(1, 2, 5)])
    np.testing.assert_array_equal(dotted, [[[260, 360], [320, 445]]])
    np.testing.assert_array_equal(layers.add([x1, x2]), x1 + x2)


def test_merge_layer_called_on_arrays_checks_their_shapes(rng):
    layer = layers.Add()
    layer([rng.normal(size=(2, 3)), rng.normal(size=(2, 3))])
    with pytest.raises(ValueError, match=r"built for inputs of per-sample shapes \[\(3,\), \(3,\)\], got \[\(5,\)"):
        layer([np.ones((2, 5)), np.ones((2, 5))])
    with pytest.raises(ValueError, match="one batch size"):
        layers.Add()([np.ones((2, 3)), np.ones((4, 3))])
    with pytest.raises(ValueError, match="one shape"):
        layers.Add()([np.ones((2, 3)), np.ones((2, 4))])

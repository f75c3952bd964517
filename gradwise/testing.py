"""check_gradients: finite-difference checks of a layer's or a loss's backward math, for users' own classes.

gradwise differentiates nothing automatically: every layer and loss writes its gradient
by hand. This compares those gradients with central differences in float64, as
gradwise's own tests do, so a custom ``Loss`` or ``Layer`` can be trusted before it
trains anything.
"""

import inspect
from dataclasses import dataclass, field

import numpy as np

from .activations import ActivationFunction
from .layers.base import Layer
from .losses import Loss


class GradientCheckError(AssertionError):
    """A hand-written gradient disagrees with central differences (an AssertionError, for test suites)."""


@dataclass
class GradientCheck:
    """What check_gradients found: the relative error of each checked gradient."""

    errors: dict = field(default_factory=dict)
    tolerance: float = 1e-6

    @property
    def passed(self):
        return all(error < self.tolerance for error in self.errors.values())


def relative_error(analytic, numeric):
    """|a - n| / (|a| + |n|), in the Frobenius norm (0 when both are 0)."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / max(scale, 1e-12))


def numeric_gradient(scalar, array, epsilon=1e-6):
    """d scalar() / d array by central differences, perturbing `array` in place (and restoring it)."""
    grad = np.empty_like(array)
    flat, grad_flat = array.reshape(-1), grad.reshape(-1)
    for index in range(flat.size):
        saved = flat[index]
        flat[index] = saved + epsilon
        plus = scalar()
        flat[index] = saved - epsilon
        minus = scalar()
        flat[index] = saved
        grad_flat[index] = (plus - minus) / (2 * epsilon)
    return grad


def check_gradients(layer_or_loss, inputs=None, y_true=None, *, input_shape=None, batch_size=3, training=False,
                    seed=0, epsilon=1e-6, tolerance=1e-6):
    """Compare a layer's or a loss's gradients with central differences in float64.

    Parameters
    ----------
    layer_or_loss : Layer, Loss or ActivationFunction
        An activation function is checked inside an ``Activation`` layer (inputs of shape
        (batch_size, 4) by default). A loss is checked through ``gradient`` (``gradient_from_logits`` when
        ``from_logits=True``) against its per-sample values. A layer is checked through
        ``backward``, with respect to its inputs and every param, for the scalar
        ``sum(outputs * upstream)`` with a random `upstream`; an unbuilt layer is built in
        float64 (a built one must be float64).
    inputs : ndarray, optional
        For a loss, the predictions `y_pred`; for a layer, its inputs. Defaults to random
        values: uniform in [0.05, 0.95] of shape (batch_size, 3) for a loss, standard
        normal of shape (batch_size, *input_shape) for a layer. Choose points away from
        kinks (ReLU at 0, clipping bounds), where finite differences mislead.
    y_true : ndarray, optional
        A loss's targets; defaults to random values in [0, 1] shaped like `inputs`.
    input_shape : tuple of int, optional
        Per-sample input shape of an unbuilt layer, when `inputs` is not given.
    batch_size : int, default 3
    training : bool, default False
        Passed to the layer's forward (a layer that draws random masks in training must
        be checked with training=False).
    seed : int, default 0
    epsilon : float, default 1e-6
    tolerance : float, default 1e-6
        Largest accepted relative error.

    Returns
    -------
    GradientCheck
        The relative error of each checked gradient (``'y_pred'``, or ``'inputs'`` and one
        entry per param).

    Raises
    ------
    GradientCheckError
        A relative error at or above `tolerance`, naming the gradient and the error.
    TypeError
        Not a Layer, a Loss or an ActivationFunction.

    Examples
    --------
    >>> from gradwise.losses import MeanSquaredError
    >>> check_gradients(MeanSquaredError()).passed
    True
    """
    rng = np.random.default_rng(seed)
    if isinstance(layer_or_loss, ActivationFunction):  # checked inside an Activation layer
        from .layers import Activation

        name = type(layer_or_loss).__name__
        layer_or_loss = Activation(layer_or_loss)
        if inputs is None and input_shape is None:
            input_shape = (4,)
    else:
        name = type(layer_or_loss).__name__
    if isinstance(layer_or_loss, Loss):
        errors = _loss_errors(layer_or_loss, inputs, y_true, batch_size, rng, epsilon)
    elif isinstance(layer_or_loss, Layer):
        errors = _layer_errors(layer_or_loss, inputs, input_shape, batch_size, training, rng, epsilon)
    else:
        raise TypeError(
            f"check_gradients: `layer_or_loss` must be a gradwise Layer, Loss or ActivationFunction, got "
            f"{layer_or_loss!r} of type "
            f"{type(layer_or_loss).__name__}."
        )
    result = GradientCheck(errors, tolerance)
    if not result.passed:
        failing = ", ".join(f"{key}: {error:.2e}" for key, error in errors.items() if not error < tolerance)
        raise GradientCheckError(
            f"check_gradients: {name}'s gradient disagrees with central differences "
            f"(relative error {failing}; tolerance {tolerance:g}). Check the derivative, or move the check "
            "away from kinks and clipping bounds; a NaN error means backward left gradient entries unwritten."
        )
    return result


def _loss_errors(loss, y_pred, y_true, batch_size, rng, epsilon):
    y_pred = rng.uniform(0.05, 0.95, size=(batch_size, 3)) if y_pred is None else np.array(y_pred, dtype=np.float64)
    if y_true is None:
        y_true = rng.uniform(0.0, 1.0, size=y_pred.shape)
    y_true = loss.prepare_targets(y_true, y_pred.shape[1:])
    if loss.from_logits:
        values, gradient = loss.per_sample_from_logits, loss.gradient_from_logits
    else:
        values, gradient = loss.per_sample, loss.gradient
    analytic = np.asarray(gradient(y_true, y_pred.copy()), dtype=np.float64)
    if analytic.shape != y_pred.shape:
        raise GradientCheckError(
            f"check_gradients: {type(loss).__name__}'s gradient must be shaped like y_pred, {y_pred.shape}, got "
            f"{analytic.shape}."
        )
    # Sample i's loss depends on y_pred[i] only, so the gradient of the sum is each sample's gradient.
    numeric = numeric_gradient(lambda: float(np.sum(values(y_true, y_pred))), y_pred, epsilon)
    return {"y_pred": relative_error(analytic, numeric)}


def _layer_errors(layer, inputs, input_shape, batch_size, training, rng, epsilon):
    if inputs is None:
        shape = layer.input_shape if layer.built else input_shape
        if shape is None:
            raise ValueError(
                f"check_gradients: give `inputs` or `input_shape` for the unbuilt layer {type(layer).__name__}."
            )
        inputs = rng.normal(size=(batch_size, *shape))
    inputs = np.array(inputs, dtype=np.float64)
    if not layer.built:
        layer.build_for(inputs.shape[1:], rng, np.float64)
    elif layer.dtype != np.float64:
        raise ValueError(
            f"check_gradients: layer {layer.name!r} is built in {layer.dtype}; finite differences need float64. "
            "Pass an unbuilt layer (it is built in float64) or build it with dtype float64."
        )
    upstream = rng.normal(size=np.shape(_forward(layer, inputs, training)[0]))

    def scalar():
        return float(np.sum(_forward(layer, inputs, training)[0] * upstream))

    outputs, cache = _forward(layer, inputs, training)
    for grad in layer.grads.values():
        # A first backward writes every entry; one left NaN shows up as a NaN error below.
        grad[...] = np.nan if _CACHE_CONTRACT else 0.0
    grad_inputs = layer.backward(upstream, cache) if cache is not _NO_CACHE else layer.backward(upstream)
    analytic = {key: grad.copy() for key, grad in layer.grads.items()}
    errors = {"inputs": relative_error(grad_inputs, numeric_gradient(scalar, inputs, epsilon))}
    for key, param in layer.params.items():
        errors[key] = relative_error(analytic[key], numeric_gradient(scalar, param, epsilon))
    return errors


_NO_CACHE = object()
# Whether layers return a cache from forward and take it back in backward(grad_outputs, cache),
# or keep what backward needs on themselves (backward(grad_outputs)): read off the base class.
_CACHE_CONTRACT = len(inspect.signature(Layer.backward).parameters) >= 3


def _forward(layer, inputs, training):
    """(outputs, cache), with _NO_CACHE for layers that keep their forward state on themselves."""
    result = layer.forward(inputs, training=training)
    return result if _CACHE_CONTRACT else (result, _NO_CACHE)


__all__ = ["check_gradients", "GradientCheck", "GradientCheckError", "numeric_gradient", "relative_error"]

"""Central-difference gradient checks for a single layer (float64).

The scalar checked is ``sum(outputs * upstream)`` for a fixed random upstream gradient,
so ``backward(upstream, cache)`` must give its gradient w.r.t. the inputs and write
its gradient w.r.t. each param into ``layer.grads``.
"""

import numpy as np

EPS = 1e-6
TOLERANCE = 1e-6


def relative_error(analytic, numeric):
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return np.linalg.norm(analytic - numeric) / max(scale, 1e-12)


def numeric_gradient(scalar, array, eps=EPS):
    """d scalar() / d array by central differences, perturbing `array` in place."""
    grad = np.empty_like(array)
    flat, grad_flat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        plus = scalar()
        flat[i] = saved - eps
        minus = scalar()
        flat[i] = saved
        grad_flat[i] = (plus - minus) / (2 * eps)
    return grad


def analytic_gradients(layer, inputs, upstream, training=True):
    """(grad w.r.t. inputs, {key: grad w.r.t. param}) from one forward and backward."""
    _, cache = layer.forward(inputs, training=training)
    for grad in layer.grads.values():
        grad[...] = np.nan  # backward must overwrite every entry
    grad_inputs = layer.backward(upstream, cache)
    return grad_inputs, {key: grad.copy() for key, grad in layer.grads.items()}


def check_layer_gradients(layer, inputs, rng, training=True, with_inputs=True):
    """Assert backward matches central differences for the inputs (unless not `with_inputs`:
    token indices) and every param."""
    inputs = np.array(inputs, dtype=np.float64)
    upstream = rng.normal(size=layer.forward(inputs, training=training)[0].shape)

    def scalar():
        return float(np.sum(layer.forward(inputs, training=training)[0] * upstream))

    grad_inputs, grads = analytic_gradients(layer, inputs, upstream, training)
    if with_inputs:
        error = relative_error(grad_inputs, numeric_gradient(scalar, inputs))
        assert error < TOLERANCE, f"inputs: relative error {error:.2e}"
    for key, param in layer.params.items():
        error = relative_error(grads[key], numeric_gradient(scalar, param))
        assert error < TOLERANCE, f"{key}: relative error {error:.2e}"
    return grad_inputs, grads


def built(layer, input_shape, dtype=np.float64, seed=0):
    """`layer` built for per-sample `input_shape` with a seeded generator."""
    layer.build_for(input_shape, np.random.default_rng(seed), dtype)
    return layer

"""Gradient checks for layers called with a mask and layers with several outputs (return_state)."""

import numpy as np

from .gradient_check import TOLERANCE, numeric_gradient, relative_error


def _as_list(value):
    return list(value) if isinstance(value, list) else [value]


def check_masked_gradients(layer, inputs, mask, rng, training=False, keys=None):
    """Central differences of sum(outputs * upstream) (every output, for return_state) w.r.t. the
    inputs and each param, `mask` held fixed; returns the analytic input gradient."""
    inputs = np.array(inputs, dtype=np.float64)
    call = {} if mask is None else {"mask": mask}
    upstream = [rng.normal(size=output.shape) for output in _as_list(layer.forward(inputs, training, **call)[0])]

    def scalar():
        outputs = _as_list(layer.forward(inputs, training, **call)[0])
        return float(sum(np.sum(output * grad) for output, grad in zip(outputs, upstream)))

    _, cache = layer.forward(inputs, training, **call)
    for grad in layer.grads.values():
        grad[...] = np.nan  # backward must write every entry
    grad_outputs = upstream if len(upstream) > 1 else upstream[0]
    grad_inputs = layer.backward(grad_outputs, cache)
    grads = {key: grad.copy() for key, grad in layer.grads.items()}
    error = relative_error(grad_inputs, numeric_gradient(scalar, inputs))
    assert error < TOLERANCE, f"inputs: relative error {error:.2e}"
    for key in keys or layer.params:
        error = relative_error(grads[key], numeric_gradient(scalar, layer.params[key]))
        assert error < TOLERANCE, f"{key}: relative error {error:.2e}"
    return grad_inputs

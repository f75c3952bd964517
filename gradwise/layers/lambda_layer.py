"""Lambda: a layer made of a function and its derivative, for a NumPy operation inside a model.

gradwise differentiates nothing by itself, so unlike Keras's ``Lambda`` this one takes
the function's derivative too: ``derivative`` for an elementwise function (f'(x), same
shape as x), or ``backward`` for any other (the gradient w.r.t. the inputs, given the
gradient w.r.t. the outputs). Check it with ``gradwise.testing.check_gradients``.

    double = Lambda(lambda x: 2 * x, derivative=lambda x: np.full_like(x, 2.0))
    row_sum = Lambda(lambda x: x.sum(axis=-1, keepdims=True),
                     backward=lambda grad_outputs, inputs, outputs: np.broadcast_to(grad_outputs, inputs.shape))
"""

import numpy as np

from .base import Layer


class Lambda(Layer):
    """outputs = function(inputs), with its derivative given.

    Parameters
    ----------
    function : callable
        ``function(inputs) -> outputs``, on arrays with a batch axis.
    derivative : callable, optional
        For an elementwise `function`: ``derivative(inputs)``, f'(x) with the shape of x.
    backward : callable, optional
        For any other: ``backward(grad_outputs, inputs, outputs) -> grad_inputs``.
        Exactly one of `derivative` and `backward` is required.
    output_shape : tuple of int, optional
        Per-sample output shape; by default found by calling `function` on one sample of ones.

    Notes
    -----
    A Lambda holds Python functions, which gradwise never pickles: a Sequential or
    functional model holding one is saved with ``save_weights`` and rebuilt in code (a
    subclassed model rebuilds its layers itself, so ``save`` works for it).
    """

    def __init__(self, function, derivative=None, backward=None, output_shape=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: `function` must be callable, got {function!r}.")
        if (derivative is None) == (backward is None):
            raise ValueError("Lambda: give exactly one of `derivative` (f'(x) of an elementwise function) and "
                             "`backward` (grad_outputs, inputs, outputs -> grad_inputs): gradwise computes no "
                             f"derivative by itself; got derivative={derivative!r}, backward={backward!r}.")
        for label, value in (("derivative", derivative), ("backward", backward)):
            if value is not None and not callable(value):
                raise TypeError(f"Lambda: `{label}` must be callable, got {value!r}.")
        self.function = function
        self.derivative = derivative
        self.backward_function = backward
        self.requested_output_shape = None if output_shape is None else tuple(output_shape)

    def compute_output_shape(self, input_shape):
        if self.requested_output_shape is not None:
            shape = self.requested_output_shape
        else:
            with np.errstate(all="ignore"):  # ones may be outside the function's domain; only the shape counts
                probe = np.asarray(self.function(np.ones((1, *input_shape))))
            if probe.ndim == 0 or probe.shape[0] != 1:
                raise ValueError(f"Lambda '{self.name}': `function` must keep the batch axis; on inputs of shape "
                                 f"{(1, *input_shape)} it gave shape {probe.shape}.")
            shape = probe.shape[1:]
        if self.derivative is not None and tuple(shape) != tuple(input_shape):
            raise ValueError(f"Lambda '{self.name}': `derivative` is for elementwise functions (outputs shaped as "
                             f"inputs), but the function maps per-sample shape {tuple(input_shape)} to "
                             f"{tuple(shape)}; give `backward` instead.")
        return tuple(shape)

    def forward(self, inputs, training=False):
        outputs = np.require(self.function(inputs), inputs.dtype, ["C", "W"])
        return outputs, (inputs, outputs)

    # y = f(x)  =>  dx = dy * f'(x) elementwise, or dx = backward(dy, x, y) (the vector-Jacobian product)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        inputs, outputs = cache
        if self.derivative is not None:
            grad_inputs = grad_outputs * self.derivative(inputs)
        else:
            grad_inputs = self.backward_function(grad_outputs, inputs, outputs)
        grad_inputs = np.require(grad_inputs, grad_outputs.dtype, ["C", "W"])  # a broadcast view is read-only
        if grad_inputs.shape != inputs.shape:
            raise ValueError(f"Lambda '{self.name}': the gradient w.r.t. the inputs has shape {grad_inputs.shape}, "
                             f"expected the inputs' shape {inputs.shape}; check `derivative`/`backward`.")
        return grad_inputs

    def get_config(self):
        raise TypeError(
            f"Lambda '{self.name}' holds Python functions, which gradwise does not save (it never pickles). Save the "
            "weights with model.save_weights(path) and rebuild the model in code, or write the operation as a Layer "
            "subclass with forward, backward and get_config.")

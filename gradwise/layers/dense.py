"""Dense: a fully connected layer, outputs = activation(inputs @ kernel + bias).

As in Keras, inputs of rank above 2 are mapped on their last axis: (batch, steps, features)
becomes (batch, steps, units) through one matrix product over all batch * steps rows.
"""

import numpy as np

from .. import _checks
from ._kernel_options import kernel_options_config, set_kernel_options
from .base import ActivatedLayer


class Dense(ActivatedLayer):
    """Affine map followed by an activation.

    Parameters
    ----------
    units : int
        Output features.
    activation : str, ActivationFunction or activation layer, optional
    use_bias : bool
    kernel_initializer, bias_initializer : str or Initializer
    kernel_regularizer, bias_regularizer, activity_regularizer : str or Regularizer, optional

    Examples
    --------
    >>> Dense(10, activation="softmax")
    <Dense name='dense'>
    """

    reusable_on_other_lengths = True  # forward reads the lengths off the arrays (Layer._output_shape_on_other_inputs)

    has_kernel = True
    supports_masking = True  # a per-step map: the mask of (batch, steps, ...) inputs still holds

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.units = _checks.positive_int("Dense", "units", units)
        set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer,
                           kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
                           bias_constraint)

    def compute_output_shape(self, input_shape):
        if not len(input_shape) or input_shape[-1] is None:
            raise ValueError(
                f"Dense '{self.name}' expected inputs (batch, ..., features) with a known number of features, "
                f"got per-sample shape {tuple(input_shape)}."
            )
        return (*input_shape[:-1], self.units)

    def build(self, input_shape, rng):
        shape = (input_shape[-1], self.units)
        self.params["kernel"] = self.kernel_initializer(shape, self.dtype, rng)
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.units,), self.dtype, rng)

    def forward(self, inputs, training=False):
        if inputs.ndim != len(self.input_shape) + 1 or inputs.shape[-1] != self.input_shape[-1]:
            expected = ", ".join(["batch", *("None" if size is None else str(size) for size in self.input_shape)])
            raise ValueError(
                f"Dense '{self.name}' expected inputs with shape ({expected}), "
                f"got shape {inputs.shape}. Check `units` of the previous layer or `input_shape`."
            )
        if inputs.ndim == 2:
            preactivation = inputs @ self.params["kernel"]
        else:  # every leading axis is a batch axis: one product over all rows
            rows = inputs.reshape(-1, inputs.shape[-1])
            preactivation = (rows @ self.params["kernel"]).reshape(*inputs.shape[:-1], self.units)
        outputs = self.ops.activate(self.activation, preactivation, self.params["bias"] if self.use_bias else None)
        return outputs, (inputs, preactivation, outputs)

    # y = f(z)  =>  dz = f'(z) dy, from the function's own backward
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        _, preactivation, outputs = cache
        grad_preactivation = self.ops.activate_backward(self.activation, grad_outputs, preactivation, outputs)
        return self.backward_preactivation(grad_preactivation, cache, input_grad, accumulate)

    def backward_preactivation(self, grad_preactivation, cache, input_grad=True, accumulate=False):
        """Backward from the gradient w.r.t. the pre-activation (the fused-loss entry point)."""
        inputs = cache[0]
        if inputs.ndim > 2:  # the same math over the rows of every leading axis
            grad_rows = self.backward_preactivation(grad_preactivation.reshape(-1, self.units),
                                                    (inputs.reshape(-1, inputs.shape[-1]),), input_grad, accumulate)
            return None if grad_rows is None else grad_rows.reshape(inputs.shape)
        # Z = XW + b  =>  dW = X^T dZ,  db = sum over batch of dZ,  dX = dZ W^T
        if accumulate:
            self.grads["kernel"] += inputs.T @ grad_preactivation
        else:
            np.matmul(inputs.T, grad_preactivation, out=self.grads["kernel"])
        if self.use_bias:
            if accumulate:
                self.grads["bias"] += grad_preactivation.sum(axis=0)
            else:
                self.ops.column_sums(grad_preactivation, self.grads["bias"])
        return grad_preactivation @ self.params["kernel"].T if input_grad else None

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            **kernel_options_config(self),
        }

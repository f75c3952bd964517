"""Merge layers: one output from several inputs of the same shape (Concatenate: along an axis).

A merge layer takes a list of arrays in forward and gives back a list of gradients in
backward (``multi_input = True`` tells the graph engine).
"""

import numpy as np

from .base import Layer


class Merge(Layer, register=False):
    """Several inputs of one shape in, one out. Subclasses define ``_merge`` and ``_grads``."""

    multi_input = True

    def compute_output_shape(self, input_shape):
        shapes = [tuple(shape) for shape in input_shape]
        if len(shapes) < 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expected a list of at least 2 inputs, "
                             f"got {len(shapes)}.")
        if any(shape != shapes[0] for shape in shapes):
            raise ValueError(f"{type(self).__name__} '{self.name}' expected inputs of one shape, got per-sample "
                             f"shapes {shapes}.")
        return shapes[0]

    def forward(self, inputs, training=False):
        return self._merge(inputs), inputs

    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        return self._grads(grad_outputs, cache) if input_grad else None


class Add(Merge):
    """y = x_1 + x_2 + ..."""

    def _merge(self, inputs):
        return sum(inputs[1:], inputs[0].copy())

    # y = sum x_i  =>  dx_i = dy
    def _grads(self, grad, inputs):
        return [grad] * len(inputs)


class Subtract(Merge):
    """y = x_1 - x_2 (exactly two inputs)."""

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Subtract '{self.name}' expected exactly 2 inputs, got {len(input_shape)}.")
        return super().compute_output_shape(input_shape)

    def _merge(self, inputs):
        return inputs[0] - inputs[1]

    # y = x_1 - x_2  =>  dx_1 = dy, dx_2 = -dy
    def _grads(self, grad, inputs):
        return [grad, -grad]


class Multiply(Merge):
    """y = x_1 * x_2 * ... (elementwise)."""

    def _merge(self, inputs):
        return np.prod(np.stack(inputs), axis=0)

    # y = prod x_j  =>  dx_i = dy * prod_{j != i} x_j
    def _grads(self, grad, inputs):
        return [grad * np.prod(np.stack([x for j, x in enumerate(inputs) if j != i]), axis=0)
                for i in range(len(inputs))]


class Average(Merge):
    """y = (x_1 + ... + x_n) / n."""

    def _merge(self, inputs):
        return sum(inputs[1:], inputs[0].copy()) / len(inputs)

    # y = mean x_i  =>  dx_i = dy / n
    def _grads(self, grad, inputs):
        share = grad / len(inputs)
        return [share] * len(inputs)


class _Extremum(Merge, register=False):
    reduce = None

    def _merge(self, inputs):
        return self.reduce(np.stack(inputs), axis=0)

    # y = max (or min) of x_i  =>  dy goes to the first input holding it (as TensorFlow)
    def _grads(self, grad, inputs):
        stacked = np.stack(inputs)
        winner = (np.argmax if self.reduce is np.max else np.argmin)(stacked, axis=0)
        return [grad * (winner == i) for i in range(len(inputs))]


class Maximum(_Extremum):
    """y = max(x_1, x_2, ...) elementwise."""

    reduce = staticmethod(np.max)


class Minimum(_Extremum):
    """y = min(x_1, x_2, ...) elementwise."""

    reduce = staticmethod(np.min)


class Concatenate(Merge):
    """Join the inputs along `axis` (batch axis included; -1 is the last)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or axis == 0:
            raise ValueError(f"Concatenate: `axis` must be a non-zero int (0 is the batch axis), got {axis!r}.")
        self.axis = int(axis)

    def compute_output_shape(self, input_shape):
        shapes = [tuple(shape) for shape in input_shape]
        rank = len(shapes[0]) + 1
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if len(shapes) < 2 or axis in (None, 0) or any(len(shape) != rank - 1 for shape in shapes) or any(
                shape[:axis - 1] + shape[axis:] != shapes[0][:axis - 1] + shapes[0][axis:] for shape in shapes):
            raise ValueError(f"Concatenate '{self.name}' expected at least 2 inputs that match except along axis "
                             f"{self.axis}, got per-sample shapes {shapes}.")
        return shapes[0][:axis - 1] + (sum(shape[axis - 1] for shape in shapes),) + shapes[0][axis:]

    def _merge(self, inputs):
        return np.concatenate(inputs, axis=self.axis)

    # y = [x_1, x_2, ...] along the axis  =>  dx_i = the slice of dy that x_i filled
    def _grads(self, grad, inputs):
        bounds = np.cumsum([x.shape[self.axis] for x in inputs])[:-1]
        return np.split(grad, bounds, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}

"""Merge layers: one output from several inputs of the same shape (Concatenate: along an axis).

A merge layer takes a list of arrays in forward and gives back a list of gradients in
backward (``multi_input = True`` tells the graph engine).
"""

import numpy as np

from .base import Layer


class Merge(Layer, register=False):
    """Several inputs of one shape in, one out. Subclasses define ``_merge`` and ``_grads``."""

    multi_input = True
    supports_masking = True

    def compute_mask(self, inputs, mask):
        """Keras's: a step is real where every input with a mask has it real."""
        masks = [item for item in (mask or []) if item is not None]
        return np.logical_and.reduce(masks) if masks else None

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

    def compute_mask(self, inputs, mask):
        if mask is not None and any(item is not None for item in mask) and self.axis % inputs[0].ndim == 1:
            # joined along the steps: so are the masks (an input without one is real at every step)
            return np.concatenate([np.ones(array.shape[:2], bool) if item is None else item
                                   for array, item in zip(inputs, mask)], axis=1)
        return super().compute_mask(inputs, mask)

    # y = [x_1, x_2, ...] along the axis  =>  dx_i = the slice of dy that x_i filled
    def _grads(self, grad, inputs):
        bounds = np.cumsum([x.shape[self.axis] for x in inputs])[:-1]
        return np.split(grad, bounds, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Merge):
    """The dot product of two inputs along `axes`, sample by sample (Keras' ``Dot``).

    `axes` is one int for both inputs or a pair, counted with the batch axis (``axes=1``
    contracts the features of ``(batch, n)`` inputs, giving ``(batch, 1)``); inputs hold
    one or two axes per sample. With `normalize`, each input is first divided by its L2
    norm along its axis, so the output is the cosine similarity.
    """

    def compute_mask(self, inputs, mask):
        return None  # the steps are contracted away

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = list(axes) if isinstance(axes, (list, tuple)) else [axes, axes]
        if len(pair) != 2 or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) or a == 0 for a in pair):
            raise ValueError(f"Dot: `axes` must be a non-zero int or a pair of them (0 is the batch axis), got {axes!r}.")
        if not isinstance(normalize, (bool, np.bool_)):
            raise TypeError(f"Dot: `normalize` must be a bool, got {normalize!r}.")
        self.axes = [int(a) for a in pair]
        self.normalize = bool(normalize)

    def _sample_axes(self, shapes):
        """Each input's contracted axis among its per-sample axes (0-based), after checking the shapes."""
        if len(shapes) != 2 or any(len(shape) not in (1, 2) for shape in shapes):
            raise ValueError(f"Dot '{self.name}' expected 2 inputs of 1 or 2 axes per sample, got per-sample "
                             f"shapes {shapes}.")
        axes = []
        for axis, shape in zip(self.axes, shapes):
            rank = len(shape) + 1
            if not -rank <= axis < rank or axis % rank == 0:
                raise ValueError(f"Dot '{self.name}': axis {axis} is not a feature axis of inputs of per-sample "
                                 f"shape {shape}.")
            axes.append(axis % rank - 1)
        if shapes[0][axes[0]] != shapes[1][axes[1]]:
            raise ValueError(f"Dot '{self.name}' contracts axes of different lengths: {shapes[0]} along "
                             f"{self.axes[0]} and {shapes[1]} along {self.axes[1]}.")
        return axes

    def compute_output_shape(self, input_shape):
        shapes = [tuple(shape) for shape in input_shape]
        first, second = self._sample_axes(shapes)
        rest = shapes[0][:first] + shapes[0][first + 1:] + shapes[1][:second] + shapes[1][second + 1:]
        return rest or (1,)

    def _operands(self, inputs):
        """The inputs as (batch, rest, n) and (batch, n, rest) matrices, normalized when asked, and their norms."""
        first, second = self._sample_axes([x.shape[1:] for x in inputs])
        left = np.moveaxis(inputs[0], first + 1, -1)
        right = np.moveaxis(inputs[1], second + 1, 1)
        norms = None
        if self.normalize:
            # Keras' l2_normalize: the squared norm is floored at 1e-12 (a zero vector stays zero)
            norms = (np.sqrt(np.maximum((left * left).sum(axis=-1, keepdims=True), 1e-12)),
                     np.sqrt(np.maximum((right * right).sum(axis=1, keepdims=True), 1e-12)))
            left, right = left / norms[0], right / norms[1]
        batch = left.shape[0]
        return left.reshape(batch, -1, left.shape[-1]), right.reshape(batch, right.shape[1], -1), (first, second), norms

    def forward(self, inputs, training=False):
        left, right, axes, norms = self._operands(inputs)
        outputs = (left @ right).reshape(left.shape[0], *self.output_shape)
        return outputs, (inputs, left, right, axes, norms)

    # y = a . b along the axes  =>  da = dy b^T, db = a^T dy (through u = x / |x|: dx = (du - u (du . u)) / |x|)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        inputs, left, right, (first, second), norms = cache
        grad = grad_outputs.reshape(left.shape[0], left.shape[1], right.shape[2])
        grad_left = grad @ right.transpose(0, 2, 1)
        grad_right = left.transpose(0, 2, 1) @ grad
        moved = [np.moveaxis(inputs[0], first + 1, -1).shape, np.moveaxis(inputs[1], second + 1, 1).shape]
        grad_left, grad_right = grad_left.reshape(moved[0]), grad_right.reshape(moved[1])
        if norms is not None:
            unit_left, unit_right = left.reshape(moved[0]), right.reshape(moved[1])
            grad_left = (grad_left - unit_left * (grad_left * unit_left).sum(axis=-1, keepdims=True)) / norms[0]
            grad_right = (grad_right - unit_right * (grad_right * unit_right).sum(axis=1, keepdims=True)) / norms[1]
        return [np.moveaxis(grad_left, -1, first + 1), np.moveaxis(grad_right, 1, second + 1)]

    def get_config(self):
        return {**super().get_config(), "axes": list(self.axes), "normalize": self.normalize}


# Keras's functional forms: layers.add([a, b]) is Add()([a, b]).
def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``, Keras's functional form."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``, Keras's functional form."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``, Keras's functional form."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``, Keras's functional form."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``, Keras's functional form."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``, Keras's functional form."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``, Keras's functional form."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """``Dot(axes, normalize, **kwargs)(inputs)``, Keras's functional form."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)

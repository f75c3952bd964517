"""Shapes and arithmetic cost of a workload's layers (tool-neutral).

FLOP count of one training step, per sample, counting matrix-multiply work only
(elementwise work such as activations, dropout and the optimizer is left out):

    forward               2 * MACs of each Dense / Conv2D layer
    weight gradients      2 * MACs of each Dense / Conv2D layer
    input gradients       2 * MACs of each Dense / Conv2D layer except the first
                          (no tool computes the gradient of the data)

where MACs (multiply-adds) are ``fan_in * units`` for Dense and
``out_height * out_width * filters * kernel_height * kernel_width * in_channels`` for
Conv2D. The popular "6 x weights" rule also charges the first layer's input gradient;
``six_n_flops`` gives that figure for comparison with issue 6's estimate.
"""

import math


def layer_shapes(input_shape, layers):
    """Per-sample output shape after each layer, channels last."""
    shapes = []
    shape = tuple(input_shape)
    for spec in layers:
        kind = spec[0]
        if kind == "dense":
            shape = shape[:-1] + (spec[1],)
        elif kind == "conv2d":
            filters, kernel = spec[1], spec[2]
            shape = (shape[0] - kernel + 1, shape[1] - kernel + 1, filters)
        elif kind == "maxpool":
            pool = spec[1]
            shape = (shape[0] // pool, shape[1] // pool, shape[2])
        elif kind == "flatten":
            shape = (math.prod(shape),)
        elif kind != "dropout":
            raise ValueError(f"unknown layer kind {kind!r} in a workload spec")
        shapes.append(shape)
    return shapes


def multiply_adds(input_shape, layers):
    """MACs per sample of each weighted layer, in order."""
    result = []
    shape = tuple(input_shape)
    for spec, out_shape in zip(layers, layer_shapes(input_shape, layers)):
        if spec[0] == "dense":
            result.append(shape[-1] * spec[1])
        elif spec[0] == "conv2d":
            result.append(out_shape[0] * out_shape[1] * spec[1] * spec[2] * spec[2] * shape[2])
        shape = out_shape
    return result


def weight_count(input_shape, layers):
    """Trainable weights (kernels and biases)."""
    total = 0
    shape = tuple(input_shape)
    for spec, out_shape in zip(layers, layer_shapes(input_shape, layers)):
        if spec[0] == "dense":
            total += shape[-1] * spec[1] + spec[1]
        elif spec[0] == "conv2d":
            total += spec[2] * spec[2] * shape[2] * spec[1] + spec[1]
        shape = out_shape
    return total


def training_flops(input_shape, layers):
    """Matrix-multiply FLOPs of one training step per sample (see the module docstring)."""
    macs = multiply_adds(input_shape, layers)
    return 6 * sum(macs) - 2 * macs[0] if macs else 0


def six_n_flops(input_shape, layers):
    """The '6 x weights' estimate per sample (what issue 6's 1.3 s for W3 is based on)."""
    return 6 * weight_count(input_shape, layers)

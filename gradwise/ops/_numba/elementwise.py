"""Fused elementwise kernels: bias + activation, their backward, and dropout.

NumPy makes one pass over memory (and often one temporary) per operation: a Dense
layer's ``+= bias`` and ``maximum`` are two passes, dropout's compare, scale and multiply
three. Each kernel here does its whole job in one pass. ReLU, the backward passes and
dropout use the same operations as NumPy and give the same bits; the sigmoid and tanh
forward use the C library's exp and tanh, which may differ from NumPy's vectorized ones
in the last bit.

Arrays are C-contiguous: 2-D ``(rows, features)`` with a bias of ``(features,)`` (an
empty bias means none), or flat.
"""

import numba
import numpy as np

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)

RELU, SIGMOID, TANH, LINEAR = 0, 1, 2, 3


@_jit
def bias_activation(preactivation, bias, outputs, function):
    # z += b (kept: it is the layer's cached pre-activation), then y = f(z), one row at a time
    rows, features = preactivation.shape
    one = preactivation.dtype.type(1)
    zero = preactivation.dtype.type(0)
    for row in range(rows):
        for j in range(features):
            z = preactivation[row, j] + bias[j] if bias.size else preactivation[row, j]
            preactivation[row, j] = z
            if function == RELU:  # np.maximum(z, 0): NaN passes, -0 becomes +0
                outputs[row, j] = z if (z > zero or z != z) else zero
            elif function == SIGMOID:  # as activations._sigmoid: exp only ever sees -|z|
                e = np.exp(-np.abs(z))
                outputs[row, j] = (e if z < zero else one) / (e + one)
            elif function == TANH:
                outputs[row, j] = np.tanh(z)
            else:
                outputs[row, j] = z


@_jit
def activation_backward(grad_outputs, preactivation, outputs, grad_inputs, function):
    # relu: dz = dy [z > 0];  sigmoid: dz = (1 - y) y dy;  tanh: dz = (1 - y^2) dy
    one = grad_outputs.dtype.type(1)
    zero = grad_outputs.dtype.type(0)
    for i in range(grad_outputs.size):
        if function == RELU:
            grad_inputs[i] = grad_outputs[i] * (one if preactivation[i] > zero else zero)
        elif function == SIGMOID:
            grad_inputs[i] = (one - outputs[i]) * outputs[i] * grad_outputs[i]
        elif function == TANH:
            grad_inputs[i] = (one - outputs[i] * outputs[i]) * grad_outputs[i]
        else:
            grad_inputs[i] = grad_outputs[i]


@_jit
def dropout(inputs, bits, threshold, scale, outputs, mask):
    # keep a unit when its 32 random bits reach rate * 2^32; mask = kept / (1 - rate); y = x mask
    zero = inputs.dtype.type(0)
    for i in range(inputs.size):
        m = scale if bits[i] >= threshold else zero
        mask[i] = m
        outputs[i] = inputs[i] * m

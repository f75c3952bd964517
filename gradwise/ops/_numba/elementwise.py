"""Fused elementwise kernels: bias + activation, their backward, and dropout.

NumPy makes one pass over memory (and often one temporary) per operation: a Dense
layer's ``+= bias`` and ``maximum`` are two passes, dropout's compare, scale and multiply
three. Each kernel here does its whole job in one pass. ReLU, the backward passes and
dropout use the same operations as NumPy and give the same bits; the sigmoid and tanh
forward use the C library's exp and tanh, which may differ from NumPy's vectorized ones
in the last bit.

Arrays are C-contiguous: 2-D ``(rows, features)`` with a bias of ``(features,)``, or flat.
Without a bias the caller passes -0.0s (``z + (-0.0)`` is z exactly, signed zeros and NaN
included) and ``store=False``: the inputs are then only read, never written.
"""

import numba
import numpy as np
from numba import uint64

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)

@_jit
def bias_relu(preactivation, bias, outputs, store):
    # z += b (kept: it is the layer's cached pre-activation), then y = max(z, 0); one function
    # per kernel, so the inner loop has no branch and vectorizes
    rows, features = preactivation.shape
    zero = preactivation.dtype.type(0)
    for row in range(rows):
        z_row, y_row = preactivation[row], outputs[row]
        for j in range(features):
            z = z_row[j] + bias[j]
            if store:  # loop-invariant: the compiler hoists it
                z_row[j] = z
            y_row[j] = z if (z > zero or z != z) else zero


@_jit
def bias_sigmoid(preactivation, bias, outputs, store):
    # z += b, then y = sigmoid(z) as activations._sigmoid: exp only ever sees -|z|
    rows, features = preactivation.shape
    one = preactivation.dtype.type(1)
    zero = preactivation.dtype.type(0)
    for row in range(rows):
        z_row, y_row = preactivation[row], outputs[row]
        for j in range(features):
            z = z_row[j] + bias[j]
            if store:  # loop-invariant: the compiler hoists it
                z_row[j] = z
            e = np.exp(-np.abs(z))
            y_row[j] = (e if z < zero else one) / (e + one)


@_jit
def bias_tanh(preactivation, bias, outputs, store):
    # z += b, then y = tanh(z)
    rows, features = preactivation.shape
    for row in range(rows):
        z_row, y_row = preactivation[row], outputs[row]
        for j in range(features):
            z = z_row[j] + bias[j]
            if store:  # loop-invariant: the compiler hoists it
                z_row[j] = z
            y_row[j] = np.tanh(z)


@_jit
def relu_backward(grad_outputs, preactivation, grad_inputs):
    # dz = dy [z > 0]  (a product, as NumPy's: 0 * inf stays NaN, -dy * 0 stays -0)
    one = grad_outputs.dtype.type(1)
    zero = grad_outputs.dtype.type(0)
    for i in range(grad_outputs.size):
        grad_inputs[i] = grad_outputs[i] * (one if preactivation[i] > zero else zero)


@_jit
def sigmoid_backward(grad_outputs, outputs, grad_inputs):
    # dz = (1 - y) y dy
    one = grad_outputs.dtype.type(1)
    for i in range(grad_outputs.size):
        grad_inputs[i] = (one - outputs[i]) * outputs[i] * grad_outputs[i]


@_jit
def tanh_backward(grad_outputs, outputs, grad_inputs):
    # dz = (1 - y^2) dy
    one = grad_outputs.dtype.type(1)
    for i in range(grad_outputs.size):
        grad_inputs[i] = (one - outputs[i] * outputs[i]) * grad_outputs[i]


@_jit
def column_sums(rows, out):
    # out = sum over rows, row after row from +0.0 (NumPy's order and start for a reduction over
    # the first axis: a column of -0.0s sums to +0.0, as NumPy's)
    count, columns = rows.shape
    zero = out.dtype.type(0)
    for j in range(columns):
        out[j] = zero
    for row in range(count):
        values = rows[row]
        for j in range(columns):
            out[j] += values[j]


@_jit
def dropout(inputs, bits, threshold, scale, outputs, mask):
    # keep a unit when its 32 random bits reach rate * 2^32; mask = kept / (1 - rate); y = x mask
    zero = inputs.dtype.type(0)
    for i in range(inputs.size):
        m = scale if bits[i] >= threshold else zero
        mask[i] = m
        outputs[i] = inputs[i] * m


@_jit
def sigmoid_cross_entropy(logits, targets, losses, exp_grad):
    # in: losses = log1p(e), exp_grad = e = exp(-|z|) (NumPy's);  out: the losses
    # max(z, 0) - z y + log1p(e) and, over e, the gradient sigmoid(z) - y = (1 or e) / (1 + e) - y
    one = logits.dtype.type(1)
    zero = logits.dtype.type(0)
    for i in range(logits.size):
        z, y, e = logits[i], targets[i], exp_grad[i]
        positive = z if (z > zero or z != z) else zero  # np.maximum(z, 0): NaN stays NaN
        losses[i] = positive - z * y + losses[i]
        exp_grad[i] = (one if z >= zero else e) / (one + e) - y


@_jit
def relu_backward_live(grad_outputs, preactivation, out_h, out_w, filters, rows, columns, grad_inputs):
    # relu_backward over the top-left (rows, columns) positions of each (out_h, out_w, filters)
    # sample only, written as contiguous (batch * rows * columns, filters) rows; arrays flat,
    # indices unsigned (see convolution.py: signed ones keep the copy loop from vectorizing)
    one = grad_outputs.dtype.type(1)
    zero = grad_outputs.dtype.type(0)
    run = uint64(columns * filters)
    for b in range(grad_outputs.size // (out_h * out_w * filters)):
        for i in range(rows):
            source = uint64(((b * out_h + i) * out_w) * filters)
            target = uint64(((b * rows + i) * columns) * filters)
            for e in range(run):
                grad_inputs[target + e] = grad_outputs[source + e] * (one if preactivation[source + e] > zero else zero)

"""The softmax output and its sparse cross-entropy gradient, one row at a time.

NumPy's softmax makes five passes over the logits (max, subtract, exp, sum, divide) and
the fused loss three more (gather, copy, subtract one). Here each row of a few classes is
done while it sits in registers. The exp and log are the C library's, and the row sum
runs in order, so the probabilities differ from NumPy's (SIMD exp, pairwise sum) by an
ulp or two; the gradient from given probabilities is bit-identical.

Arrays are C-contiguous ``(rows, classes)``; labels ``(rows,)`` integers in range.
"""

import numba
import numpy as np

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def bias_softmax(preactivation, bias, outputs, store):
    # z += b (kept: the layer caches it);  y = exp(z - max z) / sum exp(z - max z), per row
    rows, classes = preactivation.shape
    for row in range(rows):
        z_row, y_row = preactivation[row], outputs[row]
        largest = z_row[0] + bias[0]
        for j in range(classes):
            z = z_row[j] + bias[j]
            if store:
                z_row[j] = z
            y_row[j] = z
            largest = z if z > largest or z != z else largest
        total = y_row.dtype.type(0)
        for j in range(classes):
            e = np.exp(y_row[j] - largest)
            y_row[j] = e
            total += e
        for j in range(classes):
            y_row[j] = y_row[j] / total


@_jit
def softmax_backward(grad_outputs, outputs, grad_inputs):
    # dx = y (g - sum_k g_k y_k), per row
    rows, classes = grad_outputs.shape
    for row in range(rows):
        weighted = grad_outputs.dtype.type(0)
        for j in range(classes):
            weighted += grad_outputs[row, j] * outputs[row, j]
        for j in range(classes):
            grad_inputs[row, j] = (grad_outputs[row, j] - weighted) * outputs[row, j]


@_jit
def sparse_cross_entropy(probabilities, labels, tiny, losses, grad):
    # L = -log p_l;  dL/dz = p - onehot(l)  (z the softmax's logits). Returns False, with the
    # losses unfinished, when a picked probability is at or below `tiny` (too few digits left)
    rows, classes = probabilities.shape
    one = probabilities.dtype.type(1)
    exact = True
    for row in range(rows):
        label = labels[row]
        for j in range(classes):
            grad[row, j] = probabilities[row, j]
        grad[row, label] -= one
        picked = probabilities[row, label]
        if not picked > tiny:
            exact = False
        losses[row] = -np.log(picked)
    return exact

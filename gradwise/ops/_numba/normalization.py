"""Batch normalization over the leading axes, features last, in one or two passes.

NumPy's path makes about eight passes forward (mean, variance's mean, deviation, square,
sum; subtract, scale, gamma, beta) and six backward, each with a temporary. Here the
statistics take the two passes they need, the normalization one, and the backward two (its
sums, then the input gradient). The sums add the rows in order from the first row, as
NumPy reduces over a leading axis of a C-contiguous array, and every elementwise step keeps
NumPy's operations and their order, so results are bit-identical to NumPy's.

Arrays are C-contiguous ``(rows, features)``: the inputs with every axis but the feature
axis flattened into rows; vectors are ``(features,)``.
"""

import numba
import numpy as np

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def _column_sums(rows, sums):
    # sums[j] = x[0, j] + x[1, j] + ... (in row order, from the first row)
    sums[:] = rows[0]
    for i in range(1, rows.shape[0]):
        for j in range(rows.shape[1]):
            sums[j] += rows[i, j]


@_jit
def moments(rows, mean, variance):
    # mean = sum_i x_i / n;  variance = sum_i (x_i - mean)^2 / n  (biased). Each division is
    # done in float64 and rounded, as NumPy divides by its integer count
    n, features = rows.shape
    count = np.float64(n)
    _column_sums(rows, mean)
    for j in range(features):
        mean[j] = np.float64(mean[j]) / count
    deviation = np.empty(features, dtype=rows.dtype)
    for j in range(features):
        deviation[j] = rows[0, j] - mean[j]
        variance[j] = deviation[j] * deviation[j]
    for i in range(1, n):
        for j in range(features):
            d = rows[i, j] - mean[j]
            variance[j] += d * d
    for j in range(features):
        variance[j] = np.float64(variance[j]) / count


@_jit
def normalize(rows, mean, inv_std, gamma, beta, has_gamma, has_beta, normalized, outputs):
    # x^ = (x - mean) inv_std;  y = x^ gamma + beta  (gamma, beta when the layer has them)
    for i in range(rows.shape[0]):
        for j in range(rows.shape[1]):
            z = (rows[i, j] - mean[j]) * inv_std[j]
            normalized[i, j] = z
            y = z * gamma[j] if has_gamma else z
            outputs[i, j] = y + beta[j] if has_beta else y


@_jit
def normalize_backward(grad, normalized, scale, batch_statistics, input_grad, grad_beta, grad_gamma,
                       grad_inputs):
    # dbeta = sum_i dy_i;  dgamma = sum_i dy_i x^_i;  with batch statistics
    # dx = scale (dy - x^ dgamma / n - dbeta / n), with moving statistics dx = dy scale
    n, features = grad.shape
    _column_sums(grad, grad_beta)
    for j in range(features):
        grad_gamma[j] = grad[0, j] * normalized[0, j]
    for i in range(1, n):
        for j in range(features):
            grad_gamma[j] += grad[i, j] * normalized[i, j]
    if not input_grad:
        return
    if not batch_statistics:
        for i in range(n):
            for j in range(features):
                grad_inputs[i, j] = grad[i, j] * scale[j]
        return
    count = grad.dtype.type(n)  # NumPy divides by a Python int: in the arrays' precision
    gamma_share = np.empty(features, dtype=grad.dtype)
    beta_share = np.empty(features, dtype=grad.dtype)
    for j in range(features):
        gamma_share[j] = grad_gamma[j] / count
        beta_share[j] = grad_beta[j] / count
    for i in range(n):
        for j in range(features):
            grad_inputs[i, j] = ((grad[i, j] - normalized[i, j] * gamma_share[j]) - beta_share[j]) * scale[j]

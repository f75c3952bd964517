"""A whole training step of a small Dense/Dropout chain in one compiled call.

A Pima MLP's step does about 30,000 multiply-adds; through the layers it is some fifty
NumPy and kernel calls, each paying its Python-level cost, and the arithmetic is a small
part of the time. Here forward, loss and backward run as one function: the products are
BLAS's, called from inside the kernel (no Python call around them), except the smallest, plain
loops over contiguous rows (BLAS's own set-up exceeds their work); the bias + activation, their
backward, the column sums and dropout are the elementwise kernels the layers use (the same
operations, the same bits; ELU and GELU are written here as ``activations.py`` computes them),
and dropout draws NumPy's PCG64 stream (``pcg64.dropout``). Only the products' order of
summation differs from the layers' NumPy path, so results agree to float rounding, not bit for bit.

The chain is described by ``plan``, one row of int64 per layer:
``(kind, fan_in, units, kernel_offset, bias_offset, code)``. A Dense row's offsets point into
the flat parameter and gradient buffers (``ParameterSet``), its bias offset is -1 without a
bias and its code is the activation's; a Dropout row's code is its row in ``states``
(the generator's state and increment in 64-bit halves, advanced in place) and its
``thresholds`` and ``scales`` entries are the keep threshold and kept units' value.
"""

import math

import numba
import numpy as np

from ..chain_codes import (BINARY_CROSSENTROPY, DENSE, ELU, GELU, GELU_TANH, LINEAR, MEAN_SQUARED_ERROR, RELU, SIGMOID,
                           SOFTMAX, SPARSE_CROSSENTROPY, TANH)
from . import pcg64
from .elementwise import (bias_relu, bias_sigmoid, bias_tanh, column_sums, relu_backward, sigmoid_backward,
                          tanh_backward)
from .softmax import bias_softmax

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)

# Products of at least BLAS_FROM multiply-adds go to BLAS, called from inside the kernel (numba's
# np.dot: SciPy's BLAS, with no Python call around it; so the seam offers this kernel only where SciPy
# is installed), smaller ones to the plain loops below (one thread, each product timed alone: 32 x 64
# by 64 x 64 12.6 us in the loops, 6.2 us through np.dot; 32 x 8 by 8 x 16 1.2 against 1.3 us).
BLAS_FROM = 2**12

SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715


@_jit
def _times(coefficients, rows, out):
    # out = C R: out_i = sum_k C_ik R_k, over contiguous rows of R and of out (the inner loops vectorize).
    # Four rows of out at a time, four terms of the sum a pass: each R_k read serves four rows and each
    # pass over an out row does four multiply-adds per element (a one-term loop is bound by those loads
    # and stores, not by the arithmetic)
    count, depth = coefficients.shape
    width = rows.shape[1]
    zero = out.dtype.type(0)
    out[:] = zero
    i = 0
    while i < count:
        block = min(4, count - i)
        k = 0
        while k < depth:
            terms = min(4, depth - k)
            if terms == 4:  # each row's own order, however many rows share the pass: a row's values
                # do not depend on the rows around it
                r0, r1, r2, r3 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3]
                for b in range(block):
                    c = coefficients[i + b]
                    c0, c1, c2, c3 = c[k], c[k + 1], c[k + 2], c[k + 3]
                    o = out[i + b]
                    for j in range(width):
                        o[j] += c0 * r0[j] + c1 * r1[j] + c2 * r2[j] + c3 * r3[j]
            else:
                for b in range(block):
                    c, o = coefficients[i + b], out[i + b]
                    for t in range(terms):
                        ck, r = c[k + t], rows[k + t]
                        for j in range(width):
                            o[j] += ck * r[j]
            k += terms
        i += block


@_jit
def _dot(left, right, out):
    # out = left right: BLAS from BLAS_FROM multiply-adds on, else the loops, over C-contiguous
    # operands (a transposed view is copied; a contiguous one is used as it is)
    if left.shape[0] * left.shape[1] * right.shape[1] >= BLAS_FROM:
        np.dot(left, right, out)
    else:
        _times(np.ascontiguousarray(left), np.ascontiguousarray(right), out)


@_jit
def _product(inputs, kernel, outputs):
    # Z = X W
    _dot(inputs, kernel, outputs)


@_jit
def _kernel_gradient(inputs, grad_preactivation, grad_kernel):
    # dW = X^T dZ
    _dot(inputs.T, grad_preactivation, grad_kernel)


@_jit
def _input_gradient(grad_preactivation, kernel, grad_inputs):
    # dX = dZ W^T
    _dot(grad_preactivation, kernel.T, grad_inputs)


@_jit
def _activate(code, preactivation, bias, outputs, alpha):
    # y = f(z + b), z + b kept in `preactivation` (the backward of ReLU, ELU and GELU reads it)
    if code == RELU:
        bias_relu(preactivation, bias, outputs, True)
    elif code == SIGMOID:
        bias_sigmoid(preactivation, bias, outputs, True)
    elif code == TANH:
        bias_tanh(preactivation, bias, outputs, True)
    elif code == SOFTMAX:
        bias_softmax(preactivation, bias, outputs, True)
    else:
        rows, units = preactivation.shape
        dtype = outputs.dtype.type
        for r in range(rows):
            for j in range(units):
                z = preactivation[r, j] + bias[j]
                preactivation[r, j] = z
                outputs[r, j] = _nonlinear(code, z, alpha, dtype)


@_jit
def _nonlinear(code, z, alpha, dtype):
    # as activations.py computes it: ELU z or alpha expm1(z); GELU z Phi(z) with Phi = erfc(-z/sqrt 2)/2
    # in float64, or its tanh form 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))
    if code == ELU:
        return z if z > dtype(0) else alpha * np.expm1(z)
    if code == GELU:
        x = float(z)
        return dtype(math.erfc(x * -SQRT_HALF) * x * 0.5)
    if code == GELU_TANH:
        t = np.tanh((z * z * dtype(GELU_CUBIC) + dtype(1)) * z * dtype(SQRT_2_OVER_PI))
        return (t + dtype(1)) * z * dtype(0.5)
    return z


@_jit
def _activation_backward(code, grad_outputs, preactivation, outputs, alpha):
    # dz = f'(z) dy, each function's own backward; the identity passes dy on
    if code == LINEAR:
        return grad_outputs
    grad = np.empty_like(grad_outputs)
    flat_grad, flat_out = grad_outputs.reshape(-1), grad.reshape(-1)
    if code == RELU:
        relu_backward(flat_grad, preactivation.reshape(-1), flat_out)
    elif code == SIGMOID:
        sigmoid_backward(flat_grad, outputs.reshape(-1), flat_out)
    elif code == TANH:
        tanh_backward(flat_grad, outputs.reshape(-1), flat_out)
    else:
        flat_z, flat_y = preactivation.reshape(-1), outputs.reshape(-1)
        dtype = grad_outputs.dtype.type
        for i in range(flat_grad.size):
            flat_out[i] = _slope(code, flat_z[i], flat_y[i], alpha, dtype) * flat_grad[i]
    return grad


@_jit
def _slope(code, z, y, alpha, dtype):
    # ELU: 1 for z > 0, y + alpha (= alpha exp z) otherwise; GELU: Phi(z) + z phi(z), Phi(z) = y / z (1/2 at 0);
    # its tanh form: (1 + t) / 2 + z (1 - t^2) u'(z) / 2, t = tanh u, u = sqrt(2/pi) (z + 0.044715 z^3)
    if code == ELU:
        return dtype(1) if z > dtype(0) else y + alpha
    if code == GELU:
        cdf = y / z if z != dtype(0) else dtype(0.5)
        return cdf + np.exp(z * z * dtype(-0.5)) * z * dtype(INV_SQRT_2PI)
    t = np.tanh((z * z * dtype(GELU_CUBIC) + dtype(1)) * z * dtype(SQRT_2_OVER_PI))
    slope = dtype(3.0 * GELU_CUBIC * SQRT_2_OVER_PI) * z * z + dtype(SQRT_2_OVER_PI)
    return (slope * (dtype(1) - t * t) * z + (dtype(1) + t)) * dtype(0.5)


@_jit
def _loss(loss_kind, targets, labels, weights, tiny, preactivation, outputs, grad):
    # Keras's sum_over_batch_size: L = sum_r w_r l_r / batch, each l_r the mean over the sample's units;
    # writes grad = dl_r/dz_r w_r / batch (dl_r/dy_r for MSE). BCE from the logits z:
    # l = max(z, 0) - z t + log1p(exp(-|z|)), dl/dz = sigmoid(z) - t; sparse CE from the softmax
    # p: l = -log p_label, dl/dz = p - onehot(label); MSE: l = (y - t)^2, dl/dy = 2 (y - t)
    batch, units = outputs.shape
    dtype = outputs.dtype.type
    one, zero, two, count = dtype(1), dtype(0), dtype(2), dtype(units)
    total = 0.0
    for r in range(batch):
        weight = 1.0 if weights.size == 0 else float(weights[r])
        scale = dtype(1.0 / batch) if weights.size == 0 else dtype(weights[r]) / dtype(batch)
        grad_row = grad[r]
        if loss_kind == SPARSE_CROSSENTROPY:
            label = labels[r]
            for j in range(units):
                grad_row[j] = outputs[r, j]
            grad_row[label] -= one
            for j in range(units):
                grad_row[j] *= scale
            picked = outputs[r, label]
            if picked > tiny:
                sample = -np.log(picked)
            else:  # too few digits left in p: logsumexp(z) - z_label from the logits
                top = preactivation[r, 0]
                for j in range(units):
                    top = max(top, preactivation[r, j])
                summed = zero
                for j in range(units):
                    summed += np.exp(preactivation[r, j] - top)
                sample = top + np.log(summed) - preactivation[r, label]
        else:
            sample = zero
            for j in range(units):
                if loss_kind == BINARY_CROSSENTROPY:
                    z, t = preactivation[r, j], targets[r, j]
                    e = np.exp(-np.abs(z))
                    positive = z if (z > zero or z != z) else zero
                    sample += positive - z * t + np.log1p(e)
                    grad_row[j] = ((one if z >= zero else e) / (one + e) - t) / count * scale
                else:
                    difference = outputs[r, j] - targets[r, j]
                    sample += difference * difference
                    grad_row[j] = two / count * difference * scale
            sample = sample / count
        total += weight * float(sample)
    return total / batch


@_jit
def train_step(inputs, targets, labels, weights, tiny, values, grads, plan, thresholds, scales, states, loss_kind,
               outputs):
    """Forward, loss and backward of one batch: writes every gradient into `grads` and the
    chain's outputs into `outputs`; returns the loss (non-finite: no gradient is written)."""
    batch = inputs.shape[0]
    count = plan.shape[0]
    layer_inputs = [inputs]
    caches = [inputs]  # a Dense row's pre-activation, a Dropout row's mask
    for i in range(count):
        kind, fan_in, units, kernel_at, bias_at, code = plan[i]
        x = layer_inputs[i]
        if kind == DENSE:
            kernel = values[kernel_at:kernel_at + fan_in * units].reshape((fan_in, units))
            preactivation = np.empty((batch, units), dtype=inputs.dtype)
            _product(x, kernel, preactivation)
            bias = values[bias_at:bias_at + units] if bias_at >= 0 else np.full(units, -0.0, dtype=inputs.dtype)
            y = outputs if i == count - 1 else np.empty((batch, units), dtype=inputs.dtype)
            _activate(code, preactivation, bias, y, scales[i])
            caches.append(preactivation)
        else:
            y = outputs if i == count - 1 else np.empty_like(x)
            mask = np.empty_like(x)
            high, low = pcg64.dropout(x.reshape(-1), states[code, 0], states[code, 1], states[code, 2],
                                      states[code, 3], thresholds[i], scales[i], y.reshape(-1), mask.reshape(-1))
            states[code, 0], states[code, 1] = high, low
            caches.append(mask)
        layer_inputs.append(y)

    grad = np.empty_like(outputs)
    value = _loss(loss_kind, targets, labels, weights, tiny, caches[count], outputs, grad)
    if not np.isfinite(value):
        return value
    # the fused output (BCE on a sigmoid, CE on a softmax) gave dL/dz already; MSE gave dL/dy
    from_logits = loss_kind != MEAN_SQUARED_ERROR
    for i in range(count - 1, -1, -1):
        kind, fan_in, units, kernel_at, bias_at, code = plan[i]
        if kind == DENSE:
            if not (i == count - 1 and from_logits):
                grad = _activation_backward(code, grad, caches[i + 1], layer_inputs[i + 1], scales[i])
            _kernel_gradient(layer_inputs[i], grad, grads[kernel_at:kernel_at + fan_in * units].reshape((fan_in, units)))
            if bias_at >= 0:
                column_sums(grad, grads[bias_at:bias_at + units])
            if i > 0:
                grad_inputs = np.empty((batch, fan_in), dtype=inputs.dtype)
                _input_gradient(grad, values[kernel_at:kernel_at + fan_in * units].reshape((fan_in, units)),
                                grad_inputs)
                grad = grad_inputs
        elif i > 0:
            grad = grad * caches[i + 1]
    return value

"""Pooling over windows that tile the input (strides equal to the pool size, no padding).

NumPy's path copies each window offset's strided slab into a cache-sized buffer, reduces
the slabs, then compares each slab with the maximum again to find the first maxima: five
or more passes for a 2x2 pool. Here one pass over the input reads each window once,
takes its maximum (or sum) and records which offset holds the first maximum. The
backward pass writes every input position once: its share of the gradient, or zero.
Ties, NaN and signed zeros follow NumPy's ``maximum`` and ``==``, so results are
bit-identical. ``masks`` has NumPy's layout, one boolean slab per window offset in
row-major order: ``(pool_h * pool_w, batch, out_h, out_w, channels)``.
"""

import numba
import numpy as np

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def max_pool(images, outputs, masks, pool_h, pool_w):
    # y = the window's maximum (np.maximum over the offsets in order); mask = its first maximum.
    # One output row at a time, offset by offset: the inner loop runs along (columns, channels).
    batch, out_h, out_w, channels = outputs.shape
    offsets = pool_h * pool_w
    taken = np.empty((out_w, channels), dtype=np.bool_)
    for b in range(batch):
        for i in range(out_h):
            for k in range(offsets):
                row, shift = i * pool_h + k // pool_w, k % pool_w
                for j in range(out_w):
                    col = j * pool_w + shift
                    for c in range(channels):
                        value = images[b, row, col, c]
                        if k == 0:
                            outputs[b, i, j, c] = value
                        else:
                            best = outputs[b, i, j, c]
                            outputs[b, i, j, c] = best if (best > value or best != best) else value
            for k in range(offsets):
                row, shift = i * pool_h + k // pool_w, k % pool_w
                for j in range(out_w):
                    col = j * pool_w + shift
                    for c in range(channels):
                        hit = images[b, row, col, c] == outputs[b, i, j, c] and (k == 0 or not taken[j, c])
                        masks[k, b, i, j, c] = hit
                        taken[j, c] = hit or (k > 0 and taken[j, c])


@_jit
def average_pool(images, outputs, pool_h, pool_w):
    # y = (the window's sum, added offset by offset in order) / (pool_h pool_w)
    batch, out_h, out_w, channels = outputs.shape
    offsets = pool_h * pool_w
    count = outputs.dtype.type(offsets)
    for b in range(batch):
        for i in range(out_h):
            for j in range(out_w):
                out = outputs[b, i, j]
                out[:] = images[b, i * pool_h, j * pool_w]
                for k in range(1, offsets):
                    window = images[b, i * pool_h + k // pool_w, j * pool_w + k % pool_w]
                    for c in range(channels):
                        out[c] = out[c] + window[c]
                for c in range(channels):
                    out[c] = out[c] / count


@_jit
def pool_backward(grad, masks, grad_inputs, pool_h, pool_w, is_max):
    # max: dx = dy at the window's first maximum, 0 elsewhere;  average: dx = dy / (pool_h pool_w)
    batch, out_h, out_w, channels = grad.shape
    height, width = grad_inputs.shape[1], grad_inputs.shape[2]
    zero = grad.dtype.type(0)
    one = grad.dtype.type(1)
    count = grad.dtype.type(pool_h * pool_w)
    for b in range(batch):
        for row in range(height):
            i, di = row // pool_h, row % pool_h
            for col in range(width):
                j, dj = col // pool_w, col % pool_w
                if i >= out_h or j >= out_w:  # rows and columns no window reaches
                    for c in range(channels):
                        grad_inputs[b, row, col, c] = zero
                    continue
                k = di * pool_w + dj
                for c in range(channels):
                    if is_max:
                        grad_inputs[b, row, col, c] = grad[b, i, j, c] * (one if masks[k, b, i, j, c] else zero)
                    else:
                        grad_inputs[b, row, col, c] = grad[b, i, j, c] / count

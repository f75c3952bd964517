"""Pooling over windows that tile the input (strides equal to the pool size, no padding).

NumPy's path copies each window offset's strided slab into a cache-sized buffer, reduces
the slabs, then compares each slab with the maximum again to find the first maxima: five
or more passes for a 2x2 pool. Here one pass over the input reads each window once,
takes its maximum (or sum) and records which offset holds the first maximum. The
backward pass writes every input position once: its share of the gradient, or zero.
Ties, NaN and signed zeros follow NumPy's ``maximum`` and ``==``, so results are
bit-identical. Each kernel works on the samples ``first..last-1`` of the whole (C-contiguous)
arrays, so that threads share a batch without strided views. ``masks`` has NumPy's layout, one boolean slab per window offset in
row-major order: ``(pool_h * pool_w, batch, out_h, out_w, channels)``.
"""

import numba
import numpy as np
from numba import uint64

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def max_pool(images, outputs, masks, first, last, pool_h, pool_w):
    # y = the window's maximum (np.maximum over the offsets in order); mask = its first maximum;
    # for the samples first..last-1 of the whole arrays (each thread its own)
    batch, out_h, out_w, channels = outputs.shape
    height, width = images.shape[1], images.shape[2]
    _max_pool(images.reshape(-1), outputs.reshape(-1), masks.reshape(-1), first, last, batch, height, width,
              channels, out_h, out_w, pool_h, pool_w)


@_jit
def _max_pool(images, outputs, masks, first, last, batch, height, width, channels, out_h, out_w, pool_h, pool_w):
    # Window by window: its pool_h * pool_w rows of `channels` values are read while in L1, each
    # loop runs along the channels (contiguous, so it vectorizes). Flat arrays and unsigned
    # positions, as in convolution.py: signed indices keep the loops from vectorizing.
    offsets = pool_h * pool_w
    run = uint64(channels)
    plane = uint64(batch * out_h * out_w * channels)  # one offset's mask slab
    if pool_h == 2 and pool_w == 2:
        _max_pool_2x2(images, outputs, masks, first, last, height, width, channels, out_h, out_w, plane)
        return
    taken = np.empty(channels, dtype=np.bool_)
    for b in range(first, last):
        for i in range(out_h):
            for j in range(out_w):
                target = uint64(((b * out_h + i) * out_w + j) * channels)
                corner = uint64(((b * height + i * pool_h) * width + j * pool_w) * channels)
                for c in range(run):
                    outputs[target + c] = images[corner + c]
                for k in range(1, offsets):
                    source = corner + uint64(((k // pool_w) * width + k % pool_w) * channels)
                    for c in range(run):
                        value, best = images[source + c], outputs[target + c]
                        outputs[target + c] = best if ((best > value) | (best != best)) else value
                for c in range(run):
                    hit = images[corner + c] == outputs[target + c]
                    masks[target + c] = hit
                    taken[c] = hit
                for k in range(1, offsets):
                    source = corner + uint64(((k // pool_w) * width + k % pool_w) * channels)
                    slab = uint64(k) * plane + target
                    for c in range(run):
                        hit = (images[source + c] == outputs[target + c]) > taken[c]  # and not taken
                        masks[slab + c] = hit
                        taken[c] = taken[c] | hit


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
def _max_pool_2x2(images, outputs, masks, first, last, height, width, channels, out_h, out_w, plane):
    # _max_pool for the common 2x2 windows: a channel's four values in registers, one loop along
    # the channels with no inner loop and no branch, so it vectorizes (W4's first pooling, one
    # thread, loaded machine: 0.45-0.56 ms against 1.1 ms for the earlier offset-by-offset kernel). Comparisons combined with | and >, not
    # `or` and `not`, which branch; mask slab offsets added as uint64s (int64 * uint64 is a float).
    run = uint64(channels)
    down = uint64(width * channels)
    plane2 = plane + plane
    plane3 = plane2 + plane
    for b in range(first, last):
        for i in range(out_h):
            for j in range(out_w):
                target = uint64(((b * out_h + i) * out_w + j) * channels)
                top = uint64(((b * height + 2 * i) * width + 2 * j) * channels)
                bottom = top + down
                for c in range(run):
                    v0, v1 = images[top + c], images[top + run + c]
                    v2, v3 = images[bottom + c], images[bottom + run + c]
                    best = v0
                    best = best if ((best > v1) | (best != best)) else v1
                    best = best if ((best > v2) | (best != best)) else v2
                    best = best if ((best > v3) | (best != best)) else v3
                    outputs[target + c] = best
                    hit0 = v0 == best
                    hit1 = (v1 == best) > hit0  # equal, and no earlier offset taken
                    taken = hit0 | hit1
                    hit2 = (v2 == best) > taken
                    hit3 = (v3 == best) > (taken | hit2)
                    masks[target + c] = hit0
                    masks[plane + target + c] = hit1
                    masks[plane2 + target + c] = hit2
                    masks[plane3 + target + c] = hit3


@_jit
def pool_backward(grad, masks, grad_inputs, first, last, pool_h, pool_w, is_max):
    # max: dx = dy at the window's first maximum, 0 elsewhere;  average: dx = dy / (pool_h pool_w);
    # for the samples first..last-1 of the whole arrays (each thread its own)
    batch, out_h, out_w, channels = grad.shape
    height, width = grad_inputs.shape[1], grad_inputs.shape[2]
    if is_max:
        _max_pool_backward(grad.reshape(-1), masks.reshape(-1), grad_inputs.reshape(-1), first, last, batch, height,
                           width, channels, out_h, out_w, pool_h, pool_w)
        return
    zero = grad.dtype.type(0)
    count = grad.dtype.type(pool_h * pool_w)
    for b in range(first, last):
        for row in range(height):
            i, di = row // pool_h, row % pool_h
            for col in range(width):
                j, dj = col // pool_w, col % pool_w
                if i >= out_h or j >= out_w:  # rows and columns no window reaches
                    for c in range(channels):
                        grad_inputs[b, row, col, c] = zero
                    continue
                for c in range(channels):
                    grad_inputs[b, row, col, c] = grad[b, i, j, c] / count


@_jit
def _max_pool_backward(grad, masks, grad_inputs, first, last, batch, height, width, channels, out_h, out_w, pool_h,
                       pool_w):
    # Every input position written once, row by row: its window's dy times its mask (a product,
    # as NumPy's: a dy of NaN or -x times False gives NaN or -0), or 0 past the last whole window.
    # Flat arrays and unsigned positions, as in _max_pool.
    zero = grad.dtype.type(0)
    one = grad.dtype.type(1)
    run = uint64(channels)
    plane = uint64(batch * out_h * out_w * channels)
    if pool_h == 2 and pool_w == 2:
        _max_pool_backward_2x2(grad, masks, grad_inputs, first, last, height, width, channels, out_h, out_w, plane)
        return
    for b in range(first, last):
        for row in range(height):
            i, di = row // pool_h, row % pool_h
            line = uint64((b * height + row) * width * channels)
            if i >= out_h:
                for e in range(uint64(width * channels)):
                    grad_inputs[line + e] = zero
                continue
            for col in range(out_w * pool_w):
                j, dj = col // pool_w, col % pool_w
                source = uint64(((b * out_h + i) * out_w + j) * channels)
                slab = uint64(di * pool_w + dj) * plane + source
                target = line + uint64(col * channels)
                for c in range(run):
                    grad_inputs[target + c] = grad[source + c] * (one if masks[slab + c] else zero)
            for e in range(uint64(out_w * pool_w * channels), uint64(width * channels)):
                grad_inputs[line + e] = zero


@_jit
def _max_pool_backward_2x2(grad, masks, grad_inputs, first, last, height, width, channels, out_h, out_w, plane):
    # _max_pool_backward for 2x2 windows, input row after input row (written in order): each
    # position's channels in one loop that vectorizes, the mask read as a 0 or 1 byte (a select on
    # the mask does not vectorize). Measured on W4's first pooling, one thread, loaded machine:
    # 0.59 ms against 0.72 ms for the earlier kernel and 1.0 ms for a window's four positions
    # written in one pass (two rows apart).
    zero = grad.dtype.type(0)
    run = uint64(channels)
    line = uint64(width * channels)
    hits = masks.view(np.uint8)
    for b in range(first, last):
        for row in range(2 * out_h):
            i, di = row // 2, row % 2
            target = uint64((b * height + row) * width * channels)
            left_slab = uint64(2 * di) * plane  # the offsets (di, 0) and (di, 1)
            right_slab = left_slab + plane
            for j in range(out_w):
                source = uint64(((b * out_h + i) * out_w + j) * channels)
                left = target + uint64(2 * j * channels)
                for c in range(run):
                    grad_inputs[left + c] = grad[source + c] * grad.dtype.type(hits[left_slab + source + c])
                for c in range(run):
                    grad_inputs[left + run + c] = grad[source + c] * grad.dtype.type(hits[right_slab + source + c])
            for e in range(uint64(2 * out_w * channels), line):  # an odd last column
                grad_inputs[target + e] = zero
        for row in range(2 * out_h, height):  # an odd last row
            target = uint64((b * height + row) * width * channels)
            for e in range(line):
                grad_inputs[target + e] = zero

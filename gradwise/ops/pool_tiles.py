"""Pooling over windows that tile the input: strides equal to the pool size, no padding.

This is the common case (``MaxPooling2D(2)``). Each window offset ``(i, j)`` reads the
strided (batch, out_h, out_w, channels) view ``images[:, i::pool_h, j::pool_w]`` (cut to
the whole windows). NumPy copies such views quickly but computes on them slowly, so the
forward pass copies a few samples' views at a time into a scratch buffer small enough to
stay in a core's cache, and reduces them there. Max pooling also records there which
element of each window takes the gradient, as one boolean slab per offset: the backward
pass then never reads the input again. Rows and columns past the last whole window get
a zero gradient. Every function works on the batch chunk it is given (one per thread).
"""

import numpy as np

from .conv import tile_view

# Elements of the scratch slabs per step: 512 KiB of float32, well inside a core's L2 cache.
SCRATCH_ELEMENTS = 1 << 19


def offset_views(images, out_size, pool):
    """The (batch, out_h, out_w, channels) view of every window offset, in row-major order."""
    (out_h, out_w), (pool_h, pool_w) = out_size, pool
    return [images[:, i:i + pool_h * out_h:pool_h, j:j + pool_w * out_w:pool_w]
            for i in range(pool_h) for j in range(pool_w)]


def forward(images, outputs, masks, pool, mode):
    """Fill `outputs` with each window's maximum or mean; for max pooling also fill `masks`,
    shaped (pool_h * pool_w,) + outputs.shape, with True where a window's element is its
    first maximum (offsets in row-major order, as TensorFlow and PyTorch break ties)."""
    views = offset_views(images, outputs.shape[1:3], pool)
    per_sample = len(views) * outputs[0].size
    step = max(1, SCRATCH_ELEMENTS // per_sample)
    slabs = np.empty((len(views), min(step, len(outputs))) + outputs.shape[1:], dtype=outputs.dtype)
    taken = np.empty(slabs.shape[1:], dtype=bool)
    combine = np.maximum if mode == "max" else np.add
    for start in range(0, len(outputs), step):
        stop = min(start + step, len(outputs))
        chunk, out = slabs[:, :stop - start], outputs[start:stop]
        for slab, view in zip(chunk, views):
            np.copyto(slab, view[start:stop])
        np.copyto(out, chunk[0])
        for slab in chunk[1:]:
            combine(out, slab, out=out)
        if mode == "max":
            first_maxima(chunk, out, masks[:, start:stop], taken[:stop - start])
    if mode != "max":
        outputs /= outputs.dtype.type(len(views))


def first_maxima(slabs, outputs, masks, taken):
    """masks[k]: slab k holds its window's maximum and no earlier slab does (`taken` is
    scratch shaped like `outputs`). Shared with the slab path of _base_pooling."""
    for index, (slab, mask) in enumerate(zip(slabs, masks)):
        np.equal(slab, outputs, out=mask)
        if index:
            np.greater(mask, taken, out=mask)
        if index == 0:
            np.copyto(taken, mask)
        elif index < len(slabs) - 1:
            np.logical_or(taken, mask, out=taken)


def backward(grad, masks, grad_inputs, pool):
    """Write the input gradient: max pooling (`masks` from forward) routes each window's
    gradient to its first maximum; average pooling (`masks` None) shares it equally."""
    out_size = grad.shape[1:3]
    tiles = tile_view(grad_inputs, out_size, pool)  # (batch, out_h, pool_h, out_w, pool_w, channels)
    if masks is None:
        tiles[...] = (grad / grad.dtype.type(pool[0] * pool[1]))[:, :, None, :, None, :]
    else:
        masks = masks.reshape(pool + grad.shape).transpose(2, 3, 0, 4, 1, 5)
        np.multiply(masks, grad[:, :, None, :, None, :], out=tiles)
    grad_inputs[:, out_size[0] * pool[0]:].fill(0)  # rows and columns no window reaches
    grad_inputs[:, :, out_size[1] * pool[1]:].fill(0)

"""NumPy's im2col / col2im convolution kernels, over cache-sized batch chunks.

Everything works on channels_last 4-D arrays ``(batch, height, width, channels)``; 1-D
layers view their ``(batch, steps, channels)`` inputs as images of height 1. The
layers' geometry (padding, output sizes) is in ``gradwise.layers._geometry``.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

# Batch chunks for the convolution's matrix products, sized to stay in cache: a chunk's im2col
# columns (1 MiB of float32, a core's L2) and its per-offset input-gradient products (4 MiB, in L3;
# fewer, larger products than 2 MiB chunks, for as fast a step and fewer BLAS thread hand-offs).
COLUMN_ELEMENTS = 1 << 18
CHUNK_ELEMENTS = 1 << 20
# Window gradients per batch chunk of numba's input gradient (one product by the whole kernel,
# then col2im; see NumbaOps.scatter_products): 512 KiB of float32, so the chunk's products are
# still in a core's L2 when col2im reads them. Measured on W4's second convolution (one thread,
# loaded machine, CPU time): 2^17 7.7 ms, 2^16 and 2^18 7.9 ms, 2^20 8.7 ms. NumPy's own path
# keeps its per-offset products: its col2im from the strided views of one wide product was
# slower (11.2 ms against 9.9 ms on that layer).
GRAD_COLUMN_ELEMENTS = 1 << 17
# Rows per product of the kernel gradient (see columns_gradient and gradient_samples).
GRADIENT_ROWS = 2048


def window_view(padded, out_size, kernel, strides, dilation):
    """Read-only view (batch, out_h, out_w, kernel_h, kernel_w, channels) of every window."""
    batch_stride, row_stride, col_stride, channel_stride = padded.strides
    shape = (padded.shape[0], out_size[0], out_size[1], kernel[0], kernel[1], padded.shape[3])
    strides_ = (
        batch_stride,
        row_stride * strides[0],
        col_stride * strides[1],
        row_stride * dilation[0],
        col_stride * dilation[1],
        channel_stride,
    )
    return as_strided(padded, shape=shape, strides=strides_, writeable=False)


def tile_view(array, out_size, pool):
    """Writable view (batch, out_h, pool_h, out_w, pool_w, channels) of the windows that tile
    `array` from its top-left corner (strides equal to the pool size, no padding)."""
    batch_stride, row_stride, col_stride, channel_stride = array.strides
    shape = (array.shape[0], out_size[0], pool[0], out_size[1], pool[1], array.shape[3])
    strides_ = (batch_stride, row_stride * pool[0], row_stride, col_stride * pool[1], col_stride, channel_stride)
    return as_strided(array, shape=shape, strides=strides_)


def offset_slice(padded, offset, out_size, strides):
    """The (batch, out_h, out_w, channels) strided slice that one kernel offset reads."""
    (row, col), (out_h, out_w), (stride_h, stride_w) = offset, out_size, strides
    return padded[:, row:row + stride_h * (out_h - 1) + 1:stride_h, col:col + stride_w * (out_w - 1) + 1:stride_w, :]


def im2col(padded, cols, out_size, kernel, strides, dilation):
    """Fill `cols`, shaped (batch, out_h, out_w, kernel_h, kernel_w, channels), from `padded`.

    With few channels the copy loops over kernel offsets (long contiguous runs per
    copy); with many it copies the strided window view in one call.
    """
    if padded.shape[3] >= 16:
        np.copyto(cols, window_view(padded, out_size, kernel, strides, dilation))
        return cols
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            offset = (i * dilation[0], j * dilation[1])
            np.copyto(cols[:, :, :, i, j, :], offset_slice(padded, offset, out_size, strides))
    return cols


def columns(images, pads, out_size, kernel, strides, dilation, depth, dtype):
    """The im2col columns of `images` (batch * out_h * out_w, depth) of `dtype` in one new
    array, with ones past the window's columns (the bias's column, when `depth` has one)."""
    padded = np.pad(np.asarray(images, dtype=dtype), ((0, 0), tuple(pads[0]), tuple(pads[1]), (0, 0)))
    buffer = np.ones((len(images), *out_size, depth), dtype=dtype)
    windows = buffer[..., :math.prod(kernel) * images.shape[3]].reshape(*buffer.shape[:3], *kernel, images.shape[3])
    im2col(padded, windows, out_size, kernel, strides, dilation)
    return buffer.reshape(-1, depth)


def col2im(grad_blocks, grad_padded, out_size, kernel, strides, dilation):
    """Sum window gradients back onto the (zeroed) padded input gradient.

    `grad_blocks` has shape (kernel_h * kernel_w, batch * out_h * out_w, channels): one
    contiguous block per kernel offset. Each offset touches distinct input positions, so
    one vectorized add per offset is exact (no np.add.at needed).
    """
    batch, channels = grad_padded.shape[0], grad_padded.shape[3]
    for index in range(kernel[0] * kernel[1]):
        i, j = divmod(index, kernel[1])
        target = offset_slice(grad_padded, (i * dilation[0], j * dilation[1]), out_size, strides)
        target += grad_blocks[index].reshape(batch, *out_size, channels)
    return grad_padded


def columns_product(images, padded, buffer, weights, pads, out_size, kernel, strides, dilation):
    """im2col `images` into `buffer`, shaped (batch, out_h, out_w, columns) with the window
    elements first, and return ``buffer @ weights`` as (batch * out_h * out_w, filters).

    `images` are copied into the interior of `padded` first (unless they are the same
    array). The work goes over batch chunks of about COLUMN_ELEMENTS columns, so each
    chunk's columns are still in cache when BLAS multiplies them.
    """
    (top, _), (left, _) = pads
    batch, height, width = images.shape[:3]
    windows = buffer[..., :math.prod(kernel) * images.shape[3]].reshape(*buffer.shape[:3], *kernel, images.shape[3])
    cols = buffer.reshape(-1, buffer.shape[3])
    outputs = np.empty((cols.shape[0], weights.shape[1]), dtype=np.result_type(cols, weights))
    rows = out_size[0] * out_size[1]
    step = max(1, COLUMN_ELEMENTS // (rows * buffer.shape[3]))
    for start in range(0, batch, step):
        stop = min(start + step, batch)
        if padded is not images:
            padded[start:stop, top:top + height, left:left + width] = images[start:stop]
        im2col(padded[start:stop], windows[start:stop], out_size, kernel, strides, dilation)
        np.matmul(cols[start * rows:stop * rows], weights, out=outputs[start * rows:stop * rows])
    return outputs


def columns_gradient(cols, grad, out, accumulate=False):
    """The kernel gradient ``cols.T @ grad``, (depth, filters), written into `out` (added
    to it when `accumulate`).

    `cols` (rows, depth) are the im2col columns and `grad` (rows, filters) the gradient
    w.r.t. the pre-activation, with tens of thousands of rows. OpenBLAS runs one product
    that long and narrow at half speed or worse (a first layer's 3x3 kernel on one channel
    plus the bias, 10 columns: 1.75 ms for 86,528 rows against 0.85 ms in chunks, one
    thread), so the sum over rows is taken in chunks of GRADIENT_ROWS rows, added in
    order; and as ``grad.T @ cols``, (filters, depth), which OpenBLAS computes about 10%
    faster than ``cols.T @ grad`` (289 x 64 at 15,488 rows). The chunks do not depend on
    the thread count, so neither does the result.
    """
    rows = len(cols)
    dtype = np.result_type(cols, grad)
    total = np.matmul(grad[:GRADIENT_ROWS].T, cols[:GRADIENT_ROWS]).astype(dtype, copy=False)
    if rows > GRADIENT_ROWS:
        part = np.empty_like(total)
        for start in range(GRADIENT_ROWS, rows, GRADIENT_ROWS):
            np.matmul(grad[start:start + GRADIENT_ROWS].T, cols[start:start + GRADIENT_ROWS], out=part)
            total += part
    return store_transposed(out, total, accumulate)


def store_transposed(out, total, accumulate):
    """`out` = total^T, or `out` += total^T when `accumulate` (a kernel gradient summed over chunks)."""
    if accumulate:
        out += total.T
    else:
        out[...] = total.T
    return out


def gradient_samples(batch, rows, depth):
    """Samples per batch chunk when the kernel and input gradients are computed together
    (``Ops.kernel_and_input_gradients``), for `rows` positions a sample and `depth` columns:
    the chunk's columns within COLUMN_ELEMENTS, so that they and the window gradients made
    next are still in a core's L2 cache, and its rows within GRADIENT_ROWS. The chunk count
    is made even where that costs no more chunks than one, so that two threads get equal
    shares (W4's batch of 128 in 16 chunks of 8 rather than 15 of 9). The chunks do not
    depend on the thread count, so neither does the kernel gradient."""
    step = max(1, min(GRADIENT_ROWS // rows, COLUMN_ELEMENTS // (rows * depth)))
    chunks = -(-batch // step)
    if chunks > 1 and chunks % 2:
        step = max(1, -(-batch // (chunks + 1)))
    return step


def live_rows(grad, live):
    """The positions of `grad` (batch, out_h, out_w, filters) inside the live extent `live`
    (see live_extent), as contiguous (batch * live_h * live_w, filters) rows."""
    if grad.shape[1:3] != tuple(live):
        grad = np.ascontiguousarray(grad[:, :live[0], :live[1]])
    return grad.reshape(-1, grad.shape[3])


def live_columns_gradient(cols, grad, live, out, accumulate=False):
    """The kernel gradient ``cols^T dz`` over the positions of the live extent only (the
    others have no gradient: they would add zeros), written into `out` (added to it when
    `accumulate`).

    `cols` (batch, out_h, out_w, depth) are the im2col columns and `grad` the live rows of
    dz (live_rows). The sum is taken over batch chunks of gradient_samples samples, each one
    ``dz^T cols`` product (as columns_gradient's), added in order.
    """
    batch, depth = cols.shape[0], cols.shape[3]
    rows = live[0] * live[1]
    step = gradient_samples(batch, rows, depth)
    total = None
    for start in range(0, batch, step):
        stop = min(start + step, batch)
        chunk = cols[start:stop, :live[0], :live[1]].reshape(-1, depth)  # a copy only when rows are left out
        product = np.matmul(grad[start * rows:stop * rows].T, chunk)
        if total is None:
            total = product
        else:
            total += product
    return store_transposed(out, total, accumulate)


def live_extent(grad):
    """(rows, columns): the top-left part of the output gradient `grad` (batch, out_h, out_w,
    filters) outside which it is zero in every sample, as where a following 'valid' pooling
    drops an odd last row and column. Those positions add nothing to the input gradient, so
    its products can leave them out."""
    rows, columns = grad.shape[1:3]
    while rows > 1 and not grad[:, rows - 1, :columns].any():
        rows -= 1
    while columns > 1 and not grad[:, :rows, columns - 1].any():
        columns -= 1
    return rows, columns


def scatter_products(grad, kernel_t, grad_padded, grad_inputs, pads, out_size, kernel, strides, dilation, buffers):
    """The input gradient of a convolution: ``grad @ kernel_t[offset]`` per kernel offset,
    col2im'd onto the zeroed `grad_padded` and cropped into `grad_inputs` (unless they are
    the same array).

    `grad` is (batch * out_h * out_w, filters) and `kernel_t` (offsets, filters, channels).
    The work goes over batch chunks whose products (one block per offset) stay in cache,
    so col2im reads them from there rather than from memory; BLAS threads each
    product. `buffers` (a BufferPool) holds the chunk's blocks from batch to batch.
    """
    (top, _), (left, _) = pads
    batch, height, width = grad_inputs.shape[:3]
    offsets, channels = kernel_t.shape[0], kernel_t.shape[2]
    rows = out_size[0] * out_size[1]
    step = max(1, CHUNK_ELEMENTS // (offsets * rows * channels))
    kernels = [np.ascontiguousarray(kernel_t[index]) for index in range(offsets)]
    chunk_blocks = buffers.get("grad_blocks", (offsets, step * rows, channels), grad.dtype)  # one for all chunks
    for start in range(0, batch, step):
        stop = min(start + step, batch)
        blocks = chunk_blocks[:, :(stop - start) * rows]
        chunk = grad[start * rows:stop * rows]
        for index in range(offsets):
            np.matmul(chunk, kernels[index], out=blocks[index])
        target = grad_padded[start:stop]
        target.fill(0)
        col2im(blocks, target, out_size, kernel, strides, dilation)
        if grad_inputs is not grad_padded:
            grad_inputs[start:stop] = target[:, top:top + height, left:left + width]

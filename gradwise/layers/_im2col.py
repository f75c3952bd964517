"""Window geometry and the im2col / col2im kernels shared by convolution and pooling.

Everything works on channels_last 4-D arrays ``(batch, height, width, channels)``; 1-D
layers view their ``(batch, steps, channels)`` inputs as images of height 1.

Padding follows Keras (TensorFlow): for ``padding='same'`` the output has
``ceil(size / stride)`` positions and the total padding
``max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)`` is split with the
smaller half before and the larger half after (PyTorch pads symmetrically instead).
"""

import math
import sys
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _checks

# Batch chunks for the convolution's matrix products, sized to stay in cache: a chunk's im2col
# columns (1 MiB of float32, a core's L2) and its per-offset input-gradient products (4 MiB, in L3;
# fewer, larger products than 2 MiB chunks, for as fast a step and fewer BLAS thread hand-offs).
COLUMN_ELEMENTS = 1 << 18
CHUNK_ELEMENTS = 1 << 20
PADDINGS_2D = ("valid", "same")
PADDINGS_1D = ("valid", "same", "causal")


def int_tuple(owner, name, value, rank):
    """`value` (an int or a sequence of `rank` ints) as a tuple of `rank` positive ints."""
    values = (value,) * rank if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    if not isinstance(values, (tuple, list)) or len(values) != rank or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in values
    ):
        example = "3" if rank == 1 else "3 or (3, 3)"
        raise ValueError(
            f"{owner}: `{name}` must be a positive int or a tuple of {rank} positive ints (e.g. {example}), "
            f"got {value!r}."
        )
    return tuple(int(v) for v in values)


def padding_mode(owner, value, rank):
    options = PADDINGS_1D if rank == 1 else PADDINGS_2D
    mode = value.lower() if isinstance(value, str) else value
    return _checks.choice(owner, "padding", mode, set(options))


def data_format(owner, value):
    if value not in (None, "channels_last"):
        raise ValueError(
            f"{owner}: only `data_format='channels_last'` (inputs (batch, ..., channels)) is supported, "
            f"got {value!r}. Transpose channels_first data with np.moveaxis(x, 1, -1)."
        )
    return "channels_last"


def axis_padding(size, kernel, stride, dilation, padding):
    """(pad_before, pad_after, output_size) along one spatial axis, as Keras computes them.

    `output_size` is 0 or negative when a 'valid' window does not fit.
    """
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        return 0, 0, (size - effective) // stride + 1
    if padding == "causal":
        return effective - 1, 0, (size - 1) // stride + 1
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2, out


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


class BufferPool:
    """Scratch arrays reused from call to call, each lent to one call at a time.

    An array is lent while anything outside the pool refers to it (a call's cache keeps
    a view of its columns until that call's backward is done), so calls that overlap (a
    layer used twice in one graph, threads calling predict together) never share one.
    `key` names anything else the contents depend on (e.g. where the padding lies), so
    a buffer whose constant border was filled for one geometry is never reused for another.
    """

    KEEP = 3  # arrays remembered per name, lent or free; older ones are left to the garbage collector

    def __init__(self):
        self._arrays = {}
        self._lock = threading.Lock()

    def get(self, name, shape, dtype, fill=None, key=None):
        """A free array `name` of this shape, dtype and key; a new one (filled with `fill`, if given) when none is."""
        shape, dtype = tuple(shape), np.dtype(dtype)
        with self._lock:
            entries = self._arrays.setdefault(name, [])
            for entry in entries:
                array = entry[0]
                # referenced only by its entry, this loop and getrefcount's argument: nobody holds it
                if array.shape == shape and array.dtype == dtype and entry[1] == key and sys.getrefcount(array) <= 3:
                    return array
            array = np.empty(shape, dtype=dtype) if fill is None else np.full(shape, fill, dtype=dtype)
            if len(entries) >= self.KEEP:
                del entries[0]
            entries.append((array, key))
            return array

    def clear(self):
        with self._lock:
            self._arrays.clear()

"""im2col and col2im for the convolution, each one pass that also does the padding.

NumPy's path (``gradwise.ops.conv``) copies the images into a zero-bordered buffer, then
copies every kernel offset's strided slice into the columns; backward zeroes a padded
gradient, adds one strided block per offset and crops the interior out. Here im2col reads
the images directly and writes zeros where a window leaves the image, and col2im adds
each offset's window gradients straight into the (unpadded) input gradient, skipping the
positions that fall into the padding. Copies are exact and col2im adds the offsets in NumPy's order
onto zeros, so results are bit-identical to NumPy's.

Arrays are C-contiguous and channels last: images and input gradients
``(batch, height, width, channels)``, columns ``(batch, out_h, out_w, columns)`` whose
first ``kernel_h * kernel_w * channels`` columns are the window in (row, column, channel)
order (a last column of ones for the bias is left alone), and the window gradients that
col2im sums ``(batch * out_h * out_w, kernel_h * kernel_w * channels)``, in the same order.
"""

import numba
import numpy as np
from numba import uint64

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


def im2col(images, cols, top, left, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w):
    """Fill the window columns of `cols` from `images` (see the module docstring)."""
    _im2col(images.reshape(-1), cols.reshape(-1), images.shape[0], images.shape[1], images.shape[2],
            images.shape[3], cols.shape[1], cols.shape[2], cols.shape[3], top, left, kernel_h, kernel_w,
            stride_h, stride_w, dilation_h, dilation_w)


def col2im(grad_cols, grad_inputs, out_h, out_w, top, left, kernel_h, kernel_w, stride_h, stride_w, dilation_h,
           dilation_w):
    """Sum the window gradients `grad_cols` into `grad_inputs` (see the module docstring); the
    rows of `grad_cols` past the batch's out_h * out_w rows are not read."""
    channels = grad_inputs.shape[3]
    _col2im(grad_cols.reshape(-1), grad_cols.shape[1], grad_inputs.reshape(-1), grad_inputs.shape[0],
            grad_inputs.shape[1], grad_inputs.shape[2], channels, out_h, out_w, top, left, kernel_h * kernel_w,
            kernel_w, stride_h, stride_w, dilation_h, dilation_w)


# Both kernels index flat arrays with unsigned positions, computed once a position is known
# to be inside: numba checks every signed index for negative values (Python's wraparound),
# which keeps the copy loops from vectorizing (4-5x slower, measured), and a view per
# window would cost a reference count update each.
@_jit
def _im2col(images, cols, batch, height, width, channels, out_h, out_w, depth, top, left, kernel_h, kernel_w,
            stride_h, stride_w, dilation_h, dilation_w):
    # cols[b, i, j, (p, q, c)] = x[b, i sh + p dh - top, j sw + q dw - left, c], and 0 where that
    # position lies in the padding (outside the image). Without dilation along the width, a
    # window's row inside the image is kernel_w * channels contiguous values: one copy loop.
    span = uint64(kernel_w * channels)
    zero = cols.dtype.type(0)
    for b in range(batch):
        for i in range(out_h):
            for j in range(out_w):
                window = ((b * out_h + i) * out_w + j) * depth
                x0 = j * stride_w - left
                for p in range(kernel_h):
                    y = i * stride_h + p * dilation_h - top
                    target = uint64(window + p * kernel_w * channels)
                    if y < 0 or y >= height:
                        for e in range(span):
                            cols[target + e] = zero
                    elif dilation_w == 1 and x0 >= 0 and x0 + kernel_w <= width:
                        source = uint64(((b * height + y) * width + x0) * channels)
                        for e in range(span):
                            cols[target + e] = images[source + e]
                    else:
                        for q in range(kernel_w):
                            x = x0 + q * dilation_w
                            column = target + uint64(q * channels)
                            if 0 <= x < width:
                                source = uint64(((b * height + y) * width + x) * channels)
                                for c in range(uint64(channels)):
                                    cols[column + c] = images[source + c]
                            else:
                                for c in range(uint64(channels)):
                                    cols[column + c] = zero


@_jit
def _col2im(grad_cols, depth, grad_inputs, batch, height, width, channels, out_h, out_w, top, left,
            offsets, kernel_w, stride_h, stride_w, dilation_h, dilation_w):
    # dx[b, i sh + p dh - top, j sw + q dw - left, c] = sum over offsets (p, q), in row-major
    # order and starting from 0, of grad_cols[(b, i, j), (p, q, c)]; padding positions are dropped
    zero = grad_inputs.dtype.type(0)
    image = uint64(height * width * channels)
    for b in range(batch):
        first = uint64(b) * image
        for e in range(image):
            grad_inputs[first + e] = zero
        for k in range(offsets):
            p, q = k // kernel_w, k % kernel_w
            for i in range(out_h):
                y = i * stride_h + p * dilation_h - top
                if y < 0 or y >= height:
                    continue
                for j in range(out_w):
                    x = j * stride_w + q * dilation_w - left
                    if x < 0 or x >= width:
                        continue
                    source = uint64(((b * out_h + i) * out_w + j) * depth + k * channels)
                    target = uint64(((b * height + y) * width + x) * channels)
                    for c in range(uint64(channels)):
                        grad_inputs[target + c] += grad_cols[source + c]


@_jit
def relu_columns_gradient(grad_outputs, preactivation, cols, partials, dz, first, last, chunk_rows, keep):
    # For chunks first..last-1 of chunk_rows rows: dz = dy [z > 0] (relu_backward's product),
    # written into its rows of `dz` when `keep`, else into `dz`'s first rows (a chunk's scratch),
    # then partials[chunk] = dz^T cols over the chunk's rows, the product NumPy's path takes
    # (BLAS, through SciPy's interface). One call per thread: no Python between the chunks, so the
    # threads never wait for each other's GIL (W4's first convolution: 43 chunks, each a relu pass
    # and a product of some tens of microseconds).
    rows, filters = grad_outputs.shape
    flat_grad, flat_pre, flat_dz = grad_outputs.reshape(-1), preactivation.reshape(-1), dz.reshape(-1)
    one = grad_outputs.dtype.type(1)
    zero = grad_outputs.dtype.type(0)
    for index in range(first, last):
        low = index * chunk_rows
        high = min(low + chunk_rows, rows)
        source = uint64(low * filters)
        target = source if keep else uint64(0)
        for e in range(uint64((high - low) * filters)):
            flat_dz[target + e] = flat_grad[source + e] * (one if flat_pre[source + e] > zero else zero)
        chunk = dz[low:high] if keep else dz[:high - low]
        partials[index] = np.dot(chunk.T, cols[low:high])

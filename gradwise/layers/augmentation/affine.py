"""Resampling images through per-image affine maps: the shared engine of RandomRotation,
RandomTranslation and RandomZoom.

Each output pixel (row, column) reads the input at ``matrix @ (column, row, 1)`` (the
inverse map, output to input, as Keras's ``affine_transform``), bilinearly from its four
neighbours or from the nearest one. A neighbour outside the image is replaced as
`fill_mode` says: 'reflect' (d c b a | a b c d | d c b a), 'wrap' (a b c d | a b c d),
'nearest' (a a | a b c d | d d) or 'constant' (`fill_value`).

For a fixed draw the output is linear in the input: out[p] = sum_k w[p, k] x[source[p, k]]
(+ w * fill_value for constant fill), so the gradient scatters dy back with the same
weights: dx[source[p, k]] += w[p, k] dy[p].
"""

import numpy as np

FILL_MODES = ("reflect", "wrap", "nearest", "constant")
INTERPOLATIONS = ("bilinear", "nearest")


def _fill_index(index, size, fill_mode):
    """Integer coordinates mapped into [0, size) by `fill_mode`; and which were outside (for 'constant')."""
    outside = (index < 0) | (index >= size)
    if fill_mode == "reflect":
        period = 2 * size
        folded = np.mod(index, period)
        index = np.where(folded >= size, period - 1 - folded, folded)
    elif fill_mode == "wrap":
        index = np.mod(index, size)
    else:  # nearest, and constant (whose outside neighbours get weight 0 on the pixels)
        index = np.clip(index, 0, size - 1)
    return index, outside


def sampling_plan(matrices, height, width, fill_mode, interpolation):
    """(sources, weights, fill_weights) for images of `height` x `width` through `matrices` (batch, 2, 3).

    sources: int64 (batch, height * width, k) flat pixel indices into one image;
    weights: (batch, height * width, k); fill_weights: (batch, height * width) the weight
    of `fill_value` (nonzero only with constant fill).
    """
    rows, columns = np.meshgrid(np.arange(height, dtype=np.float64), np.arange(width, dtype=np.float64),
                                indexing="ij")
    grid = np.stack([columns.reshape(-1), rows.reshape(-1), np.ones(height * width)])  # (3, pixels)
    source = matrices @ grid  # (batch, 2, pixels): x (column) and y (row) read in the input
    x, y = source[:, 0], source[:, 1]
    if interpolation == "nearest":
        corners = [(np.floor(y + 0.5), np.floor(x + 0.5), np.ones_like(x))]
    else:
        x0, y0 = np.floor(x), np.floor(y)
        dx, dy = x - x0, y - y0
        corners = [(y0, x0, (1 - dy) * (1 - dx)), (y0, x0 + 1, (1 - dy) * dx),
                   (y0 + 1, x0, dy * (1 - dx)), (y0 + 1, x0 + 1, dy * dx)]
    sources, weights = [], []
    fill_weights = np.zeros_like(x)
    for row, column, weight in corners:
        row, row_out = _fill_index(row.astype(np.int64), height, fill_mode)
        column, column_out = _fill_index(column.astype(np.int64), width, fill_mode)
        if fill_mode == "constant":
            outside = row_out | column_out
            fill_weights = fill_weights + np.where(outside, weight, 0.0)
            weight = np.where(outside, 0.0, weight)
        sources.append(row * width + column)
        weights.append(weight)
    return np.stack(sources, axis=-1), np.stack(weights, axis=-1), fill_weights


def resample(images, plan, fill_value):
    """Images (batch, height, width, channels) read through `plan` (see ``sampling_plan``)."""
    sources, weights, fill_weights = plan
    batch, height, width, channels = images.shape
    flat = images.reshape(batch, height * width, channels)
    rows = np.arange(batch)[:, None, None]
    gathered = flat[rows, sources]  # (batch, pixels, k, channels)
    outputs = np.einsum("bpkc,bpk->bpc", gathered, weights.astype(images.dtype, copy=False))
    if fill_value:
        outputs += (fill_weights * fill_value).astype(images.dtype)[..., None]
    return outputs.reshape(images.shape)


# out[p] = sum_k w[p, k] x[s[p, k]]  =>  dx[s[p, k]] += w[p, k] dy[p]
def resample_backward(grad_outputs, plan):
    sources, weights, _ = plan
    batch, height, width, channels = grad_outputs.shape
    pixels = height * width
    grad = grad_outputs.reshape(batch, pixels, 1, channels) * weights[..., None].astype(grad_outputs.dtype)
    targets = (np.arange(batch)[:, None, None] * pixels + sources).reshape(-1)
    grad = grad.reshape(-1, channels)
    grad_inputs = np.stack([np.bincount(targets, weights=grad[:, channel], minlength=batch * pixels)
                            for channel in range(channels)], axis=-1)
    return grad_inputs.astype(grad_outputs.dtype, copy=False).reshape(grad_outputs.shape)

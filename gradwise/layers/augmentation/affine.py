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
    if not outside.any():
        return index, outside
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
    """(taps, fill_weights) for images of `height` x `width` through `matrices` (batch, 2, 3).

    taps: a list of (sources, weights), each (batch, height * width): the flat input pixel
    each output pixel reads and its weight (4 taps for bilinear, 1 for nearest);
    fill_weights: (batch, height * width), the weight of `fill_value` (constant fill), or None.
    """
    rows, columns = np.meshgrid(np.arange(height, dtype=np.float32), np.arange(width, dtype=np.float32),
                                indexing="ij")
    grid = np.stack([columns.reshape(-1), rows.reshape(-1), np.ones(height * width, dtype=np.float32)])
    source = matrices.astype(np.float32) @ grid  # (batch, 2, pixels): x (column) and y (row) read in the input
    x, y = source[:, 0], source[:, 1]
    if interpolation == "nearest":
        row_taps = [(np.floor(y + 0.5).astype(np.int64), None)]
        column_taps = [(np.floor(x + 0.5).astype(np.int64), None)]
    else:
        x0, y0 = np.floor(x), np.floor(y)
        dx, dy = x - x0, y - y0
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        row_taps, column_taps = [(y0, 1 - dy), (y0 + 1, dy)], [(x0, 1 - dx), (x0 + 1, dx)]
    row_taps = [(*_fill_index(index, height, fill_mode), weight) for index, weight in row_taps]
    column_taps = [(*_fill_index(index, width, fill_mode), weight) for index, weight in column_taps]
    taps = []
    fill_weights = np.zeros(x.shape, dtype=np.float32) if fill_mode == "constant" else None
    for row, row_outside, row_weight in row_taps:
        for column, column_outside, column_weight in column_taps:
            weight = _product(row_weight, column_weight, x.shape)
            if fill_weights is not None:
                outside = row_outside | column_outside
                fill_weights += np.where(outside, weight, 0)
                weight = np.where(outside, 0, weight)
            taps.append((row * width + column, weight))
    return taps, fill_weights


def _product(first, second, shape):
    if first is None and second is None:
        return np.ones(shape, dtype=np.float32)
    if first is None or second is None:
        return first if second is None else second
    return first * second


def resample(images, plan, fill_value):
    """Images (batch, height, width, channels) read through `plan` (see ``sampling_plan``)."""
    taps, fill_weights = plan
    batch, height, width, channels = images.shape
    flat = images.reshape(batch, height * width, channels)
    rows = np.arange(batch)[:, None]
    outputs = None
    for sources, weights in taps:
        term = flat[rows, sources] * weights[..., None].astype(images.dtype, copy=False)
        outputs = term if outputs is None else outputs + term
    if fill_value and fill_weights is not None:
        outputs += (fill_weights * fill_value).astype(images.dtype)[..., None]
    return outputs.reshape(images.shape)


# out[p] = sum_k w[p, k] x[s[p, k]]  =>  dx[s[p, k]] += w[p, k] dy[p]
def resample_backward(grad_outputs, plan):
    taps, _ = plan
    batch, height, width, channels = grad_outputs.shape
    pixels = height * width
    grad = grad_outputs.reshape(batch, pixels, channels)
    offsets = np.arange(batch)[:, None] * pixels
    targets = np.concatenate([(offsets + sources).reshape(-1) for sources, _ in taps])
    grad_inputs = np.empty((batch * pixels, channels), dtype=np.float64)
    for channel in range(channels):
        values = np.concatenate([(grad[:, :, channel] * weights).reshape(-1) for _, weights in taps])
        grad_inputs[:, channel] = np.bincount(targets, weights=values, minlength=batch * pixels)
    return grad_inputs.astype(grad_outputs.dtype, copy=False).reshape(grad_outputs.shape)

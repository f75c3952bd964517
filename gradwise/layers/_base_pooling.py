"""Max and average pooling over windows, shared by the 1-D and 2-D pooling layers.

The work loops over the pool_h * pool_w window offsets only, never over positions:
forward copies each offset's strided (batch, out_h, out_w, channels) slice of the input
into a contiguous slab (strided copies are cheap, strided arithmetic is not) and reduces
the slabs; backward routes the gradient slab by slab and copies (or, for overlapping
windows, adds) it back into place. A 1-D layer views (batch, steps, channels) as
(batch, 1, steps, channels).

Padding follows Keras: 'same' max pooling pads with -inf (padding never wins), and
'same' average pooling averages over the real (unpadded) elements of each window only.
The padding is never materialized: slab entries that fall on it keep the fill value
their buffer was created with.
"""

import numpy as np

from . import _im2col, _parallel
from .base import Layer


class BasePooling(Layer):
    """Pooling with `pool_size`, `strides` (default: `pool_size`) and `padding`.

    Subclasses set ``rank`` (1 or 2), ``mode`` ('max' or 'average') and ``_axis_names``.
    """

    rank = None
    mode = None
    _axis_names = ()

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = _im2col.int_tuple(owner, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else _im2col.int_tuple(owner, "strides", strides, self.rank)
        self.padding = _im2col.padding_mode(owner, padding, 2)
        self.data_format = _im2col.data_format(owner, data_format)
        pad2d = (1,) * (2 - self.rank)
        self._pool2d = pad2d + self.pool_size
        self._strides2d = pad2d + self.strides
        self._buffers = _im2col.BufferPool()
        self._cache = None

    # ----- shapes ---------------------------------------------------------------------
    def _geometry(self, spatial, shape_for_message):
        """((pad_top, pad_bottom), (pad_left, pad_right)), (out_h, out_w) for `spatial`."""
        spatial2d = (1,) * (2 - self.rank) + tuple(spatial)
        pads, out = [], []
        for axis in range(2):
            before, after, size = _im2col.axis_padding(
                spatial2d[axis], self._pool2d[axis], self._strides2d[axis], 1, self.padding)
            pads.append((before, after))
            out.append(size)
        if min(out) < 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': pool_size {self.pool_size} does not fit in the input "
                f"({', '.join(self._axis_names)}) = {tuple(spatial)} with padding='valid', leaving an empty "
                f"output; got per-sample shape {tuple(shape_for_message)}, expected "
                f"{', '.join(self._axis_names)} of at least {self.pool_size}. Use padding='same' or a smaller pool_size."
            )
        return tuple(pads), tuple(out)

    def _expected_shape(self):
        return "(batch, " + ", ".join(self._axis_names) + ", channels)"

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape {self._expected_shape()}, "
                f"got per-sample shape {input_shape} (rank {len(input_shape) + 1} inputs)."
            )
        _, out = self._geometry(input_shape[:-1], input_shape)
        return out[2 - self.rank:] + (input_shape[-1],)

    def _as_images(self, inputs):
        channels = self.input_shape[-1]
        if inputs.ndim != self.rank + 2 or inputs.shape[-1] != channels:
            expected = self._expected_shape().replace("channels", str(channels))
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape {expected}, got shape {inputs.shape}."
            )
        return inputs if self.rank == 2 else inputs[:, None]

    def _offset_regions(self, spatial, pads, out):
        """For each window offset: (output region, input region) as (row slice, column slice) pairs.

        Output positions whose element at this offset lies in the padding are left out.
        """
        per_axis = []
        for size, pool, stride, (before, _), length in zip(spatial, self._pool2d, self._strides2d, pads, out):
            regions = []
            for offset in range(pool):
                low = max(0, -((offset - before) // stride))  # first output whose element is inside
                count = max(min(length, (size - 1 + before - offset) // stride + 1) - low, 0)
                start = low * stride + offset - before
                stop = start + stride * (count - 1) + 1 if count else start
                regions.append((slice(low, low + count), slice(start, stop, stride)))
            per_axis.append(regions)
        return [((rows[0], cols[0]), (rows[1], cols[1])) for rows in per_axis[0] for cols in per_axis[1]]

    def _counts(self, spatial, pads, out, dtype):
        """Real (unpadded) elements per window: a scalar, or (out_h, out_w, 1) for 'same'."""
        if not any(before or after for before, after in pads):
            return dtype.type(self._pool2d[0] * self._pool2d[1])
        per_axis = []
        for size, pool, stride, (before, _), length in zip(spatial, self._pool2d, self._strides2d, pads, out):
            starts = np.arange(length) * stride - before
            per_axis.append(np.minimum(starts + pool, size) - np.maximum(starts, 0))
        return np.multiply.outer(per_axis[0], per_axis[1]).astype(dtype)[:, :, None]

    # ----- forward ----------------------------------------------------------------------
    def forward(self, inputs, training=False):
        images = self._as_images(inputs)
        batch, height, width, channels = images.shape
        pads, out = self._geometry(inputs.shape[1:-1], inputs.shape[1:])
        regions = self._offset_regions((height, width), pads, out)
        # One contiguous (batch, out_h, out_w, channels) slab per window offset; where a
        # window hangs over the border the slab keeps the padding value it was created with.
        padded = any(before or after for before, after in pads)
        fill = (-np.inf if self.mode == "max" else 0) if padded else None
        windows = self._buffers.get("windows", (len(regions), batch, *out, channels), images.dtype,
                                    fill=fill, key=(height, width))
        outputs = np.empty((batch, *out, channels), dtype=images.dtype)
        counts = None if self.mode == "max" else self._counts((height, width), pads, out, outputs.dtype)

        def pool(start, stop):
            for slab, ((out_rows, out_cols), (in_rows, in_cols)) in zip(windows, regions):
                np.copyto(slab[start:stop, out_rows, out_cols], images[start:stop, in_rows, in_cols])
            if self.mode == "max":
                np.max(windows[:, start:stop], axis=0, out=outputs[start:stop])
            else:
                np.sum(windows[:, start:stop], axis=0, out=outputs[start:stop])
                outputs[start:stop] /= counts

        _parallel.over_batch(pool, batch, windows.size)
        self._cache = (images.shape, regions, windows, outputs, counts)
        return outputs.reshape((batch,) + out[2 - self.rank:] + (channels,))

    # ----- backward ---------------------------------------------------------------------
    def backward(self, grad_outputs):
        self.require_forward(self._cache)
        if not self.propagate_grad:
            return None
        image_shape, regions, windows, outputs, counts = self._cache
        grad = np.ascontiguousarray(grad_outputs, dtype=outputs.dtype).reshape(outputs.shape)
        tiled = self._strides2d == self._pool2d and all(  # every input element in exactly one window
            out_size * stride == size or self.padding == "same"
            for out_size, stride, size in zip(outputs.shape[1:3], self._strides2d, image_shape[1:3]))
        grad_inputs = np.empty(image_shape, dtype=outputs.dtype)

        def route(start, stop):
            if not tiled:
                grad_inputs[start:stop].fill(0)
            if self.mode == "max":
                slabs = self._route_to_max(grad[start:stop], windows[:, start:stop], outputs[start:stop])
            else:
                # y = mean of the window's real elements  =>  each of them gets dy / count
                scaled = grad[start:stop] / counts
                slabs = (scaled for _ in regions)
            for slab, ((out_rows, out_cols), (in_rows, in_cols)) in zip(slabs, regions):
                target, source = grad_inputs[start:stop, in_rows, in_cols], slab[:, out_rows, out_cols]
                if tiled:
                    np.copyto(target, source)
                else:
                    target += source

        _parallel.over_batch(route, grad.shape[0], grad_inputs.size)
        return grad_inputs.reshape(grad_outputs.shape[:1] + image_shape[3 - self.rank:])

    @staticmethod
    def _route_to_max(grad, windows, outputs):
        """Yield, per window offset, the gradient its elements receive."""
        # y = max of the window  =>  dy goes to its first maximal element (as TF and PyTorch)
        taken = np.zeros(outputs.shape, dtype=bool)
        hit = np.empty(outputs.shape, dtype=bool)
        slab = np.empty_like(grad)
        for index, window in enumerate(windows):
            np.equal(window, outputs, out=hit)
            np.greater(hit, taken, out=hit)  # a maximum not already taken by an earlier offset
            if index < len(windows) - 1:
                taken |= hit
            np.multiply(grad, hit, out=slab)
            yield slab

    # ----- config -----------------------------------------------------------------------
    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
        }

"""Max and average pooling over windows, shared by the 1-D and 2-D pooling layers.

The work loops over the pool_h * pool_w window offsets only, never over positions:
forward copies each offset's strided (batch, out_h, out_w, channels) slice of the input
into a contiguous slab (strided copies are cheap, strided arithmetic is not) and reduces
the slabs; backward routes the gradient slab by slab and copies (or, for overlapping
windows, adds) it back into place. Windows that tile the input (strides == pool_size,
no padding) take a faster path instead, the seam's ``tile_pool``. A 1-D layer views (batch, steps,
channels) as (batch, 1, steps, channels).

Padding follows Keras: 'same' max pooling pads with -inf (padding never wins), and
'same' average pooling averages over the real (unpadded) elements of each window only.
The padding is never materialized: slab entries that fall on it keep the fill value
their buffer was created with.
"""

import numpy as np

from ..ops.buffers import BufferPool
from . import _geometry
from .base import Layer


class BasePooling(Layer, register=False):
    """Pooling with `pool_size`, `strides` (default: `pool_size`) and `padding`.

    Subclasses set ``rank`` (1 or 2), ``mode`` ('max' or 'average') and ``_axis_names``.
    """

    rank = None
    mode = None
    _axis_names = ()

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = _geometry.int_tuple(owner, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else _geometry.int_tuple(owner, "strides", strides, self.rank)
        self.padding = _geometry.padding_mode(owner, padding, 2)
        self.data_format = _geometry.data_format(owner, data_format)
        pad2d = (1,) * (2 - self.rank)
        self._pool2d = pad2d + self.pool_size
        self._strides2d = pad2d + self.strides
        self._buffers = BufferPool()

    # ----- shapes ---------------------------------------------------------------------
    def _geometry(self, spatial, shape_for_message):
        """((pad_top, pad_bottom), (pad_left, pad_right)), (out_h, out_w) for `spatial`."""
        spatial2d = (1,) * (2 - self.rank) + tuple(spatial)
        pads, out = [], []
        for axis in range(2):
            before, after, size = _geometry.axis_padding(
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
        outputs = np.empty((batch, *out, channels), dtype=images.dtype)
        if self._strides2d == self._pool2d and not any(before or after for before, after in pads):
            # windows that tile the input: see gradwise.ops.pool_tiles
            masks = None if self.mode != "max" else self._buffers.get(
                "masks", (self._pool2d[0] * self._pool2d[1], batch, *out, channels), bool)
            self.ops.tile_pool(images, outputs, masks, self._pool2d, self.mode)
            cache = (images.shape, pads, None, masks, outputs, None)
            return outputs.reshape((batch,) + out[2 - self.rank:] + (channels,)), cache
        regions = self._offset_regions((height, width), pads, out)
        # One contiguous (batch, out_h, out_w, channels) slab per window offset; where a
        # window hangs over the border the slab keeps the padding value it was created with.
        padded = any(before or after for before, after in pads)
        fill = (-np.inf if self.mode == "max" else 0) if padded else None
        windows = self._buffers.get("windows", (len(regions), batch, *out, channels), images.dtype,
                                    fill=fill, key=(height, width))
        counts = None if self.mode == "max" else self._counts((height, width), pads, out, outputs.dtype)

        def pool(start, stop):
            for slab, ((out_rows, out_cols), (in_rows, in_cols)) in zip(windows, regions):
                np.copyto(slab[start:stop, out_rows, out_cols], images[start:stop, in_rows, in_cols])
            if self.mode == "max":
                np.max(windows[:, start:stop], axis=0, out=outputs[start:stop])
            else:
                np.sum(windows[:, start:stop], axis=0, out=outputs[start:stop])
                outputs[start:stop] /= counts

        self.ops.over_batch(pool, batch, windows.size)
        cache = (images.shape, pads, regions, windows, outputs, counts)
        return outputs.reshape((batch,) + out[2 - self.rank:] + (channels,)), cache

    # ----- backward ---------------------------------------------------------------------
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        if not input_grad:
            return None
        image_shape, pads, regions, source, outputs, counts = cache
        # y = max of a window  =>  dy goes to its first maximal element (as TF and PyTorch);
        # y = mean of a window's real elements  =>  each of them gets dy / count
        grad = np.ascontiguousarray(grad_outputs, dtype=outputs.dtype).reshape(outputs.shape)
        grad_inputs = np.empty(image_shape, dtype=outputs.dtype)

        if regions is None:  # windows that tile the input; `source` holds max pooling's masks
            self.ops.tile_pool_backward(grad, source, grad_inputs, self._pool2d)
        else:
            def run(start, stop):
                self._route_slabs(grad[start:stop], grad_inputs[start:stop], source[:, start:stop],
                                  outputs[start:stop], counts, regions)

            self.ops.over_batch(run, grad.shape[0], grad_inputs.size)
        return grad_inputs.reshape(grad_outputs.shape[:1] + image_shape[3 - self.rank:])

    def _route_slabs(self, grad, grad_inputs, windows, outputs, counts, regions):
        """Any windows (overlapping, padded, spaced out): one slab per offset, added in place."""
        grad_inputs.fill(0)
        if self.mode == "max":
            masks, slab = np.empty(windows.shape, dtype=bool), np.empty_like(grad)
            self.ops.first_maxima(windows, outputs, masks, np.empty(outputs.shape, dtype=bool))
        else:
            slab = grad / counts
        for index, ((out_rows, out_cols), (in_rows, in_cols)) in enumerate(regions):
            if self.mode == "max":
                np.multiply(grad, masks[index], out=slab)
            grad_inputs[:, in_rows, in_cols] += slab[:, out_rows, out_cols]

    # ----- config -----------------------------------------------------------------------
    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
        }


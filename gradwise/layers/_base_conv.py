"""The convolution shared by Conv1D and Conv2D: im2col, then matrix products over batch chunks.

A 1-D layer views its (batch, steps, channels) inputs as (batch, 1, steps, channels)
images and its (k, in, out) kernel as (1, k, in, out), so one code path serves both.
"""

import numpy as np

from .. import _checks
from ..ops import conv
from ..ops.buffers import BufferPool
from . import _geometry
from ._kernel_options import kernel_options_config, set_kernel_options
from .base import ActivatedLayer


class BaseConv(ActivatedLayer, register=False):
    """Convolution (strictly: cross-correlation, as in Keras) followed by an activation.

    Subclasses set ``rank`` (1 or 2) and ``_axis_names`` (for messages).
    """

    rank = None
    _axis_names = ()
    has_kernel = True
    # the activation and its gradient are computed with the products, chunk by chunk (see
    # _fused_activation); a subclass with its own products says False
    _fuses_activation = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.filters = _checks.positive_int(owner, "filters", filters)
        self.kernel_size = _geometry.int_tuple(owner, "kernel_size", kernel_size, self.rank)
        self.strides = _geometry.int_tuple(owner, "strides", strides, self.rank)
        self.padding = _geometry.padding_mode(owner, padding, self.rank)
        self.data_format = _geometry.data_format(owner, data_format)
        self.dilation_rate = _geometry.int_tuple(owner, "dilation_rate", dilation_rate, self.rank)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: `strides` > 1 together with `dilation_rate` > 1 is not supported (as in Keras), got "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}. Set one of them to 1."
            )
        set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer,
                           kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
                           bias_constraint)
        # As 2-D geometry: a 1-D layer is a 2-D one with a kernel of height 1.
        pad2d = (1,) * (2 - self.rank)
        self._kernel2d = pad2d + self.kernel_size
        self._strides2d = pad2d + self.strides
        self._dilation2d = pad2d + self.dilation_rate
        self._buffers = BufferPool()

    # ----- shapes ---------------------------------------------------------------------
    def _expected_shape(self, channels="channels"):
        return "(batch, " + ", ".join(self._axis_names) + f", {channels})"

    def _geometry(self, spatial, shape_for_message):
        """((pad_top, pad_bottom), (pad_left, pad_right)), (out_h, out_w) for 2-D `spatial`."""
        spatial2d = (1,) * (2 - self.rank) + tuple(spatial)
        pads, out = [], []
        for axis in range(2):
            before, after, size = _geometry.axis_padding(
                spatial2d[axis], self._kernel2d[axis], self._strides2d[axis], self._dilation2d[axis],
                self.padding if axis >= 2 - self.rank else "valid")
            pads.append((before, after))
            out.append(size)
        if min(out) < 1:
            span = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate))
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the kernel {self.kernel_size} with dilation_rate "
                f"{self.dilation_rate} spans {span}, larger than the input ({', '.join(self._axis_names)}) = "
                f"{tuple(spatial)} with padding='{self.padding}'; got per-sample shape {tuple(shape_for_message)}, "
                f"expected {', '.join(self._axis_names)} of at least {span}. Use padding='same' or a smaller kernel."
            )
        return tuple(pads), tuple(out)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape {self._expected_shape()}, "
                f"got per-sample shape {input_shape} (rank {len(input_shape) + 1} inputs)."
            )
        _, out = self._geometry(input_shape[:-1], input_shape)
        return out[2 - self.rank:] + (self.filters,)

    def build(self, input_shape, rng):
        shape = self.kernel_size + (input_shape[-1], self.filters)
        self.params["kernel"] = self.kernel_initializer(shape, self.dtype, rng)
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.filters,), self.dtype, rng)

    def _as_images(self, inputs):
        """`inputs` checked and viewed as (batch, height, width, channels)."""
        channels = self.input_shape[-1]
        if inputs.ndim != self.rank + 2 or inputs.shape[-1] != channels:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected inputs of shape {self._expected_shape(channels)}, "
                f"got shape {inputs.shape}."
            )
        return inputs if self.rank == 2 else inputs[:, None]

    # ----- forward ----------------------------------------------------------------------
    def forward(self, inputs, training=False):
        images = self._as_images(inputs)
        batch, height, width, channels = images.shape
        pads, out = self._geometry(inputs.shape[1:-1], inputs.shape[1:])
        kernel = self.params["kernel"].reshape(-1, self.filters)
        if self._kernel2d == (1, 1) and self._strides2d == (1, 1):
            padded = images
            cols = np.ascontiguousarray(images, dtype=self.dtype).reshape(-1, channels)
            outputs = cols @ kernel
            if self.use_bias:
                outputs += self.params["bias"]
        else:
            # The bias rides along as a last column of ones in `cols` (set once, when the
            # buffer is made): the matmul adds it, and backward's matmul sums its gradient.
            (top, bottom), (left, right) = pads
            padded = images if top == bottom == left == right == 0 else self._buffers.get(
                "padded", (batch, height + top + bottom, width + left + right, channels), self.dtype, fill=0,
                key=pads)  # only the interior is rewritten: the border stays zero
            depth = kernel.shape[0]
            # kept for backward, unless backward makes the columns again itself (Ops.needs_columns)
            kept = self.ops.needs_columns(self.dtype, self._kernel2d, channels)
            buffer = self._buffers.get("cols", (batch, *out, depth + self.use_bias), self.dtype,
                                       fill=1 if self.use_bias else None) if kept else None
            arguments = (images, padded, buffer, self._weights_with_bias(kernel), pads, out, self._kernel2d,
                         self._strides2d, self._dilation2d)
            cols = None if buffer is None else buffer.reshape(batch * out[0] * out[1], -1)
            if self._fused_activation:
                # each chunk's activation right after its product, while in cache
                outputs, activated = self.ops.activated_columns_product(self.activation, *arguments)
                shape = (batch,) + out[2 - self.rank:] + (self.filters,)
                preactivation, activated = outputs.reshape(shape), activated.reshape(shape)
                return activated, ((cols, images, padded.shape, pads, out), preactivation, activated)
            outputs = self.ops.columns_product(*arguments)
        preactivation = outputs.reshape((batch,) + out[2 - self.rank:] + (self.filters,))
        activated = self._per_sample(self._activate, preactivation)
        return activated, ((cols, images, padded.shape, pads, out), preactivation, activated)

    @property
    def _fused_activation(self):
        """Whether the activation is computed with the products, chunk by chunk (forward:
        Ops.activated_columns_product; backward: Ops.activated_columns_gradient): one that
        works along the channels (elementwise, or a softmax over the last axis: the products'
        rows are positions), in a layer whose products are this class's."""
        axis = getattr(self.activation, "axis", -1)
        return self._fuses_activation and self.activation.name != "linear" and axis in (-1, self.rank + 1)

    def _per_sample(self, function, *arrays):
        """`function(*arrays)` of the activation, over batch chunks in threads when that is safe:
        not for the identity (nothing to gain) nor for an activation along the batch axis."""
        axis = getattr(self.activation, "axis", -1)
        if self.activation.name == "linear" or axis in (0, -arrays[0].ndim):
            return function(*arrays)
        return self.ops.map_batch(function, *arrays)

    def _activate(self, preactivation):
        return self.ops.activate(self.activation, preactivation)

    def _activate_backward(self, grad_outputs, preactivation, outputs):
        return self.ops.activate_backward(self.activation, grad_outputs, preactivation, outputs)

    def _weights_with_bias(self, kernel):
        """(kernel rows + 1, filters): the kernel matrix with the bias as its last row."""
        if not self.use_bias:
            return kernel
        weights = self._buffers.get("weights", (kernel.shape[0] + 1, self.filters), self.dtype)
        weights[:-1] = kernel
        weights[-1] = self.params["bias"]
        return weights

    # ----- backward ---------------------------------------------------------------------
    # y = f(z)  =>  dz = f'(z) dy, from the function's own backward
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        _, preactivation, outputs = cache
        if not self._fused_activation:
            grad_preactivation = self._per_sample(self._activate_backward, grad_outputs, preactivation, outputs)
            return self.backward_preactivation(grad_preactivation, cache, input_grad, accumulate)
        if input_grad and self._scatters_input_gradient:
            # with an input gradient to scatter, dz is made first (its live rows), and both
            # gradients then go over batch chunks together (Ops.kernel_and_input_gradients)
            shape = (len(cache[0][1]), *cache[0][4], self.filters)
            live_grad, live = self.ops.live_activation_backward(
                self.activation, grad_outputs.reshape(shape), preactivation.reshape(shape), outputs.reshape(shape))
            return self._scattered_backward(live_grad, live, cache, accumulate)

        def kernel_gradient(cols, out, accumulate_, keep):
            # dz chunk by chunk, each multiplied into the kernel gradient while in cache
            return self.ops.activated_columns_gradient(self.activation, grad_outputs, preactivation, outputs, cols,
                                                       out, accumulate_, keep)

        return self._backward(kernel_gradient, cache, input_grad, accumulate)

    @property
    def _scatters_input_gradient(self):
        """Whether the input gradient is col2im'd from window gradients (not a 1x1 kernel with
        unit strides, whose input gradient is one product)."""
        return self._kernel2d != (1, 1) or self._strides2d != (1, 1)

    def backward_preactivation(self, grad_preactivation, cache, input_grad=True, accumulate=False):
        """Backward from the gradient w.r.t. the pre-activation (the fused-loss entry point)."""
        grad = np.asarray(grad_preactivation, dtype=self.dtype).reshape(-1, self.filters)
        if input_grad and self._scatters_input_gradient:
            positions = grad.reshape(len(cache[0][1]), *cache[0][4], self.filters)
            # trailing rows/columns with no gradient in any sample are left out of the products
            live = conv.live_extent(positions)
            return self._scattered_backward(conv.live_rows(positions, live), live, cache, accumulate)

        def kernel_gradient(cols, out, accumulate_, keep):
            self.ops.columns_gradient(cols, grad, out, accumulate_)
            return grad

        return self._backward(kernel_gradient, cache, input_grad, accumulate)

    def _weight_gradients(self, cols, accumulate):
        """(where ``cols^T dz`` is to be written, whether to add to it there, the bias column's
        presence): the layer's kernel gradient itself, or with the bias column of ones in
        `cols`, a buffer that _store_weight_gradients then splits. `cols` None: the im2col
        columns that forward did not keep, which have the bias column when there is a bias."""
        grad_kernel = self.grads["kernel"].reshape(-1, self.filters)
        columns = grad_kernel.shape[0] + self.use_bias if cols is None else cols.shape[1]
        if columns > grad_kernel.shape[0]:
            return self._buffers.get("grad_weights", (columns, self.filters), self.dtype), False, True
        return grad_kernel, accumulate, False

    def _store_weight_gradients(self, grad_weights, accumulate):
        """The kernel and bias gradients from `grad_weights` (kernel rows, then the bias's)."""
        grad_kernel = self.grads["kernel"].reshape(-1, self.filters)
        if accumulate:
            grad_kernel += grad_weights[:-1]
            self.grads["bias"] += grad_weights[-1]
        else:
            grad_kernel[...] = grad_weights[:-1]
            self.grads["bias"][...] = grad_weights[-1]

    def _bias_gradient(self, grad, accumulate):
        """The bias gradient as the sum of dz (rows, filters) over positions (no bias column in `cols`)."""
        if accumulate:
            self.grads["bias"] += grad.sum(axis=0)
        else:
            np.sum(grad, axis=0, out=self.grads["bias"])

    def _backward(self, kernel_gradient, cache, input_grad, accumulate):
        """The kernel, bias and input gradients, from ``kernel_gradient(cols, out, accumulate,
        keep)``, which writes ``cols^T dz`` into `out` and returns dz (rows, filters) when `keep`."""
        cols, images, padded_shape, pads, out = cache[0]
        if cols is None:  # not kept by forward (Ops.needs_columns)
            cols = self.ops.columns(images, pads, out, self._kernel2d, self._strides2d, self._dilation2d,
                                    self.params["kernel"].reshape(-1, self.filters).shape[0] + self.use_bias,
                                    self.dtype)
        # Z = cols K + b  =>  dK = cols^T dZ,  db = sum of dZ over positions,  dcols = dZ K^T, scattered back
        target, add, bias_column = self._weight_gradients(cols, accumulate)
        grad = kernel_gradient(cols, target, add, input_grad or (self.use_bias and not bias_column))
        if bias_column:
            self._store_weight_gradients(target, accumulate)
        elif self.use_bias:
            self._bias_gradient(grad, accumulate)
        if not input_grad:
            return None
        # only a 1x1 kernel with unit strides comes here for its input gradient (see backward)
        grad_inputs = grad @ self._kernel_t(images.shape[3])[0]
        return grad_inputs.reshape(images.shape[:1] + images.shape[3 - self.rank:])

    def _kernel_t(self, channels):
        """(offsets, filters, channels): the kernel as one (filters, channels) block per kernel offset."""
        offsets = self._kernel2d[0] * self._kernel2d[1]
        return self.params["kernel"].reshape(offsets, channels, self.filters).transpose(0, 2, 1)

    def _scattered_backward(self, live_grad, live, cache, accumulate):
        """The kernel, bias and input gradients from `live_grad`, dz's rows inside its live
        extent `live` (dz is zero elsewhere), over batch chunks together
        (Ops.kernel_and_input_gradients)."""
        cols, images, padded_shape, pads, out = cache[0]
        # Z = cols K + b  =>  dK = cols^T dZ,  db = sum of dZ over positions,  dcols = dZ K^T, scattered back
        target, add, bias_column = self._weight_gradients(cols, accumulate)
        if self.use_bias and not bias_column:
            self._bias_gradient(live_grad, accumulate)
        grad_inputs = np.empty(images.shape, dtype=self.dtype)
        grad_padded = grad_inputs if padded_shape == images.shape else self._buffers.get(
            "grad_padded", padded_shape, self.dtype)
        self.ops.kernel_and_input_gradients(live_grad, cols, images, self._kernel_t(images.shape[3]), target, add,
                                            grad_padded, grad_inputs, pads, out, live, self._kernel2d,
                                            self._strides2d, self._dilation2d, self._buffers)
        if bias_column:
            self._store_weight_gradients(target, accumulate)
        return grad_inputs.reshape(images.shape[:1] + images.shape[3 - self.rank:])

    # ----- config -----------------------------------------------------------------------
    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            **kernel_options_config(self),
        }

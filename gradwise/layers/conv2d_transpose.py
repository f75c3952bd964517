"""Conv2DTranspose: the transpose of a 2-D convolution, which upsamples channels_last images."""

import numpy as np

from ._base_conv import BaseConv


def transpose_geometry(size, kernel, stride, dilation, padding, output_padding):
    """(crop_before, output_size, full_size) along one axis.

    The full (uncropped) output of the scatter has ``(size - 1) * stride + span`` positions
    (span: the dilated kernel). The output size follows Keras; the crop is what Conv2D with
    the same arguments pads before, over an input of the output size, so this layer is
    exactly that convolution's input gradient (TensorFlow's conv2d_transpose).
    """
    span = (kernel - 1) * dilation + 1
    full = (size - 1) * stride + span
    if output_padding is None:
        out = size * stride + max(span - stride, 0) if padding == "valid" else size * stride
    else:
        out = full - 2 * (span // 2 if padding == "same" else 0) + output_padding
    crop = max(full - out, 0) // 2 if padding == "same" else 0
    return crop, out, full


class Conv2DTranspose(BaseConv):
    """Transposed convolution: ``outputs = activation(conv_transpose(inputs, kernel) + bias)``.

    Each input pixel adds ``kernel[i, j] @ pixel`` to the output pixel at
    ``(row * stride + i * dilation, col * stride + j * dilation)`` (a col2im of one matrix
    product), and the result is cropped as Conv2D with the same arguments pads; so the
    layer maps a Conv2D's output shape back to its input shape (with ``strides=2``, it
    doubles height and width), as Keras' Conv2DTranspose.

    Parameters
    ----------
    filters : int
        Output channels.
    kernel_size : int or tuple of 2 ints
        The kernel has shape (kernel_h, kernel_w, filters, in_channels), as in Keras.
    strides : int or tuple of 2 ints, default (1, 1)
    padding : {'valid', 'same'}
        'valid': output size ``size * stride + max(kernel - stride, 0)``; 'same': ``size * stride``.
    output_padding : int or tuple of 2 ints, optional
        Extra rows/columns at the bottom/right, each smaller than the stride; the output
        size is then ``(size - 1) * stride + kernel - 2 * pad + output_padding`` with pad
        ``kernel // 2`` for 'same' and 0 for 'valid'.
    data_format : {None, 'channels_last'}
    dilation_rate : int or tuple of 2 ints, default (1, 1)
    activation : str, ActivationFunction or activation layer, optional
    use_bias : bool
    kernel_initializer, bias_initializer : str or Initializer
    kernel_regularizer, bias_regularizer, activity_regularizer : str or Regularizer, optional

    Examples
    --------
    >>> Conv2DTranspose(16, 3, strides=2, padding="same")
    <Conv2DTranspose name='conv2d_transpose'>
    """

    # its products are its own: the activation and its gradient over the whole batch
    _fuses_activation = False

    rank = 2
    _axis_names = ("height", "width")

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, **kwargs)
        if output_padding is not None:
            values = (output_padding,) * 2 if isinstance(output_padding, (int, np.integer)) else output_padding
            if not isinstance(values, (tuple, list)) or len(values) != 2 or not all(
                    isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v < s
                    for v, s in zip(values, self.strides)):
                raise ValueError(
                    f"Conv2DTranspose: `output_padding` must be None or a non-negative int or tuple of 2 ints, each "
                    f"smaller than its stride {self.strides}, got {output_padding!r}."
                )
            output_padding = tuple(int(v) for v in values)
        self.output_padding = output_padding

    def _transpose_geometry(self, spatial):
        """((crop_top, crop_left), (out_h, out_w), (full_h, full_w))."""
        axes = [transpose_geometry(spatial[axis], self.kernel_size[axis], self.strides[axis], self.dilation_rate[axis],
                                   self.padding, None if self.output_padding is None else self.output_padding[axis])
                for axis in range(2)]
        return tuple(zip(*axes))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(
                f"Conv2DTranspose '{self.name}' expected inputs of shape {self._expected_shape()}, "
                f"got per-sample shape {input_shape} (rank {len(input_shape) + 1} inputs)."
            )
        _, out, _ = self._transpose_geometry(input_shape[:2])
        return out + (self.filters,)

    def build(self, input_shape, rng):
        shape = self.kernel_size + (self.filters, input_shape[-1])
        self.params["kernel"] = self.kernel_initializer(shape, self.dtype, rng)
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.filters,), self.dtype, rng)

    def _layout(self, images):
        """(pads, out, scatter shape): the crop as Conv2D pads, the output size, and the
        size of the scatter target, large enough for both the full output and the crop."""
        crop, out, full = self._transpose_geometry(images.shape[1:3])
        scatter = tuple(max(f, c + o) for f, c, o in zip(full, crop, out))
        pads = tuple((c, s - c - o) for c, s, o in zip(crop, scatter, out))
        return pads, out, (images.shape[0], *scatter, self.filters)

    def forward(self, inputs, training=False):
        images = self._as_images(np.ascontiguousarray(inputs, dtype=self.dtype))
        batch, height, width, channels = images.shape
        pads, out, scatter_shape = self._layout(images)
        offsets = self.kernel_size[0] * self.kernel_size[1]
        # (offsets, in_channels, filters): pixel @ kernel[i, j]^T for each offset
        kernel_t = self.params["kernel"].reshape(offsets, self.filters, channels).transpose(0, 2, 1)
        outputs = np.empty((batch, *out, self.filters), dtype=self.dtype)
        scatter = outputs if scatter_shape == outputs.shape else self._buffers.get("scatter", scatter_shape, self.dtype)
        self.ops.scatter_products(images.reshape(-1, channels), kernel_t, scatter, outputs, pads, (height, width),
                                  self.kernel_size, self.strides, self.dilation_rate, self._buffers)
        if self.use_bias:
            outputs += self.params["bias"]
        activated = self._per_sample(self._activate, outputs)
        return activated, ((images, pads, scatter_shape), outputs, activated)

    def backward_preactivation(self, grad_preactivation, cache, input_grad=True, accumulate=False):
        """Backward from the gradient w.r.t. the pre-activation (the fused-loss entry point)."""
        images, pads, scatter_shape = cache[0]
        batch, height, width, channels = images.shape
        # Z = col2im(X K^T) + b  =>  dX = im2col(dZ) K (a Conv2D of dZ),  dK = im2col(dZ)^T X,  db = sum of dZ
        grad = np.ascontiguousarray(grad_preactivation, dtype=self.dtype)
        (top, bottom), (left, right) = pads
        padded = grad if top == bottom == left == right == 0 else self._buffers.get(
            "grad_padded", scatter_shape, self.dtype, fill=0, key=pads)  # only the interior is rewritten
        depth = self.kernel_size[0] * self.kernel_size[1] * self.filters
        columns = self._buffers.get("cols", (batch, height, width, depth), self.dtype)
        kernel = self.params["kernel"].reshape(depth, channels)
        grad_images = self.ops.columns_product(grad, padded, columns, kernel, pads, (height, width), self.kernel_size,
                                               self.strides, self.dilation_rate)
        grad_kernel = columns.reshape(-1, depth).T @ images.reshape(-1, channels)
        if accumulate:
            self.grads["kernel"] += grad_kernel.reshape(self.grads["kernel"].shape)
        else:
            self.grads["kernel"][...] = grad_kernel.reshape(self.grads["kernel"].shape)
        if self.use_bias:
            grad_bias = grad.sum(axis=(0, 1, 2))
            if accumulate:
                self.grads["bias"] += grad_bias
            else:
                self.grads["bias"][...] = grad_bias
        return grad_images.reshape(images.shape) if input_grad else None

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = None if self.output_padding is None else list(self.output_padding)
        return config

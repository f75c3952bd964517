"""Conv2D: 2-D convolution over channels_last images (batch, height, width, channels)."""

from ._base_conv import BaseConv


class Conv2D(BaseConv):
    """2-D convolution: ``outputs = activation(conv2d(inputs, kernel) + bias)``.

    Computed as one matrix product per batch: every (kernel_h, kernel_w, channels)
    window becomes a row (im2col), multiplied by the kernel reshaped to
    (kernel_h * kernel_w * channels, filters).

    Parameters
    ----------
    filters : int
        Output channels.
    kernel_size : int or tuple of 2 ints
        Window (height, width); the kernel has shape (kernel_h, kernel_w, in_channels, filters).
    strides : int or tuple of 2 ints, default (1, 1)
    padding : {'valid', 'same'}
        'same' pads as Keras does: output size ceil(size / stride), with the odd extra
        pixel of padding at the bottom/right.
    data_format : {None, 'channels_last'}
        Only channels_last is supported.
    dilation_rate : int or tuple of 2 ints, default (1, 1)
    activation : str, ActivationFunction or activation layer, optional
    use_bias : bool
    kernel_initializer, bias_initializer : str or Initializer
    kernel_regularizer, bias_regularizer, activity_regularizer : str or Regularizer, optional

    Raises
    ------
    ValueError
        For non-positive `filters`, `kernel_size`, `strides` or `dilation_rate`, strides > 1
        together with dilation_rate > 1 (as in Keras), an unknown `padding`, inputs that are
        not (batch, height, width, channels) with the built channel count, or a kernel larger
        than the (padded) input.

    Examples
    --------
    >>> Conv2D(32, 3, activation="relu")
    <Conv2D name='conv2d'>
    """

    rank = 2
    _axis_names = ("height", "width")

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, **kwargs)

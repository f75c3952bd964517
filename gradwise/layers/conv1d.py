"""Conv1D: 1-D convolution over channels_last sequences (batch, steps, channels)."""

from ._base_conv import BaseConv


class Conv1D(BaseConv):
    """1-D convolution: ``outputs = activation(conv1d(inputs, kernel) + bias)``.

    Runs through Conv2D's code path, viewing (batch, steps, channels) as images of
    height 1: one matrix product per batch.

    Parameters
    ----------
    filters : int
        Output channels.
    kernel_size : int or tuple of 1 int
        Window length; the kernel has shape (kernel_size, in_channels, filters).
    strides : int or tuple of 1 int, default 1
    padding : {'valid', 'same', 'causal'}
        'same' pads as Keras does (the odd extra step at the end); 'causal' pads
        ``(kernel_size - 1) * dilation_rate`` steps at the start only, so an output never
        sees later inputs.
    data_format : {None, 'channels_last'}
    dilation_rate : int or tuple of 1 int, default 1
    activation : str, ActivationFunction or activation layer, optional
    use_bias : bool
    kernel_initializer, bias_initializer : str or Initializer
    kernel_regularizer, bias_regularizer, activity_regularizer : str or Regularizer, optional

    Raises
    ------
    ValueError
        For non-positive `filters`, `kernel_size`, `strides` or `dilation_rate`, strides > 1
        together with dilation_rate > 1 (as in Keras), an unknown `padding`, inputs that are
        not (batch, steps, channels) with the built channel count, or a kernel longer than the
        (padded) input.

    Examples
    --------
    >>> Conv1D(16, 5, padding="causal")
    <Conv1D name='conv1d'>
    """

    rank = 1
    _axis_names = ("steps",)

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, **kwargs)

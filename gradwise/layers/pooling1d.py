"""MaxPooling1D and AveragePooling1D over channels_last sequences (batch, steps, channels)."""

from ._base_pooling import BasePooling

_PARAMETERS = """
    Parameters
    ----------
    pool_size : int or tuple of 1 int, default 2
    strides : int or tuple of 1 int, optional
        Defaults to `pool_size` (non-overlapping windows).
    padding : {'valid', 'same'}
        'same' gives ceil(steps / stride) outputs, padding as Keras does (the odd extra
        step at the end).
    data_format : {None, 'channels_last'}

    Raises
    ------
    ValueError
        For non-positive `pool_size` or `strides`, an unknown `padding`, inputs that are not
        (batch, steps, channels), or a 'valid' window longer than the input.
"""


class MaxPooling1D(BasePooling):
    __doc__ = """Maximum over each window of steps; 'same' padding never wins (it is -inf).
    """ + _PARAMETERS + """
    Examples
    --------
    >>> MaxPooling1D(2)
    <MaxPooling1D name='max_pooling1d'>
    """

    rank = 1
    mode = "max"
    _axis_names = ("steps",)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)


class AveragePooling1D(BasePooling):
    __doc__ = """Mean over each window of steps; with 'same' padding, over its real steps only.
    """ + _PARAMETERS + """
    Examples
    --------
    >>> AveragePooling1D(3, strides=1, padding="same")
    <AveragePooling1D name='average_pooling1d'>
    """

    rank = 1
    mode = "average"
    _axis_names = ("steps",)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)

"""MaxPooling2D and AveragePooling2D over channels_last images (batch, height, width, channels)."""

from ._base_pooling import BasePooling

_PARAMETERS = """
    Parameters
    ----------
    pool_size : int or tuple of 2 ints, default (2, 2)
        Window (height, width).
    strides : int or tuple of 2 ints, optional
        Defaults to `pool_size` (non-overlapping windows).
    padding : {'valid', 'same'}
        'same' gives ceil(size / stride) outputs per axis, padding as Keras does (the odd
        extra pixel at the bottom/right).
    data_format : {None, 'channels_last'}

    Raises
    ------
    ValueError
        For non-positive `pool_size` or `strides`, an unknown `padding`, inputs that are not
        (batch, height, width, channels), or a 'valid' window larger than the input.
"""


class MaxPooling2D(BasePooling):
    __doc__ = """Maximum over each window; 'same' padding never wins (it is -inf).
    """ + _PARAMETERS + """
    Examples
    --------
    >>> MaxPooling2D(2)
    <MaxPooling2D name='max_pooling2d'>
    """

    rank = 2
    mode = "max"
    _axis_names = ("height", "width")

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)


class AveragePooling2D(BasePooling):
    __doc__ = """Mean over each window; with 'same' padding, over the window's real pixels only.
    """ + _PARAMETERS + """
    Examples
    --------
    >>> AveragePooling2D(3, strides=2, padding="same")
    <AveragePooling2D name='average_pooling2d'>
    """

    rank = 2
    mode = "average"
    _axis_names = ("height", "width")

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)

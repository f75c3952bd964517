"""Hashing: each value to one of `num_bins` bins by a stable hash of its text.

The hash is 64-bit FNV-1a over the value's UTF-8 text (an integer's decimal digits, as
Keras hashes ``str(value)``), then MurmurHash3's 64-bit finalizer (FNV's low bits alone
spread short strings badly over a few bins), computed column by column with NumPy: the same value gets
the same bin in every process and on every machine, unlike Python's salted ``hash()``.
Keras uses FarmHash, which NumPy does not have, so the bins differ from Keras's; what
matters (stability, spread) is the same. A `salt` changes the hash's starting value.
"""

import numbers

import numpy as np

from ... import _checks
from . import encoding
from .base import PreprocessingLayer
from .encoding import encode, encoded_shape

FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


def as_text(values):
    """`values` as a NumPy unicode array (integers by their decimal digits, bytes decoded as UTF-8)."""
    values = np.asarray(values)
    if values.dtype.kind == "S":
        return np.char.decode(values, "utf-8")
    if values.dtype.kind == "f":
        if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
            raise ValueError("expected strings or integers, got non-integer floats such as "
                             f"{values[values != np.round(values)].reshape(-1)[:1].tolist()}.")
        values = values.astype(np.int64)
    return values.astype(str)


def stable_hash(values, salt=0):
    """uint64 hashes (FNV-1a, then finalized) of each value's UTF-8 text (same shape as `values`)."""
    text = as_text(values)
    encoded = np.char.encode(text, "utf-8")
    flat = encoded.reshape(-1)
    width = max(flat.dtype.itemsize, 1)
    lengths = np.char.str_len(flat)
    codes = np.frombuffer(flat.tobytes(), dtype=np.uint8).reshape(len(flat), flat.dtype.itemsize)
    hashes = np.full(len(flat), FNV_OFFSET ^ np.uint64(salt & 0xFFFFFFFFFFFFFFFF), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in range(min(width, codes.shape[1])):
            active = lengths > column
            mixed = (hashes ^ codes[:, column].astype(np.uint64)) * FNV_PRIME
            hashes = np.where(active, mixed, hashes)
        for shift, multiplier in ((33, 0xFF51AFD7ED558CCD), (33, 0xC4CEB9FE1A85EC53)):
            hashes = (hashes ^ (hashes >> np.uint64(shift))) * np.uint64(multiplier)
        hashes ^= hashes >> np.uint64(33)
    return hashes.reshape(text.shape)


class Hashing(PreprocessingLayer):
    """Map strings or integers to `num_bins` bins by a stable hash (Keras's Hashing).

    Parameters
    ----------
    num_bins : int
        With `mask_value`, bin 0 is the mask's and the others share bins 1 .. num_bins - 1.
    mask_value : str or int, optional
    salt : int, optional
    output_mode : {'int', 'one_hot', 'multi_hot', 'count'}, default 'int'

    Examples
    --------
    >>> bins = Hashing(num_bins=3)(np.array([["A"], ["B"], ["A"]]))[:, 0]
    >>> bool(bins[0] == bins[2])  # the same bin for 'A' in every call, process and machine
    True
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.num_bins = _checks.positive_int(owner, "num_bins", num_bins)
        if mask_value is not None and self.num_bins < 2:
            raise ValueError(f"{owner}: with `mask_value`, `num_bins` must be at least 2, got {num_bins}.")
        if salt is not None and (isinstance(salt, bool) or not isinstance(salt, numbers.Integral) or salt < 0):
            raise ValueError(f"{owner}: `salt` must be a non-negative int or None, got {salt!r}.")
        self.output_mode = encoding.output_mode(owner, output_mode)
        if sparse:
            raise ValueError(f"{owner}: `sparse=True` is not supported (gradwise has no sparse tensors); got True.")
        self.mask_value, self.salt = mask_value, None if salt is None else int(salt)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.num_bins, self.output_mode)

    def bins(self, inputs):
        """The bin of each value (int64, same shape)."""
        try:
            hashes = stable_hash(inputs, self.salt or 0)
        except ValueError as error:
            raise ValueError(f"{type(self).__name__} '{self.name}': {error}") from None
        if self.mask_value is None:
            return (hashes % np.uint64(self.num_bins)).astype(np.int64)
        bins = 1 + (hashes % np.uint64(self.num_bins - 1)).astype(np.int64)
        return np.where(as_text(inputs) == str(self.mask_value), 0, bins)

    def forward(self, inputs, training=False):
        return encode(self.bins(inputs), self.num_bins, self.output_mode, self.dtype), None

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "mask_value": self.mask_value, "salt": self.salt,
                "output_mode": self.output_mode}

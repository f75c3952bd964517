"""All trainable tensors of a model in one contiguous buffer.

Each layer's ``params[key]`` is a view into ``ParameterSet.values`` and each
``grads[key]`` a view into ``ParameterSet.grads``. An optimizer therefore updates every
tensor of a model with a handful of vectorized NumPy calls, however many small tensors
the model has, instead of paying a Python round trip per tensor.
"""

import numpy as np


class ParameterSet:
    """Named tensors packed into one flat array, with a twin flat array for gradients.

    Parameters
    ----------
    tensors : dict of str -> ndarray
        Initial values, keyed by a unique name such as ``"dense_1/kernel"``. The order is kept.
    dtype : numpy dtype
        Float type of the packed buffers.

    Attributes
    ----------
    values, grads : ndarray of shape (total_size,)
    names : list of str
    offsets, sizes : ndarray of int
        Where each tensor starts in the flat buffers, and how many elements it has.
    value_views, grad_views : dict of str -> ndarray
        Views shaped like the original tensors; writing to them writes the flat buffers.
    """

    def __init__(self, tensors, dtype):
        self.names = list(tensors)
        self.shapes = [np.shape(tensors[name]) for name in self.names]
        self.sizes = np.array([int(np.prod(s)) for s in self.shapes], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)
        total = int(self.sizes.sum())
        self.values = np.empty(total, dtype=dtype)
        self.grads = np.zeros(total, dtype=dtype)
        self.value_views = {}
        self.grad_views = {}
        for name, shape, start, size in zip(self.names, self.shapes, self.offsets, self.sizes):
            stop = start + size
            self.value_views[name] = self.values[start:stop].reshape(shape)
            self.grad_views[name] = self.grads[start:stop].reshape(shape)
            self.value_views[name][...] = tensors[name]

    def __len__(self):
        return len(self.names)

    @property
    def size(self):
        return self.values.size

    def segment_sums(self, flat):
        """Sum `flat` (shaped like `values`) within each tensor: one number per tensor."""
        if self.size == 0:
            return np.zeros(0, dtype=flat.dtype)
        nonempty = self.sizes > 0
        sums = np.zeros(len(self.names), dtype=flat.dtype)
        sums[nonempty] = np.add.reduceat(flat, self.offsets[nonempty])
        return sums

    def expand(self, per_tensor):
        """Repeat one number per tensor over that tensor's elements."""
        return np.repeat(per_tensor, self.sizes)

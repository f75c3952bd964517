"""Scratch arrays that a layer reuses from call to call (im2col columns, padded images)."""

import sys
import threading

import numpy as np


class BufferPool:
    """Scratch arrays reused from call to call, each lent to one call at a time.

    An array is lent while anything outside the pool refers to it (a call's cache keeps
    a view of its columns until that call's backward is done), so calls that overlap (a
    layer used twice in one graph, threads calling predict together) never share one.
    `key` names anything else the contents depend on (e.g. where the padding lies), so
    a buffer whose constant border was filled for one geometry is never reused for another.
    """

    KEEP = 3  # arrays remembered per name, lent or free; older ones are left to the garbage collector

    def __init__(self):
        self._arrays = {}
        self._lock = threading.Lock()

    def get(self, name, shape, dtype, fill=None, key=None):
        """A free array `name` of this shape, dtype and key; a new one (filled with `fill`, if given) when none is."""
        shape, dtype = tuple(shape), np.dtype(dtype)
        with self._lock:
            entries = self._arrays.setdefault(name, [])
            for entry in entries:
                array = entry[0]
                # referenced only by its entry, this loop and getrefcount's argument: nobody holds it
                if array.shape == shape and array.dtype == dtype and entry[1] == key and sys.getrefcount(array) <= 3:
                    return array
            array = np.empty(shape, dtype=dtype) if fill is None else np.full(shape, fill, dtype=dtype)
            if len(entries) >= self.KEEP:
                del entries[0]
            entries.append((array, key))
            return array

    def clear(self):
        with self._lock:
            self._arrays.clear()

"""Batches of in-memory and memory-mapped arrays.

An array opened with ``np.load(path, mmap_mode="r")`` (or any ``np.memmap``) is never
converted or checked whole: each batch's rows are gathered, cast to the model's dtype
and checked for NaN/Inf on their own, so a training set larger than memory trains in
the memory of a few batches.

Rows are read from the file with ``os.preadv`` into the batch's buffer, not through
the mapping: every page a mapping touches counts in the process's resident memory
until the kernel needs it back, and a shuffled epoch touches them all (the kernel also
maps the neighbours of each page it faults in), so gathering through the mapping would
make a 4 GB file look like 4 GB of memory. ``preadv`` copies from the page cache, which
stays the kernel's. Where the file cannot be read directly (a copy-on-write map whose
pages may hold the user's changes, rows that are not contiguous in the file), rows are
gathered through the mapping and its pages handed back (``madvise(MADV_DONTNEED)``)
every ``RELEASE_BYTES``.
"""

import math
import mmap
import os
import weakref

import numpy as np

RELEASE_BYTES = 64 << 20
# A shuffled epoch over in-memory arrays of at most this many bytes in all gathers each array
# in its new order once and cuts its batches as slices of that copy: one gather an epoch
# instead of one a batch, which a small model's step feels. Larger training sets keep the
# gather per batch, so an epoch never holds a second copy of them.
EPOCH_GATHER_BYTES = 16 << 20


def mapping_of(array):
    """The ``np.memmap`` that `array` is (or is a view of), or None."""
    while isinstance(array, np.ndarray):
        if isinstance(array, np.memmap) and getattr(array, "_mmap", None) is not None:
            return array
        array = array.base
    return None


def is_mapped(array):
    return mapping_of(array) is not None


def _root_map(array):
    """The memmap made by np.memmap itself (its base is the mmap): its first byte is file offset ``.offset``."""
    while isinstance(array, np.ndarray) and not isinstance(array.base, mmap.mmap):
        array = array.base
    return array if isinstance(array, np.memmap) else None


def _address(array):
    return array.__array_interface__["data"][0]


class _FileRows:
    """Reads rows of a memory-mapped array straight from its file (rows contiguous in the file)."""

    def __init__(self, array, root):
        self.row_bytes = array.dtype.itemsize * math.prod(array.shape[1:])
        self.stride = array.strides[0]
        self.first = int(root.offset) + _address(array) - _address(root)
        self.dtype, self.row_shape = array.dtype, array.shape[1:]
        self.descriptor = os.open(root.filename, os.O_RDONLY)
        self._closer = weakref.finalize(self, os.close, self.descriptor)

    @classmethod
    def usable(cls, array, root):
        if not hasattr(os, "preadv") or root is None or root.mode not in ("r", "r+", "readonly", "readwrite") \
                or not root.filename:
            return False  # (Windows has no preadv: rows go through the mapping there)
        contiguous_rows = array.ndim >= 1 and array[:1].flags.c_contiguous  # each row one block of the file
        return contiguous_rows and array.strides[0] > 0 and os.path.isfile(root.filename)

    def read(self, rows):
        """The rows numbered `rows` (a range with step 1, or an array of row numbers), in that order."""
        out = np.empty((len(rows), *self.row_shape), dtype=self.dtype)
        if len(rows) == 0:
            return out
        bytes_ = out.reshape(len(rows), -1).view(np.uint8)
        if isinstance(rows, range) and self.stride == self.row_bytes:
            self._read_into(memoryview(bytes_.reshape(-1)), self.first + rows.start * self.stride)
            return out
        for position, row in enumerate(rows.tolist()):
            self._read_into(memoryview(bytes_[position]), self.first + row * self.stride)
        return out

    def _read_into(self, buffer, offset):
        done = 0
        while done < len(buffer):  # preadv may return less than asked near the end of a pipe or signal
            count = os.preadv(self.descriptor, [buffer[done:]], offset + done)
            if count <= 0:
                raise OSError(f"could not read the memory-mapped file at byte {offset + done}: it was truncated?")
            done += count

    def close(self):
        self._closer()


class MappedRows:
    """Rows of `array` as in-memory arrays of `dtype`; for a memory-mapped array, read from the file
    (or through the mapping, its pages released as it goes) and checked for NaN/Inf per batch.

    Parameters
    ----------
    array : ndarray or np.memmap of shape (samples, ...)
    dtype : numpy dtype
        The model's dtype.
    name : str
        The argument's name, for error messages.
    check : callable, optional
        ``check(rows, name)`` raises for NaN/Inf in a mapped batch (the model's check).
    """

    def __init__(self, array, dtype, name="x", check=None):
        self.array, self.dtype, self.name, self.check = array, np.dtype(dtype), name, check
        mapping = mapping_of(array)
        self.mapped = mapping is not None
        root = _root_map(array) if self.mapped else None
        self._file = _FileRows(array, root) if self.mapped and _FileRows.usable(array, root) else None
        # a copy-on-write mapping ('c') may hold the user's private changes: never drop its pages
        self._mmap = None if mapping is None or mapping.mode == "c" else mapping._mmap
        self._unreleased = 0

    def take(self, index):
        """Rows `index` (a slice or an array of row numbers)."""
        if not self.mapped:
            return self.array[index]
        if self._file is not None:
            rows = range(*index.indices(len(self.array))) if isinstance(index, slice) else np.asarray(index)
            if isinstance(rows, range) and rows.step != 1:
                rows = np.arange(rows.start, rows.stop, rows.step)
            rows = self._file.read(rows).astype(self.dtype, copy=False)
        else:
            rows = np.array(self.array[index], dtype=self.dtype, order="C")  # in memory, never a view of the file
            self._unreleased += rows.nbytes
            if self._unreleased >= RELEASE_BYTES:
                self.release()
        if self.check is not None:
            self.check(rows, f"{self.name} (a batch of the memory-mapped array)")
        return rows

    def release(self):
        """Drop the mapping's resident pages (they stay in the page cache)."""
        self._unreleased = 0
        if self._mmap is not None and hasattr(self._mmap, "madvise"):
            try:
                self._mmap.madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):  # a closed mapping, or a platform without it
                pass


def _take(arrays, index):
    return [None if array is None else array[index] for array in arrays]


class ArrayFeed:
    """The batches of one epoch over the arrays the model prepared: lists with one array per input
    (in memory or memory-mapped), one per output and one weight array (or None) per output.

    Parameters
    ----------
    x : list of ndarray or memory-mapped arrays of shape (samples, ...)
    targets, weights : list of ndarray or None
    batch_size : int
    dtype : numpy dtype
    check : callable, optional
        See ``MappedRows``.
    """

    stream = False
    ran_out = False  # arrays never run out

    def __init__(self, x, targets, weights, batch_size, dtype, check=None):
        self.x = [MappedRows(array, dtype, "x", check) for array in x]
        self.targets, self.weights, self.batch_size = targets, weights, batch_size
        self.samples = x[0].shape[0]
        self.steps = math.ceil(self.samples / batch_size)
        held = [rows.array for rows in self.x] + [array for array in (*targets, *weights) if array is not None]
        self._gathers_epoch = not any(rows.mapped for rows in self.x) and \
            sum(array.nbytes for array in held) <= EPOCH_GATHER_BYTES

    def batches(self, rng=None):
        """Yield (inputs, targets, weights) batches of lists; in a random order drawn from `rng` when given."""
        order = None if rng is None else rng.permutation(self.samples)
        if order is not None and self._gathers_epoch:
            yield from self._gathered_batches(order)
            return
        for step in range(self.steps):
            start, stop = step * self.batch_size, min((step + 1) * self.batch_size, self.samples)
            index = slice(start, stop) if order is None else order[start:stop]
            yield [rows.take(index) for rows in self.x], _take(self.targets, index), _take(self.weights, index)
        for rows in self.x:
            rows.release()

    def _gathered_batches(self, order):
        """A shuffled epoch of small in-memory arrays: each array gathered in `order` once, its
        batches slices of that copy (the same rows as a gather per batch, for one gather an epoch)."""
        x = [rows.array[order] for rows in self.x]
        targets, weights = _take(self.targets, order), _take(self.weights, order)
        for step in range(self.steps):
            index = slice(step * self.batch_size, min((step + 1) * self.batch_size, self.samples))
            yield [array[index] for array in x], _take(targets, index), _take(weights, index)

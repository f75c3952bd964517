"""Batches from Python generators, iterators, iterables and PyDatasets.

Each item is ``(x, y)`` or ``(x, y, sample_weight)`` (for ``predict`` also ``x`` alone
or ``(x,)``); the model checks and converts each batch as it does arrays. Here a feed
checks what only a sequence of batches can get wrong: an item that is not such a tuple,
and a per-sample shape that changes from one batch to the next.

- A one-shot iterator (a generator) cannot say where an epoch ends: ``fit`` needs
  ``steps_per_epoch`` for it, and stops training, with a warning, when it runs out.
- An iterable that is not an iterator (a list of batches, a loader class) gives one
  pass per epoch, as long as it is (or at most ``steps_per_epoch`` batches).
- A PyDataset (or any object with ``__len__``, ``__getitem__`` and ``on_epoch_end``,
  as Keras's ``Sequence``) gives ``len(dataset)`` batches per epoch (or
  ``steps_per_epoch``), in a shuffled order when the model shuffles, built by its
  worker threads ahead of training; ``on_epoch_end`` runs after each pass.
"""

import numbers
from collections.abc import Iterator

import numpy as np

from .prefetch import ordered_map


def is_sequence_dataset(source):
    from ..utils.pydataset import PyDataset

    if isinstance(source, PyDataset):
        return True
    if isinstance(source, (np.ndarray, list, tuple, dict, str, bytes)) or hasattr(source, "__array__"):
        return False
    return all(hasattr(source, name) for name in ("__len__", "__getitem__", "on_epoch_end"))  # Keras's Sequence


def is_stream(source):
    """Whether `source` is a generator, an iterator, a batch iterable or a PyDataset (not an array)."""
    if source is None or isinstance(source, (np.ndarray, list, tuple, dict, str, bytes)):
        return False
    if hasattr(source, "__array__") or hasattr(source, "dtype"):  # arrays, DataFrames, tensors
        return False
    return is_sequence_dataset(source) or isinstance(source, Iterator) or hasattr(source, "__iter__")


def kind_of(source):
    if is_sequence_dataset(source):
        return f"a {type(source).__name__} (PyDataset)"
    return "a generator" if isinstance(source, Iterator) else f"an iterable {type(source).__name__}"


def check_steps(owner, name, steps):
    if steps is None:
        return None
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"{owner}: `{name}` must be a positive int or None, got {steps!r}.")
    return int(steps)


def _per_sample_shape(part):
    """The per-sample shape of a batch's x, y or weights; a tuple of them for a list or dict of arrays."""
    if isinstance(part, dict):
        return tuple((key, np.shape(value)[1:]) for key, value in sorted(part.items(), key=lambda item: str(item[0])))
    if isinstance(part, (list, tuple)) and part and all(isinstance(item, np.ndarray) for item in part):
        return tuple(np.shape(item)[1:] for item in part)
    return np.shape(part)[1:]


def _shown_shape(part):
    if isinstance(part, dict):
        return {key: np.shape(value) for key, value in part.items()}
    if isinstance(part, (list, tuple)) and part and all(isinstance(item, np.ndarray) for item in part):
        return [np.shape(item) for item in part]
    return np.shape(part)


class _Stream:
    """The checks shared by every stream feed: the shape of each item and its arrays."""

    stream = True
    # Set by a model whose Input has a None axis (sequences of any length): batches may then
    # differ in more than their first axis, and the model checks each against its shapes.
    lengths_vary = False

    def __init__(self, source, owner, argument, with_targets):
        self.source, self.owner, self.argument, self.with_targets = source, owner, argument, with_targets
        self.kind = kind_of(source)
        self.ran_out = False
        self._first_shapes = None

    def _unpack(self, item, number):
        if isinstance(item, (tuple, list)) and 1 <= len(item) <= 3:
            parts = tuple(item) + (None,) * (3 - len(item))
        elif self.with_targets:
            raise TypeError(
                f"{self.owner}: `{self.argument}` ({self.kind}) must yield tuples (x, y) or (x, y, sample_weight); "
                f"batch {number} is {type(item).__name__}.")
        else:
            parts = (item, None, None)
        if self.with_targets and parts[1] is None:
            raise ValueError(
                f"{self.owner}: `{self.argument}` ({self.kind}) must yield (x, y) or (x, y, sample_weight); "
                f"batch {number} has no y: got a tuple of length {len(item)}.")
        return parts

    def _check_shapes(self, parts, number):
        shapes = tuple(None if part is None else _per_sample_shape(part) for part in parts)
        if self._first_shapes is None or self.lengths_vary:
            self._first_shapes = shapes
            return
        for label, shape, first, part in zip(("x", "y", "sample_weight"), shapes, self._first_shapes, parts):
            if shape != first:
                raise ValueError(
                    f"{self.owner}: `{self.argument}` ({self.kind}) yielded batches of changing shape: batch "
                    f"{number} has {label} of per-sample shape {shape} (shape {_shown_shape(part)}), expected {first} "
                    "as in batch 1. Every batch must have the same shape but for its first (batch) axis.")

    def _checked(self, item, number):
        parts = self._unpack(item, number)
        if parts[0] is None:
            raise ValueError(f"{self.owner}: `{self.argument}` ({self.kind}) yielded None as x in batch {number}.")
        self._check_shapes(parts, number)
        return parts

    def first_x(self):
        """The x of the first batch, to build a model before training (a generator keeps the batch)."""
        return self._checked(self._first_item(), 1)[0]

    def where(self, number):
        """How errors of the model's per-batch checks name the batch."""
        return f"(batch {number} of `{self.argument}`, {self.kind})"


class GeneratorFeed(_Stream):
    """Batches from a generator, an iterator, or an iterable (one pass per epoch).

    Parameters
    ----------
    source : iterator or iterable of batches
    steps : int or None
        Batches per epoch. Required for a one-shot iterator when `require_steps`.
    owner, argument, steps_name : str
        For error messages: ``fit``, ``x``/``validation_data``, ``steps_per_epoch``.
    """

    def __init__(self, source, steps, owner="fit", argument="x", steps_name="steps_per_epoch",
                 with_targets=True, require_steps=True):
        super().__init__(source, owner, argument, with_targets)
        self.one_shot = isinstance(source, Iterator)
        self.steps = check_steps(owner, steps_name, steps)
        if self.one_shot and self.steps is None and require_steps:
            raise ValueError(
                f"{owner}: `{steps_name}` is required when `{argument}` is {self.kind}: a generator has no length, "
                f"so an endless one would never end its epoch. Expected a positive int (e.g. "
                f"ceil(samples / batch_size)), got None. Or give a PyDataset, whose __len__ counts the batches.")

    def _first_item(self):
        iterator = self.source if self.one_shot else iter(self.source)
        try:
            item = next(iterator)
        except StopIteration:
            raise ValueError(f"{self.owner}: `{self.argument}` ({self.kind}) yielded no batch.") from None
        if self.one_shot:
            self._pushed_back = [item]
        return item

    def batches(self, rng=None):
        """Yield checked (x, y, sample_weight) items of one epoch (`rng` unused: the source orders them)."""
        iterator = self.source if self.one_shot else iter(self.source)
        number = 0
        while self.steps is None or number < self.steps:
            try:
                pushed = getattr(self, "_pushed_back", None)
                item = pushed.pop() if pushed else next(iterator)
            except StopIteration:
                self.ran_out = self.one_shot and self.steps is not None
                return
            number += 1
            yield self._checked(item, number)


class SequenceFeed(_Stream):
    """Batches of a PyDataset by index: ``len(dataset)`` (or `steps`) per epoch.

    Parameters
    ----------
    dataset : PyDataset
    steps : int or None
        At most ``len(dataset)``.
    """

    def __init__(self, dataset, steps, owner="fit", argument="x", steps_name="steps_per_epoch", with_targets=True):
        super().__init__(dataset, owner, argument, with_targets)
        length = len(dataset)
        if isinstance(length, bool) or not isinstance(length, numbers.Integral) or length < 1:
            raise ValueError(
                f"{owner}: `{argument}` is {self.kind} whose __len__ is {length!r}: expected a positive int, the "
                "number of batches in one pass. Check its __len__ (e.g. ceil(samples / batch_size)) and its data.")
        steps = check_steps(owner, steps_name, steps)
        if steps is not None and steps > length:
            raise ValueError(
                f"{owner}: `{steps_name}` must be at most len(`{argument}`) = {length} for {self.kind}, "
                f"got {steps}.")
        self.length = int(length)
        self.steps = self.length if steps is None else steps

    def _item(self, index):
        return self.source[int(index)]

    def _first_item(self):
        return self._item(0)

    def batches(self, rng=None):
        """Yield checked items of one pass, in an order drawn from `rng` when given; then ``on_epoch_end``."""
        begin = getattr(self.source, "on_epoch_begin", None)
        if begin is not None:
            begin()
        order = np.arange(self.length) if rng is None else rng.permutation(self.length)
        workers = getattr(self.source, "workers", 1) or 1
        depth = getattr(self.source, "max_queue_size", 10) or 10
        passed = False
        try:
            for number, item in enumerate(ordered_map(self._item, order[:self.steps], workers, depth), 1):
                yield self._checked(item, number)
            passed = True
        except GeneratorExit:  # training stopped mid-pass: the pass still ends
            passed = True
            raise
        finally:
            if passed:
                self.source.on_epoch_end()


def stream_feed(source, steps, owner="fit", argument="x", steps_name="steps_per_epoch", with_targets=True,
                require_steps=True):
    """The feed for `source` (see ``is_stream``)."""
    if is_sequence_dataset(source):
        return SequenceFeed(source, steps, owner, argument, steps_name, with_targets)
    return GeneratorFeed(source, steps, owner, argument, steps_name, with_targets, require_steps)

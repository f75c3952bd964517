"""PyDataset: Keras 3's ``keras.utils.PyDataset``, a sequence of batches indexed by position.

A subclass says how many batches there are (``__len__``) and builds batch `index`
(``__getitem__``) as ``(x, y)`` or ``(x, y, sample_weight)``. ``fit`` visits the
indices in a shuffled order each epoch (``shuffle=True``), and calls ``on_epoch_end``
after each pass, where a dataset may reshuffle its own files or samples.

With ``workers > 1`` batches are built in that many threads, at most
``max_queue_size`` ahead of the one training uses, and handed over in order: loading
from disk and NumPy work release the GIL, so they overlap with the training step.
"""

import numbers


class PyDataset:
    """Base class of datasets that build one batch per index.

    Parameters
    ----------
    workers : int, default 1
        Threads building batches; 1 builds each batch when training asks for it.
    use_multiprocessing : bool, default False
        Keras' option for worker processes. gradwise prefetches with threads only, so
        only False is accepted.
    max_queue_size : int, default 10
        How many batches the workers may build ahead of training.

    Examples
    --------
    >>> class Batches(PyDataset):
    ...     def __init__(self, x, y, batch_size, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x, self.y, self.batch_size = x, y, batch_size
    ...     def __len__(self):
    ...         return -(-len(self.x) // self.batch_size)
    ...     def __getitem__(self, index):
    ...         part = slice(index * self.batch_size, (index + 1) * self.batch_size)
    ...         return self.x[part], self.y[part]
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        owner = type(self).__name__
        if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
            raise ValueError(f"{owner}: `workers` must be a positive int, got {workers!r}.")
        if use_multiprocessing not in (False, 0):
            raise ValueError(
                f"{owner}: `use_multiprocessing` must be False, got {use_multiprocessing!r}: gradwise builds "
                "batches in worker threads (workers=N), which NumPy and file reads run in parallel.")
        if isinstance(max_queue_size, bool) or not isinstance(max_queue_size, numbers.Integral) or max_queue_size < 1:
            raise ValueError(f"{owner}: `max_queue_size` must be a positive int, got {max_queue_size!r}.")
        self._workers = int(workers)
        self._use_multiprocessing = False
        self._max_queue_size = int(max_queue_size)

    # Keras 3 reads these as properties; a subclass that skipped super().__init__() gets the defaults.
    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __len__(self):
        """The number of batches in one pass."""
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches).")

    def __getitem__(self, index):
        """Batch `index` in [0, len(self)): ``(x, y)`` or ``(x, y, sample_weight)``."""
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) returning a batch.")

    @property
    def num_batches(self):
        """``len(self)`` (Keras 3's name)."""
        return len(self)

    def on_epoch_begin(self):
        """Called before each pass over the batches."""

    def on_epoch_end(self):
        """Called after each pass over the batches (reshuffle here if the dataset wants to)."""

"""StepData: what ``Callback.on_train_step`` gets, built lazily.

The hook runs after every batch, and an observer like the doctor reads the loss on most
batches and the outputs only on a few it samples. So the cheap entries (the batch, its
loss) are filled when the step ends, and the ones that cost Python work to gather
(``outputs``, ``logits``, ``layer_outputs``) on first read. It is a dict: every key is
listed, ``data[key]``, ``data.get``, ``items()`` and ``dict(data)`` behave as on a
dict that held them all from the start.

The arrays belong to the step's Tape, which the next step recycles: read them during
the hook call (copy what you keep). A lazy entry first read after the call (fit calls
``close``) raises a RuntimeError instead of handing back a later step's memory.
"""

LAZY_KEYS = ("outputs", "logits", "layer_outputs")


class StepData(dict):
    """A dict of one training step's data whose entries in ``LAZY_KEYS`` are made on first read.

    Parameters
    ----------
    make : callable
        ``make(key) -> value`` for a key of ``LAZY_KEYS``.
    **entries
        The eager entries.
    """

    __slots__ = ("_make",)

    def __init__(self, make, **entries):
        super().__init__(entries)
        self._make = make

    def close(self):
        """The step is over (its tape may be recycled): entries not read yet can no longer be made."""
        self._make = None

    def __missing__(self, key):
        if key not in LAZY_KEYS:
            raise KeyError(key)
        if self._make is None:
            raise RuntimeError(f"on_train_step: data[{key!r}] was read after the hook call returned; the step's "
                               "arrays are recycled by the next step. Read (and copy) them inside on_train_step.")
        value = self._make(key)
        self[key] = value
        return value

    def _fill(self):
        for key in LAZY_KEYS:
            if not dict.__contains__(self, key):
                self[key]  # noqa: B018 - made on read
        return self

    def get(self, key, default=None):
        if key in LAZY_KEYS:
            return self[key]
        return dict.get(self, key, default)

    def __contains__(self, key):
        return key in LAZY_KEYS or dict.__contains__(self, key)

    def __iter__(self):
        return iter(self._fill().keys())

    def __len__(self):
        return dict.__len__(self._fill())

    def keys(self):
        return dict.keys(self._fill())

    def values(self):
        return dict.values(self._fill())

    def items(self):
        return dict.items(self._fill())

    def copy(self):
        return dict(self.items())

    def __repr__(self):
        return f"StepData({dict(self.items())!r})"

    def __reduce__(self):
        return dict, (dict(self.items()),)

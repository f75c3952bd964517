"""Where fit, evaluate and predict get their batches: arrays (in memory or memory-mapped),
generators and iterators, and PyDatasets; and when validation runs (``validation_freq``)."""

import numbers

from .arrays import ArrayFeed, MappedRows, is_mapped
from .streams import GeneratorFeed, SequenceFeed, check_steps, is_stream, stream_feed

__all__ = ["ArrayFeed", "MappedRows", "is_mapped", "GeneratorFeed", "SequenceFeed", "check_steps", "is_stream",
           "stream_feed", "Validation", "Prepared"]


class Validation:
    """The validation data of one fit and the epochs it runs after.

    Parameters
    ----------
    data : tuple (x, targets, weights) of prepared arrays, or a stream feed
    freq : int or collection of int
        Keras' ``validation_freq``: an int N validates after every N-th epoch; a list
        (or set, range) names the 1-based epochs to validate after.
    """

    def __init__(self, data, freq=1):
        self.data = data
        self.freq = self.check_freq(freq)

    @staticmethod
    def check_freq(freq):
        if isinstance(freq, numbers.Integral) and not isinstance(freq, bool):
            if freq < 1:
                raise ValueError(f"fit: `validation_freq` must be a positive int or a list of epochs, got {freq!r}.")
            return int(freq)
        if isinstance(freq, (list, tuple, set, frozenset, range)) and all(
                isinstance(epoch, numbers.Integral) and not isinstance(epoch, bool) and epoch >= 1 for epoch in freq):
            return frozenset(int(epoch) for epoch in freq)
        raise ValueError(
            f"fit: `validation_freq` must be a positive int (validate every N epochs) or a list of 1-based epochs "
            f"(e.g. [1, 5, 10]), got {freq!r}.")

    def due(self, epoch):
        """Whether validation runs after `epoch` (0-based)."""
        if isinstance(self.freq, int):
            return (epoch + 1) % self.freq == 0
        return epoch + 1 in self.freq


class Prepared:
    """A stream feed whose items go through ``prepare(x, y, sample_weight, where)`` (the model's
    checks and conversions: features, targets, weights), as the arrays of one batch.

    ``steps`` and ``ran_out`` are the stream's.
    """

    stream = True

    def __init__(self, feed, prepare):
        self.feed, self.prepare = feed, prepare

    @property
    def steps(self):
        return self.feed.steps

    @property
    def ran_out(self):
        return self.feed.ran_out

    @property
    def kind(self):
        return self.feed.kind

    def batches(self, rng=None):
        for number, (x, y, weights) in enumerate(self.feed.batches(rng), 1):
            yield self.prepare(x, y, weights, self.feed.where(number))

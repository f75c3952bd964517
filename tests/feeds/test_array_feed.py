"""ArrayFeed: a shuffled epoch of small in-memory arrays is gathered once and cut into slices; the
batches are the rows a gather per batch gives, and large arrays keep the gather per batch."""

import numpy as np
import pytest

from gradwise.feeds import ArrayFeed, arrays


def _feed(samples=103, batch_size=16, weighted=True):
    rng = np.random.default_rng(3)
    x = [rng.normal(size=(samples, 5)).astype(np.float32), rng.normal(size=(samples, 2, 3)).astype(np.float32)]
    targets = [rng.integers(0, 4, size=samples), None]
    weights = [rng.uniform(size=samples) if weighted else None, None]
    return ArrayFeed(x, targets, weights, batch_size, np.float32)


def _epoch(feed, seed):
    return list(feed.batches(np.random.default_rng(seed)))


def _same_batches(left, right):
    assert len(left) == len(right)
    for one, other in zip(left, right):
        for arrays_one, arrays_other in zip(one, other):
            for a, b in zip(arrays_one, arrays_other):
                assert (a is None) == (b is None)
                if a is not None:
                    assert a.dtype == b.dtype and a.flags.c_contiguous and b.flags.c_contiguous
                    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("weighted", [True, False])
def test_a_gathered_epoch_gives_the_rows_of_a_gather_per_batch(monkeypatch, weighted):
    gathered = _feed(weighted=weighted)
    assert gathered._gathers_epoch
    monkeypatch.setattr(arrays, "EPOCH_GATHER_BYTES", 0)
    per_batch = _feed(weighted=weighted)
    assert not per_batch._gathers_epoch
    once, each = _epoch(gathered, 9), _epoch(per_batch, 9)
    _same_batches(once, each)
    # one gather an epoch: the batches are slices of one copy, not copies of their own
    first, second = once[0][0][0], once[1][0][0]
    assert first.base is not None and first.base is second.base
    assert each[0][0][0].base is None or each[0][0][0].base is not each[1][0][0].base
    # and the last batch is the remainder, in order
    assert [len(batch[0][0]) for batch in once] == [16] * 6 + [7]


def test_unshuffled_and_large_epochs_are_cut_batch_by_batch(monkeypatch):
    feed = _feed()
    ordered = list(feed.batches(None))
    np.testing.assert_array_equal(np.concatenate([batch[0][0] for batch in ordered]), feed.x[0].array)
    monkeypatch.setattr(arrays, "EPOCH_GATHER_BYTES", feed.x[0].array.nbytes)  # the other arrays tip it over
    assert not _feed()._gathers_epoch

"""Feed a metric aligned arrays in uneven batches, as fit does over an epoch."""


def batches(arrays, sizes=(7, 5, 9)):
    """Split aligned arrays into consecutive batches of the given sizes."""
    start = 0
    for size in sizes:
        yield tuple(None if a is None else a[start:start + size] for a in arrays)
        start += size


def accumulate(metric, y_true, y_pred, weights=None, sizes=(7, 5, 9)):
    """The metric's result after reset and one update per batch."""
    metric.reset_state()
    for yb, pb, wb in batches((y_true, y_pred, weights), sizes):
        metric.update_state(yb, pb, wb)
    return metric.result()

"""An ordered prefetch: results of ``function(item)`` built by worker threads, yielded in item order.

At most `depth` results are in flight, so a slow consumer holds back the workers
instead of letting batches pile up in memory.
"""

from collections import deque
from concurrent.futures import ThreadPoolExecutor


def ordered_map(function, items, workers, depth):
    """Yield ``function(item)`` for each of `items`, in order, computed by `workers` threads.

    An exception raised by `function` is raised here, at its item's turn. Closing the
    generator early (a consumer that stops) cancels what has not started and waits
    for what has.
    """
    if workers <= 1:
        for item in items:
            yield function(item)
        return
    pending = deque()
    items = iter(items)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gradwise-prefetch") as pool:
        try:
            for item in items:
                pending.append(pool.submit(function, item))
                if len(pending) >= max(depth, 1):
                    break
            while pending:
                result = pending.popleft().result()
                for item in items:  # refill one slot
                    pending.append(pool.submit(function, item))
                    break
                yield result
        finally:
            for future in pending:
                future.cancel()

"""Split memory-bound NumPy work (copies, adds, pooling) over batch chunks in a few threads.

NumPy releases the GIL inside its loops, so threads give real parallelism there. BLAS
already runs matrix products on its own threads; this covers the elementwise work around
them, which NumPy would otherwise run on one core. The thread count follows the same
variables that limit BLAS (``GRADWISE_NUM_THREADS`` first, then ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``), else the CPUs this process may use.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# Fewer elements than this per chunk, and handing the chunk to a thread costs more than it saves.
MIN_ELEMENTS = 1 << 17
# Elements per call of map_batch's function: 1 MiB of float32, within a core's L2 cache.
MAP_ELEMENTS = 1 << 18
_ENVIRONMENT = ("GRADWISE_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_pool = None
_pool_owner = None


def usable_cores():
    """The cores this process may run on: its CPU affinity where the system tells it (Linux), else all."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def thread_count():
    """Threads to use for elementwise work: the first positive integer in the environment."""
    for name in _ENVIRONMENT:
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return usable_cores()


def _executor():
    """The shared worker threads: one fewer than thread_count(), as the caller works too."""
    global _pool, _pool_owner
    owner = (os.getpid(), thread_count())  # a forked child needs its own threads
    if _pool is None or _pool_owner != owner:
        _pool = ThreadPoolExecutor(max_workers=max(owner[1] - 1, 1), thread_name_prefix="gradwise")
        _pool_owner = owner
    return _pool


def stop_pool():
    """Stop the shared worker threads (they start again on the next threaded call).

    Called before this process forks (``gradwise.tuning.workers``): a child holds only
    the forking thread, so no other thread may be alive then.
    """
    global _pool, _pool_owner
    if _pool is not None and _pool_owner[0] == os.getpid():
        _pool.shutdown(wait=True)
    _pool, _pool_owner = None, None


def _bounds(batch, elements):
    """Chunk boundaries over range(batch): one chunk per thread, each of at least MIN_ELEMENTS."""
    threads = min(thread_count(), batch, elements // max(MIN_ELEMENTS, 1))
    return [0, batch] if threads < 2 else [batch * index // threads for index in range(threads + 1)]


def _run(function, bounds):
    pool = _executor()
    futures = [pool.submit(function, start, stop) for start, stop in zip(bounds[1:-1], bounds[2:])]
    try:
        function(bounds[0], bounds[1])
    finally:
        for future in futures:
            future.result()


def over_batch(function, batch, elements):
    """Call ``function(start, stop)`` on consecutive batch chunks that together cover ``range(batch)``.

    One chunk runs in the calling thread, the others in worker threads; all have finished
    when this returns. `elements` (the size of the job) caps the chunk count so that each
    chunk has at least MIN_ELEMENTS; a small job runs as one call.
    """
    bounds = _bounds(batch, elements)
    if len(bounds) == 2:
        function(0, batch)
    else:
        _run(function, bounds)


def map_batch(function, *arrays):
    """``function(*arrays)`` for a function that treats each sample on its own (an elementwise
    activation, say), computed over batch chunks in threads. The result is shaped and typed
    like ``arrays[0]``.

    Each thread calls `function` on pieces of about MAP_ELEMENTS elements, so the
    temporaries it makes are still in cache when they are copied into the result.
    """
    first = arrays[0]
    bounds = _bounds(first.shape[0], first.size)
    if len(bounds) == 2:
        return function(*arrays)
    result = np.empty_like(first)
    step = max(1, MAP_ELEMENTS * first.shape[0] // max(first.size, 1))

    def fill(start, stop):
        for low in range(start, stop, step):
            high = min(low + step, stop)
            result[low:high] = function(*(array[low:high] for array in arrays))

    _run(fill, bounds)
    return result

"""OpenBLAS's idle threads sleep at once instead of spinning after each product.

After a multi-threaded product OpenBLAS keeps its worker threads busy-waiting for the next
one, by default for 2^28 CPU cycles (about a tenth of a second). A training step of a larger
model alternates products with gradwise's own kernels (bias + activation, pooling, the
optimizer step), which run on the main thread; a worker spinning beside them takes the
second core's time, and on two vCPUs sharing a core it slows those kernels down. Measured on
this project's idle 2-core machine, two BLAS threads: the MNIST MLP's epoch took 3.27 s with
the default wait and 1.57 s with the shortest (2^4 cycles); the convnet's 12.14 s and 11.24 s.

OpenBLAS reads the wait (``OPENBLAS_THREAD_TIMEOUT``, a power of two between 4 and 30) from
the environment when it starts its threads. NumPy has usually started them before gradwise
is imported, so the first fit of a model that keeps several BLAS threads asks OpenBLAS to
read its environment again with the shortest wait and restarts its (idle) threads, once per
process. A user who sets ``OPENBLAS_THREAD_TIMEOUT`` keeps their value: gradwise then does
nothing. Other BLAS libraries (MKL, BLIS) are left as they are.
"""

import os
import threading

from . import blas

SHORTEST_WAIT = "4"  # OpenBLAS's lower bound: workers sleep after 2^4 cycles without work

_lock = threading.Lock()
_done_in_process = None


def chosen_by_user():
    """Whether the environment sets OpenBLAS's wait (then gradwise leaves it alone)."""
    return bool(os.environ.get("OPENBLAS_THREAD_TIMEOUT", "").strip())


def sleep_when_idle():
    """Make every loaded OpenBLAS put its idle threads to sleep at once; once per process
    (a forked child inherits the setting). Returns the number of OpenBLAS libraries changed."""
    global _done_in_process
    with _lock:
        if _done_in_process == os.getpid():
            return 0
        _done_in_process = os.getpid()
        if chosen_by_user():
            return 0
        pools = blas._threadpools()
        if pools is None:
            return 0
        return sum(_shorten_wait(library.dynlib) for library in pools.lib_controllers
                   if library.internal_api == "openblas")


def _shorten_wait(dynlib):
    """Re-read the environment with the shortest wait set, then stop the threads: OpenBLAS
    starts them again, with the new wait, at its next multi-threaded product."""
    try:
        read_environment = dynlib.openblas_read_env
        stop_threads = dynlib.blas_thread_shutdown_
    except AttributeError:  # a build that does not export them: keep its default
        return 0
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = SHORTEST_WAIT
    try:
        read_environment()
    finally:
        # The environment is the user's: child processes must not inherit gradwise's choice.
        del os.environ["OPENBLAS_THREAD_TIMEOUT"]
    stop_threads()
    return 1

"""One BLAS thread for loops of small matrix products (a recurrent layer's steps).

A product of a (batch, units) state by a (units, 4 * units) kernel takes tens of
microseconds: splitting it over BLAS threads costs more in waking and joining them
than it saves, and where the cores are shared (CI runs two test processes on two
cores) spinning BLAS threads slow such loops down several times. Loops of small
products therefore run with BLAS limited to one thread; big products keep them all.
"""

import contextlib
import sys

# Per-step products with fewer multiply-adds than this run on one BLAS thread.
SMALL_PRODUCT = 1 << 22

_controller = None
_modules_seen = -1


def _threadpools():
    """threadpoolctl's controller of the loaded thread pools, or None where threadpoolctl is
    not installed (an engine-only install: BLAS then keeps its own threads, which costs speed
    on small models, never correctness). Finding the pools scans the loaded libraries
    (milliseconds), so the controller is kept, and made again only once modules were imported
    since (one may have loaded another BLAS, such as SciPy's)."""
    global _controller, _modules_seen
    if _controller is None or len(sys.modules) != _modules_seen:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return None
        _controller = ThreadpoolController()
        _modules_seen = len(sys.modules)
    return _controller


def one_thread_if_small(multiply_adds):
    """A context running BLAS on one thread when a product has fewer than SMALL_PRODUCT multiply-adds."""
    pools = None if multiply_adds >= SMALL_PRODUCT else _threadpools()
    if pools is None:
        return contextlib.nullcontext()
    return pools.limit(limits=1, user_api="blas")

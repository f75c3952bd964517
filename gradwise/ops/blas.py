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
    """threadpoolctl's controller of the loaded thread pools. Finding them scans the loaded
    libraries (milliseconds), so it is kept, and made again only once modules were imported
    since (one may have loaded another BLAS, such as SciPy's)."""
    global _controller, _modules_seen
    if _controller is None or len(sys.modules) != _modules_seen:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
        _modules_seen = len(sys.modules)
    return _controller


def one_thread_if_small(multiply_adds):
    """A context running BLAS on one thread when a product has fewer than SMALL_PRODUCT multiply-adds."""
    if multiply_adds >= SMALL_PRODUCT:
        return contextlib.nullcontext()
    return _threadpools().limit(limits=1, user_api="blas")

"""BLAS threads chosen by the model's size: one for small models, all cores for large ones.

Splitting a small matrix product over BLAS threads costs more in waking and joining the
threads than it saves; on shared cores it costs far more, as idle OpenBLAS threads spin
while they wait (measured on this project's 2-core machine under load: a small MLP's fit
took 176 s with the default threads, 4.5 s with one). ``fit`` therefore estimates a
training step's multiply-adds from the layer shapes and, below ``SMALL_STEP``, runs BLAS
on one thread for the duration of the fit; larger models keep every thread. ``evaluate``
and ``predict`` do the same with a forward pass's multiply-adds.

Where several threads stay, OpenBLAS's idle threads are made to sleep at once instead of
spinning beside gradwise's own kernels (``blas_idle``). A large step also has glibc keep the
pages of the arrays it frees for the next step (``heap_pages``).

Override: setting ``GRADWISE_NUM_THREADS`` (or ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``) means the threads were chosen, and fit
leaves BLAS alone; ``SMALL_STEP`` (this module's attribute) moves the threshold, 0 turns
the choice off.
"""

import contextlib
import math
import os
import threading

import numpy as np

from . import blas, blas_idle, heap_pages, threads

# Multiply-adds per training step (forward and backward, whole batch) below which BLAS runs
# on one thread: 2^25, about a 256-wide two-layer MLP at batch 128 (W1 and W2 are 1e4-1e6,
# the MNIST MLP 2.6e8, the MNIST convnet 9.4e8, the wide MLP 9.7e9). Where it comes from: on
# the idle 2-core machine a single core runs these products at about 90 GFLOP/s, and waking
# and joining a second OpenBLAS thread costs some tens of microseconds per product (six to
# nine a step), so halving the products' time pays from about a millisecond of them a step,
# ~3e7 multiply-adds. `python -m bench.thread_threshold` measures it; on the loaded machine
# (load average 10) two threads lost at every size up to 3.2e9 (0.04-0.43x), so the idle
# measurement is what sets this (BENCHMARKS.md, "Threads by model size").
SMALL_STEP = 1 << 25

_lock = threading.Lock()
_limiter = None  # threadpoolctl's limiter while any small model's fit runs
_depth = 0


def chosen_by_user():
    """Whether the environment sets the thread count (then gradwise does not change it)."""
    return any(os.environ.get(name, "").strip() for name in threads._ENVIRONMENT)


def step_multiply_adds(layers, batch_size, passes=3):
    """Multiply-adds of one training step: each kernel (a parameter of 2 or more dimensions)
    is applied at every output position of its layer, `passes` times (three in training:
    forward, input and kernel gradients; one for inference), for each sample of the batch."""
    per_sample = 0
    for layer in layers:
        per_sample += sum(np.size(value) * _positions(layer) for value in layer.params.values() if np.ndim(value) >= 2)
    return passes * per_sample * batch_size


def _positions(layer):
    """Output positions (per sample) one matrix product of `layer` covers: all of its output's
    for a Dense or a convolution, one for a recurrent layer, which multiplies one time step at a
    time. The product's size is what a second thread must pay for: W7's LSTM(64) over 50 steps
    (return_sequences: 2e8 multiply-adds a step counted by its output) took 0.479 s an epoch
    with two BLAS threads against 0.441 s with one (loaded machine, load 2.0)."""
    shape = getattr(layer, "output_shape", None)
    if getattr(layer, "products_per_time_step", False) or not isinstance(shape, tuple) or not shape or \
            not all(isinstance(size, (int, np.integer)) for size in shape):
        return 1
    return math.prod(shape[:-1])


def for_layers(layers, batch_size, passes=3):
    """``for_model`` of the multiply-adds of a step of `layers` (see ``step_multiply_adds``)."""
    return for_model(step_multiply_adds(layers, batch_size, passes))


@contextlib.contextmanager
def for_model(multiply_adds):
    """BLAS on one thread inside the block when a step has fewer than SMALL_STEP
    multiply-adds (unless the user chose the threads). Blocks may overlap across threads:
    the limit holds until the last one ends, then the original threads come back."""
    global _limiter, _depth
    if multiply_adds >= SMALL_STEP:
        heap_pages.keep_freed_pages()
    if multiply_adds >= SMALL_STEP or chosen_by_user():
        # Several BLAS threads: their spinning between products must not slow the kernels.
        blas_idle.sleep_when_idle()
        yield
        return
    with _lock:
        if _depth == 0:
            pools = blas._threadpools()
            _limiter = None if pools is None else pools.limit(limits=1, user_api="blas")
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None

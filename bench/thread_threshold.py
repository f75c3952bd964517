"""Where a second BLAS thread starts to pay: the threshold of gradwise.ops.model_threads.

    python -m bench.thread_threshold [--repeats 5] [--batches 20]

Trains two-hidden-layer MLPs of growing width (batch 128, Adam) for `--batches` steps with
BLAS on one thread and on every thread, interleaved, and prints each size's multiply-adds
per step (as ``model_threads.step_multiply_adds`` counts them) and the best time of each.
The threshold (``SMALL_STEP``) is the smallest step where every thread is at least 10%
faster than one. Run it on an idle machine: on busy cores extra threads only lose.
"""

import argparse
import os
import sys
import time

import numpy as np
import threadpoolctl

WIDTHS = (32, 64, 128, 256, 384, 512, 768, 1024, 1536, 2048)


def _model(width, seed=0):
    import gradwise

    model = gradwise.Sequential([gradwise.layers.Input((width,)), gradwise.layers.Dense(width, activation="relu"),
                                 gradwise.layers.Dense(width, activation="relu"),
                                 gradwise.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def measure(repeats, batches):
    from gradwise.ops import model_threads

    model_threads.SMALL_STEP = 0  # this script sets the threads itself
    cores = len(os.sched_getaffinity(0))
    rng = np.random.default_rng(0)
    print(f"| width | multiply-adds per step | 1 thread (ms/step) | {cores} threads (ms/step) | ratio |")
    print("| --- | --- | --- | --- | --- |")
    threshold = None
    for width in WIDTHS:
        x = rng.standard_normal((128 * batches, width), dtype=np.float32)
        y = rng.integers(0, 10, size=len(x))
        model = _model(width)
        model.fit(x[:256], y[:256], batch_size=128, verbose=0)  # compile kernels, allocate buffers
        best = {1: float("inf"), cores: float("inf")}
        for _ in range(repeats):
            for count in best:
                with threadpoolctl.threadpool_limits(limits=count, user_api="blas"):
                    start = time.perf_counter()
                    model.fit(x, y, batch_size=128, epochs=1, verbose=0, shuffle=False)
                    best[count] = min(best[count], (time.perf_counter() - start) / batches)
        work = model_threads.step_multiply_adds(model._all_layers(), 128)
        ratio = best[1] / best[cores]
        if threshold is None and ratio >= 1.1:
            threshold = work
        print(f"| {width} | {work:.3g} | {best[1] * 1e3:.2f} | {best[cores] * 1e3:.2f} | {ratio:.2f} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}; first step size where {cores} threads are "
          f"10% faster: {'none' if threshold is None else f'{threshold:.3g}'} (SMALL_STEP is "
          f"{model_threads.SMALL_STEP if model_threads.SMALL_STEP else 'set by this module'})")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.thread_threshold")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batches", type=int, default=20)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    for name in ("GRADWISE_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(name):
            parser.error(f"unset {name}: this script compares thread counts itself")
    measure(args.repeats, args.batches)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Child process: the machine's float32 matrix-multiply peak, with the harness's threads.

    python -m bench.peak '{"sizes": [2048, 4096], "repeats": 5, "torch": true, "threads": 2}'

Times ``np.matmul`` of square float32 matrices (2 n^3 FLOPs each) and reports the median
GFLOP/s per size; the peak is the best size's median. Also times the matrix products of
the W3 and W5 training steps at their batch shapes, and ``torch.mm`` when asked, for
context. Prints one ``BENCH_RESULT`` JSON line, like ``bench.worker``.
"""

import json
import statistics
import sys
import time

import numpy as np

from .worker import MARKER

# (rows, inner, cols) of the forward products of W3 (batch 128) and W5 (batch 512).
STEP_SHAPES = {"w3 128x784x512": (128, 784, 512), "w3 128x512x512": (128, 512, 512),
               "w5 512x1024x2048": (512, 1024, 2048), "w5 512x2048x2048": (512, 2048, 2048)}


def _gflops(matmul, a, b, repeats):
    matmul(a, b)  # warm-up: thread pool start, page faults
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a, b)
        rates.append(2 * a.shape[0] * a.shape[1] * b.shape[1] / (time.perf_counter() - start) / 1e9)
    return {"median": statistics.median(rates), "min": min(rates), "max": max(rates)}


def measure(sizes, repeats, with_torch, threads):
    rng = np.random.default_rng(0)
    result = {"numpy": {}, "step_shapes": {}}
    for n in sizes:
        a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
        result["numpy"][str(n)] = _gflops(np.matmul, a, b, repeats)
    for name, (rows, inner, cols) in STEP_SHAPES.items():
        a = rng.standard_normal((rows, inner), dtype=np.float32)
        b = rng.standard_normal((inner, cols), dtype=np.float32)
        result["step_shapes"][name] = _gflops(np.matmul, a, b, repeats)
    result["peak_gflops"] = max(entry["median"] for entry in result["numpy"].values())
    if with_torch:
        try:
            import torch
        except ImportError:
            return result
        from .tools import set_torch_threads

        set_torch_threads(threads)
        result["torch"] = {}
        for n in sizes:
            a, b = torch.randn(n, n), torch.randn(n, n)
            result["torch"][str(n)] = _gflops(torch.mm, a, b, repeats)
    return result


def main(argv=None):
    config = json.loads((sys.argv[1:] if argv is None else argv)[0])
    result = measure(config["sizes"], config["repeats"], config.get("torch", False), config["threads"])
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

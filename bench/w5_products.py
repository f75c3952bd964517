"""A dense workload's epoch against the same epoch's matrix products alone (W5's goal, W3's bound).

W5's goal: a training step takes at most 1/0.95 of the time its matrix products take alone.

The square-matrix peak cannot be the yardstick for W5 (OpenBLAS itself runs the step's
shapes at 68-86% of it), so the yardstick is the step's own products: for the wide MLP
(1024 -> 2048 -> 2048 -> 10, batch 512, SGD) every product a training step needs --
forward ``x @ W`` for each layer, the kernel gradients ``x.T @ dy`` and the input
gradients ``dy @ W.T`` of every layer but the first -- run back to back on preallocated
float32 arrays with ``np.matmul(..., out=...)``, 16 times (one epoch of 8,192 samples).

Each repeat times, in turn, one gradwise epoch (``fit`` of the harness's W5 model, epoch
time from a callback, the first epoch of the fit dropped as warm-up) and one epoch of the
products alone, at the same BLAS thread count. Reported: the medians and their ratio
``products alone / gradwise epoch`` (goal >= 0.95).

    python -m bench.w5_products --threads 1 --repeats 5
    python -m bench.w5_products --threads 2 --repeats 5
    python -m bench.w5_products --workload w3 --threads 1 --repeats 5

``--cases w3:1,w5:1,w5:2`` runs several (workload, threads) cases one after the other in one
process, each as above (the lead's one command on the idle machine).

``--workload w3`` measures the same for the MNIST MLP (784 -> 512 -> 512 -> 10, batch 128,
Adam, dropout): its products alone bound what any gradwise epoch can reach with NumPy's
BLAS, so they say whether "2x PyTorch" is reachable at all on the machine measured. The
peer epochs to compare with come from the harness run on the same idle machine.
"""

import argparse
import os
import statistics
import time

import numpy as np


def product_epoch(shapes, batch, steps, rng):
    """Seconds for `steps` training steps' products of a dense stack with `shapes` (widths)."""
    dtype = np.float32
    widths = list(shapes)
    kernels = [rng.standard_normal((fan_in, fan_out), dtype=dtype) * dtype(0.01)
               for fan_in, fan_out in zip(widths[:-1], widths[1:])]
    activations = [rng.standard_normal((batch, width), dtype=dtype) for width in widths]
    gradients = [np.empty((batch, width), dtype=dtype) for width in widths]
    for gradient in gradients:
        gradient[...] = rng.standard_normal(gradient.shape, dtype=dtype)
    kernel_grads = [np.empty_like(kernel) for kernel in kernels]
    start = time.perf_counter()
    for _ in range(steps):
        for index, kernel in enumerate(kernels):
            np.matmul(activations[index], kernel, out=activations[index + 1])
        for index in reversed(range(len(kernels))):
            np.matmul(activations[index].T, gradients[index + 1], out=kernel_grads[index])
            if index > 0:
                np.matmul(gradients[index + 1], kernels[index].T, out=gradients[index])
    return time.perf_counter() - start


def gradwise_epoch(workload, data):
    from .tools import gradwise_tool

    result = gradwise_tool.train(workload, data, epochs=1, seed=0, threads=None)
    return result["epoch_seconds"][0]


def measure(key, threads, repeats):
    """Print one case: `key`'s gradwise epoch against its products alone at `threads` BLAS threads."""
    import threadpoolctl

    from . import workloads

    workload = workloads.WORKLOADS[key]
    data = workloads.load(workload)
    batch = workload.batch_size
    steps = -(-len(data["x_train"]) // batch)
    widths = [workload.input_shape[0]] + [spec[1] for spec in workload.layers if spec[0] == "dense"]
    rng = np.random.default_rng(0)
    gradwise_seconds, product_seconds = [], []
    with threadpoolctl.threadpool_limits(limits=threads, user_api="blas"):
        os.environ["GRADWISE_NUM_THREADS"] = str(threads)  # fit leaves BLAS as set here
        product_epoch(widths, batch, 2, rng)  # warm-up: BLAS buffers, page faults
        for _ in range(repeats):
            gradwise_seconds.append(gradwise_epoch(workload, data))
            product_seconds.append(product_epoch(widths, batch, steps, rng))
    load = os.getloadavg()
    gradwise_median, product_median = statistics.median(gradwise_seconds), statistics.median(product_seconds)
    print(f"{key.upper()} {widths}, batch {batch}, {steps} steps an epoch, {threads} BLAS thread(s), "
          f"{repeats} repeats interleaved; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"gradwise epoch: median {gradwise_median:.3f} s ({min(gradwise_seconds):.3f}-{max(gradwise_seconds):.3f})")
    print(f"products alone: median {product_median:.3f} s ({min(product_seconds):.3f}-{max(product_seconds):.3f})")
    goal = " (goal >= 95%)" if key == "w5" else ""
    print(f"products alone / gradwise epoch: {product_median / gradwise_median:.1%}{goal}", flush=True)


def _cases(text):
    cases = []
    for item in text.split(","):
        key, _, threads = item.strip().partition(":")
        if key not in ("w3", "w5") or not threads.isdigit() or int(threads) < 1:
            raise argparse.ArgumentTypeError(f"expected cases such as w3:1,w5:2, got {item.strip()!r}")
        cases.append((key, int(threads)))
    return cases


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=("w3", "w5"), default="w5")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cases", type=_cases, default=None,
                        help="workload:threads pairs run one after the other, e.g. w3:1,w5:1,w5:2 "
                             "(instead of --workload and --threads)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    for key, threads in args.cases or [(args.workload, args.threads)]:
        measure(key, threads, args.repeats)

if __name__ == "__main__":
    main()

"""Where a training step's time goes, layer by layer, in gradwise and in PyTorch.

    python -m bench.layer_times w4 --threads 2 [--steps 30] [--tools gradwise,torch]

For each tool, the workload's model (built as the harness builds it) runs `--steps`
training steps on one random batch of the workload's batch size, after a few untimed
ones; each layer's forward and backward (torch: each module's, timed by forward hooks
and autograd hooks around it) and the optimizer step are timed, and the median per step
is printed in milliseconds, next to the whole step. The two tools run one after the
other in one process on the same thread count: read it as proportions (the harness,
with its interleaved repeats, gives the figures). PyTorch's backward hooks only time a
module whose inputs need a gradient, so here its first module also computes the input
gradient that gradwise (and the harness's PyTorch loop) skips: that module's backward,
and torch's whole step, are overstated by it.
"""

import argparse
import os
import sys
import time

import numpy as np

from . import workloads
from .tools import thread_env


def _median_ms(samples):
    return float(np.median(samples)) * 1e3 if samples else 0.0


def gradwise_times(workload, steps, seed=0):
    """{name: (forward ms, backward ms)} per layer, plus 'optimizer' and 'step', for gradwise."""
    from .tools import gradwise_tool

    model = gradwise_tool.build_model(workload, seed)
    rng = np.random.default_rng(seed)
    x = rng.random((workload.batch_size,) + tuple(workload.input_shape), dtype=np.float32)
    y = rng.integers(0, 10, workload.batch_size)
    model.fit(x, y, batch_size=workload.batch_size, epochs=1, verbose=0)  # builds, compiles the kernels
    layers = list(model.layers)
    forward = {layer.name: [] for layer in layers}
    backward = {layer.name: [] for layer in layers}
    optimizer, whole = [], []
    parameter_set = model.parameter_set  # the flat values and gradients that fit updates
    for step in range(steps + 3):
        start = time.perf_counter()
        outputs, caches = x, []
        for layer in layers:
            begin = time.perf_counter()
            outputs, cache = layer.forward(outputs, training=True)
            forward[layer.name].append(time.perf_counter() - begin)
            caches.append(cache)
        grad = np.full_like(outputs, 1.0 / outputs.size)
        for index in reversed(range(len(layers))):
            begin = time.perf_counter()
            grad = layers[index].backward(grad, caches[index], input_grad=index > 0)
            backward[layers[index].name].append(time.perf_counter() - begin)
        begin = time.perf_counter()
        model.optimizer.step(parameter_set)
        optimizer.append(time.perf_counter() - begin)
        whole.append(time.perf_counter() - start)
        if step < 3:  # warm-up steps
            for samples in (*forward.values(), *backward.values(), optimizer, whole):
                samples.clear()
    times = {name: (_median_ms(forward[name]), _median_ms(backward[name])) for name in forward}
    times["optimizer"] = (0.0, _median_ms(optimizer))
    times["step"] = (_median_ms(whole), 0.0)
    return times


def torch_times(workload, steps, seed=0):
    """The same for PyTorch's modules (NCHW), with its Adam (or SGD) as the harness runs it."""
    import torch

    from .tools import set_torch_threads, torch_tool

    set_torch_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    torch.manual_seed(seed)
    model = torch_tool.build(workload)
    optimizer = torch_tool._optimizer(workload, model)
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.random((workload.batch_size,) + tuple(workload.input_shape), dtype=np.float32))
    if x.ndim == 4:
        x = x.permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(rng.integers(0, 10, workload.batch_size))
    names = [f"{index}:{type(module).__name__}" for index, module in enumerate(model)]
    forward = {name: [] for name in names}
    backward = {name: [] for name in names}
    marks = {}

    def timed(name, module):
        module.register_forward_pre_hook(lambda *_: marks.__setitem__(("f", name), time.perf_counter()))
        module.register_forward_hook(lambda *_: forward[name].append(time.perf_counter() - marks[("f", name)]))
        module.register_full_backward_pre_hook(lambda *_: marks.__setitem__(("b", name), time.perf_counter()))
        module.register_full_backward_hook(lambda *_: backward[name].append(time.perf_counter() - marks[("b", name)]))

    for name, module in zip(names, model):
        timed(name, module)
    loss_function = torch.nn.CrossEntropyLoss()
    step_times, whole = [], []
    model.train()
    for step in range(steps + 3):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(x.requires_grad_(True)), y)  # see the module docstring
        loss.backward()
        begin = time.perf_counter()
        optimizer.step()
        step_times.append(time.perf_counter() - begin)
        whole.append(time.perf_counter() - start)
        if step < 3:
            for samples in (*forward.values(), *backward.values(), step_times, whole):
                samples.clear()
    times = {name: (_median_ms(forward[name]), _median_ms(backward[name])) for name in names}
    times["optimizer"] = (0.0, _median_ms(step_times))
    times["step"] = (_median_ms(whole), 0.0)
    return times


def _print(tool, times):
    print(f"{tool}: median ms per step (forward, backward)")
    for name, (forward, backward) in times.items():
        print(f"  {name:24s} {forward:8.3f} {backward:8.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.layer_times")
    parser.add_argument("workload", choices=["w3", "w4", "w5"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--tools", default="gradwise,torch")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):  # must be set before NumPy loads
        os.environ.update(thread_env(args.threads))
        os.execv(sys.executable, [sys.executable, "-m", "bench.layer_times"] + (sys.argv[1:] if argv is None else argv))
    workload = workloads.WORKLOADS[args.workload]
    print(f"{workload.title}, batch {workload.batch_size}, {args.threads} thread(s), "
          f"load average {os.getloadavg()[0]:.2f}")
    for tool in args.tools.split(","):
        _print(tool, (gradwise_times if tool == "gradwise" else torch_times)(workload, args.steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())

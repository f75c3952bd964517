"""bench.layer_times: every layer of both tools gets a forward and a backward time, and the
optimizer and the whole step theirs (on W4's architecture at batch 8, one thread)."""

import dataclasses

import pytest
from threadpoolctl import threadpool_limits

from bench import layer_times, workloads


@pytest.mark.parametrize("measure", [layer_times.gradwise_times, layer_times.torch_times])
def test_each_layer_is_timed_forward_and_backward(measure):
    small = dataclasses.replace(workloads.WORKLOADS["w4"], batch_size=8)
    with threadpool_limits(1):
        times = measure(small, steps=2)
    layers = {name: pair for name, pair in times.items() if name not in ("optimizer", "step")}
    assert len(layers) >= len(small.layers)  # torch adds its ReLU modules
    trained = [pair for name, pair in layers.items() if "conv" in name.lower() or "dense" in name or "Linear" in name]
    assert len(trained) == 3 and all(forward > 0 and backward > 0 for forward, backward in trained)
    assert times["optimizer"][1] > 0
    step = times["step"][0]
    assert step >= sum(forward + backward for forward, backward in layers.values()) * 0.5

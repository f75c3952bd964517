"""Where the compiled whole step of a Dense chain (gradwise/models/chain_step.py) stops paying:
a 3-layer ReLU MLP (16 inputs, two hidden layers of `units`, a sigmoid output) trained with
Adam, its step timed with the compiled chain and with the layers' own step (the chain's
limit set to 0), at batch 32 and 128. Sets ``chain_step.LARGEST_PRODUCT``.

    OMP_NUM_THREADS=1 python -m bench.chain_crossover
"""

import time

import numpy as np

import gradwise as gw
from gradwise.layers import Dense, Input
from gradwise.models import chain_step

UNITS = (32, 64, 128, 192, 256, 384)


def step_time(units, batch, compiled, repeats=5, epochs=3, batches=20):
    """Best of `repeats` fits' time per step (microseconds)."""
    limit = chain_step.LARGEST_PRODUCT
    chain_step.LARGEST_PRODUCT = 2**62 if compiled else 0
    try:
        rng = np.random.default_rng(0)
        x = rng.normal(size=(batch * batches, 16)).astype(np.float32)
        y = (x[:, 0] > 0).astype(np.float32)
        model = gw.Sequential([Input((16,)), Dense(units, activation="relu"), Dense(units, activation="relu"),
                               Dense(1, activation="sigmoid")], seed=0)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # compile and warm
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0)
            times.append(time.perf_counter() - start)
        return min(times) / (epochs * batches) * 1e6
    finally:
        chain_step.LARGEST_PRODUCT = limit


def main():
    for batch in (32, 128):
        for units in UNITS:
            compiled, layered = step_time(units, batch, True), step_time(units, batch, False)
            print(f"batch {batch:4d} units {units:4d} (product {batch * units * units:>9,d}): compiled {compiled:6.0f} us, "
                  f"layers {layered:6.0f} us, layers/compiled {layered / compiled:.2f}")


if __name__ == "__main__":
    main()

"""W7: an LSTM(64) over sequences of 50 steps, batch 64, gradwise against PyTorch's nn.LSTM.

Both tools train the same network on the same float32 data at the same thread count:
LSTM(64) over (50, 16) sequences, its last state into Dense(1, sigmoid), binary
cross-entropy, Adam 1e-3, batch 64, 4,096 samples an epoch (64 steps), shuffled each
epoch. Each round trains a fresh model in each tool (one untimed warm-up epoch, then the
timed ones), the tools alternating; the figure is each tool's median epoch time over the
rounds and their ratio. The load average at the start is printed: a loaded machine's
figures are not comparable. The processes' CPU times per epoch are reported beside the
wall times (`median_epoch_cpu_s`, `gradwise_over_torch_cpu`): on a machine shared with
other work they move far less than wall times, but the idle wall-time ratio is the figure.

    python -m bench.w7_lstm [--rounds 3] [--epochs 2] [--threads 1] [--json out.json]

Needs torch and gradwise in the running interpreter (the main .venv has them).
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

STEPS, FEATURES, UNITS, BATCH, SAMPLES = 50, 16, 64, 64, 4096


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(SAMPLES, STEPS, FEATURES)).astype(np.float32)
    y = (x[:, :10, 0].sum(axis=1) > 0).astype(np.float32)  # learnable: the sign of the early first feature
    return x, y


def gradwise_epochs(x, y, epochs, seed):
    import gradwise as gw

    model = gw.Sequential([gw.Input((STEPS, FEATURES)), gw.LSTM(UNITS), gw.Dense(1, activation="sigmoid")],
                          seed=seed, dtype="float32")
    model.compile(optimizer=gw.optimizers.Adam(1e-3), loss="binary_crossentropy")
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    times, cpu_times = [], []
    for _ in range(epochs):
        start, cpu_start = time.perf_counter(), time.process_time()
        history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return times, cpu_times, history.history["loss"][-1]


def torch_epochs(x, y, epochs, seed):
    import torch

    torch.manual_seed(seed)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(FEATURES, UNITS, batch_first=True)
            self.head = torch.nn.Linear(UNITS, 1)

        def forward(self, inputs):
            _, (hidden, _) = self.lstm(inputs)
            return self.head(hidden[0]).squeeze(1)

    net = Net()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_function = torch.nn.BCEWithLogitsLoss()
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    generator = np.random.default_rng(seed)

    def epoch():
        order = torch.from_numpy(generator.permutation(SAMPLES))
        for start in range(0, SAMPLES, BATCH):
            index = order[start:start + BATCH]
            optimizer.zero_grad()
            loss = loss_function(net(inputs[index]), targets[index])
            loss.backward()
            optimizer.step()
        return float(loss.detach())

    epoch()  # warm-up
    times, cpu_times = [], []
    for _ in range(epochs):
        start, cpu_start = time.perf_counter(), time.process_time()
        last = epoch()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return times, cpu_times, last


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "GRADWISE_NUM_THREADS"):
        os.environ[name] = str(args.threads)  # gradwise's elementwise threads read these
    import torch
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)  # NumPy's BLAS started its threads on import, before the variables were set

    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    x, y = make_data()
    results = {"gradwise": [], "torch": []}
    cpu_results = {"gradwise": [], "torch": []}
    for round_ in range(args.rounds):
        for tool, run in (("gradwise", gradwise_epochs), ("torch", torch_epochs)):
            times, cpu_times, loss = run(x, y, args.epochs, seed=round_)
            results[tool].extend(times)
            cpu_results[tool].extend(cpu_times)
            print(f"round {round_ + 1} {tool}: epochs {', '.join(f'{t:.2f}' for t in times)} s, loss {loss:.3f}",
                  flush=True)
    medians = {tool: statistics.median(times) for tool, times in results.items()}
    cpu_medians = {tool: statistics.median(times) for tool, times in cpu_results.items()}
    summary = {"threads": args.threads, "load_average_at_start": load, "load_average_at_end": os.getloadavg()[0],
               "median_epoch_s": medians, "gradwise_over_torch": medians["gradwise"] / medians["torch"],
               "median_epoch_cpu_s": cpu_medians,
               "gradwise_over_torch_cpu": cpu_medians["gradwise"] / cpu_medians["torch"],
               "epoch_times_s": results, "epoch_cpu_times_s": cpu_results}
    print(json.dumps(summary, indent=1))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(summary, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

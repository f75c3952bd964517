"""Peak memory of training on a memory-mapped training set larger than the memory it may use.

Writes a float32 training set of `--gigabytes` GB (`--features` columns, labels from the
first one) as an .npy file in a temporary folder, then, in a fresh process, opens it with
``np.load(path, mmap_mode="r")`` and trains a small network on it for one shuffled epoch,
evaluates and predicts on a slice. That process reports its peak resident memory
(``VmHWM``: file pages it has mapped count too) and its peak anonymous memory; the
folder is deleted afterwards. Issue 16's goal: a 4 GB set trains within 1 GB.

    python -m bench.mmap_memory                 # 4 GB, about 4.2 million rows of 256 floats
    python -m bench.mmap_memory --gigabytes 0.05 --json out.json
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHUNK_ROWS = 1 << 16


def write_training_set(folder, gigabytes, features, seed=0):
    """x.npy (float32, written chunk by chunk, never whole in memory) and y.npy; returns the row count."""
    rows = int(gigabytes * 1e9) // (4 * features)
    rng = np.random.default_rng(seed)
    labels = np.empty(rows, dtype=np.float32)
    with open(folder / "x.npy", "wb") as handle:
        np.lib.format.write_array_header_1_0(
            handle, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)), "fortran_order": False,
                     "shape": (rows, features)})
        for start in range(0, rows, CHUNK_ROWS):
            chunk = rng.standard_normal((min(CHUNK_ROWS, rows - start), features), dtype=np.float32)
            labels[start:start + len(chunk)] = chunk[:, 0] + 0.5 * chunk[:, 1] > 0
            handle.write(chunk.tobytes())
    np.save(folder / "y.npy", labels)
    return rows


def _memory_figures():
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    kilobytes = {key: int(status[key].split()[0]) for key in ("VmHWM", "VmRSS", "RssAnon", "RssFile") if key in status}
    return {key: value / 1024 for key, value in kilobytes.items()}  # MiB


def train(folder, batch_size, epochs):
    """In the measured process: train on the map, then evaluate and predict on a slice."""
    import gradwise as gw
    from gradwise.layers import Dense

    x = np.load(folder / "x.npy", mmap_mode="r")
    y = np.load(folder / "y.npy")
    model = gw.Sequential([Dense(32, activation="relu", input_shape=x.shape[1:]), Dense(1, activation="sigmoid")],
                          seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    anon_peak = 0.0

    class AnonymousPeak(gw.callbacks.Callback):  # samples the anonymous memory every 500 batches
        def on_train_batch_end(self, batch, logs=None):
            nonlocal anon_peak
            if batch % 500 == 0:
                anon_peak = max(anon_peak, _memory_figures().get("RssAnon", 0.0))

    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0,
                        callbacks=[AnonymousPeak()])
    seconds = time.perf_counter() - start
    tail = slice(max(0, len(x) - 100_000), len(x))
    scores = model.evaluate(x[tail], y[tail], batch_size=4096, return_dict=True, verbose=0)
    predictions = model.predict(x[tail], batch_size=4096, verbose=0)
    figures = _memory_figures()
    return {"rows": int(x.shape[0]), "features": int(x.shape[1]), "file_gb": (folder / "x.npy").stat().st_size / 1e9,
            "epochs": epochs, "batch_size": batch_size, "fit_seconds": seconds,
            "train_accuracy": history.history["accuracy"][-1], "tail_accuracy": scores["accuracy"],
            "predictions": int(predictions.shape[0]), "peak_rss_mib": figures["VmHWM"],
            "peak_anonymous_mib_sampled": max(anon_peak, figures.get("RssAnon", 0.0)),
            "rss_at_end_mib": figures["VmRSS"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=4.0)
    parser.add_argument("--features", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit-mib", type=float, default=1024.0, help="the goal for the peak resident memory")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(train(args.child, args.batch_size, args.epochs)))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="gradwise-mmap-"))
    try:
        load = os.getloadavg()
        written = time.perf_counter()
        write_training_set(folder, args.gigabytes, args.features)
        written = time.perf_counter() - written
        completed = subprocess.run(
            [sys.executable, "-m", "bench.mmap_memory", "--child", str(folder), "--batch-size", str(args.batch_size),
             "--epochs", str(args.epochs)], capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            print(completed.stderr, file=sys.stderr)
            return completed.returncode
        result = json.loads(completed.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result.update({"write_seconds": written, "load_average_at_start": load, "cpu_count": os.cpu_count(),
                   "limit_mib": args.limit_mib, "met": result["peak_rss_mib"] < args.limit_mib})
    print(f"{result['file_gb']:.2f} GB memory-mapped ({result['rows']} x {result['features']} float32), "
          f"{result['epochs']} epoch(s) of batch {result['batch_size']} in {result['fit_seconds']:.0f} s: "
          f"peak RSS {result['peak_rss_mib']:.0f} MiB (anonymous {result['peak_anonymous_mib_sampled']:.0f} MiB), "
          f"{'under' if result['met'] else 'OVER'} the {args.limit_mib:.0f} MiB goal; load average at start "
          f"{load[0]:.2f} on {os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())

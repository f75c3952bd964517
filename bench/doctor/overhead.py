"""The cost of Doctor() inside fit: the same training with and without it.

Each set-up trains a fresh model (same seed; garbage collected before, collector paused
during the timed fit) without the doctor, with ``Doctor()``
(default settings, printing muted) and without again (an A/A control that shows the
measurement noise), in turn, `repeats` times. Reported per set-up:

- ``ab``: median CPU time (``time.process_time``) with the doctor over the median
  without, minus 1: everything included, but noisy on a shared machine;
- ``aa``: the same ratio between the two runs without the doctor (the noise floor);
- ``self``: the doctor's own measurement of the time spent in its code, over the
  training time (``report.overhead``, median): steady, but it leaves out fit's step
  hook (a ``StepData`` per batch) and the few operations the doctor does every batch;
- ``one_off_ms``: the part of it paid once per fit (set-up, data summaries, the final
  report), in milliseconds, which weighs most on the shortest fits;
- ``asked``: the share of the batches whose step data the doctor asked fit for (samples,
  dead-unit counts, the first epoch's kept rows): a count, the same on a loaded machine.

The set-ups range from a tiny MLP whose batch step takes ~0.1 ms (where any per-batch
Python work shows most) to an MNIST MLP and a small CNN.

    OPENBLAS_NUM_THREADS=1 python -m bench.doctor.overhead            # every set-up, 7 runs a side
    OPENBLAS_NUM_THREADS=1 python -m bench.doctor.overhead --repeats 11 --setups Pima
"""

import gc
import statistics
import time
from pathlib import Path

import numpy as np

import gradwise as gw
from gradwise.doctor import Doctor

from .cases import HEALTHY
from .data import load

MNIST = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "mnist" / "mnist.npz"


def _case_setup(name):
    from .execute import prepare

    case = next(item for item in HEALTHY if item.name == name)
    x_train, y_train, x_val, y_val, units = prepare(case)
    return (lambda: case.build(x_train.shape[1], units)), (x_train, y_train, x_val, y_val), case.batch_size


def _mnist_mlp():
    data = np.load(MNIST)
    x = data["x_train"][:12000].reshape(-1, 784).astype(np.float32) / 255.0
    y = data["y_train"][:12000].astype(np.int64)

    def build():
        model = gw.Sequential([gw.Input((784,)), gw.Dense(256, activation="relu"), gw.Dense(128, activation="relu"),
                               gw.Dense(10, activation="softmax")], seed=0)
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    return build, (x[:10000], y[:10000], x[10000:], y[10000:]), 64


def _digits_cnn():
    x_train, y_train, x_val, y_val = load("digits")
    x_train, x_val = x_train.reshape(-1, 8, 8, 1), x_val.reshape(-1, 8, 8, 1)

    def build():
        model = gw.Sequential([gw.Input((8, 8, 1)), gw.Conv2D(16, 3, padding="same", activation="relu",
                                                             kernel_initializer="he_uniform"),
                               gw.MaxPooling2D(2), gw.Flatten(), gw.Dense(10, activation="softmax")], seed=0)
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    return build, (x_train, y_train, x_val, y_val), 32


SETUPS = {
    "digits MLP 64-32 (60 epochs)": (lambda: _case_setup("digits_relu_adam"), 60),
    "digits 6x64 ReLU + BN (20 epochs)": (lambda: _case_setup("digits_deep_relu_he_bn"), 20),
    "Pima 12-8, batch 10 (100 epochs)": (lambda: _case_setup("pima_keras_tutorial"), 100),
    "digits CNN 8x8 (30 epochs)": (_digits_cnn, 30),
    "MNIST MLP 256-128, 10k images (3 epochs)": (_mnist_mlp, 3),
}


def _seconds(build, data, batch_size, epochs, kind):
    """(CPU seconds of fit, the doctor's self-measured overhead or None)."""
    x_train, y_train, x_val, y_val = data
    model = build()
    callbacks = [Doctor(print_fn=lambda *args: None)] if kind == "doctor" else []
    gc.collect()  # the previous run's garbage is not this run's cost
    gc.disable()
    try:
        start = time.process_time()
        model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0, validation_data=(x_val, y_val),
                  callbacks=callbacks)
        seconds = time.process_time() - start
    finally:
        gc.enable()
    if kind != "doctor":
        return seconds, None
    recorder = callbacks[0].recorder
    batches = max(len(recorder.trace.batch_losses), 1)
    return seconds, (callbacks[0].report.overhead, recorder.one_off_seconds, recorder.asked / batches)


def measure(repeats=7, setups=None):
    """Per set-up: {'ab', 'aa', 'self', 'one_off_ms', 'seconds'}; and the median and max of 'ab' and 'self'."""
    runs = {}
    for name, (make, epochs) in SETUPS.items():
        if setups is not None and name not in setups:
            continue
        build, data, batch_size = make()
        times = {"plain": [], "doctor": [], "plain_again": []}
        own, one_off, asked = [], [], []
        for _ in range(repeats):  # in turn, so a change of load hits all alike
            for kind in times:
                seconds, overhead = _seconds(build, data, batch_size, epochs, kind.replace("_again", ""))
                times[kind].append(seconds)
                if overhead is not None:
                    own.append(overhead[0])
                    one_off.append(overhead[1])
                    asked.append(overhead[2])
        median = {kind: statistics.median(values) for kind, values in times.items()}
        runs[name] = {"ab": median["doctor"] / median["plain"] - 1.0,
                      "aa": median["plain_again"] / median["plain"] - 1.0,
                      "self": statistics.median(own), "one_off_ms": 1e3 * statistics.median(one_off),
                      "asked": statistics.median(asked),
                      "seconds": median["plain"]}
    ab = [run["ab"] for run in runs.values()]
    own = [run["self"] for run in runs.values()]
    return {"runs": runs, "median": float(statistics.median(ab)), "max": float(max(ab)),
            "self_median": float(statistics.median(own)), "self_max": float(max(own)), "repeats": repeats}


def main(argv=None):
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--setups", help="comma-separated substrings of set-up names (default: all)")
    args = parser.parse_args(argv)
    chosen = None
    if args.setups:
        wanted = args.setups.split(",")
        chosen = [name for name in SETUPS if any(part in name for part in wanted)]
    result = measure(args.repeats, chosen)
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {args.repeats} runs a side, in turn")
    print("| set-up | CPU s without | A/B overhead | A/A noise | self-measured | of which once per fit (ms) "
          "| batches with step data |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, run in result["runs"].items():
        print(f"| {name} | {run['seconds']:.2f} | {run['ab']:+.1%} | {run['aa']:+.1%} | {run['self']:.1%} | "
              f"{run['one_off_ms']:.1f} | {run['asked']:.1%} |")
    print(f"median A/B {result['median']:+.1%}, max {result['max']:+.1%}; self-measured median "
          f"{result['self_median']:.1%}")


if __name__ == "__main__":
    main()

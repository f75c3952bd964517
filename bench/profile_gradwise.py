"""Where gradwise spends a workload's training time: cProfile over the timed epochs.

    python -m bench.profile_gradwise w1 --epochs 20 [--quick] [--top 25]

Builds the model exactly as the benchmark does, trains one untimed warm-up epoch, then
profiles ``fit`` for `--epochs` epochs. Prints the functions with the most time of
their own (``file:function``, share of the profiled time) and the share per file.
cProfile charges a fixed cost per Python call, so it overstates call-heavy code; for
the small workloads, read it next to a sampling profile (``py-spy record``).
"""

import argparse
import cProfile
import collections
import os
import pstats
import sys

from . import workloads
from .tools import thread_env


REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _short(path):
    marker = "site-packages" + os.sep
    if marker in path:
        return path.split(marker, 1)[1]
    if path.startswith(REPO_DIR + os.sep):
        return os.path.relpath(path, REPO_DIR)
    return path


def profile(key, epochs, quick, top):
    from .tools import gradwise_tool

    workload = workloads.WORKLOADS[key]
    data = workloads.load(workload, quick=quick)
    model = gradwise_tool.build_model(workload, seed=0)
    fit = lambda n: model.fit(data["x_train"], data["y_train"], batch_size=workload.batch_size, epochs=n,
                              verbose=0, shuffle=True)
    fit(1)
    profiler = cProfile.Profile()
    profiler.runcall(fit, epochs)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])
    print(f"{workload.title}: {epochs} epochs profiled, {total:.3f} s in total ({total / epochs * 1e3:.2f} ms/epoch)")
    print(f"{'own time':>9} {'share':>6} {'calls':>8}  function")
    for (path, line, name), (_, calls, own, cumulative, _) in rows[:top]:
        print(f"{own:9.3f} {own / total:6.1%} {calls:8d}  {_short(path)}:{line}:{name}")
    per_file = collections.Counter()
    for (path, _, _), (_, _, own, _, _) in stats.stats.items():
        per_file[_short(path) if path != "~" else "builtins (numpy calls etc.)"] += own
    print("\nown time per file")
    for path, own in per_file.most_common(top):
        print(f"{own:9.3f} {own / total:6.1%}  {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile_gradwise")
    parser.add_argument("workload", choices=[k for k, w in workloads.WORKLOADS.items() if not w.unavailable])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):  # must be set before NumPy loads
        os.environ.update(thread_env(args.threads))
        os.execv(sys.executable, [sys.executable, "-m", "bench.profile_gradwise"] + (sys.argv[1:] if argv is None else argv))
    profile(args.workload, args.epochs, args.quick, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

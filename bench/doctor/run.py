"""Run the doctor's fault suite and print its scores.

    python -m bench.doctor.run                  # every case, repairs included (a few minutes)
    python -m bench.doctor.run --jobs 2         # two worker processes
    python -m bench.doctor.run --cases lr5,zeros --no-repair
    python -m bench.doctor.run --markdown       # the tables for BENCHMARKS.md
    python -m bench.doctor.run --held-out       # set-ups written after the thresholds were frozen
    python -m bench.doctor.run --held-out-round-two   # those of the second round
    python -m bench.doctor.run --callback       # detect through fit(callbacks=[Doctor()]) instead
    python -m bench.doctor.run --live           # repair inside fit with Doctor(repair=True)

Prints, per finding code, precision and recall over the faulty cases; the false alarms
(findings of severity warning or worse) on the healthy cases; the repair success rate
(the expected finding is gone after ``diagnose(..., repair=True)`` AND the validation
score improved); how often the marked root cause is the injected fault; and the
overhead of ``Doctor()`` inside ``fit`` (default sampling) on healthy set-ups.

A reported code counts as correct on a faulty case when it is the expected code or one
the case accepts as a consequence of the same fault (``Case.accept``).
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # one BLAS thread: steady timings on a shared machine

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from . import overhead, scoring  # noqa: E402
from .cases import (FAULTS, HEALTHY, HELD_OUT_FAULTS, HELD_OUT_HEALTHY, HELD_OUT_ROUND_TWO_FAULTS,  # noqa: E402
                    HELD_OUT_ROUND_TWO_HEALTHY, HELD_OUT_ROUND_THREE_FAULTS, HELD_OUT_ROUND_THREE_HEALTHY)
from .execute import run_case  # noqa: E402


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.doctor.run", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", help="comma-separated substrings of case names (default: all)")
    parser.add_argument("--no-repair", action="store_true", help="skip the repair runs")
    parser.add_argument("--no-overhead", action="store_true", help="skip the overhead measurement")
    parser.add_argument("--callback", action="store_true",
                        help="detect with fit(callbacks=[Doctor()]) at default sampling instead of diagnose()")
    parser.add_argument("--live", action="store_true",
                        help="repair inside fit with Doctor(repair=True), scored against the same fit without it")
    parser.add_argument("--seed", type=int, help="replace every model's seed (other initial weights)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--held-out", action="store_true",
                        help="run the held-out set-ups (written after the thresholds were frozen) instead")
    parser.add_argument("--held-out-round-two", action="store_true",
                        help="run the set-ups held out in the second round (written after its thresholds were frozen)")
    parser.add_argument("--held-out-round-three", action="store_true",
                        help="run the set-ups held out in the third round (tables with little signal)")
    parser.add_argument("--json", help="write every case's result to this file")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument("--verbose", action="store_true", help="print each case's codes as it finishes")
    return parser.parse_args(argv)


def main(argv=None):
    args = _parse(argv)
    cases = FAULTS + HEALTHY
    if args.held_out:
        cases = HELD_OUT_FAULTS + HELD_OUT_HEALTHY
    elif args.held_out_round_two:
        cases = HELD_OUT_ROUND_TWO_FAULTS + HELD_OUT_ROUND_TWO_HEALTHY
    elif args.held_out_round_three:
        cases = HELD_OUT_ROUND_THREE_FAULTS + HELD_OUT_ROUND_THREE_HEALTHY
    if args.cases:
        wanted = args.cases.split(",")
        cases = [case for case in cases if any(part in case.name for part in wanted)]
    start = time.perf_counter()
    mode = "live" if args.live else "callback" if args.callback else "diagnose"
    jobs = [(case.name, not (args.no_repair or args.callback or args.live), mode, args.seed) for case in cases]
    if args.jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            results = pool.starmap(run_case, jobs)
    else:
        results = []
        for name, repair, how, seed in jobs:
            results.append(run_case(name, repair, how, seed))
            if args.verbose:
                item = results[-1]
                print(f"{item['name']:32s} expected={item['expected']} codes={item['codes']} "
                      f"root={item['root_cause']} repair_ok={item.get('repair_success')} {item['seconds']:.1f}s",
                      flush=True)
    timing = None if args.no_overhead else overhead.measure()
    summary = scoring.summarize(results, timing)
    summary["seconds"] = time.perf_counter() - start
    print(scoring.render(summary, markdown=args.markdown))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"summary": summary, "cases": results}, handle, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())

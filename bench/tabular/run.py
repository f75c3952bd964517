"""Benchmark `gradwise tune` (default settings) against scikit-learn's defaults on the same splits.

    python -m bench.tabular.run --tables pima,wine --seeds 0,1,2 --out bench/results/tabular.jsonl
    python -m bench.tabular.run --report bench/results/tabular.jsonl     # Markdown for BENCHMARKS.md
    python -m bench.tabular.real --fetch && python -m bench.tabular.run --tables star,boston --seeds 0,1   # real tables

Each (table, seed): `gradwise tune --data T.csv --target Y --seed S` runs in a subprocess
(wall time measured around it: start-up, search, final fit, files). The peers are fitted on
the very training rows gradwise used (``split_rows`` with the same seed) and scored on the
same test rows: LogisticRegression on standardized inputs (Ridge for regression),
RandomForest and HistGradientBoosting, all at scikit-learn's defaults. They get the columns
gradwise's screening kept (so an ID column does not handicap them), text one-hot encoded after
imputing the most frequent value. The linear peer gets the gaps of numbers imputed with the
median; the forest and the boosting get them as they are, missing, since the thirty-second
session: at their defaults they split on a gap themselves (scikit-learn 1.4 on), as a user of
them would leave it (until then they got the median too: 0.0015 lower for the best of the three,
over 99 runs of 33 tables with gaps, BENCHMARKS.md).

``gradwise tune`` runs one worker per core by default (since the twenty-ninth session): run one
stream at a time, on an otherwise idle machine, or give both arms ``--extra "--workers 1"``; two
streams at once would each take the cores the other's workers count on.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from .real import GROUPED, REAL, group_flags, group_of, grouped
from .tables import CALIBRATION, FRESH, HELD_OUT, TIMING, table_file


def _peers(task, seed):
    from sklearn import ensemble, linear_model

    if task == "regression":
        return {"Ridge": (linear_model.Ridge(), True), "RandomForest": (ensemble.RandomForestRegressor(random_state=seed), False),
                "HistGradientBoosting": (ensemble.HistGradientBoostingRegressor(random_state=seed), False)}
    return {"LogisticRegression": (linear_model.LogisticRegression(max_iter=5000), True),
            "RandomForest": (ensemble.RandomForestClassifier(random_state=seed), False),
            "HistGradientBoosting": (ensemble.HistGradientBoostingClassifier(random_state=seed), False)}


def peer_scores(path, target, seed, kept, with_cv=False, group=None, task=None, native_gaps=True):
    """Test accuracy or R² of each peer on gradwise's split of `path` (and, `with_cv`, its 5-fold CV score on the
    training rows; with `group`, the split and the folds keep that column's groups whole (a tuple: the runs of
    rows equal in those columns, as --group-runs keeps them); `task`, gradwise's task
    where its run was told one, e.g. ``--task regression`` for a count; `native_gaps` False, the forest and the boosting
    get the gaps of numbers imputed with the median as the linear peer does, as until the thirty-second session)."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from gradwise.tabular import read_csv, split_rows

    table, group = grouped(read_csv(path), group)
    task, cells, train, test = split_rows(table, target, task=task, seed=seed, group=group)
    frame = pd.DataFrame({name: table[name] for name in kept}).replace({"": np.nan, "NA": np.nan})
    frame = _readable(frame, train)
    numeric = [n for n in frame.columns if pd.to_numeric(frame[n], errors="coerce").notna().sum() == frame[n].notna().sum()]
    frame[numeric] = frame[numeric].apply(pd.to_numeric)
    text = [n for n in frame.columns if n not in numeric]
    y = np.array([np.nan if c is None else float(c) for c in cells]) if task == "regression" else np.array(cells)
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, cross_val_score

    scores, cv = {}, {}
    splitter = (KFold if task == "regression" else StratifiedKFold)(5, shuffle=True, random_state=seed)
    groups = None
    if group is not None:
        from gradwise.tabular.groups import group_labels

        splitter, groups = GroupKFold(5), group_labels(table, group)[train]
    for name, (model, scale) in _peers(task, seed).items():
        # the forest and the boosting (no scaling) split on missing values themselves
        numbers = "passthrough" if native_gaps and not scale else make_pipeline(
            SimpleImputer(strategy="median"), *([StandardScaler()] if scale else []))
        prep = ColumnTransformer([("num", numbers, numeric)] + (
            [("text", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
              text)] if text else []))
        pipe = make_pipeline(prep, model)
        if with_cv:  # on the training rows only: the peer a user would pick without seeing the test rows
            cv[name] = float(np.mean(cross_val_score(clone(pipe), frame.iloc[train], y[train], cv=splitter, groups=groups,
                                                     scoring="r2" if task == "regression" else "accuracy")))
        predicted = pipe.fit(frame.iloc[train], y[train]).predict(frame.iloc[test])
        scores[name] = float(r2_score(y[test], predicted) if task == "regression" else accuracy_score(y[test], predicted))
    return (task, scores, cv) if with_cv else (task, scores)


def _readable(frame, train):
    """`frame` with dates and numbers written with '$', '%' or ',' as numbers, as a scikit-learn user would read them.

    Words in a number column ('unknown', '-': see ``gradwise.tabular.markers``) are missing values, units
    after numbers ('74 bhp') are stripped, and the word or unit is a category beside the number where
    gradwise makes one.

    A date becomes its days since 1970, its month and its weekday (the parts trees use; the
    linear peer gets them as numbers), read in the format gradwise finds on the training rows.
    """
    import pandas as pd

    from gradwise.tabular.dates import date_format, parse_dates
    from gradwise.tabular.formats import accounting_column, formatted_numbers, parse_number
    from gradwise.tabular.markers import expand_markers, fit_markers, text_part
    from gradwise.tabular.table import Table

    for name in list(frame.columns):
        present = frame[name].iloc[train].dropna().tolist()
        words = fit_markers(Table({name: np.array(present, dtype=object)}), name)
        if words:  # 'unknown' in a number column: missing, as pd.read_csv(na_values=...) reads it; '74 bhp': 74
            cells = np.array([None if pd.isna(c) else c for c in frame[name]], dtype=object)
            read = expand_markers(Table({name: cells}), [words])
            numbers = [None if c is None else parse_number(c) for c in read[name]]
            frame[name] = [np.nan if v is None else v for v in numbers]
            if words["part"]:  # the word or unit as a category of its own, as gradwise's NAME.text
                frame[text_part(words)] = read[text_part(words)]
            continue
        if pd.to_numeric(frame[name], errors="coerce").notna().sum() == frame[name].notna().sum():
            continue
        if formatted_numbers(present) or accounting_column(present):
            accounting = accounting_column(present)  # '(1,200.00)': an accountant's negative
            frame[name] = [np.nan if pd.isna(c) else parse_number(c, accounting) for c in frame[name]]  # None: NaN
            continue
        found = date_format(present)
        if found:
            stamps = parse_dates(np.array([None if pd.isna(c) else c for c in frame[name]], dtype=object), found)
            frame[name] = (stamps.tz_convert(None) - pd.Timestamp("1970-01-01")).total_seconds() / 86400.0
            frame[name + ".month"] = np.asarray(stamps.month, dtype=float)
            frame[name + ".weekday"] = np.asarray(stamps.day_of_week, dtype=float)
    return frame


def run_one(name, seed, folder, extra=()):
    path, target, drop = table_file(name, folder)
    runs = os.path.join(folder, "runs")
    command = [sys.executable, "-m", "gradwise", "tune", "--data", path, "--target", target, "--seed", str(seed),
               "--name", f"{name}-{seed}", "--runs-dir", runs, "--overwrite", *extra]
    command += ["--drop", ",".join(drop)] if drop else []
    command += group_flags(name)
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.time() - started
    if result.returncode != 0:
        raise RuntimeError(f"{name} seed {seed}: {result.stderr[-2000:]}")
    with open(os.path.join(runs, f"{name}-{seed}", "summary.json")) as handle:
        summary = json.load(handle)
    task, peers, peer_cv = peer_scores(path, target, seed, summary["columns"]["used"], with_cv=True,
                                       group=group_of(name), task=summary["task"])
    metric = "r2" if task == "regression" else "accuracy"
    return {"table": name, "seed": seed, "task": task, "metric": metric, "gradwise": summary["test"][metric],
            "gradwise_test": {k: v for k, v in summary["test"].items() if k != "rows"},
            "peers": peers, "peer_cv": peer_cv, "wall_s": round(wall, 1), "tune_s": summary["seconds"], "trials": summary["trials"],
            "workers": summary.get("workers"),
            "ensemble": len(summary["ensemble"]["trials"]), "builtin_baselines": {
                b["name"]: b["test"][metric] for b in summary["baselines"] if "test" in b},
            "cv": summary["cv"]["mean"], "cv_in_sample": summary["ensemble"].get("in_sample_cv", {}).get("mean"),
            "builtin_cv": {b["name"]: b["cv"]["mean"] for b in summary["baselines"] if "cv" in b},
            "load_before": os.getloadavg()[0], "held_out": name in HELD_OUT or name in REAL or name in GROUPED,
            "timing": name in TIMING}


def _group(record):
    if record["table"] in TIMING:
        return "timing"
    if record["table"] in GROUPED:
        return "real, grouped"
    if record["table"] in REAL:
        return "real"
    return "fresh held-out" if record["table"] in FRESH else "held-out" if record["held_out"] else "calibration"


def report(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    if rows and "peers" not in rows[0]:
        kind = "a `bench.tabular.choices` result (one score per procedure)" if "current" in rows[0] else \
            "not a `bench.tabular.run` result"
        raise SystemExit(f"--report {path}: this file is {kind}; --report reads the JSON lines `bench.tabular.run "
                         f"--out` writes (each with 'peers' and 'gradwise').")
    print("| table | set | seed | metric | gradwise | LogReg/Ridge | RandomForest | HistGB | best peer | gap | wall s | trials (complete/pruned) | ensemble |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        peers = r["peers"]
        linear = peers.get("LogisticRegression", peers.get("Ridge"))
        best = max(peers.values())
        print(f"| {r['table']} | {_group(r)} | {r['seed']} | {r['metric']} | "
              f"{r['gradwise']:.4f} | {linear:.4f} | {peers['RandomForest']:.4f} | {peers['HistGradientBoosting']:.4f} | "
              f"{best:.4f} | {r['gradwise'] - best:+.4f} | {r['wall_s']:.1f} | "
              f"{r['trials'].get('complete', 0)}/{r['trials'].get('pruned', 0)} | {r['ensemble']} |")
    print("\n| table | set | seeds | gradwise mean | best peer mean (per seed) | mean gap (± paired SE) | goal (>= -0.01 acc "
          "/ -0.02 R²) | best single default | gap to it (± paired SE) | goal |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    groups = ("calibration", "held-out", "fresh held-out", "real", "real, grouped", "timing")
    gaps, single_gaps = {group: [] for group in groups}, {group: [] for group in groups}
    for table in dict.fromkeys(r["table"] for r in rows):
        mine = [r for r in rows if r["table"] == table]
        per_seed = [r["gradwise"] - max(r["peers"].values()) for r in mine]
        gap = np.mean(per_seed)
        single, single_seeds = best_single_default(mine)
        limit = -0.02 if mine[0]["metric"] == "r2" else -0.01
        group = _group(mine[0])
        gaps[group].append(gap)
        single_gaps[group].append(np.mean(single_seeds))
        print(f"| {table} | {group} | {len(mine)} | {np.mean([r['gradwise'] for r in mine]):.4f} | "
              f"{np.mean([max(r['peers'].values()) for r in mine]):.4f} | {gap:+.4f} ± {_paired_se(per_seed):.4f} | "
              f"{'met' if gap >= limit else 'NOT met'} | {single} | {np.mean(single_seeds):+.4f} ± "
              f"{_paired_se(single_seeds):.4f} | {'met' if np.mean(single_seeds) >= limit else 'NOT met'} |")
    for group, values in gaps.items():
        if values:
            print(f"\nMean gap over {group} tables: {np.mean(values):+.4f} to the best peer of each seed, "
                  f"{np.mean(single_gaps[group]):+.4f} to each table's best single default")
    each_peer(rows)
    optimism(rows)


def best_single_default(rows):
    """The scikit-learn default with the best mean test score over the seeds of one table, and
    gradwise's gap to it on each seed. The issue's bar read as one model ("the best scikit-learn
    default" of a table): unlike the best of three picked per seed on the test rows, a user could
    have chosen it, though only by looking at the test scores of every seed."""
    names = list(rows[0]["peers"])
    best = max(names, key=lambda name: np.mean([r["peers"][name] for r in rows]))
    return best, [r["gradwise"] - r["peers"][best] for r in rows]


def _paired_se(gaps):
    """Standard error of a mean of per-seed gaps (each seed's split pairs the two scores)."""
    return float(np.std(gaps, ddof=1) / np.sqrt(len(gaps))) if len(gaps) > 1 else float("nan")


def each_peer(rows):
    """Mean gap to each peer alone, to the peer of best 5-fold CV on the training rows, and to the best of the three.

    The best peer is picked per seed on the test rows themselves: the maximum of three noisy
    test scores sits above each of them on average, so the gap to it is pessimistic by that
    selection; the gap to each peer alone carries no such choice. The last column is that
    selection's size: the gap of the peer of best CV itself (the model a user would pick
    without the test rows) to the best of three — the bar no model chosen without the test
    rows clears on average where it is below the goal's limit.
    """
    print("\n| table | seeds | gap to LogReg/Ridge | gap to RandomForest | gap to HistGB | gap to the peer of best CV "
          "| gap to the best of three on test | the peer of best CV's own gap to the best of three |")
    print("|---|---|---|---|---|---|---|---|")
    for table in dict.fromkeys(r["table"] for r in rows):
        mine = [r for r in rows if r["table"] == table]
        gaps = [np.mean([r["gradwise"] - r["peers"][name] for r in mine]) for name in mine[0]["peers"]]
        best = np.mean([r["gradwise"] - max(r["peers"].values()) for r in mine])
        picked = [r["peers"][max(r["peer_cv"], key=r["peer_cv"].get)] for r in mine if r.get("peer_cv")]
        complete = len(picked) == len(mine)
        by_cv = f"{np.mean([r['gradwise'] for r in mine]) - np.mean(picked):+.4f}" if complete else "-"
        bar = f"{np.mean(picked) - np.mean([max(r['peers'].values()) for r in mine]):+.4f}" if complete else "-"
        print(f"| {table} | {len(mine)} | " + " | ".join(f"{g:+.4f}" for g in gaps) + f" | {by_cv} | {best:+.4f} | {bar} |")


def optimism(rows):
    """How much the reported CV score exceeds the test score, beside the built-in linear baseline's excess.

    The baseline's CV involves no choice, so its CV - test difference is the split's own noise;
    gradwise's excess over it is what its choice of trials and weights added (an optimistic CV).
    """
    rows = [r for r in rows if r.get("cv") is not None and r.get("builtin_cv") and r.get("builtin_baselines")]
    if not rows:
        return
    print("\n| table | set | runs | gradwise CV - test (reported) | CV - test (in-sample ensemble) "
          "| linear baseline CV - test | excess (reported) |")
    print("|---|---|---|---|---|---|---|")
    excess = {}
    for table in dict.fromkeys(r["table"] for r in rows):
        mine = [r for r in rows if r["table"] == table]
        name = next(iter(mine[0]["builtin_cv"]))  # LogisticRegression/Ridge comes first
        reported = np.mean([r["cv"] - r["gradwise"] for r in mine])
        in_sample = [r["cv_in_sample"] - r["gradwise"] for r in mine if r.get("cv_in_sample") is not None]
        linear = np.mean([r["builtin_cv"][name] - r["builtin_baselines"][name] for r in mine])
        excess.setdefault(_group(mine[0]), []).append(reported - linear)
        print(f"| {table} | {_group(mine[0])} | {len(mine)} | {reported:+.4f} | "
              f"{np.mean(in_sample) if in_sample else float('nan'):+.4f} | {linear:+.4f} | {reported - linear:+.4f} |")
    for group, values in excess.items():
        print(f"\nMean excess optimism over {group} tables: {np.mean(values):+.4f}")


@contextlib.contextmanager
def _kept(folder):
    os.makedirs(folder, exist_ok=True)
    yield folder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", default=",".join(CALIBRATION + HELD_OUT))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", default="bench/results/tabular.jsonl")
    parser.add_argument("--report", metavar="JSONL")
    parser.add_argument("--extra", default="", help="extra `gradwise tune` flags, space-separated")
    parser.add_argument("--keep", metavar="DIR", help="write the tables and run folders here and keep them "
                        "(for ``bench.tabular.choices``); default: a temporary folder")
    args = parser.parse_args(argv)
    if args.report:
        report(args.report)
        return
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    done = set()
    if os.path.exists(args.out):  # an interrupted run continues where it stopped
        done = {(r["table"], r["seed"]) for r in map(json.loads, filter(str.strip, open(args.out)))}
    with (tempfile.TemporaryDirectory() if args.keep is None else _kept(args.keep)) as folder:
        for seed in [int(s) for s in args.seeds.split(",")]:  # seeds outermost: tables interleave over time
            for name in args.tables.split(","):
                if (name, seed) in done:
                    continue
                record = run_one(name, seed, folder, args.extra.split())
                with open(args.out, "a") as handle:
                    handle.write(json.dumps(record) + "\n")
                print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()

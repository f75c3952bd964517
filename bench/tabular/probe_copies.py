"""Which benchmark tables ``groups.row_copies`` finds rows copied in: the probe behind its bars.

For every real table of the bench (``real.REAL``, read from the fetched collections), as ``gradwise tune`` sees it
at split seed 0 (its columns after the dropped ones, its target, its 80/20 split), this prints the share of rows
that are exact copies of another row, the share after each column is shuffled on its own, the test rows with a
copy among the training rows, and whether the line is printed. The thirty-eighth session set the bars and ran
this afterwards (BENCHMARKS.md).

With ``--effect``, for each table where the line is printed, RandomForest and a linear model (logistic or ridge
regression, scikit-learn's defaults) are fitted on the training rows as tune encodes them, and scored on the test
rows with a copy in training and on the others apart: accuracy for classes, mean squared error for numbers. Copied
rows are often common, easy ones, so both models score better on them; how much more the forest gains is its
recall of the rows it was trained on.

    python -m bench.tabular.probe_copies [--effect] [TABLE ...]
"""

import argparse
import contextlib
import io
import tempfile
import time

import numpy as np

from gradwise.tabular import read_csv
from gradwise.tabular.data import prepare
from gradwise.tabular.groups import _codes, _copied_share, _row_codes, row_copies

from .real import GROUPED, REAL, write_real


def probe(name, folder):
    """(rows, share with a copy, share after shuffles, row_copies' finding, seconds) of real table `name`."""
    path, target, drop = write_real(name, folder)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        table = read_csv(path)
        prepared = prepare(table, target, impute="median", drop=drop)
    names = prepared.preprocessor.config["features"] + [target]
    share = _copied_share(_row_codes([_codes(table[column]) for column in names]))
    started = time.time()
    found = row_copies(table, names, prepared.train_index, prepared.test_index)
    return table.rows, share, found, time.time() - started, (table, prepared, names)


def effect(table, prepared, names):
    """(metric, forest's score on the copied test rows, on the others, the linear model's on each), or None where
    either side has fewer than 5 rows."""
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression, Ridge

    rows = _row_codes([_codes(table[name]) for name in names])
    copied = np.isin(rows[prepared.test_index], rows[prepared.train_index])
    if min(copied.sum(), (~copied).sum()) < 5:
        return None
    y = prepared.y_train.reshape(len(prepared.y_train), -1)[:, 0]
    test = prepared.y_test.reshape(len(prepared.y_test), -1)[:, 0]
    if prepared.task == "regression":
        models, metric = (RandomForestRegressor(n_jobs=2, random_state=0), Ridge()), "mse"
        scores = [(model.fit(prepared.x_train, y).predict(prepared.x_test) - test) ** 2 for model in models]
    else:
        models = (RandomForestClassifier(n_jobs=2, random_state=0), LogisticRegression(max_iter=2000))
        metric = "accuracy"
        scores = [model.fit(prepared.x_train, y.astype(int)).predict(prepared.x_test) == test.astype(int)
                  for model in models]
    return (metric, *[float(np.mean(score[side])) for score in scores for side in (copied, ~copied)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", nargs="*", default=[name for name in REAL if name not in GROUPED])
    parser.add_argument("--effect", action="store_true", help="score a forest and a linear model on the copied test "
                                                              "rows and the others, where the line is printed")
    args = parser.parse_args(argv)
    found_in, effects = [], []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.tables:
            try:
                rows, share, found, seconds, seen = probe(name, folder)
            except (KeyError, ValueError, SystemExit) as error:  # not a real table, not fetched, or one tune refuses
                print(f"{name}\tskipped: {str(error)[:80]}")
                continue
            said = (f"copies {found['share']:.3f} after shuffle {found['after_shuffle']:.3f} test rows "
                    f"{found['test_rows']}/{found['test_of']}" if found else "-")
            print(f"{name}\t{rows} rows\twith a copy {share:.3f}\t{said}\t{seconds:.2f} s", flush=True)
            if found:
                found_in.append(name)
            scored = effect(*seen) if found and args.effect else None
            if scored:
                effects.append(scored)
                print("\t{} of the forest on copied test rows {:.3f}, on the others {:.3f}; of the linear model "
                      "{:.3f}, {:.3f}".format(*scored), flush=True)
    print(f"\nfound in {len(found_in)} of {len(args.tables)} tables: {', '.join(found_in)}")
    for metric in ("accuracy", "mse"):
        kind = [scored[1:] for scored in effects if scored[0] == metric]
        if metric == "accuracy" and kind:
            gains = np.array([(forest - rest, linear - others) for forest, rest, linear, others in kind])
            print(f"{len(kind)} class tables: accuracy on copied test rows minus the others, mean: forest "
                  f"{gains[:, 0].mean():+.3f}, linear model {gains[:, 1].mean():+.3f}")
        elif kind:
            ratios = np.array([(forest / rest, linear / others) for forest, rest, linear, others in kind])
            print(f"{len(kind)} number tables: squared error on copied test rows over the others', median: forest "
                  f"{np.median(ratios[:, 0]):.2f}, linear model {np.median(ratios[:, 1]):.2f}")


if __name__ == "__main__":
    main()

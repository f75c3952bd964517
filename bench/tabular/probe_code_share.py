"""The code test's two readings for every whole-number column the bench's tables put to it.

The probe behind the thirty-third session's note on ``codes.ROUGH_SHARE`` (BENCHMARKS.md): VietNamI's
``commune`` (194 villages) passes the p-value bar by far and misses the share bar, 0.077 of 0.10. For each
table (seed 0's split, median imputation, the table's leaks dropped), ``prepare`` runs as ``gradwise tune``
runs it, and each column it asks ``is_code_column`` about is written with its p-value, its share of the
target's variance beyond the cubic, its orderless share (thirty-fourth session), its ordered share (thirty-seventh)
and the answer. Needs the
Rdatasets CSVs (``python -m bench.tabular.real --fetch``, or GRADWISE_RDATASETS).

    python -m bench.tabular.probe_code_share [TABLE ...]  # default: every table of the bench
"""

import contextlib
import io
import sys
import tempfile

import numpy as np

from gradwise.tabular import preprocess
from gradwise.tabular.codes import code_readings
from gradwise.tabular.data import prepare
from gradwise.tabular.table import read_csv

from .real import REAL
from .tables import CALIBRATION, HELD_OUT, table_file


def main(names):
    found = []
    asked = preprocess.is_code_column

    def recording(values, targets, min_rows):
        answer = asked(values, targets, min_rows)
        reading = code_readings(values, targets, min_rows)
        if reading is not None:
            found.append((table, len(np.unique(values[~np.isnan(values)])), *reading, answer))
        return answer

    preprocess.is_code_column = recording
    for table in names:
        with tempfile.TemporaryDirectory() as folder:
            path, target, drop = table_file(table, folder)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    prepare(read_csv(path), target, None, "median", 0.2, seed=0, drop=drop or ())
            except ValueError as error:  # a table tune refuses (a class on one row) is left out, as tune leaves it
                print(f"{table}: {error}", file=sys.stderr)
    print("table\tvalues\tp\tshare\torderless\tordered\tcode")
    for table, values, p_value, share, orderless, ordered, answer in sorted(found, key=lambda row: -row[3]):
        print(f"{table}\t{values}\t{p_value:.3g}\t{share:.4f}\t{orderless:.2f}\t{ordered:.3f}\t{answer}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(REAL) + [name for name in (*CALIBRATION, *HELD_OUT) if name not in REAL])

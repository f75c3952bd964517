"""Which tables ``groups.row_runs`` finds runs of one unit's rows in: the probe behind its bars.

For every CSV file of 60 to 20,000 rows under the given folders (default: the Rdatasets collection's, with
Wooldridge's and ISLP's, as ``python -m bench.tabular.real --fetch`` writes them), every column but a
leading row-name column is a feature, and each table where ``row_runs`` finds runs is listed with what
``row_blocks`` and ``likely_groups`` find first (``gradwise tune`` prints the runs' line only where they find
nothing). The thirty-fourth session calibrated the bars on these 550 tables and checked them on 46 others
(BENCHMARKS.md).

    python -m bench.tabular.probe_runs [--rows LOW HIGH] [FOLDER ...]
"""

import argparse
import contextlib
import glob
import io
import os

from gradwise.tabular.groups import likely_groups, row_blocks, row_runs
from gradwise.tabular.table import read_csv

from .real import RDATASETS

ROW_NAMES = ("", "rownames", "Unnamed: 0")


def probe(path):
    """`row_runs`' finding on the CSV file at `path` with what is found first, or None."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        table = read_csv(path)
    features = [name for name in table.names if name not in ROW_NAMES]
    found = row_runs(table, features)
    if found is None:
        return table.rows, None
    blocks = row_blocks(table, features)
    return table.rows, {**found, "blocks": blocks and blocks[0],
                        "groups": [column for column, *_ in likely_groups(table, features)]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", default=[RDATASETS])
    parser.add_argument("--rows", nargs=2, type=int, default=[60, 20_000], metavar=("LOW", "HIGH"))
    args = parser.parse_args(argv)
    tables = found = 0
    for folder in args.folders:
        for path in sorted(glob.glob(os.path.join(folder, "**", "*.csv"), recursive=True)):
            try:
                rows, runs = probe(path)
            except (ValueError, UnicodeDecodeError):  # a file tune refuses to read is left out, as tune leaves it
                continue
            if not args.rows[0] <= rows <= args.rows[1]:
                continue
            tables += 1
            if runs:
                found += 1
                first = (f"blocks of {runs['blocks']}" if runs["blocks"] else
                         f"group {runs['groups'][0]!r}" if runs["groups"] else "nothing")
                print(f"{os.path.relpath(path, folder)}\t{rows} rows\t{runs['runs']} runs of {runs['rows_per_run']}\t"
                      f"fine {runs['evidence']['column']!r}\tlabel {runs['label']!r}\tproperties "
                      f"{', '.join(runs['properties'][:5])}\tfound first: {first}")
    print(f"{found} of {tables} tables")


if __name__ == "__main__":
    main()

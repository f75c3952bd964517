"""Which benchmark tables ``groups.row_copies`` finds rows copied in: the probe behind its bars.

For every real table of the bench (``real.REAL``, read from the fetched collections), as ``gradwise tune`` sees it
at split seed 0 (its columns after the dropped ones, its target, its 80/20 split), this prints the share of rows
that are exact copies of another row, the share after each column is shuffled on its own, the test rows with a
copy among the training rows, and whether the line is printed. The thirty-eighth session set the bars and ran
this afterwards (BENCHMARKS.md).

    python -m bench.tabular.probe_copies [TABLE ...]
"""

import argparse
import contextlib
import io
import tempfile
import time

from gradwise.tabular import read_csv
from gradwise.tabular.data import prepare
from gradwise.tabular.groups import _codes, _copied_share, row_copies

from .real import GROUPED, REAL, write_real


def probe(name, folder):
    """(rows, share with a copy, share after shuffles, row_copies' finding, seconds) of real table `name`."""
    path, target, drop = write_real(name, folder)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        table = read_csv(path)
        prepared = prepare(table, target, impute="median", drop=drop)
    names = prepared.preprocessor.config["features"] + [target]
    share = _copied_share([_codes(table[column]) for column in names])
    started = time.time()
    found = row_copies(table, names, prepared.train_index, prepared.test_index)
    return table.rows, share, found, time.time() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", nargs="*", default=[name for name in REAL if name not in GROUPED])
    args = parser.parse_args(argv)
    found_in = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.tables:
            try:
                rows, share, found, seconds = probe(name, folder)
            except (KeyError, ValueError, SystemExit) as error:  # not a real table, not fetched, or one tune refuses
                print(f"{name}\tskipped: {str(error)[:80]}")
                continue
            said = (f"copies {found['share']:.3f} after shuffle {found['after_shuffle']:.3f} test rows "
                    f"{found['test_rows']}/{found['test_of']}" if found else "-")
            print(f"{name}\t{rows} rows\twith a copy {share:.3f}\t{said}\t{seconds:.2f} s", flush=True)
            if found:
                found_in.append(name)
    print(f"\nfound in {len(found_in)} of {len(args.tables)} tables: {', '.join(found_in)}")


if __name__ == "__main__":
    main()

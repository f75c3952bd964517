"""``gradwise report runs/NAME``: rebuild a search's page from its run folder.

    gradwise report runs/pima                       # the journal in the folder
    gradwise report runs/pima --storage postgresql://user:password@host/db

Works for a finished run, a study still running, a database study and a damaged
folder: whatever can be shown is shown, and what could not is one line on standard
error (and on the page). A folder that is not a run folder is an error (status 1).
"""

import sys

from .search import REPORT_FILE, write_search


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "report", help="write runs/NAME/report.html from a search's run folder",
        description="Write the single-file HTML report of a search (gradwise tune) from its run folder: the data, "
                    "the results, the best configuration, learning curves, what the search learned, the doctor's "
                    "findings and the commands to predict and resume.")
    parser.add_argument("folder", metavar="RUN_FOLDER", help="the folder gradwise tune wrote, e.g. runs/pima")
    parser.add_argument("--storage", metavar="URL", help="database URL of a study not kept in the folder's journal")
    parser.add_argument("--name", help="study name (default: the run's name, or the folder's)")
    parser.add_argument("--output", metavar="PATH", help=f"where to write the page (default RUN_FOLDER/{REPORT_FILE})")
    return parser


def run(args):
    path, size, notes = write_search(args.folder, storage=args.storage, name=args.name, path=args.output)
    for note in notes:
        print(f"gradwise report: note: {note}", file=sys.stderr)
    print(f"Wrote {path} ({size / 1e6:.2f} MB).")
    return 0

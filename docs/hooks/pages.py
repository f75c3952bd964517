"""Run the fenced Python blocks of a documentation page, in order, in one fresh namespace.

A page's blocks are one script: later blocks see the names earlier ones defined, as a
reader typing them into one session would. Blocks run with the ``docs/`` folder as the
working directory, so a block writes its figures to ``images/generated/NAME.png`` and
the page shows them as ``../images/generated/NAME.png``. Every block runs: there is no
way to show code that is not run. A page that writes the reader's database URL
(``DATABASE``) runs against a throw-away PostgreSQL server put in its place
(``database_for``). The ``bash`` blocks are run by the tests (``tests/docs/commands.py``).

Used by the mkdocs hook (``docs/hooks/execute.py``) and by ``tests/docs``.
"""

import contextlib
import io
import os
import re
import sys
import time
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
GENERATED = DOCS / "images" / "generated"
# The database URL the pages write for the reader's own server; their code runs against a
# throw-away server put in its place.
DATABASE = "postgresql://user:password@db-host/studies"
# Real datasets (MNIST, Fashion-MNIST) live next to the checkout, as for the tests.
DATASET_PLACES = (DOCS.parents[1] / "shared" / "datasets", Path("/work/shared/datasets"))
# Any fenced block: its language (the first word of the info string) and its text.
_FENCE = re.compile(r"^```([^\s`]*)[^\n`]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
# A figure shown as ![...](../images/generated/NAME), or a text the code wrote, included with
# --8<-- "images/generated/NAME" (pymdownx.snippets): the doctor's report as it printed it.
_IMAGE = re.compile(r"\]\((?:\.\./)+images/generated/([^)\s]+)\)|--8<-- \"images/generated/([^\"]+)\"")


def fenced_blocks(page):
    """Every fenced block of `page` (a path) as (line number of its first line, language, text)."""
    text = Path(page).resolve().read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start()) + 2, match.group(1), match.group(2))
            for match in _FENCE.finditer(text)]


def code_blocks(page):
    """The Python blocks of `page`, which run_page runs, as (line number, source) pairs."""
    return [(line, source) for line, language, source in fenced_blocks(page) if language == "python"]


def command_blocks(page):
    """The shell blocks of `page`, which tests/docs/commands.py runs, as (line number, text) pairs."""
    return [(line, source) for line, language, source in fenced_blocks(page) if language == "bash"]


def generated_images(page):
    """File names under images/generated/ that `page` shows."""
    return [shown or included for shown, included in _IMAGE.findall(Path(page).read_text(encoding="utf-8"))]


def runnable_pages():
    """Every page under docs/ with at least one block that runs."""
    return sorted(page for page in DOCS.rglob("*.md") if code_blocks(page))


def _name(page):
    return str(page.relative_to(DOCS)) if page.is_relative_to(DOCS) else page.name


class PageError(RuntimeError):
    """A block of a page failed; the message names the page and the block's first line."""


def datasets_folder():
    """The folder the lessons read MNIST from: $GRADWISE_DATASETS, else ../shared/datasets next to the checkout."""
    if os.environ.get("GRADWISE_DATASETS"):
        return os.environ["GRADWISE_DATASETS"]
    found = next((place for place in DATASET_PLACES if place.is_dir()), DATASET_PLACES[0])
    os.environ["GRADWISE_DATASETS"] = str(found)
    return str(found)


@contextlib.contextmanager
def _in_docs_folder():
    previous = os.getcwd()
    os.chdir(DOCS)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def database_for(page):
    """The URL of a throw-away PostgreSQL server while `page`'s code runs, if it writes DATABASE; else None.

    The server is the test suite's (tests/tuning/postgres_server.py: initdb on loopback, in a
    temporary folder), so `make docs` needs PostgreSQL's programs as the tests do."""
    if DATABASE not in Path(page).read_text(encoding="utf-8"):
        yield None
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.tuning.postgres_server import PostgresServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        raise RuntimeError(f"{_name(Path(page))} runs a study on PostgreSQL, whose initdb/pg_ctl were not found: "
                           "run `bash scripts/ensure-postgres.sh` first.")
    server = PostgresServer(binaries).start()
    try:
        yield server.url
    finally:
        server.stop()


def run_page(page, quiet=True, database=None):
    """Execute the blocks of `page` in a fresh namespace; returns the seconds taken.

    `database` (from database_for) replaces the reader's database URL, DATABASE, in the code.
    Raises PageError naming the page and line of the block that failed, and
    FileNotFoundError when a figure the page shows was not written by its code."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    page = Path(page).resolve()
    datasets_folder()
    GENERATED.mkdir(parents=True, exist_ok=True)
    shown = generated_images(page)
    for name in shown:  # the page must draw its figures now, not find an old copy
        (GENERATED / name).unlink(missing_ok=True)
    namespace = {"__name__": "__main__"}
    start = time.perf_counter()
    output = io.StringIO()
    # Pages run as a reader runs them: with Python's default warning filters, not the test suite's
    # (which turns RuntimeWarnings into errors; a page may show a run that overflows on purpose).
    with _in_docs_folder(), contextlib.redirect_stdout(output), warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("default")
        for line, source in code_blocks(page):
            if database is not None:
                source = source.replace(DATABASE, database)
            try:
                exec(compile(source, f"{_name(page)}:{line}", "exec"), namespace)
            except Exception as error:
                raise PageError(f"{_name(page)}, block at line {line}: {type(error).__name__}: "
                                f"{error}") from error
            finally:
                plt.close("all")
    if not quiet:
        print(output.getvalue())
    missing = [name for name in shown if not (GENERATED / name).exists()]
    if missing:
        raise FileNotFoundError(f"{_name(page)} shows images/generated/{missing} but its code did not "
                                "write them.")
    return time.perf_counter() - start

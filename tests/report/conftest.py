"""Fixtures of the report tests: one headless Chromium per test process, one tiny tuned run shared by all.

The tuned run is made once for the whole session, also under pytest-xdist (the first
worker makes it under a file lock, the others reuse it), so the browser tests add one
small search to the suite. Chromium comes from ``bash scripts/ensure-chromium.sh``; its
absence fails the tests, it never skips them.
"""

import contextlib
import fcntl
import json
import shutil

import pytest

from gradwise.cli import main
from gradwise.tabular.messy import write_customer_csv

from .browser import Browser, chromium_path

TUNE = ["--trials", "4", "--epochs", "6", "--patience", "2", "--time-budget", "900", "--seed", "0"]


@pytest.fixture(scope="session")
def browser():
    if chromium_path() is None:
        pytest.fail("Chromium was not found: run `bash scripts/ensure-chromium.sh` first.")
    instance = Browser()
    yield instance
    instance.close()


@contextlib.contextmanager
def _locked(path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _make_run(root):
    data = write_customer_csv(root / "customers.csv", rows=160, seed=3)
    with open(root / "tune.log", "w") as log, contextlib.redirect_stdout(log):
        status = main(["tune", "--data", str(data), "--target", "churned", "--runs-dir", str(root / "runs"), *TUNE])
    assert status == 0, (root / "tune.log").read_text()
    (root / "done").write_text("ok")


@pytest.fixture(scope="session")
def tuned_run(tmp_path_factory, worker_id):
    """The folder of a finished `gradwise tune` run (customers, 4 trials); copy it before changing it."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    root = shared / "report-tuned-run"
    root.mkdir(exist_ok=True)
    with _locked(shared / "report-tuned-run.lock"):
        if not (root / "done").exists():
            _make_run(root)
    return root / "runs" / "customers"


@pytest.fixture
def run_copy(tuned_run, tmp_path):
    """A private copy of the tuned run folder."""
    folder = tmp_path / "customers"
    shutil.copytree(tuned_run, folder)
    return folder


def summary(folder):
    return json.loads((folder / "summary.json").read_text())

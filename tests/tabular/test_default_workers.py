"""`gradwise tune` without --workers runs one process per usable core, at most MOST_WORKERS."""

import json
import os

import pytest

from gradwise.cli import main
from gradwise.tabular import tune
from gradwise.tabular.messy import write_customer_csv


def _cores(monkeypatch, cores):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    if not hasattr(os, "sched_getaffinity"):  # pragma: no cover - not Linux
        monkeypatch.setattr(os, "cpu_count", lambda: cores)


@pytest.mark.parametrize("cores, workers", [(1, 1), (2, 2), (6, 6), (64, tune.MOST_WORKERS)])
def test_default_workers_is_one_per_usable_core_up_to_the_bound(monkeypatch, cores, workers):
    _cores(monkeypatch, cores)
    assert tune.default_workers() == workers


@pytest.mark.parametrize("flags, workers", [([], 2), (["--workers", "1"], 1)])
def test_a_run_without_workers_uses_the_cores_and_says_so(tmp_path, monkeypatch, capsys, flags, workers):
    _cores(monkeypatch, 2)
    data = write_customer_csv(tmp_path / "cores.csv", rows=120, seed=4)
    assert main(["tune", "--data", str(data), "--target", "churned", "--runs-dir", str(tmp_path / "runs"),
                 "--trials", "4", "--epochs", "3", "--patience", "2", "--time-budget", "900", "--no-baselines",
                 *flags]) == 0
    summary = json.loads((tmp_path / "runs" / "cores" / "summary.json").read_text())
    assert summary["workers"] == workers
    assert summary["trials"]["complete"] + summary["trials"]["pruned"] == 4
    assert f"{workers} worker(s)" in capsys.readouterr().out

"""What `gradwise tune` keeps of its time budget after the search: scaled for a busy machine, the plots skipped past it."""

import json
import os
import subprocess
import sys
import time

import optuna
import pytest

from gradwise.tabular import report
from gradwise.tabular.outputs import write_plots
from gradwise.tabular.report import Reporter


def _reserve(monkeypatch, load, budget, cores=2, final=True):
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    return Reporter(None, "t", None, [], time.time(), budget).reserve(final)


@pytest.mark.parametrize("load, budget, expected", [
    (0.5, 45, 0.04 * 45 + 2.0),  # idle: the budget's share plus the writing
    (4.0, 45, 0.04 * 45 + 2.0 * 2),  # two runnable processes a core: the writing takes twice as long
    (40.0, 45, 0.04 * 45 + 2.0 * report.BUSIEST),  # scaled at most BUSIEST times
    (40.0, 10, 0.3 * 10),  # at most MOST_RESERVED of the budget...
    (40.0, 5, 0.04 * 5 + 2.0),  # ...but never less than an idle machine's reserve
])
def test_the_reserve_grows_with_the_load_within_bounds(monkeypatch, load, budget, expected):
    assert _reserve(monkeypatch, load, budget) == pytest.approx(expected)


def test_the_reserve_is_an_idle_machines_where_the_load_is_unknown(monkeypatch):
    monkeypatch.delattr(os, "getloadavg", raising=False)
    assert Reporter(None, "t", None, [], time.time(), 45).reserve() == pytest.approx(0.04 * 45 + 2.0)
    assert Reporter(None, "t", None, [], time.time(), 45).reserve(final=False) == pytest.approx(0.02 * 45 + 2.0)


def _study():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study.optimize(lambda trial: (trial.suggest_float("a", -1, 1) - 0.2) ** 2 + trial.suggest_float("b", 0, 1), 4)
    return study


def test_plots_past_the_deadline_are_skipped_with_a_note(tmp_path):
    written, notes = write_plots(str(tmp_path), _study(), deadline=time.time() + 0.1)
    assert written == [] and not list(tmp_path.iterdir())
    assert len(notes) == 2 and all("skipped: the time budget ends in" in note for note in notes)
    assert "a larger --time-budget draws it" in notes[0]


def test_plots_within_the_deadline_are_drawn(tmp_path):
    written, notes = write_plots(str(tmp_path), _study(), deadline=time.time() + 600)
    assert notes == [] and sorted(os.path.basename(path) for path in written) == ["optimization_history.png",
                                                                                  "param_importances.png"]


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="the process start is read from Linux's /proc")
def test_the_process_start_is_read_from_proc():
    code = ("import time; from gradwise.tabular.tune import process_started; time.sleep(1.0); "
            "print(time.time() - process_started())")
    age = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert 1.0 <= age < 60.0


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="the process start is read from Linux's /proc")
def test_time_a_shell_spent_before_exec_is_not_counted():
    """`sh -c 'a && gradwise tune'` execs the command in the shell's process, forked before `a`
    (the README's one-liner creates a venv and installs first): that time is not the search's."""
    code = ("import time; began = time.time(); from gradwise.tabular.tune import process_started; "
            "now = time.time(); print(now - process_started(), now - began)")
    shell = f"sleep 6 && exec {sys.executable} -c '{code}'"
    output = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, check=True).stdout
    age, importing = map(float, output.split())
    # The 6 s slept before exec are not counted: the age is the import's own time plus at most the
    # 2 s interpreter allowance (a loaded machine makes the import slow, not the bound wrong).
    assert age < importing + 2.5


def test_run_as_the_command_the_budget_counts_from_the_process_start(tmp_path, monkeypatch, capsys):
    from gradwise.cli import main
    from gradwise.tabular import tune
    from gradwise.tabular.messy import write_customer_csv

    data = write_customer_csv(tmp_path / "late.csv", rows=120, seed=3)
    monkeypatch.setattr(tune, "process_started", lambda: time.time() - 30.0)  # as if started 30 s ago
    monkeypatch.setattr(sys, "argv", ["gradwise", "tune", "--data", str(data), "--target", "churned", "--runs-dir",
                                      str(tmp_path / "runs"), "--time-budget", "5", "--no-baselines"])
    assert main() == 0  # the budget was spent before the search: one trial, cut to what it finished
    out = capsys.readouterr().out
    assert "Searching up to 100 trials for 0 s (reading and preparing the table took the time budget of 5 s" in out
    assert "stopped at its share of the time budget (0 s)" not in out  # no baselines asked (below, with them)
    summary = json.loads((tmp_path / "runs" / "late" / "summary.json").read_text())
    assert summary["seconds"] >= 30.0 and summary["trials"]["complete"] == 1


def test_baselines_do_not_start_once_reading_the_table_took_the_budget(tmp_path, monkeypatch, capsys):
    from gradwise.cli import main
    from gradwise.tabular import tune
    from gradwise.tabular.messy import write_customer_csv

    data = write_customer_csv(tmp_path / "late.csv", rows=120, seed=3)
    monkeypatch.setattr(tune, "process_started", lambda: time.time() - 30.0)
    monkeypatch.setattr(sys, "argv", ["gradwise", "tune", "--data", str(data), "--target", "churned", "--runs-dir",
                                      str(tmp_path / "runs"), "--time-budget", "5"])
    assert main() == 0
    summary = json.loads((tmp_path / "runs" / "late" / "summary.json").read_text())
    assert summary["baselines"] and all(b.get("skipped") == "not started: the time budget was spent before its turn"
                                        and b["seconds"] == 0.0 for b in summary["baselines"])
    assert "LogisticRegression (standardized): not started: the time budget was spent before its turn" in \
        capsys.readouterr().out

"""The search of `gradwise tune`: folds of the training rows only, the ensemble choice, the time budget, bad input."""

import csv
import json
import time

import numpy as np
import pytest

from gradwise.cli import main
from gradwise.tabular import read_csv, split_rows
from gradwise.tabular.ensemble import loss, select
from gradwise.tabular.messy import write_customer_csv
from gradwise.tabular.search import CV_BELOW_ROWS, FOLDS, make_folds

FAST = ["--trials", "3", "--epochs", "4", "--patience", "2", "--time-budget", "900"]


def _trials(folder):
    with open(folder / "trials.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_search_never_reads_the_test_rows(tmp_path, capsys):
    data = write_customer_csv(tmp_path / "clean.csv", rows=200, seed=5)
    table = read_csv(data)
    _, _, train_index, test_index = split_rows(table, "churned", seed=0)
    with open(data, newline="") as handle:
        rows = list(csv.reader(handle))
    for index in test_index:  # poison every feature of the test rows; the labels stay (the split is stratified)
        row = rows[index + 1]
        row[2:5] = [str(float(cell) * 1000 + 7) if cell not in ("", "NA") else "" for cell in row[2:5]]
        row[5:7] = ["poison", "poison"]
    with open(tmp_path / "poisoned.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    for name in ("clean", "poisoned"):
        assert main(["tune", "--data", str(tmp_path / f"{name}.csv"), "--target", "churned", "--runs-dir",
                     str(tmp_path / "runs"), *FAST]) == 0
    clean, poisoned = (json.loads((tmp_path / "runs" / n / "summary.json").read_text()) for n in ("clean", "poisoned"))
    assert [t["val_loss"] for t in _trials(tmp_path / "runs" / "clean")] == \
        [t["val_loss"] for t in _trials(tmp_path / "runs" / "poisoned")]
    assert clean["ensemble"] == poisoned["ensemble"] and clean["cv"] == poisoned["cv"]
    assert [b["cv"] for b in clean["baselines"]] == [b["cv"] for b in poisoned["baselines"]]
    assert clean["test"] != poisoned["test"]  # the poison did reach the test rows


def test_folds_are_stratified_k_fold_on_small_tables_and_one_split_on_large_ones():
    y = np.array([0, 1] * 50, dtype=np.float32)
    folds = make_folds(y, "binary", seed=0)
    assert len(folds) == FOLDS
    assert sorted(np.concatenate([val for _, val in folds]).tolist()) == list(range(100))
    assert all(y[val].mean() == 0.5 for _, val in folds)
    large = make_folds(np.zeros(CV_BELOW_ROWS), "regression", seed=0)
    assert len(large) == 1 and len(large[0][1]) == CV_BELOW_ROWS // 5


def test_ensemble_selection_keeps_the_best_trial_unless_the_mix_scores_better():
    y = np.array([0, 1, 0, 1, 1, 0], dtype=np.float64)
    good = np.array([0.2, 0.8, 0.3, 0.7, 0.6, 0.4])
    weights, chosen, single = select("binary", [good, good.copy()], y)
    assert weights.tolist() == [1.0, 0.0] and chosen == single == loss("binary", good, y)
    over = np.array([0.01, 0.99, 0.9, 0.99, 0.99, 0.01])  # confident, one bad miss
    under = np.array([0.4, 0.6, 0.45, 0.55, 0.55, 0.45])  # right, timid
    assert loss("binary", over, y) < loss("binary", under, y)
    weights, chosen, single = select("binary", [over, under], y)
    assert chosen < single == loss("binary", over, y)
    assert 0 < weights[1] < weights[0] and weights.sum() == pytest.approx(1.0)


def test_time_budget_is_honoured(tmp_path, capsys):
    data = write_customer_csv(tmp_path / "budget.csv", rows=300, seed=2)
    started = time.time()
    assert main(["tune", "--data", str(data), "--target", "churned", "--runs-dir", str(tmp_path / "runs"),
                 "--time-budget", "10", "--trials", "60", "--no-baselines"]) == 0
    elapsed = time.time() - started
    summary = json.loads((tmp_path / "runs" / "budget" / "summary.json").read_text())
    assert summary["seconds"] <= 10 * 1.1 and elapsed <= 10 * 1.1 + 1.0
    assert summary["trials"]["complete"] + summary["trials"]["pruned"] > 1  # the budget, not the trials, ended it


@pytest.mark.parametrize("argv, message", [
    (["--time-budget", "-5"], "--time-budget must be a positive number of seconds, got -5"),
    (["--timeout", "-1"], "--timeout must be a positive number of seconds, got -1"),
])
def test_negative_budgets_are_usage_errors(tmp_path, capsys, argv, message):
    assert main(["tune", "--dataset", "pima", "--runs-dir", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().err


def _write(path, content):
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file (it holds NUL bytes), not comma-separated text"),
    ("a,b\n1,caf\xe9\n".encode("latin-1"), "is not UTF-8 text (byte 0xe9 at offset 9 is invalid); it may be cp1252"),
    (b"a,b\n1,\"" + b"x" * 140_000 + b"\n", "line 2: a cell is longer than the csv module's limit of 131,072"),
    (b"a,b\n1,1\n2,1\n3,1\n", "The target column 'b' has a single value ['1']: there is nothing to learn."),
])
def test_bad_files_are_one_line_errors_naming_the_file(tmp_path, capsys, content, message):
    path = _write(tmp_path / "bad.csv", content)
    assert main(["tune", "--data", path, "--target", "b", "--runs-dir", str(tmp_path / "runs")]) == 1
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1
    if "target" not in message:
        assert "bad.csv" in error


def test_drop_naming_a_missing_column_is_an_error(tmp_path, capsys):
    data = write_customer_csv(tmp_path / "c.csv", rows=60)
    assert main(["tune", "--data", str(data), "--target", "churned", "--drop", "age,shoe_size",
                 "--runs-dir", str(tmp_path / "runs")]) == 1
    assert "--drop names column(s) ['shoe_size']" in capsys.readouterr().err


def test_baselines_stop_at_their_share_and_a_spent_budget_still_ends_with_a_model(tmp_path, capsys):
    from gradwise.tabular import load_dataset, prepare
    from gradwise.tabular.baselines import run_baselines

    table, target = load_dataset("pima")
    prepared = prepare(table, target)
    folds = make_folds(prepared.y_train, prepared.task, 0)
    skipped = run_baselines(prepared, folds, deadline=time.time() - 1)
    assert [b["skipped"] for b in skipped] == ["stopped at its share of the time budget"] * 2
    assert main(["tune", "--dataset", "pima", "--runs-dir", str(tmp_path), "--time-budget", "0.5"]) == 0
    summary = json.loads((tmp_path / "pima" / "summary.json").read_text())
    assert summary["trials"]["complete"] == 1 and summary["ensemble"]["trials"] == [0]

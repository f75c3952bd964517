"""Columns that alone predict the target almost perfectly are named (a leak, often); strong honest ones are not."""

import json

import numpy as np
import pytest

from gradwise.tabular import prepare
from gradwise.tabular.leaks import (GAP_LEAK_ERROR, LEAK_ERROR, column_errors, gap_leak_line, gap_leaking_columns,
                                    leak_line, leaking_columns)
from gradwise.tabular.table import Table


def _orders(rows=400, seed=0, regression=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    colour = rng.choice(["red", "green", "blue"], rows)
    strong = x + 0.5 * (colour == "red") + rng.normal(scale=0.4, size=rows)
    if regression:
        target = 3 * strong + rng.normal(scale=0.1, size=rows)
        leak = [f"{v * 1.2 + 5:.3f}" for v in target]  # the amount with tax: known once the order is paid
        cells = [f"{v:.4f}" for v in target]
    else:
        target = strong > 0
        leak = ["2024-03-0%d" % (1 + i % 9) if t else "" for i, t in enumerate(target)]  # a cancellation date
        cells = np.where(target, "yes", "no")
    columns = {"x": np.array([f"{v:.3f}" for v in x], dtype=object), "colour": colour.astype(object),
               "after": np.array(leak, dtype=object), "y": np.array(cells, dtype=object)}
    return Table(columns, source="'orders.csv'")


@pytest.mark.parametrize("regression", [False, True])
def test_a_column_known_only_after_the_outcome_is_named_and_an_honest_strong_one_is_not(regression):
    prepared = prepare(_orders(regression=regression), "y", impute="median")
    leaks = leaking_columns(prepared)
    assert [leak["column"] for leak in leaks] == ["after"]
    assert leaks[0]["score"] > 0.97 and leaks[0]["constant"] == (0.0 if regression else pytest.approx(0.5, abs=0.1))
    line = leak_line(leaks[0], "y", regression)
    assert "Column 'after' alone predicts 'y'" in line and "--drop after" in line
    assert ("R² " if regression else "accuracy ") in line
    errors, _ = column_errors(prepared.x_train, prepared.y_train, prepared.preprocessor.source_columns,
                              not regression)
    assert errors["x"] > 4 * LEAK_ERROR  # x predicts well (accuracy about 0.8), but far from perfectly


def test_the_inputs_of_one_column_are_judged_together():
    table = _orders()
    prepared = prepare(table, "y", impute="median")
    sources = prepared.preprocessor.source_columns
    names = prepared.preprocessor.output_names
    assert len(sources) == len(names) == prepared.x_train.shape[1]
    assert sources.count("colour") == 3 and sources.count("x") == 1
    # the cancellation date: a trend and calendar parts, one column; an empty cell is imputed
    assert all(source == "after" for source, name in zip(sources, names) if name.startswith("after."))


def test_a_date_and_a_word_column_map_their_parts_to_themselves():
    rng = np.random.default_rng(1)
    rows = 120
    days = np.array([f"2024-01-{1 + i % 28:02d}" for i in range(rows)], dtype=object)
    rooms = np.array([str(v) for v in rng.integers(1, 6, rows)], dtype=object)
    rooms[:15] = "studio"
    y = np.array(rng.choice(["a", "b"], rows), dtype=object)
    prepared = prepare(Table({"day": days, "rooms": rooms, "y": y}), "y", impute="median")
    sources = prepared.preprocessor.source_columns
    assert set(sources) == {"day", "rooms"} and len(sources) == prepared.x_train.shape[1]


def _tuned(table, name, target, tmp_path, capsys):
    """(what `gradwise tune` printed, its summary.json) on `table` written as tmp_path/NAME.csv, one short trial."""
    from gradwise.cli import main

    path = tmp_path / f"{name}.csv"
    lines = [",".join(table.names)] + [",".join(str(table[n][i]) for n in table.names) for i in range(table.rows)]
    path.write_text("\n".join(lines) + "\n")
    assert main(["tune", "--data", str(path), "--target", target, "--trials", "1", "--epochs", "2", "--no-baselines",
                 "--runs-dir", str(tmp_path / "runs"), "--time-budget", "30"]) == 0
    return capsys.readouterr().out, json.loads((tmp_path / "runs" / name / "summary.json").read_text())


def test_tune_prints_the_leak_and_summary_json_records_it(tmp_path, capsys):
    printed, summary = _tuned(_orders(), "orders", "y", tmp_path, capsys)
    assert "Column 'after' alone predicts 'y' almost perfectly" in printed
    assert summary["verdict"] is None and "Is the network worth it?" not in printed  # --no-baselines
    assert [leak["column"] for leak in summary["columns"]["possible_leaks"]] == ["after"]


def _workers(rows=600, seed=0):
    """Whether a woman works ('yes'/'no'), her schooling, her union membership asked only of those who work (missing
    for the others, and for 5% of those who do), and her husband's income with gaps at random."""
    rng = np.random.default_rng(seed)
    school = rng.integers(8, 18, rows)
    works = rng.random(rows) < 1 / (1 + np.exp(-(school - 12) / 2))
    union = np.where(works & (rng.random(rows) > 0.05), rng.choice(["0", "1"], rows), "")
    income = np.where(rng.random(rows) < 0.3, "", np.round(rng.lognormal(10, 0.5, rows)).astype(int).astype(str))
    return Table({"school": school.astype(str).astype(object), "union": union.astype(object),
                  "husincome": income.astype(object), "works": np.where(works, "yes", "no").astype(object)},
                 source="'workers.csv'")


def test_a_column_whose_gaps_alone_tell_the_outcome_is_named_and_gaps_at_random_are_not():
    prepared = prepare(_workers(), "works", impute="median")
    assert leaking_columns(prepared) == []  # its values and gaps together are not almost perfect
    leaks = gap_leaking_columns(prepared)
    assert [leak["column"] for leak in leaks] == ["union"] and leaks[0]["score"] > 0.9
    missing = np.mean(prepared.x_train[:, prepared.preprocessor.output_names.index("union=(missing)")] > 0.5)
    assert leaks[0]["missing"] == round(float(missing), 4)
    assert gap_leaking_columns(prepared, named={"union"}) == []  # a column the first check named is not named twice
    errors, _ = column_errors(prepared.x_train[:, [prepared.preprocessor.output_names.index("husincome=(missing)")]],
                              prepared.y_train, ["husincome"], True)
    assert errors["husincome"] > 3 * GAP_LEAK_ERROR  # gaps at random say nothing of the outcome
    line = gap_leak_line(leaks[0], "works", False)
    assert "Column 'union': whether it is missing alone predicts 'works' (accuracy" in line and "--drop union" in line


def test_tune_prints_the_gap_leak_and_summary_json_records_it(tmp_path, capsys):
    printed, summary = _tuned(_workers(), "workers", "works", tmp_path, capsys)
    assert "Column 'union': whether it is missing alone predicts 'works'" in printed
    assert [leak["column"] for leak in summary["columns"]["possible_gap_leaks"]] == ["union"]
    assert summary["columns"]["possible_leaks"] == []

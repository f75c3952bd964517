"""--group: the test rows, the folds and the early-stopping rows keep the rows of a group together."""

import json

import numpy as np
import pytest

from gradwise.cli import main
from gradwise.tabular.data import prepare, split_rows
from gradwise.tabular.groups import (group_properties, grouped_folds, likely_groups, row_blocks, split_off,
                                     with_row_blocks)
from gradwise.tabular.search import CV_BELOW_ROWS, make_folds, stopping_splits
from gradwise.tabular.table import Table

FAST = ["--trials", "3", "--epochs", "4", "--patience", "2", "--time-budget", "900"]


def _panel(subjects=30, visits=6, seed=0, classes=False):
    """Rows of `subjects` people, `visits` each: the target is a person's own level plus a dose effect."""
    rng = np.random.default_rng(seed)
    subject = np.repeat(np.arange(100, 100 + subjects), visits)
    level = rng.normal(0, 2, subjects)[subject - 100]
    dose = rng.uniform(0, 1, len(subject))
    value = level + 1.5 * dose + rng.normal(0, 0.3, len(subject))
    target = np.where(value > np.median(value), "high", "low") if classes else np.round(value, 4).astype(str)
    return Table({"subject": subject.astype(float), "dose": dose, "y": np.array(target, dtype=object)},
                 source="'panel.csv'")


def _whole(groups, first, second):
    return not set(groups[first]) & set(groups[second])


@pytest.mark.parametrize("classes", [False, True])
def test_the_test_rows_are_whole_groups_of_about_the_test_size(classes):
    table = _panel(classes=classes)
    task, cells, train, test = split_rows(table, "y", test_size=0.2, seed=3, group="subject")
    assert _whole(table["subject"], train, test) and len(train) + len(test) == table.rows
    assert 0.1 <= len(test) / table.rows <= 0.3
    if classes:  # both classes in the test rows
        assert {cells[i] for i in test} == {"high", "low"}
    _, _, train_other, _ = split_rows(table, "y", test_size=0.2, seed=4, group="subject")
    assert not np.array_equal(train, train_other)  # the seed draws the groups


@pytest.mark.parametrize("task", ["regression", "binary"])
def test_folds_and_early_stopping_rows_keep_groups_whole(task):
    groups = np.repeat(np.arange(40), 5).astype(str)
    y = (np.arange(200) % 2).astype(np.float32).reshape(-1, 1)
    folds = make_folds(y, task, seed=0, groups=groups)
    assert len(folds) == 5 and all(_whole(groups, fit, val) for fit, val in folds)
    assert sorted(np.concatenate([val for _, val in folds]).tolist()) == list(range(200))
    for (fit, _), (train, stop) in zip(folds, stopping_splits(folds, y, task, 0, groups)):
        assert _whole(groups, train, stop) and sorted([*train, *stop]) == sorted(fit)
    other = make_folds(y, task, seed=1, groups=groups)
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(folds, other))


def test_a_large_table_is_one_split_of_whole_groups():
    groups = np.repeat(np.arange(CV_BELOW_ROWS // 10 + 1), 10)
    (fit, val), = make_folds(np.zeros((len(groups), 1)), "regression", 0, groups)
    assert _whole(groups, fit, val) and 0.15 <= len(val) / len(groups) <= 0.25


def test_split_off_and_grouped_folds_follow_the_given_groups():
    groups = np.array(list("aabbccddeeffgghhiijj"))
    train, test = split_off(np.arange(100, 120), groups, None, 0.2, 0, False)
    assert len(test) == 4 and len({groups[i - 100] for i in test}) == 2 and set(train) | set(test) == set(range(100, 120))
    assert all(_whole(groups, fit, val) for fit, val in grouped_folds(groups, None, 5, 0))


def test_the_group_column_is_not_a_feature_and_prepared_carries_the_training_groups():
    table = _panel()
    prepared = prepare(table, "y", seed=0, group="subject")
    assert prepared.preprocessor.config["features"] == ["dose"]
    assert prepared.preprocessor.config["dropped"][0]["name"] == "subject"
    assert "--group" in prepared.preprocessor.config["dropped"][0]["reason"]
    np.testing.assert_array_equal(prepared.groups, [str(int(v)) for v in table["subject"][prepared.train_index]])


@pytest.mark.parametrize("group, message", [
    ("nope", r"--group 'nope' is not a column of 'panel.csv'"),
    ("y", r"--group 'y' is the target"),
])
def test_a_group_that_is_no_column_or_the_target_is_named(group, message):
    with pytest.raises(ValueError, match=message):
        split_rows(_panel(), "y", group=group)


def test_too_few_groups_for_the_folds_name_the_flag():
    with pytest.raises(ValueError, match=r"--group: the \d+ training rows hold 3 group\(s\), but 5 are needed"):
        prepared = prepare(_panel(subjects=4, visits=10), "y", seed=0, group="subject", test_size=0.25)
        make_folds(prepared.y_train, prepared.task, 0, prepared.groups)


def test_tune_with_group_scores_whole_groups_and_says_so(tmp_path, capsys):
    table = _panel()
    path = tmp_path / "panel.csv"
    with open(path, "w") as handle:
        handle.write("subject,dose,y\n")
        for s, d, y in zip(table["subject"], table["dose"], table["y"]):
            handle.write(f"{int(s)},{d:.5f},{y}\n")
    assert main(["tune", "--data", str(path), "--target", "y", "--group", "subject", "--runs-dir",
                 str(tmp_path / "runs"), *FAST]) == 0
    out = capsys.readouterr().out
    assert "Dropped column 'subject': groups the rows (--group)" in out and "--keep subject" not in out
    assert "5-fold cross-validation of whole groups of 'subject', 24 in training" in out
    summary = json.loads((tmp_path / "runs" / "panel" / "summary.json").read_text())
    assert summary["group"] == {"column": "subject", "groups": 24} and summary["columns"]["used"] == ["dose"]
    assert main(["tune", "--data", str(path), "--target", "y", "--group", "subject", "--keep", "subject",
                 "--runs-dir", str(tmp_path / "runs2"), *FAST]) == 1
    assert "--keep names the --group column 'subject'" in capsys.readouterr().err


def test_a_column_constant_within_groups_is_no_code_when_grouped():
    table = _panel(subjects=40, visits=8)
    columns = dict(table.columns)
    columns["baseline"] = (columns["subject"] - 100) * 3.0  # one whole number per subject: a group's property
    table = Table(columns, source="'panel.csv'")
    by_row = prepare(table, "y", seed=0, drop=["subject"])
    assert [e["name"] for e in by_row.preprocessor.config["categorical"] if e.get("codes")] == ["baseline"]
    grouped = prepare(table, "y", seed=0, group="subject")
    assert not [e for e in grouped.preprocessor.config["categorical"] if e.get("codes")]
    assert [e["name"] for e in grouped.preprocessor.config["numeric"]] == ["dose", "baseline"]


def _workers(workers=60, years=6, seed=0):
    """A panel without a telling name: worker `nr` (ids in random order), each with a sex and schooling of
    their own, a year and an age band that is a coarsening of age."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(np.arange(1000, 1000 + 40 * workers, 40))
    nr = np.repeat(ids, years)
    sex = np.repeat(rng.integers(0, 2, workers), years).astype(float)
    school = np.repeat(rng.integers(8, 17, workers), years).astype(float)
    year = np.tile(np.arange(1980, 1980 + years), workers).astype(float)
    age = np.repeat(rng.integers(20, 40, workers), years) + (year - 1980)
    band = np.array([f"{int(a) // 10 * 10}s" for a in age], dtype=object)
    wage = 0.1 * school + 0.3 * sex + rng.normal(0, 0.2, len(nr))
    return Table({"nr": nr.astype(float), "sex": sex, "school": school, "year": year, "age": age.astype(float),
                  "band": band, "wage": np.round(wage, 4)}, source="'workers.csv'")


def _workers_csv(path, names):
    """``_workers``'s columns `names`, written as a CSV file at `path`."""
    table = _workers()
    with open(path, "w") as handle:
        handle.write(",".join(names) + "\n")
        for row in zip(*(table[name] for name in names)):
            handle.write(",".join(f"{value:g}" for value in row) + "\n")
    return path


def test_a_column_is_a_likely_group_by_its_name_or_by_properties_of_its_values():
    table = _workers()
    features = ["nr", "sex", "school", "year", "age", "band"]
    assert likely_groups(table, features) == [("nr", 60, 6.0, ["sex", "school"])]
    assert group_properties(table, "age", features) == []  # the age band is a coarsening of age: no group
    renamed = Table({("worker_id" if name == "nr" else name): values for name, values in table.columns.items()})
    assert likely_groups(renamed, ["worker_id", "sex", "year"]) == [("worker_id", 60, 6.0, [])]  # by its name
    # one value per row, or a label of the values one to one (each worker's own number): no property
    columns = dict(table.columns)
    columns["code"] = columns["nr"] * 2 + 1
    assert group_properties(Table(columns), "nr", ["code", "year"]) == []
    shuffled = table.take(np.random.default_rng(1).permutation(table.rows))
    assert likely_groups(shuffled, features) == likely_groups(table, features)  # the rows' order plays no part
    columns["nr_copy"] = columns["nr"] + 0.5  # the same grouping again: named once
    assert [entry[0] for entry in likely_groups(Table(columns), ["nr", "nr_copy", "sex", "school"])] == ["nr"]


def test_a_large_table_tries_properties_on_a_sample_and_confirms_them_on_every_row(monkeypatch):
    from gradwise.tabular import groups

    table = _workers()
    features = ["nr", "sex", "school", "year", "age", "band"]
    monkeypatch.setattr(groups, "SAMPLE_ROWS", 100)
    assert likely_groups(table, features) == [("nr", 60, 6.0, ["sex", "school"])]
    sample = set(np.random.default_rng(0).choice(np.arange(table.rows), 100, replace=False).tolist())
    outside = next(row for row in range(table.rows) if row not in sample)
    columns = dict(table.columns)
    columns["school"] = columns["school"].copy()
    columns["school"][outside] += 1  # constant within every worker in the sample, not on every row
    assert group_properties(Table(columns), "nr", features) == ["sex"]


def test_tune_hints_at_a_column_whose_values_have_properties(tmp_path, capsys):
    path = _workers_csv(tmp_path / "workers.csv", ["nr", "sex", "school", "year", "wage"])
    assert main(["tune", "--data", str(path), "--target", "wage", "--runs-dir", str(tmp_path / "runs"), *FAST]) == 0
    out = capsys.readouterr().out
    assert ("Column 'nr' repeats its values (60 values, 6.0 rows each; 'sex', 'school' never change within one of "
            "its values): if new rows will come from new values of it, use --group nr") in out
    summary = json.loads((tmp_path / "runs" / "workers" / "summary.json").read_text())
    assert summary["columns"]["possible_groups"] == [{"column": "nr", "values": 60, "rows_per_value": 6.0,
                                                      "properties": ["sex", "school"]}]
    assert summary["columns"]["possible_blocks"] is None and "Rows come in blocks" not in out  # 'nr' names them


def test_rows_in_blocks_of_one_unit_without_a_column_naming_it_are_found_by_their_order():
    table = _workers()  # 60 workers of 6 consecutive rows
    features = ["sex", "school", "year", "age", "band"]
    assert row_blocks(table, features) == (6, ["sex", "school"])  # blocks of 2 and 3 pass too: the largest is the unit
    assert row_blocks(table.take(np.random.default_rng(1).permutation(table.rows)), features) is None
    # sorted by schooling, each worker's rows stay together but schooling changes only at its 8 values: no property
    by_school = table.take(np.argsort(table["school"], kind="stable"))
    assert row_blocks(by_school, features) is None  # sex alone is fewer than BLOCK_PROPERTIES
    assert row_blocks(table.take(np.arange(table.rows - 1)), features) is None  # 359 rows: no balanced blocks


def test_tune_hints_at_blocks_of_rows_when_no_column_names_them(tmp_path, capsys):
    path = _workers_csv(tmp_path / "years.csv", ["sex", "school", "year", "wage"])  # no column numbers the workers
    assert main(["tune", "--data", str(path), "--target", "wage", "--runs-dir", str(tmp_path / "runs"), *FAST]) == 0
    out = capsys.readouterr().out
    assert ("Rows come in blocks of 6 consecutive rows (60 blocks) within which 'sex', 'school' never change: if each "
            "block is one unit's rows") in out and "use --group-rows 6 so that the test rows and the folds" in out
    summary = json.loads((tmp_path / "runs" / "years" / "summary.json").read_text())
    assert summary["columns"]["possible_blocks"] == {"rows_per_block": 6, "blocks": 60, "properties": ["sex", "school"]}


def test_group_rows_keeps_blocks_of_consecutive_rows_whole_and_new_rows_need_no_block_column(tmp_path, capsys):
    path = _workers_csv(tmp_path / "years.csv", ["sex", "school", "year", "wage"])
    assert main(["tune", "--data", str(path), "--target", "wage", "--group-rows", "6", "--runs-dir",
                 str(tmp_path / "runs"), *FAST]) == 0
    out = capsys.readouterr().out
    assert "5-fold cross-validation of whole groups of '(blocks of 6 rows)', 48 in training" in out
    assert "Rows come in blocks" not in out  # the blocks are grouped already
    assert "Dropped column '(blocks of 6 rows)'" not in out  # the run's own column, not one of the file's
    summary = json.loads((tmp_path / "runs" / "years" / "summary.json").read_text())
    assert summary["group"] == {"column": "(blocks of 6 rows)", "groups": 48}
    assert summary["rows"] == {"train": 288, "test": 72}  # whole workers of 6 rows on each side
    assert main(["predict", "--model", str(tmp_path / "runs" / "years" / "best.gw"), "--data", str(path),
                 "--output", str(tmp_path / "p.csv")]) == 0  # the CSV has no block column: none is needed
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 361


def test_the_block_column_never_replaces_a_column_of_the_file():
    table = Table({"(blocks of 2 rows)": np.arange(6.0), "x": np.ones(6)})
    blocked, name = with_row_blocks(table, 2)
    assert name == "(blocks of 2 rows)'" and blocked["(blocks of 2 rows)"].tolist() == list(range(6))
    assert blocked[name].tolist() == [1, 1, 2, 2, 3, 3]
    assert with_row_blocks(Table({"x": np.ones(7)}), 2)[0]["(blocks of 2 rows)"].tolist() == [1, 1, 2, 2, 3, 3, 4]


@pytest.mark.parametrize("flags, status, message", [  # 2: a usage error of the flag; 1: an error of the data
    (["--group-rows", "1"], 2, "--group-rows must be at least 2 (rows per unit), got 1"),
    (["--group-rows", "six"], 2, "--group-rows must be a whole number of rows, got 'six'"),
    (["--group-rows", "6", "--group", "sex"], 1, "--group 'sex' and --group-rows 6 both say which rows belong together"),
    (["--group-rows", "80"], 1, "years.csv' holds 360 rows, fewer than 5 blocks of 80"),
])
def test_group_rows_rejects_what_cannot_be_blocks(tmp_path, capsys, flags, status, message):
    path = _workers_csv(tmp_path / "years.csv", ["sex", "school", "year", "wage"])
    assert main(["tune", "--data", str(path), "--target", "wage", "--runs-dir", str(tmp_path / "runs"), *flags,
                 *FAST]) == status
    assert message in capsys.readouterr().err

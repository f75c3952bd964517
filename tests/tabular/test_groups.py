"""--group: the test rows, the folds and the early-stopping rows keep the rows of a group together."""

import json

import numpy as np
import pytest

from gradwise.cli import main
from gradwise.tabular.data import prepare, split_rows
from gradwise.tabular.groups import (group_properties, grouped_folds, likely_groups, own_to_groups, row_blocks,
                                     row_copies, row_runs, split_off, with_row_blocks, with_row_copies, with_row_runs)
from gradwise.tabular.report import copies_line, runs_line
from gradwise.tabular.search import CV_BELOW_ROWS, make_folds, stopping_splits
from gradwise.tabular.table import Table, read_csv

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


def test_a_coarser_property_of_the_groups_is_still_a_code_when_grouped():
    """VietNamI's commune under a split by household: each village holds dozens of households, so new households
    come from villages seen in training, and the village's effect is learned from the other households."""
    rng = np.random.default_rng(0)
    households, size = 600, 3
    household = np.repeat(np.arange(households), size)
    village = np.repeat(rng.integers(1, 21, households), size).astype(float)  # 20 villages, about 30 households each
    effect = rng.normal(0, 1.5, 21)
    y = effect[village.astype(int)] + rng.normal(0, 1, len(household))
    table = Table({"household": household.astype(float), "village": village,
                   "y": np.array([f"{v:.4f}" for v in y], dtype=object)}, source="'villages.csv'")
    grouped = prepare(table, "y", seed=0, group="household")
    assert [e["name"] for e in grouped.preprocessor.config["categorical"] if e.get("codes")] == ["village"]
    assert own_to_groups(village, household) is False and own_to_groups(household * 2.0, household) is True
    assert own_to_groups(rng.normal(size=len(household)), household) is False  # not one value a group


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


def _households(households=150, seed=0, scattered=True):
    """A panel written one person after another, 1 to 4 years each, with no column naming the person (as Ecdat's
    DoctorContacts): 1 to 3 people per household, the household's income (fine: one value per household), each
    person's sex and schooling, and a year and an age that move from row to row. `scattered`: the people in a
    random order, so that a household's rows are not one stretch."""
    rng = np.random.default_rng(seed)
    people = []
    for _ in range(households):
        income = round(float(rng.lognormal(10, 0.6)), 2)
        for _ in range(rng.integers(1, 4)):
            sex, school, born, years = rng.integers(0, 2), rng.integers(8, 17), rng.integers(1930, 1990), rng.integers(1, 5)
            people.append([(income, float(sex), float(school), float(year), float(year - born),
                            round(0.2 * school + sex + rng.normal(0, 0.5), 4)) for year in range(1980, 1980 + years)])
    order = rng.permutation(len(people)) if scattered else range(len(people))
    rows = np.array([row for index in order for row in people[index]])
    names = ["income", "sex", "school", "year", "age", "visits"]
    return Table({name: rows[:, i] for i, name in enumerate(names)}, source="'visits.csv'")


def _households_csv(path):
    table = _households()
    with open(path, "w") as handle:
        handle.write(",".join(table.names) + "\n")
        for row in zip(*(table[name] for name in table.names)):
            handle.write(",".join(f"{value:g}" for value in row) + "\n")
    return path


FEATURES = ["income", "sex", "school", "year", "age"]


def test_runs_of_one_unit_of_different_lengths_are_found_by_their_order():
    table = _households()
    people = 1 + int(np.count_nonzero(np.diff(table["year"]) <= 0))  # each person's years start again at 1980
    assert likely_groups(table, FEATURES) == [] and row_blocks(table, FEATURES) is None  # no column, no one length
    found = row_runs(table, FEATURES)
    assert found["columns"] == ["income", "sex", "school"] and {"sex", "school"} <= set(found["properties"])
    assert 0.9 * people <= found["runs"] <= people  # two people of a household alike in sex and school are one run
    assert found["rows_per_run"] == round(table.rows / found["runs"], 2) and found["label"] is None
    evidence = found["evidence"]
    assert evidence["column"] == "income" and evidence["values"] == len(np.unique(table["income"]))
    assert evidence["repeats"] == round(float(np.mean(table["income"][1:] == table["income"][:-1])), 4) > 0.6
    assert evidence["after_shuffle"] < 0.02
    shuffled = table.take(np.random.default_rng(1).permutation(table.rows))
    assert row_runs(shuffled, FEATURES) is None
    # sorted by its coarse columns, the rows repeat sex and schooling but no fine column: a sorted file, no units
    by_columns = table.take(np.lexsort([table["school"], table["sex"]]))
    assert row_runs(by_columns, ["sex", "school", "year", "age"]) is None
    # shuffled, then sorted by a fine column: it repeats, but a person's sex and schooling no longer stay together
    assert row_runs(shuffled.take(np.argsort(shuffled["income"], kind="stable")), FEATURES) is None
    # sorted by it without the shuffle, each person's rows stay one after another: still runs of one person
    assert 0.9 * people <= row_runs(table.take(np.argsort(table["income"], kind="stable")), FEATURES)["runs"] <= people


def test_a_fine_column_whose_values_are_one_stretch_each_is_the_unit_to_keep_whole():
    table = _households(scattered=False)  # a household's people one after another: its income on one stretch
    found = row_runs(table, FEATURES)
    assert found["label"] == "income" and "use --group-runs income so that" in runs_line(found)
    person = np.cumsum(np.r_[1, np.diff(table["year"]) <= 0]) * 7.0  # a person number, in no telling column
    found = row_runs(Table({**_households().columns, "p": person}), ["p", *FEATURES])
    assert found["label"] == "p" and found["evidence"]["column"] == "p"  # the finest: the fewest repeats by chance


def test_the_run_column_numbers_runs_of_equal_rows_and_never_replaces_a_column_of_the_file():
    table = Table({"a": np.array([1, 1, 2, 2, 2, 1, np.nan, np.nan]), "b": np.array(list("xxxyyyzz"), dtype=object),
                   "(runs of 2 columns)": np.zeros(8)}, source="'t.csv'")
    numbered, name = with_row_runs(table, ["a", "b"])
    assert name == "(runs of 2 columns)'" and numbered["(runs of 2 columns)"].tolist() == [0] * 8
    assert numbered[name].tolist() == [1, 1, 2, 3, 3, 4, 5, 5]  # missing cells are equal to each other
    assert with_row_runs(table, ["a"])[0]["(runs of a)"].tolist() == [1, 1, 2, 2, 2, 3, 4, 4]
    with pytest.raises(ValueError, match=r"--group-runs: no column 'c' in 't.csv'"):
        with_row_runs(table, ["a", "c"])


def test_tune_hints_at_runs_of_rows_and_group_runs_keeps_them_whole(tmp_path, capsys):
    path = _households_csv(tmp_path / "visits.csv")
    table = _households()
    found = row_runs(table, FEATURES)
    assert main(["tune", "--data", str(path), "--target", "visits", "--runs-dir", str(tmp_path / "runs"), *FAST]) == 0
    out = capsys.readouterr().out
    assert (f"Rows come in runs of consecutive rows equal in 3 column(s) ('income', 'sex', 'school'): {found['runs']} "
            "runs of") in out and "'income' (" in out and "use --group-runs income,sex,school so that" in out
    summary = json.loads((tmp_path / "runs" / "visits" / "summary.json").read_text())
    assert summary["columns"]["possible_runs"] == found and summary["group"] is None

    assert main(["tune", "--data", str(path), "--target", "visits", "--group-runs", "income,sex,school", "--name",
                 "grouped", "--runs-dir", str(tmp_path / "runs"), *FAST]) == 0
    out = capsys.readouterr().out
    assert "of whole groups of '(runs of 3 columns)'" in out and "Rows come in runs" not in out
    assert "Dropped column '(runs of 3 columns)'" not in out
    summary = json.loads((tmp_path / "runs" / "grouped" / "summary.json").read_text())
    runs, _ = with_row_runs(table, ["income", "sex", "school"])
    task, cells, train, test = split_rows(runs, "visits", test_size=0.2, seed=0, group="(runs of 3 columns)")
    assert summary["group"] == {"column": "(runs of 3 columns)", "groups": len(set(runs["(runs of 3 columns)"][train]))}
    assert summary["rows"] == {"train": len(train), "test": len(test)}
    assert not set(runs["(runs of 3 columns)"][train]) & set(runs["(runs of 3 columns)"][test])
    assert set(summary["columns"]["used"]) == set(FEATURES)  # the run's columns stay features
    assert main(["predict", "--model", str(tmp_path / "runs" / "grouped" / "best.gw"), "--data", str(path),
                 "--output", str(tmp_path / "p.csv")]) == 0  # new rows need no run column
    assert len((tmp_path / "p.csv").read_text().splitlines()) == table.rows + 1


@pytest.mark.parametrize("flags, status, message", [
    (["--group-runs", ","], 2, "--group-runs must name at least one column (COL,...), got ','"),
    (["--group-runs", "sex,school", "--group", "sex"], 1,
     "--group 'sex' and --group-runs sex,school both say which rows belong together"),
    (["--group-runs", "sex,height"], 1, "--group-runs: no column 'height' in"),
    (["--group-runs", "sex", "--group-rows", "2", "--group", "school"], 1,
     "--group 'school' and --group-rows 2 and --group-runs sex all say which rows belong together"),
    (["--group-runs", "sex,visits"], 1, "--group-runs names the target 'visits'"),
    (["--group-runs", "year"], 1, "run(s) of consecutive rows equal in 'year', fewer than 5"),
])
def test_group_runs_rejects_what_cannot_be_runs(tmp_path, capsys, flags, status, message):
    path = tmp_path / "visits.csv"
    if "year" in flags:  # a file sorted by a column of two values: two runs
        path.write_text("year,x,visits\n" + "".join(f"{1980 + (i >= 10)},{i},{i % 3}\n" for i in range(20)))
    else:
        _households_csv(path)
    assert main(["tune", "--data", str(path), "--target", "visits", "--runs-dir", str(tmp_path / "runs"), *flags,
                 *FAST]) == status
    assert message in capsys.readouterr().err


def _survey(rows=400, seed=0):
    """Answers of `rows` people: an age, an income, a 0/1 sex and whether they voted."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, rows)
    income = rng.integers(1, 15, rows)
    sex = rng.integers(0, 2, rows)
    voted = rng.random(rows) < 1 / (1 + np.exp(-(income - 7) / 3))
    return {"age": age.astype(object), "income": income.astype(object), "sex": sex.astype(object),
            "voted": np.where(voted, "yes", "no").astype(object)}


def test_rows_written_twice_are_found_and_copies_by_chance_are_not():
    columns = _survey()
    twice = Table({name: np.concatenate([values, values[:300]]) for name, values in columns.items()})  # 300 copied
    names = list(columns)
    order = np.random.default_rng(1).permutation(twice.rows)
    train, test = np.sort(order[:560]), np.sort(order[560:])
    found = row_copies(twice, names, train, test)
    keys = [tuple(twice[name][i] for name in names) for i in range(twice.rows)]
    # the rows with a copy: the 300 written twice, both times, and any the draw made alike
    assert found["rows"] == sum(keys.count(key) > 1 for key in keys) >= 600 and found["of"] == 700
    assert 0 < found["after_shuffle"] < 0.25 and found["test_of"] == 140  # 4,032 kinds of answers: some alike by chance
    assert found["test_rows"] == sum(keys[i] in {keys[j] for j in train} for i in test) > 0
    assert row_copies(Table(columns), names, np.arange(320), np.arange(320, 400)) is None  # no row written twice
    # few values per column: rows alike by chance as often as after a shuffle, however many
    rng = np.random.default_rng(2)
    segments = {f"s{i}": rng.integers(0, 2, 500).astype(object) for i in range(4)}
    segments["digit"] = rng.integers(0, 3, 500).astype(object)
    assert row_copies(Table(segments), list(segments), np.arange(400), np.arange(400, 500)) is None
    # copies that all fell on the training side: no test row has one, nothing is said (a fine column, so that
    # no two people are alike by chance)
    columns["score"] = np.random.default_rng(3).random(400).round(6).astype(object)
    twice = Table({name: np.concatenate([values, values[:300]]) for name, values in columns.items()})
    on_one_side = np.r_[0:300, 400:700]
    assert row_copies(twice, list(columns), on_one_side, np.arange(300, 400)) is None
    assert row_copies(twice, list(columns), np.arange(600), np.arange(600, 700))["test_rows"] == 100


def test_tune_says_that_rows_repeat_and_summary_json_records_it(tmp_path, capsys):
    columns = _survey()
    lines = ["age,income,sex,voted"] + [",".join(str(columns[name][i]) for name in columns) for i in range(400)]
    path = tmp_path / "votes.csv"
    path.write_text("\n".join(lines + lines[1:201]) + "\n")  # the first 200 people written twice
    assert main(["tune", "--data", str(path), "--target", "voted", "--runs-dir", str(tmp_path / "runs"), *FAST]) == 0
    out = capsys.readouterr().out
    copies = json.loads((tmp_path / "runs" / "votes" / "summary.json").read_text())["columns"]["possible_copies"]
    assert copies["of"] == 600 and copies["rows"] >= 400 and copies["test_rows"] > 0
    assert copies_line(copies) in out.splitlines()
    assert f"Rows repeat: {copies['rows']} of the 600 rows" in out and "remove the copies from the file" in out
    path.write_text("\n".join(lines) + "\n")  # each person once
    assert main(["tune", "--data", str(path), "--target", "voted", "--runs-dir", str(tmp_path / "runs"),
                 "--overwrite", *FAST]) == 0
    assert "Rows repeat" not in capsys.readouterr().out
    assert json.loads((tmp_path / "runs" / "votes" / "summary.json").read_text())["columns"]["possible_copies"] is None


def test_group_copies_keeps_every_row_with_its_copies_and_new_rows_need_no_column(tmp_path, capsys):
    columns = _survey()
    # numbered rows: a copy written with another row number is still a copy
    lines = ["nr,age,income,sex,voted"] + [f"{i}," + ",".join(str(columns[name][i]) for name in columns)
                                          for i in range(400)]
    copied = [f"{400 + i}," + line.split(",", 1)[1] for i, line in enumerate(lines[1:201])]
    path = tmp_path / "votes.csv"
    path.write_text("\n".join(lines + copied) + "\n")
    table = read_csv(str(path))
    grouped_table, name = with_row_copies(table)
    assert name == "(copies)" and grouped_table.rows == 600
    keys = [tuple(table[column][i] for column in ("age", "income", "sex", "voted")) for i in range(600)]
    groups = grouped_table[name]
    assert all((groups[i] == groups[j]) == (keys[i] == keys[j]) for i in range(0, 600, 7) for j in range(0, 600, 5))
    _, _, train, test = split_rows(grouped_table, "voted", seed=0, group=name)
    assert not {keys[i] for i in test} & {keys[i] for i in train}  # no test row has a copy in training
    assert main(["tune", "--data", str(path), "--target", "voted", "--group-copies", "--runs-dir",
                 str(tmp_path / "runs"), *FAST]) == 0
    out = capsys.readouterr().out
    assert "Rows repeat" not in out and "of whole groups of '(copies)'" in out
    assert "Dropped column '(copies)'" not in out
    summary = json.loads((tmp_path / "runs" / "votes" / "summary.json").read_text())
    assert summary["group"]["column"] == "(copies)" and summary["columns"]["possible_copies"] is None
    new = tmp_path / "new.csv"
    new.write_text("age,income,sex\n40,9,1\n70,3,0\n")  # no row number, no group column
    assert main(["predict", "--model", str(tmp_path / "runs" / "votes" / "best.gw"), "--data", str(new)]) == 0
    assert main(["tune", "--data", str(path), "--target", "voted", "--group-copies", "--group", "nr", "--runs-dir",
                 str(tmp_path / "runs"), *FAST]) == 1
    assert "--group 'nr' and --group-copies both say which rows belong together" in capsys.readouterr().err


@pytest.mark.parametrize("flags, message", [
    (["--group", "a"], "--group: the 60 labelled rows hold 2 group(s), but 5 are needed (a grouped split puts whole "
                       "groups on each side); group by a column with more values, or leave out --group."),
    (["--group-copies"], "--group-copies: the 60 labelled rows hold 2 group(s), but 5 are needed (a grouped split puts "
                         "whole groups on each side); leave out --group-copies."),
])
def test_a_grouped_split_of_classes_with_too_few_groups_for_its_test_folds_names_the_flag(tmp_path, capsys, flags,
                                                                                         message):
    path = tmp_path / "two.csv"  # two kinds of rows, 30 copies each: two groups by 'a' and by copies
    path.write_text("a,b,y\n" + "1,2,yes\n3,4,no\n" * 30)
    assert main(["tune", "--data", str(path), "--target", "y", *flags, "--runs-dir", str(tmp_path / "runs"),
                 *FAST]) == 1
    assert message in capsys.readouterr().err  # before: scikit-learn's "Cannot have number of splits n_splits=5"

"""TabularPreprocessor: scikit-learn's statistics from the training rows, replayed from JSON with NumPy."""

import json

import numpy as np
import pytest
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from gradwise.tabular import TabularPreprocessor
from gradwise.tabular.table import Table


def _mixed(rows=40, seed=0):
    rng = np.random.default_rng(seed)
    height = rng.normal(170, 10, rows)
    weight = rng.normal(70, 15, rows)
    color = rng.choice(["red", "green", "blue"], rows)
    columns = {"height": np.array([f"{v:.2f}" for v in height], dtype=object), "weight": weight,
               "color": np.array(color, dtype=object)}
    return Table(columns, source="'mixed.csv'"), height, weight, color


def _roundtrip(preprocessor):
    return TabularPreprocessor.from_config(json.loads(json.dumps(preprocessor.config)))


def test_numeric_columns_are_standardized_with_training_statistics_only():
    table, height, weight, _ = _mixed()
    train, test = np.arange(30), np.arange(30, 40)
    fitted = TabularPreprocessor().fit(table.take(train), ["height", "weight"])
    scaler = StandardScaler().fit(np.column_stack([np.round(height, 2), weight])[train])
    reloaded = _roundtrip(fitted)
    raw = np.column_stack([np.round(height, 2), weight])
    for index in (train, test):  # test rows beyond the training range are clipped to it
        expected = scaler.transform(np.clip(raw[index], raw[train].min(axis=0), raw[train].max(axis=0)))
        np.testing.assert_allclose(reloaded.transform(table.take(index)), expected, rtol=1e-6, atol=1e-6)
    assert fitted.config["numeric"][1]["mean"] == pytest.approx(weight[train].mean())  # not the test rows


def test_text_columns_are_one_hot_encoded_like_scikit_learn():
    table, _, _, color = _mixed()
    fitted = _roundtrip(TabularPreprocessor().fit(table.take(np.arange(30)), ["color"]))
    encoder = OneHotEncoder(handle_unknown="ignore").fit(color[:30].reshape(-1, 1))
    np.testing.assert_array_equal(fitted.transform(table), encoder.transform(color.reshape(-1, 1)).toarray())
    assert fitted.output_names == [f"color={c}" for c in encoder.categories_[0]]
    unseen = Table({"color": np.array(["purple"], dtype=object)})
    np.testing.assert_array_equal(fitted.transform(unseen), [[0, 0, 0]])  # no 'other' bucket: all zeros


def test_rare_categories_share_an_other_column_like_scikit_learn_and_unseen_ones_are_reported():
    rng = np.random.default_rng(1)
    cells = np.array(rng.choice(["a", "b", "c"], 300).tolist() + ["rare1"] + ["rare2"] + ["pair"] * 2, dtype=object)
    fitted = _roundtrip(TabularPreprocessor().fit(Table({"kind": cells}), ["kind"]))
    assert fitted.config["categorical"][0]["other"] == ["rare1", "rare2"]  # seen once; 'pair', twice, has a column
    encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=2).fit(cells.reshape(-1, 1))
    new = np.array(["a", "rare2", "zzz", "c", "zzz"], dtype=object)
    lines = []
    matrix = fitted.transform(Table({"kind": new}, source="'new.csv'"), report=lines.append)
    np.testing.assert_array_equal(matrix, encoder.transform(new.reshape(-1, 1)).toarray())
    assert fitted.output_names == ["kind=a", "kind=b", "kind=c", "kind=pair", "kind=(other)"]
    assert lines == ["column 'kind': 2 row(s) of 'new.csv', first on line 4 hold categories not seen in training "
                     "['zzz']; mapped to the '(other)' bucket"]
    with pytest.raises(ValueError, match=r"Column 'kind' has categories not seen in training \['zzz'\] on 2 row"):
        fitted.transform(Table({"kind": new}, source="'new.csv'"), strict=True)


def test_missing_values_are_an_error_naming_the_column_and_line():
    table = Table({"a": np.array(["1", "", "3"], dtype=object), "b": np.array(["x", "y", "?"], dtype=object)},
                  source="'data.csv'")
    with pytest.raises(ValueError, match=r"'data.csv' has missing values in column\(s\) 'a' \(1 missing, first on "
                                         r"line 3\), 'b' \(1 missing, first on line 4\).*--impute"):
        TabularPreprocessor().fit(table, ["a", "b"])


def test_impute_fills_numbers_with_scikit_learn_statistics_and_text_with_the_mode():
    values = np.array([1.0, np.nan, 4.0, 10.0])
    table = Table({"a": values, "b": np.array(["x", "y", "", "y"], dtype=object)})
    fitted = _roundtrip(TabularPreprocessor(impute="median").fit(table, ["a", "b"]))
    filled = SimpleImputer(strategy="median").fit_transform(values.reshape(-1, 1))
    expected = StandardScaler().fit_transform(filled).ravel()
    matrix = fitted.transform(table)
    np.testing.assert_allclose(matrix[:, 0], expected, rtol=1e-6)
    # '' became 'y'; 'x' (once) is rarer than the 2-row minimum of a tiny table: the '(other)' column
    np.testing.assert_array_equal(matrix[:, 1:], [[0, 1], [1, 0], [1, 0], [1, 0]])


def test_gaps_seen_twice_in_training_are_marked_like_scikit_learns_add_indicator_and_text_gaps_are_a_category():
    rng = np.random.default_rng(3)
    age = rng.normal(40, 9, 30)
    age[[2, 7, 11]] = np.nan  # three gaps: marked
    dose = rng.normal(5, 1, 30)
    dose[4] = np.nan  # one gap: imputed, not marked (a column with a single 1 in it says nothing)
    smoker = np.array(rng.choice(["yes", "no"], 30), dtype=object)
    smoker[[0, 5]] = None
    table = Table({"age": age, "dose": dose, "smoker": smoker})
    fitted = _roundtrip(TabularPreprocessor(impute="median").fit(table, ["age", "dose", "smoker"]))
    assert fitted.output_names == ["age", "dose", "smoker=(missing)", "smoker=no", "smoker=yes", "age=(missing)"]
    assert fitted.source_columns == ["age", "dose", "smoker", "smoker", "smoker", "age"]
    assert fitted.code_columns.tolist() == [False] * 6
    numbers = SimpleImputer(strategy="median", add_indicator=True).fit(np.column_stack([age, dose]))
    filled = numbers.transform(np.column_stack([age, dose]))
    np.testing.assert_array_equal(filled[:, 2], np.isnan(age))  # scikit-learn marks 'dose' too (filled[:, 3])
    new_age, new_dose = np.array([np.nan, 30.0, 50.0]), np.array([5.0, np.nan, 4.0])
    new = Table({"age": new_age, "dose": new_dose, "smoker": np.array([None, "no", "yes"], dtype=object)})
    matrix = fitted.transform(new)
    expected = numbers.transform(np.column_stack([new_age, new_dose]))
    scaler = StandardScaler().fit(filled[:, :2])
    np.testing.assert_allclose(matrix[:, :2], scaler.transform(expected[:, :2]), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(matrix[:, 5], expected[:, 2])  # the mark: last, after the one-hot columns
    np.testing.assert_array_equal(matrix[:, 2:5], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])  # a new gap: '(missing)'
    assert any("'age=(missing)'" in line for line in fitted.describe())
    assert any("'smoker'" in line and "missing -> a category of their own" in line for line in fitted.describe())


def test_the_tune_report_says_what_becomes_of_gaps_and_how_many_rows_a_mostly_empty_column_lacks():
    from gradwise.tabular.report import gaps_line

    level = np.array([1.0, 2.0] + [np.nan] * 8)  # 8 of 10 rows lack it (boot's neuro: 70 of 72)
    dose = np.array([np.nan, np.nan] + list(range(8)), dtype=float)
    kind = np.array(["a", "b", None, None, "a", "b", "a", "b", "a", "a"], dtype=object)
    config = TabularPreprocessor(impute="median").fit(Table({"level": level, "dose": dose, "kind": kind}),
                                                      ["level", "dose", "kind"]).config
    level_entry, dose_entry = config["numeric"]
    assert gaps_line(level_entry, "median", 10) == ("Imputing 8 missing value(s) of 'level' (80% of the training rows) "
                                                    "with 1.5 (--impute median), and marking them in a 0/1 column "
                                                    "'level=(missing)'")
    assert gaps_line(dose_entry, "median", 10) == ("Imputing 2 missing value(s) of 'dose' with 3.5 (--impute median), "
                                                   "and marking them in a 0/1 column 'dose=(missing)'")
    assert gaps_line(config["categorical"][0], "median", 10) == ("Column 'kind': 2 missing value(s) are a category of "
                                                                 "their own, '(missing)'")


def test_a_column_whose_gaps_fall_on_the_rows_of_a_marked_ones_is_not_marked_again():
    income = np.array([np.nan, 1.0, np.nan, 3.0, 4.0, 5.0])
    bracket = np.array([np.nan, 1.0, np.nan, 2.0, 2.0, 3.0])  # the same two rows lack it
    age = np.array([20.0, np.nan, 30.0, np.nan, 40.0, 50.0])
    fitted = _roundtrip(TabularPreprocessor(impute="median").fit(
        Table({"income": income, "bracket": bracket, "age": age}), ["income", "bracket", "age"]))
    assert fitted.output_names == ["income", "bracket", "age", "income=(missing)", "age=(missing)"]
    assert fitted.config["numeric"][1]["gaps_of"] == "income"
    new = Table({"income": np.array([np.nan, 2.0]), "bracket": np.array([1.0, np.nan]), "age": np.array([1.0, 2.0])})
    np.testing.assert_array_equal(fitted.transform(new)[:, 3:], [[1, 0], [0, 0]])  # the mark is income's own
    assert any("on the rows of 'income''s, marked there" in line for line in fitted.describe())


def test_without_gaps_the_config_is_as_before():
    table, _, _, _ = _mixed()
    config = TabularPreprocessor(impute="median").fit(table, ["height", "weight", "color"]).config
    assert not any("indicator" in entry for entry in config["numeric"])
    assert config["categorical"][0]["fill"] != "(missing)"  # the most frequent colour, for gaps of new rows


def test_bad_cells_and_columns_are_named():
    fitted = TabularPreprocessor().fit(Table({"a": np.array(["1", "2"], dtype=object)}), ["a"])
    with pytest.raises(ValueError, match=r"Column 'a' must hold numbers, as in training, but 1 row\(s\) of 'new.csv', "
                                         r"first on line 3 hold text \['abc'\]\.$"):
        fitted.transform(Table({"a": np.array(["1", "abc"], dtype=object)}, source="'new.csv'"))
    with pytest.raises(ValueError, match=r"missing column\(s\) \['a'\] and unexpected column\(s\) \['z'\]"):
        fitted.check_columns(Table({"z": np.zeros(2)}, source="'new.csv'"))
    with pytest.raises(ValueError, match=r"missing column\(s\) \['a'\] \(did you mean 'A'\?\) and unexpected column"):
        fitted.check_columns(Table({"A": np.zeros(2)}, source="'new.csv'"))
    with pytest.raises(ValueError, match=r"`impute` must be one of mean, median, most_frequent or None, got 'zero'"):
        TabularPreprocessor(impute="zero")


def test_a_column_of_many_well_filled_categories_keeps_a_column_for_each_up_to_the_cap():
    from gradwise.tabular.preprocess import MAX_CATEGORIES

    levels = [f"z{i:03d}" for i in range(150)]  # 150 postcodes of 10 rows each: all above the frequency cut-off
    many = Table({"zip": np.array(levels * 10, dtype=object)}, source="zips.csv")
    fitted = TabularPreprocessor().fit(many, ["zip"])
    assert fitted.config["categorical"][0]["categories"] == levels and fitted.config["categorical"][0]["other"] == []
    too_many = [f"c{i:04d}" for i in range(MAX_CATEGORIES + 40)]
    wide = Table({"code": np.array(too_many * 6, dtype=object)}, source="codes.csv")
    config = TabularPreprocessor().fit(wide, ["code"]).config["categorical"][0]
    assert len(config["categories"]) == MAX_CATEGORIES - 1 and len(config["other"]) == 41  # the rest share 'other'


def test_text_in_a_number_column_of_new_rows_is_imputed_and_reported_when_training_imputed():
    fitted = TabularPreprocessor(impute="median").fit(Table({"a": np.array(["1", "2", "6"], dtype=object)}), ["a"])
    lines = []
    rows = Table({"a": np.array(["2", "rotary", "x", "rotary"], dtype=object)}, source="'new.csv'")
    matrix = fitted.transform(rows, report=lines.append)
    assert matrix[1, 0] == matrix[0, 0] == matrix[2, 0]  # imputed with the training median, 2
    assert lines == ["column 'a': 3 row(s) of 'new.csv', first on line 3 hold text ['rotary', 'x'] where training "
                     "had numbers; imputed as missing values (2)"]
    with pytest.raises(ValueError, match=r"hold text \['rotary', 'x'\] \(strict mode\)"):
        fitted.transform(rows, strict=True)


def test_numbers_beyond_the_training_range_are_clipped_to_it_and_reported():
    fitted = TabularPreprocessor().fit(Table({"a": np.array([1.0, 2.0, 3.0])}), ["a"])
    lines = []
    rows = Table({"a": np.array([0.0, 2.0, 40.0])}, source="'new.csv'")
    matrix = fitted.transform(rows, report=lines.append)
    entry = fitted.config["numeric"][0]
    np.testing.assert_allclose(matrix[:, 0], (np.array([1.0, 2.0, 3.0]) - 2.0) / entry["scale"], rtol=1e-6)
    assert lines == ["'new.csv' holds values outside the training range in 'a' 2 row(s) from line 2 (range [1, 3]); "
                     "clipped to the range"]
    assert "clipped to [1, 3]" in fitted.describe()[0]
    old = dict(fitted.config, numeric=[{k: v for k, v in entry.items() if k not in ("low", "high")}])
    unclipped = TabularPreprocessor.from_config(old).transform(rows)  # a file written before the range was kept
    assert unclipped[2, 0] == pytest.approx((40.0 - 2.0) / entry["scale"], rel=1e-6)


def test_clipping_in_many_columns_is_one_line_and_infinity_is_a_missing_value():
    names = [f"f{i}" for i in range(6)]
    fitted = TabularPreprocessor(impute="median").fit(Table({n: np.array([1.0, 2.0, 3.0]) for n in names}), names)
    lines = []
    fitted.transform(Table({n: np.array([9.0, 2.0]) for n in names}, source="'new.csv'"), report=lines.append)
    assert len(lines) == 1 and "'f0' 1 row(s) from line 2" in lines[0] and "and 3 more column(s)" in lines[0]
    matrix = fitted.transform(Table({n: np.array(["inf", "-inf"], dtype=object) for n in names}))
    assert np.all(matrix == fitted.transform(Table({n: np.array([2.0, 2.0]) for n in names})))  # the median
    with pytest.raises(ValueError, match=r"missing values in column\(s\) 'a' \(1 missing, first on line 3\)"):
        TabularPreprocessor().fit(Table({"a": np.array(["1", "inf", "2", "3"], dtype=object)}), ["a"])

"""Words in a number column ('-', 'unknown', '#N/A', 'never') are missing values, and one-hot beside the numbers."""

import json
import re

import numpy as np
import pytest

from gradwise.tabular import TabularPreprocessor
from gradwise.tabular.columns import screen_columns
from gradwise.tabular.markers import NUMBER, expand_markers, fit_markers
from gradwise.tabular.table import Table


def _smoking(rows=200, seed=0):
    """Years of smoking written '12.5', 'never' for none, '-' where the interviewer left it out; an age."""
    rng = np.random.default_rng(seed)
    years = rng.uniform(1, 40, rows).round(1)
    cells = np.array([f"{value:g}" for value in years], dtype=object)
    chosen = rng.choice(rows, 30, replace=False)
    never, gap = chosen[:20], chosen[20:]
    cells[never], cells[gap] = "never", " - "
    return Table({"smoked": cells, "age": rng.uniform(20, 80, rows).round(1)}, source="'survey.csv'"), years, never, gap


def test_a_number_column_with_a_few_words_keeps_its_numbers_and_one_hots_its_words():
    table, years, never, gap = _smoking()
    assert fit_markers(table, "smoked") == {"name": "smoked", "values": ["-", "never"], "units": [], "rows": 30,
                                            "part": True}
    fitted = TabularPreprocessor(impute="median").fit(table, ["smoked", "age"])
    reloaded = TabularPreprocessor.from_config(json.loads(json.dumps(fitted.config)))
    assert [e["name"] for e in fitted.config["numeric"]] == ["smoked", "age"]
    assert not fitted.config["dropped"]  # before: dropped as text with nearly every value distinct
    names = reloaded.output_names
    assert {"smoked.text=never", "smoked.text=-", f"smoked.text={NUMBER}"} <= set(names)
    matrix = reloaded.transform(table)
    words = np.zeros(len(years), dtype=bool)
    words[never] = words[gap] = True
    numeric = fitted.config["numeric"][0]
    plain = ~words
    np.testing.assert_allclose(matrix[plain, 0] * numeric["scale"] + numeric["mean"], years[plain], rtol=1e-5)
    # the words are missing numbers, filled with the median of the numbers
    assert numeric["fill"] == pytest.approx(np.median(years[plain]))
    np.testing.assert_allclose(matrix[words, 0], (numeric["fill"] - numeric["mean"]) / numeric["scale"], rtol=1e-5)
    np.testing.assert_array_equal(matrix[:, names.index("smoked.text=never")], np.isin(np.arange(len(years)), never))
    np.testing.assert_array_equal(matrix[:, names.index(f"smoked.text={NUMBER}")], plain)
    assert any("'never'" in line and "smoked.text" in line for line in fitted.describe())


def test_new_rows_read_the_training_words_and_report_other_text():
    table, *_ = _smoking()
    fitted = TabularPreprocessor(impute="median").fit(table, ["smoked", "age"])
    new = Table({"smoked": np.array(["never", "3", "sometimes", None], dtype=object),
                 "age": np.array([30.0, 70.0, 150.0, 60.0])}, source="'new.csv'")
    lines = []
    matrix = fitted.transform(new, report=lines.append)
    names = fitted.output_names
    assert matrix[0, names.index("smoked.text=never")] == 1 and matrix[1, names.index(f"smoked.text={NUMBER}")] == 1
    assert matrix[2, names.index(f"smoked.text={NUMBER}")] == 1 and matrix[3, names.index(f"smoked.text={NUMBER}")] == 1
    # 'sometimes' was never a word of the column: text where training had numbers, imputed and reported
    assert sum("'smoked'" in line and "sometimes" in line for line in lines) == 1
    assert not any("never" in line for line in lines)
    with pytest.raises(ValueError, match="sometimes"):
        fitted.transform(new, strict=True)


def test_numbers_of_a_few_values_with_a_word_stay_categories():
    cylinders = np.array(["4", "6", "8", "4", "rotary", "6", "3", "5", "4", "8"] * 5, dtype=object)
    assert fit_markers(Table({"c": cylinders}), "c") is None
    fitted = TabularPreprocessor().fit(Table({"c": cylinders}), ["c"])
    assert [e["name"] for e in fitted.config["categorical"]] == ["c"] and "markers" not in fitted.config


NUMBERS = [f"{value / 4:g}" for value in range(40)]  # forty distinct numbers


@pytest.mark.parametrize("cells", [
    NUMBERS + ["x", "y", "z"] * 14,  # words on more than half of the rows: text with some numbers in it
    NUMBERS + ["a", "b", "c", "d", "e", "f"],  # six distinct words
    NUMBERS + ["A5", "-"],  # a word with a digit, not after it: a code, not a gap
    NUMBERS,  # numbers only
    NUMBERS[:19] + ["-"],  # nineteen numbers: few enough for a category each (see the next test)
    NUMBERS + ["136A", "137B"],  # a letter after a few numbers: codes (Galton's families), not units
    NUMBERS + ["6.2\x1a"],  # a control character is no unit
])
def test_columns_that_are_not_numbers_with_a_few_words_are_left_as_they_were(cells):
    assert fit_markers(Table({"c": np.array(cells, dtype=object)}), "c") is None
    assert fit_markers(Table({"c": np.array(NUMBERS + ["-", "unknown"], dtype=object)}), "c")["values"] == ["-", "unknown"]


def test_spreadsheet_errors_are_words_although_they_hold_a_digit():
    entry = fit_markers(Table({"c": np.array(NUMBERS + ["#DIV/0!", "#N/A"], dtype=object)}), "c")
    assert entry["values"] == ["#DIV/0!", "#N/A"]
    expanded = expand_markers(Table({"c": np.array(["#N/A", "7", ""], dtype=object)}), [entry])
    assert list(expanded["c"]) == [None, "7", ""] and list(expanded["c.text"]) == ["#N/A", NUMBER, NUMBER]


def test_without_imputation_the_words_are_missing_values_named_in_the_error():
    table, *_ = _smoking()
    with pytest.raises(ValueError, match=r"'smoked' \(30 missing"):
        TabularPreprocessor().fit(table, ["smoked", "age"])


def test_a_dropped_column_keeps_no_text_part():
    table, *_ = _smoking()
    fitted = TabularPreprocessor(impute="median", drop=["smoked"]).fit(table, ["smoked", "age"])
    assert "markers" not in fitted.config and fitted.output_names == ["age"]
    kept, _ = screen_columns(expand_markers(table, [fit_markers(table, "smoked")]), ["smoked", "age"])
    assert kept == ["smoked", "age"]


def test_tune_announces_the_words_and_load_model_predicts_as_the_command(tmp_path, capsys):
    from gradwise import load_model
    from gradwise.cli import main
    from gradwise.tabular import read_csv

    rng = np.random.default_rng(3)
    rows = 160
    x = rng.normal(size=rows)
    cells = np.array([f"{v:.3f}" for v in x], dtype=object)
    cells[rng.choice(rows, 24, replace=False)] = rng.choice(["-", "unknown", "#N/A"], 24)
    label = np.where(x + rng.normal(0, 0.3, rows) > 0, "yes", "no")
    lines = ["x,colour,label"] + [f"{c},{rng.choice(['red', 'blue'])},{y}" for c, y in zip(cells, label)]
    path = tmp_path / "words.csv"
    path.write_text("\n".join(lines) + "\n")
    status = main(["tune", "--data", str(path), "--target", "label", "--trials", "2", "--epochs", "3",
                   "--no-baselines", "--runs-dir", str(tmp_path / "runs"), "--time-budget", "30"])
    assert status == 0
    out = capsys.readouterr().out
    assert re.search(r"Column 'x': numbers, with \d+ cell\(s\) of the word\(s\) '#N/A', '-', 'unknown' read as "
                     r"missing values; one-hot in 'x.text'", out)
    assert "Dropped column 'x'" not in out
    model = load_model(str(tmp_path / "runs" / "words" / "best.gw"))
    new = tmp_path / "new.csv"
    new.write_text("x,colour\nunknown,red\n1.5,blue\n#N/A,red\n")
    main(["predict", "--model", str(tmp_path / "runs" / "words" / "best.gw"), "--data", str(new)])
    printed = capsys.readouterr()
    assert "gradwise:" not in printed.err  # the training words are no surprise
    probabilities = [[float(p) for p in line.split(",")[2:]] for line in printed.out.splitlines()[1:]]
    np.testing.assert_allclose(model.predict(read_csv(str(new))), probabilities, atol=1e-6)


def test_a_target_of_numbers_with_a_few_words_is_a_regression_target_without_those_rows(capsys):
    import time

    from gradwise.tabular import prepare
    from gradwise.tabular.report import Reporter

    rng = np.random.default_rng(2)
    x = rng.normal(size=120)
    price = np.array([f"{50 + 10 * v:.2f}" for v in x], dtype=object)
    price[[5, 17, 40]] = ["unknown", "-", "unknown"]
    table = Table({"x": np.array([f"{v:.3f}" for v in x], dtype=object), "price": price}, source="'prices.csv'")
    prepared = prepare(table, "price")
    assert prepared.task == "regression" and len(prepared.x_train) + len(prepared.x_test) == 117
    Reporter(prepared, "t", None, [None] * 5, time.time(), 45).header(table)
    assert ("Left out 3 row(s) whose target 'price' is missing or one of the words '-', 'unknown' among its numbers "
            "(first on line 7)") in capsys.readouterr().out
    # told that they are classes, the words are classes too (and each number one, here an error)
    with pytest.raises(ValueError, match="single row"):
        prepare(table, "price", task="multiclass")


def test_numbers_with_a_unit_are_numbers_and_several_units_are_told_apart():
    rng = np.random.default_rng(4)
    power = rng.uniform(40, 200, 150).round(1)
    power_cells = np.array([f"{v:g} bhp" for v in power], dtype=object)
    power_cells[:5] = " bhp"  # a listing's missing power: the unit alone, a word
    mileage = rng.uniform(10, 30, 150).round(1)
    gas = rng.random(150) < 0.2
    table = Table({"power": power_cells,
                   "mileage": np.array([f"{v:g} km/kg" if g else f"{v:g}kmpl" for v, g in zip(mileage, gas)],
                                       dtype=object),
                   "engine": np.array([f"{1000 + 10 * i:,} CC" for i in range(150)], dtype=object)},
                  source="'cars.csv'")
    fitted = TabularPreprocessor(impute="median").fit(table, ["power", "mileage", "engine"])
    entries = {entry["name"]: entry for entry in fitted.config["markers"]}
    assert entries["mileage"]["units"] == ["km/kg", "kmpl"] and not entries["mileage"]["values"]
    assert entries["power"]["units"] == ["bhp"] and entries["power"]["values"] == ["bhp"]
    assert not entries["engine"]["part"]  # one unit: nothing to tell apart
    assert entries["engine"]["units"] == ["CC"]  # '1,248 CC': thousands separators as ever
    assert not fitted.config["dropped"] and [e["name"] for e in fitted.config["numeric"]] == ["power", "mileage",
                                                                                             "engine"]
    names = fitted.output_names
    assert "engine.text" not in " ".join(names)
    assert {f"mileage.text={NUMBER} km/kg", f"mileage.text={NUMBER} kmpl"} <= set(names)
    assert {"power.text=bhp", f"power.text={NUMBER} bhp"} == {n for n in names if n.startswith("power.text")}
    matrix = fitted.transform(table)
    for column, values in ((0, power), (1, mileage), (2, 1000 + 10 * np.arange(150))):
        entry = fitted.config["numeric"][column]
        np.testing.assert_allclose(matrix[5:, column] * entry["scale"] + entry["mean"], values[5:], rtol=1e-5)
    np.testing.assert_array_equal(matrix[:, names.index(f"mileage.text={NUMBER} km/kg")], gas)
    np.testing.assert_array_equal(matrix[:, names.index("power.text=bhp")], np.arange(150) < 5)
    assert "the unit(s) 'km/kg', 'kmpl' stripped; one-hot in 'mileage.text'" in " ".join(fitted.describe())
    # new rows: a known unit is read, an unknown one is text in a number column, imputed and reported
    lines = []
    new = Table({"power": np.array(["88 bhp", "90 PS"], dtype=object), "mileage": np.array(["20 kmpl", "21"], dtype=object),
                 "engine": np.array(["1,500 CC", "1200"], dtype=object)}, source="'new.csv'")
    out = fitted.transform(new, report=lines.append)
    entry = fitted.config["numeric"][0]
    assert out[0, 0] * entry["scale"] + entry["mean"] == pytest.approx(88, rel=1e-5)
    assert len(lines) == 2 and "'power'" in lines[0] and "90 PS" in lines[0]
    # a number without a unit where training always had one: its unit part is a kind never seen
    assert "'mileage.text'" in lines[1] and f"['{NUMBER}']" in lines[1]


@pytest.mark.parametrize("cell, expected", [("74 bhp", (74.0, "bhp")), ("1,248 CC", (1248.0, "CC")),
                                            ("23.4kmpl", (23.4, "kmpl")), ("20 °C", (20.0, "°C")),
                                            ("12 m²", (12.0, "m²")), ("-3 h", (-3.0, "h")),
                                            ("A5", None), ("5 2", None), ("190Nm@ 2000rpm", None), ("bhp", None)])
def test_a_number_and_its_unit_are_read_apart(cell, expected):
    from gradwise.tabular.markers import _with_unit

    assert _with_unit(cell) == expected


def test_a_column_of_the_file_named_like_the_text_part_keeps_its_values():
    table, *_ = _smoking()
    rng = np.random.default_rng(9)
    own = rng.choice(["p", "q"], table.rows).astype(object)
    table = Table({**table.columns, "smoked.text": own}, source="'survey.csv'")
    fitted = TabularPreprocessor(impute="median").fit(table, ["smoked", "age", "smoked.text"])
    assert not fitted.config["markers"][0]["part"]
    names = fitted.output_names
    assert {"smoked.text=p", "smoked.text=q"} == {n for n in names if n.startswith("smoked.text")}
    matrix = fitted.transform(table)
    np.testing.assert_array_equal(matrix[:, names.index("smoked.text=p")], own == "p")


def test_values_below_or_above_what_a_laboratory_measures_are_their_bounds_and_one_hot():
    rng = np.random.default_rng(6)
    level = rng.lognormal(0, 1, 200).round(2)
    cells = np.array([f"{v:g}" for v in level], dtype=object)
    low, high = level < 0.3, level > 8
    cells[low], cells[high] = "<0.3", "> 8"
    table = Table({"crp": cells, "age": rng.uniform(20, 80, 200).round()}, source="'lab.csv'")
    fitted = TabularPreprocessor(impute="median").fit(table, ["crp", "age"])
    entry = fitted.config["markers"][0]
    assert entry["bounds"] == ["<", ">"] and entry["values"] == [] and entry["part"]
    names = fitted.output_names
    matrix = fitted.transform(table)
    numeric = fitted.config["numeric"][0]
    expected = np.where(low, 0.3, np.where(high, 8.0, level))
    np.testing.assert_allclose(matrix[:, 0] * numeric["scale"] + numeric["mean"],
                               np.clip(expected, numeric["low"], numeric["high"]), rtol=1e-5)
    np.testing.assert_array_equal(matrix[:, names.index(f"crp.text=< {NUMBER}")], low)
    np.testing.assert_array_equal(matrix[:, names.index(f"crp.text=> {NUMBER}")], high)
    assert "the bound(s) '<', '>' read as their numbers; one-hot in 'crp.text'" in " ".join(fitted.describe())
    new = Table({"crp": np.array(["<=0.3", "2.5", "< 0.3"], dtype=object), "age": np.array([30.0, 40.0, 50.0])})
    lines = []
    out = fitted.transform(new, report=lines.append)
    assert out[2, names.index(f"crp.text=< {NUMBER}")] == 1 and out[1, names.index(f"crp.text={NUMBER}")] == 1
    assert len(lines) == 1 and "<=0.3" in lines[0]  # '≤' was never a bound of this column: text, reported
    assert "bounds" not in fit_markers(Table({"c": np.array(NUMBERS + ["-"], dtype=object)}), "c")  # as before

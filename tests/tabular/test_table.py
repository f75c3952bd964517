"""read_csv and Table: cells as text, line numbers kept, clear errors for malformed files."""

import numpy as np
import pytest

from gradwise.tabular import read_csv
from gradwise.tabular.table import Table


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_csv_keeps_text_cells_and_file_lines(tmp_path):
    table = read_csv(_write(tmp_path, "a,b\n1, x \n\n2,y\n"))
    assert table.names == ["a", "b"] and table.rows == 2
    assert list(table["a"]) == ["1", "2"] and list(table["b"]) == ["x", "y"]
    assert list(table.lines) == [2, 4]  # the blank line 3 is skipped, line numbers stay the file's
    subset = table.take(np.array([1]))
    assert list(subset["b"]) == ["y"] and list(subset.lines) == [4]
    assert table.without("a").names == ["b"]


@pytest.mark.parametrize("cell", ["", "NA", "n/a", "NaN", "null", "None", "?", " na ", "inf", "-Infinity"])
def test_missing_tokens_are_recognised(tmp_path, cell):
    table = read_csv(_write(tmp_path, f"a,b\n{cell},1\n3,2\n"))
    assert list(table.missing_mask("a")) == [True, False] and not table.missing_mask("b").any()


def test_float_columns_mark_missing_with_nan():
    table = Table({"x": np.array([1.0, np.nan, 3.0])})
    assert list(table.missing_mask("x")) == [False, True, False]


@pytest.mark.parametrize("text, message", [
    ("", r"is empty: expected a header row and data rows"),
    ("a,b\n", r"has a header but no data rows"),
    ("a,b\n1,2\n3\n", r"line 3: expected 2 cells \(as in the header\), got 1"),
    ("a,a\n1,2\n", r"repeats column names \['a'\]"),
])
def test_malformed_files_raise_with_the_place(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_csv(_write(tmp_path, text))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"CSV file '.*nothing.csv' does not exist"):
        read_csv(tmp_path / "nothing.csv")


def test_columns_must_have_equal_lengths():
    with pytest.raises(ValueError, match=r"different lengths \[1, 2\]"):
        Table({"a": np.zeros(1), "b": np.zeros(2)})


def test_semicolon_files_read_the_comma_as_the_decimal_mark(tmp_path):
    table = read_csv(_write(tmp_path, "size;price;city\n3,25;-1,5e3;Lyon, FR\n4;,5;Nice\n"))
    assert table.names == ["size", "price", "city"]
    assert list(table["size"]) == ["3.25", "4"] and list(table["price"]) == ["-1.5e3", ".5"]
    assert list(table["city"]) == ["Lyon, FR", "Nice"]  # text keeps its commas


def test_semicolon_files_with_thousands_separators_currency_and_percent_signs_give_numbers(tmp_path):
    from gradwise.tabular import TabularPreprocessor

    table = read_csv(_write(tmp_path, "amount;share;count\n1.234,56 €;12,5 %;1.234\n€ 2.000;-3,25%;2.345.678\n"
                                      "7,5 €;100 %;1.500\n"))
    assert list(table["amount"]) == ["1234.56 €", "€ 2000", "7.5 €"] and list(table["share"])[:2] == ["12.5 %", "-3.25%"]
    assert list(table["count"]) == ["1234", "2345678", "1500"]  # '2.345.678' says the column groups thousands
    alone = read_csv(_write(tmp_path, "weight;n\n1.234;1\n2.5;2\n"))
    assert list(alone["weight"]) == ["1.234", "2.5"]  # nothing says '1.234' is a thousand: as written
    fitted = TabularPreprocessor().fit(table, ["amount", "share"])
    assert [e["name"] for e in fitted.config["numeric"]] == ["amount", "share"]
    entry = fitted.config["numeric"][0]
    np.testing.assert_allclose(fitted.transform(table)[:, 0] * entry["scale"] + entry["mean"], [1234.56, 2000, 7.5],
                               rtol=1e-5)


def test_semicolon_files_read_thousands_grouped_by_spaces(tmp_path):
    table = read_csv(_write(tmp_path, "price;n\n1 234,50 €;1\n12\u00a0345;2\n7,5;3\n"))
    assert list(table["price"]) == ["1234.50 €", "12345", "7.5"]


def test_rows_after_a_cell_over_several_lines_keep_their_file_lines(tmp_path):
    table = read_csv(_write(tmp_path, 'x,note\n1,"line one\nline two"\n2,ok\n\n3,"a\r\nb\r\nc"\n4,ok\n'))
    assert list(table["x"]) == ["1", "2", "3", "4"] and list(table.lines) == [2, 4, 6, 9]


def test_title_lines_above_the_header_are_skipped_and_named(tmp_path):
    text = "Customer churn report,,\nExported 2024-03-01,,\n,,\nx,colour,churned\n1.5,red,yes\n2,blue,no\n"
    table = read_csv(_write(tmp_path, text))
    assert table.names == ["x", "colour", "churned"] and list(table["x"]) == ["1.5", "2"]
    assert list(table.lines) == [5, 6]
    assert table.notes == [f"Skipped 2 title line(s) above the header on line 4 of '{tmp_path / 'data.csv'}': "
                           "'Customer churn report' / 'Exported 2024-03-01'"]
    # a title without separators above a ';' file: the separator is the header's
    semicolons = read_csv(_write(tmp_path, "Sales report\n\nx;y\n1,5;a\n"))
    assert semicolons.names == ["x", "y"] and list(semicolons["x"]) == ["1.5"] and len(semicolons.notes) == 1
    assert read_csv(_write(tmp_path, "x,y\n1,\n2,b\n")).notes == []  # a row with one cell filled is data
    assert read_csv(_write(tmp_path, "x\n1\n2\n")).names == ["x"]  # one column: no title


def test_tune_and_predict_print_the_skipped_title(tmp_path, capsys):
    from gradwise.cli import main

    rng = np.random.default_rng(0)
    rows = "".join(f"{v:.3f},{'yes' if v > 0 else 'no'}\n" for v in rng.normal(size=80))
    path = _write(tmp_path, "Report,\nx,label\n" + rows)
    assert main(["tune", "--data", str(path), "--target", "label", "--trials", "1", "--epochs", "2",
                 "--no-baselines", "--runs-dir", str(tmp_path / "runs"), "--time-budget", "30"]) == 0
    assert "Skipped 1 title line(s) above the header on line 2" in capsys.readouterr().out
    main(["predict", "--model", str(tmp_path / "runs" / "data" / "best.gw"), "--data", str(path)])
    printed = capsys.readouterr()
    assert "gradwise: Skipped 1 title line(s)" in printed.err and printed.out.startswith("line,prediction")
    assert printed.out.splitlines()[1].startswith("3,")


@pytest.mark.parametrize("separator", ["\t", "|"])
def test_tab_and_bar_separated_files_are_read_by_their_header(tmp_path, separator):
    table = read_csv(_write(tmp_path, f"a{separator}b\n1.5{separator}x,y\n"))
    assert table.names == ["a", "b"] and list(table["a"]) == ["1.5"] and list(table["b"]) == ["x,y"]


def test_a_header_with_commas_keeps_the_comma_separator(tmp_path):
    table = read_csv(_write(tmp_path, "a,b;c\n1;2,3\n"))
    assert table.names == ["a", "b;c"] and list(table["a"]) == ["1;2"]


def test_columns_without_a_name_or_a_value_are_left_out(tmp_path):
    table = read_csv(_write(tmp_path, "a,b,,\n1,2,,\n3,4, ,\n"))  # a spreadsheet's trailing separators
    assert table.names == ["a", "b"] and list(table["b"]) == ["2", "4"]


def test_an_unnamed_column_over_values_is_named_as_pandas_reads_it(tmp_path):
    table = read_csv(_write(tmp_path, ',a,b\n0,1,x\n1,2,y\n'))  # pandas' to_csv, R's write.csv: the row index first
    assert table.names == ["Unnamed: 0", "a", "b"] and list(table["Unnamed: 0"]) == ["0", "1"]


def test_tune_announces_the_index_column_it_drops_rows_without_a_target_and_classes_that_differ_in_case(tmp_path, capsys):
    import time

    from gradwise.tabular import prepare
    from gradwise.tabular.report import Reporter

    labels = ["Yes", "yes", "no"] * 20 + ["", "NA"]
    channels = ["Online", "online", "shop", "Shop", "phone"]
    rows = "".join(f"{i},{i % 7},{channels[i % 5]},{label}\n" for i, label in enumerate(labels))
    table = read_csv(_write(tmp_path, ",x,channel,answer\n" + rows))
    prepared = prepare(table, "answer")
    Reporter(prepared, "t", None, [None] * 5, time.time(), 45).header(table)
    out = capsys.readouterr().out
    assert "Dropped column 'Unnamed: 0': holds a different whole number on every row" in out
    assert "--keep 'Unnamed: 0'" in out  # quoted for the shell
    assert "the classes 'Yes', 'yes' differ only in letter case" in out
    assert ("Column 'channel': the categories 'Online', 'online'; 'Shop', 'shop' differ only in letter case and are "
            "learned as different categories") in out
    assert "Left out 2 row(s) whose target 'answer' is missing (first on line 62)" in out
    assert len(prepared.x_train) + len(prepared.x_test) == 60 and None not in prepared.train_cells + prepared.test_cells

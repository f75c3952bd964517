"""Numbers written with currency and percent signs and thousands separators are read as numbers."""

import json

import numpy as np
import pytest

from gradwise.tabular import TabularPreprocessor
from gradwise.tabular.columns import screen_columns
from gradwise.tabular.formats import formatted_numbers, parse_number
from gradwise.tabular.table import Table
from gradwise.tabular.target import TargetEncoder, infer_task


@pytest.mark.parametrize("cell, number", [("$15,635.18", 15635.18), ("52.8%", 52.8), ("-€3.50", -3.5),
                                          ("€-3.50", -3.5), ("1,234,567", 1234567.0), ("12 €", 12.0),
                                          ("£0.5", 0.5), (" +5% ", 5.0), ("1e3", 1000.0), ("- $3", -3.0),
                                          ("45 678", 45678.0), ("1 234 567.5", 1234567.5), ("$ 1 234", 1234.0),
                                          ("1\u00a0234", 1234.0), ("-1\u202f234\u202f567", -1234567.0)])
def test_written_numbers_are_read(cell, number):
    assert parse_number(cell) == pytest.approx(number)


@pytest.mark.parametrize("cell", ["1,5", "12,34.5", "$", "abc", "(12)", "-$-3", "1.2.3", "12 apples", "",
                                  "12 34", "123 4567", "1,234 567", "1 234,567"])
def test_text_that_is_not_a_written_number_is_not_read(cell):
    assert parse_number(cell) is None


def test_a_column_is_formatted_only_when_every_cell_is_a_number_and_some_need_more_than_float():
    assert formatted_numbers(["$1,200", "35", "$7.50"])
    assert not formatted_numbers(["1.5", "35"])  # plain numbers: an ordinary number column
    assert not formatted_numbers(["$1,200", "call us"])
    assert not formatted_numbers([])


def _money(rows=200, seed=0):
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 0.5, rows)
    share = rng.uniform(0, 100, rows)
    columns = {"income": np.array([f"${v:,.2f}" for v in income], dtype=object),
               "share": np.array([f"{v:.1f}%" for v in share], dtype=object)}
    return Table(columns, source="'money.csv'"), np.round(income, 2), np.round(share, 1)


def test_currency_and_percent_columns_are_standardized_numbers_not_dropped_free_text():
    table, income, share = _money()
    kept, dropped = screen_columns(table, ["income", "share"])
    assert kept == ["income", "share"] and not dropped  # a different '$' value on every row is no identifier
    fitted = TabularPreprocessor(impute="median").fit(table, ["income", "share"])
    reloaded = TabularPreprocessor.from_config(json.loads(json.dumps(fitted.config)))
    assert [e["name"] for e in fitted.config["numeric"]] == ["income", "share"]
    assert all(e["formatted"] for e in fitted.config["numeric"]) and not fitted.config["categorical"]
    matrix = reloaded.transform(table)
    expected = (np.column_stack([income, share]) - [income.mean(), share.mean()]) / [income.std(), share.std()]
    np.testing.assert_allclose(matrix, expected, rtol=1e-5, atol=1e-5)
    assert any("currency/percent" in line for line in fitted.describe())


def test_text_in_a_formatted_column_of_new_rows_is_imputed_and_reported():
    table, income, _ = _money()
    fitted = TabularPreprocessor(impute="median").fit(table, ["income", "share"])
    new = Table({"income": np.array(["$20,000.00", "lots", "30000"], dtype=object),
                 "share": np.array(["10%", "20%", "30.5"], dtype=object)}, source="'new.csv'")
    lines = []
    matrix = fitted.transform(new, report=lines.append)
    entry = fitted.config["numeric"][0]
    assert matrix[0, 0] == pytest.approx((20000 - entry["mean"]) / entry["scale"], rel=1e-5)
    assert matrix[1, 0] == pytest.approx((entry["fill"] - entry["mean"]) / entry["scale"], rel=1e-5)
    assert matrix[2, 0] == pytest.approx((30000 - entry["mean"]) / entry["scale"], rel=1e-5)
    assert len(lines) == 1 and "'income'" in lines[0] and "lots" in lines[0] and "line 3" in lines[0]


def test_a_target_written_in_dollars_is_a_regression_target_in_dollars():
    cells = [f"${v:,.0f}" for v in np.linspace(1000, 50000, 40)]
    assert infer_task(cells) == "regression"
    encoder = TargetEncoder("regression").fit(cells)
    assert encoder.config["mean"] == pytest.approx(np.round(np.linspace(1000, 50000, 40)).mean())
    np.testing.assert_allclose(encoder.decode(encoder.transform(cells)), np.round(np.linspace(1000, 50000, 40)),
                               rtol=1e-5)


def test_the_test_scores_read_a_target_written_in_percent():
    from gradwise.tabular import scores  # its test_scores is no test of pytest's

    result = scores.test_scores("regression", None, ["10%", "20%", "30.5%"], np.array([10.0, 20.0, 30.5]))
    assert result["r2"] == pytest.approx(1.0) and result["mae"] == pytest.approx(0.0)


def test_an_accountants_negatives_in_parentheses_are_read_where_the_column_writes_so():
    from gradwise.tabular.formats import accounting_column, written_numbers

    assert parse_number("(1,200.00)", accounting=True) == -1200.0 and parse_number("$(1,200)", accounting=True) == -1200
    assert parse_number("($3.50)", accounting=True) == -3.5 and parse_number("(1,200.00)") is None
    assert parse_number("(-5)", accounting=True) is None  # no double negative
    assert accounting_column(["1,200.00", "(300.50)", "$5"]) and not accounting_column(["(1)", "(2)", "3"])
    assert written_numbers(["(1)", "(2)", "3"]) is None  # labels, not negatives
    rng = np.random.default_rng(5)
    profit = rng.normal(0, 2000, 120).round(2)
    cells = np.array([f"({-v:,.2f})" if v < 0 else f"{v:,.2f}" for v in profit], dtype=object)
    table = Table({"profit": cells}, source="'ledger.csv'")
    kept, dropped = screen_columns(table, ["profit"])
    assert kept == ["profit"] and not dropped
    fitted = TabularPreprocessor().fit(table, ["profit"])
    entry = fitted.config["numeric"][0]
    assert entry["formatted"] and entry["accounting"]
    np.testing.assert_allclose(fitted.transform(table)[:, 0] * entry["scale"] + entry["mean"], profit, rtol=1e-5,
                               atol=1e-3)
    assert "negatives in parentheses" in " ".join(fitted.describe())
    # a negative regression target written so is a number too
    assert infer_task(list(cells), "profit") == "regression"
    new = fitted.transform(Table({"profit": np.array(["(10.00)"], dtype=object)}, source="'new.csv'"))
    assert new[0, 0] * entry["scale"] + entry["mean"] == pytest.approx(-10.0, abs=1e-3)
    with pytest.raises(ValueError, match=r"Column 'profit' must hold numbers.*\['\(x\)'\]"):  # no imputation here
        fitted.transform(Table({"profit": np.array(["(10.00)", "(x)"], dtype=object)}, source="'new.csv'"))

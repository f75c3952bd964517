"""Column hygiene: identifiers, constants and near-unique text are dropped with a reason; --drop/--keep override."""

import numpy as np
import pytest

from gradwise.tabular import columns
from gradwise.tabular.columns import screen_columns
from gradwise.tabular.table import Table


def _table(rows=100, seed=0):
    rng = np.random.default_rng(seed)
    columns = {
        "customer_id": np.array([str(5000 + i) for i in rng.permutation(rows)], dtype=object),
        "account": np.array([f"AC-{i:06d}" for i in rng.integers(0, 10**6, rows)], dtype=object),
        "country": np.array(["NL"] * rows, dtype=object),
        "comment": np.array([f"word{i % 70}" for i in range(rows)], dtype=object),
        "income": np.round(rng.lognormal(10, 1, rows)),  # whole numbers, all distinct: not an identifier
        "height": rng.normal(170, 10, rows),
        "colour": rng.choice(["red", "green"], rows).astype(object),
    }
    return Table(columns, source="'people.csv'")


def test_identifiers_constants_and_near_unique_text_are_dropped_with_a_reason():
    table = _table()
    kept, dropped = screen_columns(table, table.names)
    assert kept == ["income", "height", "colour"]
    reasons = {entry["name"]: entry["reason"] for entry in dropped}
    assert "identifier" in reasons["customer_id"] and "whole number" in reasons["customer_id"]
    assert "identifier" in reasons["account"]
    assert reasons["country"] == "holds the single value 'NL'"
    assert "70 distinct values in 100 rows" in reasons["comment"]


def test_a_row_index_without_a_header_is_dropped_however_spread_its_numbers():
    rng = np.random.default_rng(3)
    sampled = np.sort(rng.choice(5000, 120, replace=False)).astype(float)  # a filtered frame's index: 0-4999
    table = Table({"Unnamed: 0": sampled, "row": sampled.copy(), "y": rng.normal(size=120)}, source="'f.csv'")
    kept, dropped = screen_columns(table, table.names)
    assert kept == ["row", "y"]  # a named column of spread whole numbers may be a quantity: kept
    assert dropped == [{"name": "Unnamed: 0", "reason": columns.ROW_INDEX}] and columns.names_rows(dropped[0])
    repeated = Table({"Unnamed: 0": np.repeat(sampled[:60], 2), "y": rng.normal(size=120)}, source="'f.csv'")
    assert screen_columns(repeated, repeated.names)[0] == ["Unnamed: 0", "y"]  # not one per row: no index


def test_a_series_clock_named_as_a_time_is_kept_as_a_trend_where_numbered_rows_are_dropped():
    rng = np.random.default_rng(4)
    years = np.arange(1923.0, 1988.0)  # Port Pirie's sea levels: one row a year
    table = Table({"Year": years, "sunspot.year": years - 200, "time": np.arange(1.0, 66.0),
                   "patient_no": rng.permutation(65).astype(float) + 1, "lifetime": np.arange(65.0),
                   "SeaLevel": rng.normal(4, 0.2, 65)}, source="'portpirie.csv'")
    kept, dropped = screen_columns(table, table.names)
    assert kept == ["Year", "sunspot.year", "time", "SeaLevel"]
    assert dropped == [{"name": "patient_no", "reason": columns.NUMBER_IDENTIFIER},
                       {"name": "lifetime", "reason": columns.NUMBER_IDENTIFIER}]  # a word ending in 'time' is no clock


def test_spread_whole_numbers_distinct_per_row_are_an_identifier_where_the_name_says_code_or_number():
    rng = np.random.default_rng(5)
    spread = rng.choice(10**6, 200, replace=False).astype(float)  # far beyond the row count: not counting up
    names = ["pidnum", "bcode", "ZipCode", "FlightNumber", "customerId", "income", "maximum", "piano", "row_nr"]
    table = Table({name: rng.permutation(spread) for name in names}, source="'patients.csv'")
    kept, dropped = screen_columns(table, table.names)
    assert kept == ["income", "maximum", "piano", "row_nr"]  # quantities, a word that ends in 'no', an abbreviation
    assert dropped == [{"name": name, "reason": columns.NUMBER_IDENTIFIER} for name in names[:5]]


def test_drop_and_keep_override_and_unknown_names_are_refused():
    table = _table()
    kept, dropped = screen_columns(table, table.names, drop=["height"], keep=["customer_id"])
    assert "customer_id" in kept and "height" not in kept
    assert {"name": "height", "reason": "named by --drop"} in dropped
    with pytest.raises(ValueError, match=r"--drop names column\(s\) \['weight'\] that 'people.csv' does not have"):
        screen_columns(table, table.names, drop=["weight"])
    with pytest.raises(ValueError, match=r"--keep names column\(s\) \['x'\]"):
        screen_columns(table, table.names, keep=["x"])
    with pytest.raises(ValueError, match=r"\['Colour'\] \(did you mean 'colour'\?\) that 'people.csv'"):
        screen_columns(table, table.names, drop=["Colour"])
    with pytest.raises(ValueError, match=r"\['customerid'\] \(did you mean 'customer_id'\?\) that"):
        screen_columns(table, table.names, keep=["customerid"])
    with pytest.raises(ValueError, match="Every feature column of 'people.csv' was dropped"):
        screen_columns(table, ["country", "account"])


def test_small_tables_keep_their_distinct_columns():
    table = _table(rows=10)
    kept, _ = screen_columns(table, table.names)
    assert "customer_id" in kept and "account" in kept and "country" not in kept


def test_empty_and_numeric_constant_columns_are_named_plainly():
    table = Table({"blank": np.array([None] * 30, dtype=object), "zeros": np.zeros(30), "x": np.arange(30.0) / 7})
    _, dropped = screen_columns(table, table.names)
    assert dropped == [{"name": "blank", "reason": "is empty in every training row"},
                       {"name": "zeros", "reason": "holds the single value 0.0"}]


def test_many_columns_dropped_for_one_reason_share_a_line():
    from gradwise.tabular.report import dropped_lines

    dropped = [{"name": f"empty{i}", "reason": "is empty in every training row"} for i in range(12)]
    dropped += [{"name": "id", "reason": "holds a different whole number on every row (an identifier)"},
                {"name": "site", "reason": "groups the rows (--group)"}]
    lines = dropped_lines(dropped, group="site")
    assert lines[0] == ("Dropped 12 columns ('empty0', 'empty1', 'empty2', 'empty3', 'empty4', 'empty5', 'empty6', "
                        "'empty7' and 4 more): each is empty in every training row (keep one with --keep COLUMN)")
    assert lines[1] == ("Dropped column 'id': holds a different whole number on every row (an identifier) "
                        "(keep it with --keep id)")
    assert lines[2] == "Dropped column 'site': groups the rows (--group)" and len(lines) == 3

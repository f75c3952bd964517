"""Date columns: read in their format, turned into a trend and calendar parts, replayed when predicting."""

import json

import numpy as np
import pandas as pd
import pytest

from gradwise.tabular import TabularPreprocessor
from gradwise.tabular.columns import screen_columns
from gradwise.tabular.dates import ISO, date_format, expand_dates, fit_dates
from gradwise.tabular.table import Table


@pytest.mark.parametrize("cells, expected", [
    (["2019-01-05", "2020-02-29 10:30", "2021-03-01T05:00:00+02:00"], ISO),
    (["05/01/2019", "13/01/2019"], "%d/%m/%Y"),  # a day above 12 settles the order
    (["05/01/2019", "12/01/2019"], "%m/%d/%Y"),  # ambiguous: month first, as pandas reads it
    (["05.01.2019", "12.01.2019", "07.03.2019"], "%d.%m.%Y"),  # with dots: day first
    (["01/%02d/2015" % month for month in range(1, 13)], "%d/%m/%Y"),  # monthly: more months read day first
    (["5-Jan-2019", "7-Feb-2020"], "%d-%b-%Y"),
    (["Jan 5, 2019 3:30 PM", "Feb 7, 2020 1:00 AM"], "%b %d, %Y %I:%M %p"),
])
def test_the_format_that_reads_every_cell_is_found(cells, expected):
    assert date_format(cells) == expected


@pytest.mark.parametrize("cells", [["2019", "2020"], ["Retail", "Online"], ["Q1 2019", "Q2 2020"],
                                   ["2019-01-05", "soon"], ["2019-01-05", "2019-01-05"], ["A12-7", "B13-9"]])
def test_numbers_categories_and_columns_with_a_non_date_are_not_dates(cells):
    assert date_format(cells) is None


def _daily(rows=120, start="2021-01-01"):
    days = pd.date_range(start, periods=rows, freq="D")
    return Table({"day": np.array(days.strftime("%Y-%m-%d"), dtype=object)}, source="'daily.csv'"), days


def test_a_date_on_every_row_is_a_time_series_not_an_identifier_or_free_text():
    table, _ = _daily()
    kept, dropped = screen_columns(table, ["day"])
    assert kept == ["day"] and not dropped


def test_dates_become_days_since_1970_and_one_hot_month_and_weekday():
    table, days = _daily()
    fitted = TabularPreprocessor().fit(table, ["day"])
    reloaded = TabularPreprocessor.from_config(json.loads(json.dumps(fitted.config)))
    assert fitted.config["dates"] == [{"name": "day", "format": ISO, "parts": ["days", "month", "weekday"]}]
    names = reloaded.output_names
    assert names[0] == "day.days" and "day.month=Feb" in names and "day.weekday=Sun" in names
    matrix = reloaded.transform(table)
    since_1970 = (days - pd.Timestamp("1970-01-01")).days.to_numpy(dtype=float)
    np.testing.assert_allclose(matrix[:, 0], (since_1970 - since_1970.mean()) / since_1970.std(), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(matrix[:, names.index("day.weekday=Sun")], days.day_of_week == 6)
    np.testing.assert_array_equal(matrix[:, names.index("day.month=Mar")], days.month == 3)
    assert any("'day': dates (ISO 8601)" in line for line in fitted.describe())


def test_monthly_dates_get_no_weekday_and_dates_without_times_no_hour():
    months = pd.date_range("2015-01-01", periods=60, freq="MS").strftime("%d/%m/%Y")
    entry = fit_dates(Table({"month": np.array(months, dtype=object)}), "month")
    assert entry == {"name": "month", "format": "%d/%m/%Y", "parts": ["days", "month"]}
    month_ends = pd.date_range("1967-06-30", periods=60, freq="ME").strftime("%Y-%m-%d")  # weekdays vary, mean nothing
    assert fit_dates(Table({"month": np.array(month_ends, dtype=object)}), "month")["parts"] == ["days", "month"]
    stamps = pd.date_range("2021-03-01", periods=200, freq="7h").strftime("%Y-%m-%d %H:%M")
    assert fit_dates(Table({"at": np.array(stamps, dtype=object)}), "at")["parts"] == ["days", "month", "weekday",
                                                                                      "hour"]


def test_a_dataframe_of_parsed_dates_predicts_like_the_text_of_the_file():
    table, days = _daily()
    fitted = TabularPreprocessor().fit(table, ["day"])
    parsed = Table({"day": np.asarray(days.to_numpy(), dtype=object)}, source="the DataFrame")
    np.testing.assert_allclose(fitted.transform(parsed), fitted.transform(table))


def test_a_value_that_is_not_a_date_when_predicting_is_imputed_and_reported_or_refused():
    table, _ = _daily()
    new = Table({"day": np.array(["2021-02-03", "tomorrow", None], dtype=object)}, source="'new.csv'")
    imputing = TabularPreprocessor(impute="median").fit(table, ["day"])
    lines = []
    matrix = imputing.transform(new, report=lines.append)
    assert len(lines) == 1 and "'day'" in lines[0] and "tomorrow" in lines[0] and "line 3" in lines[0]
    np.testing.assert_allclose(matrix[1], matrix[2])  # both filled with the training median and mode
    with pytest.raises(ValueError, match=r"'day' must hold dates \(ISO 8601\).*line 3.*strict"):
        imputing.transform(new, strict=True)
    with pytest.raises(ValueError, match=r"'day' must hold dates.*'tomorrow'"):
        TabularPreprocessor().fit(table, ["day"]).transform(new.take(np.array([0, 1])))


def test_expand_dates_replaces_the_column_by_its_parts():
    table, _ = _daily(rows=3)
    entry = fit_dates(table, "day")
    expanded = expand_dates(table, [entry])
    assert expanded.names == ["day.days", "day.weekday"]  # three days of January: the month does not vary
    assert list(expanded["day.weekday"]) == ["Fri", "Sat", "Sun"] and expanded["day.days"][0] == 18628.0


def test_parsed_dates_with_a_gap_keep_their_rows_and_train_like_the_text():
    table, days = _daily(rows=30)
    text = table["day"].copy()
    text[3] = ""
    parsed = days.to_numpy().copy()
    parsed[3] = np.datetime64("NaT")
    as_text = TabularPreprocessor(impute="median").fit(Table({"day": text}), ["day"])
    as_dates = TabularPreprocessor(impute="median").fit(Table({"day": parsed}), ["day"])
    assert as_dates.config == as_text.config
    np.testing.assert_allclose(as_dates.transform(Table({"day": parsed})), as_text.transform(Table({"day": text})))
    mixed = np.array([text[0], days[1], None, days[3]], dtype=object)  # text and Timestamps in one column
    np.testing.assert_allclose(as_text.transform(Table({"day": mixed}))[[0, 1, 3]],
                               as_text.transform(table.take(np.arange(4)))[[0, 1, 3]])


def test_a_few_values_that_are_no_dates_are_missing_values_imputed_or_an_error_without_imputation():
    table, _ = _daily(rows=100)
    cells = table["day"].copy()
    cells[[5, 40]] = "0000-00-00"  # a database's zero date: 2 of 100
    zeros = Table({"day": cells}, source="'zeros.csv'")
    entry = fit_dates(zeros, "day")
    assert entry["format"] == ISO and entry["unreadable"] == {"rows": 2, "examples": ["0000-00-00"]}
    fitted = TabularPreprocessor(impute="median").fit(zeros, ["day"])
    days = fitted.config["numeric"][0]
    assert days["name"] == "day.days" and days["missing"] == 2
    with pytest.raises(ValueError, match=r"not dates in the date column\(s\) 'day' \(2: \['0000-00-00'\]\).*--impute"):
        TabularPreprocessor().fit(zeros, ["day"])
    cells[[1, 2, 3]] = "unknown"  # 5 of 100: beyond the share, the column is no date column
    assert fit_dates(Table({"day": cells}), "day") is None


def test_times_of_day_become_hours_since_midnight_and_a_one_hot_hour_and_scores_stay_text():
    times = np.array([f"{h:02d}:{m:02d}" for h, m in zip(range(24), range(0, 48, 2))] * 3, dtype=object)
    entry = fit_dates(Table({"at": times}), "at")
    assert entry == {"name": "at", "format": "%H:%M", "parts": ["time", "hour"]}
    expanded = expand_dates(Table({"at": times}), [entry])
    np.testing.assert_allclose(expanded["at.time"][:3], [0.0, 1 + 2 / 60, 2 + 4 / 60])
    assert date_format(["2:1", "0:0", "3:2"]) is None  # football scores: minutes need two digits
    assert date_format(["2:30 PM", "11:05 AM"]) == "%I:%M %p"


def test_a_date_column_whose_parts_would_take_a_column_s_name_stays_text():
    days = np.array([f"2024-01-{1 + i % 28:02d}" for i in range(60)], dtype=object)
    own = np.random.default_rng(0).normal(size=60)
    fitted = TabularPreprocessor().fit(Table({"day": days, "day.days": own}), ["day", "day.days"])
    assert "dates" not in fitted.config
    entry = fitted.config["numeric"][0]
    assert entry["name"] == "day.days" and entry["mean"] == pytest.approx(own.mean())

"""A decimal-year clock (R's monthly and quarterly series) gets its month or quarter as a category; no other number
does."""

import numpy as np
import pytest

from gradwise.tabular import prepare
from gradwise.tabular.preprocess import TabularPreprocessor
from gradwise.tabular.seasons import fit_season, season_cells
from gradwise.tabular.table import Table


def _monthly(years=6, start=1969, seed=0):
    """A monthly series as R writes it: time as a decimal year, a trend plus a month's effect plus noise."""
    rng = np.random.default_rng(seed)
    time = start + np.arange(12 * years) / 12
    effect = rng.normal(0, 1.0, 12)
    level = 0.3 * (time - start) + effect[np.arange(12 * years) % 12] + rng.normal(0, 0.1, 12 * years)
    return time, level


def _table(time, level):
    return Table({"time": np.array([repr(float(t)) for t in time], dtype=object),
                  "level": np.array([f"{v:.5f}" for v in level], dtype=object)})


@pytest.mark.parametrize("values, period", [
    (1969 + np.arange(72) / 12, 12),  # R's 1969.08333333333
    (np.round(1969 + np.arange(72) / 12, 4), 12),  # a file rounded to 4 decimals
    (1960 + np.arange(40) / 4, 4),  # quarters: also whole months, read as quarters
])
def test_monthly_and_quarterly_decimal_years_are_clocks_with_seasons(values, period):
    assert fit_season(values) == {"period": period}
    with_gaps = values.copy()
    with_gaps[[3, 10]] = np.nan
    assert fit_season(with_gaps) == {"period": period}


@pytest.mark.parametrize("values", [
    np.arange(1950.0, 2000.0),  # whole years: no season
    2 + np.arange(48) / 4,  # prices in quarters of a unit: no years
    1969 + np.arange(18) / 12,  # a year and a half: no season seen twice
    1969 + np.arange(36) / 6,  # every other month: not every month occurs
    1969 + np.random.default_rng(0).uniform(0, 10, 80),  # decimal years that are not a monthly clock
])
def test_other_numbers_have_no_season(values):
    assert fit_season(values) is None


def test_the_season_of_a_decimal_year():
    cells = season_cells(np.array([1969.0, 1969.08333333333, 1969.9167, 1970.0, np.nan]), 12)
    assert cells.tolist() == ["1", "2", "12", "1", None]
    assert season_cells(np.array([1960.0, 1960.25, 1960.75]), 4).tolist() == ["1", "2", "4"]


def test_the_month_travels_with_the_model_and_predicts_alike_from_new_rows():
    time, level = _monthly()
    table = _table(time, level)
    preprocessor = TabularPreprocessor("median").fit(table, ["time"])
    assert preprocessor.config["seasons"] == [{"name": "time", "period": 12}]
    names = preprocessor.output_names
    assert names[0] == "time" and sorted(names[1:], key=lambda n: int(n.split("=")[1])) == [
        f"time.season={m}" for m in range(1, 13)]
    assert preprocessor.source_columns == ["time"] * 13
    assert any("the month also one-hot encoded" in line for line in preprocessor.describe())
    new = _table(np.array([1975.25, 1980.0 + 11 / 12]), np.zeros(2))  # April 1975, December 1980: past the rows
    matrix = preprocessor.transform(new)
    month = {name.split("=")[1]: matrix[:, index] for index, name in enumerate(names) if "=" in name}
    assert month["4"].tolist() == [1.0, 0.0] and month["12"].tolist() == [0.0, 1.0]
    assert matrix[:, 1:].sum(axis=1).tolist() == [1.0, 1.0]  # one month each


def test_a_linear_model_reads_trend_plus_season():
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score

    time, level = _monthly(years=10)
    prepared = prepare(_table(time, level), "level", impute="median", seed=0)
    assert prepared.x_train.shape[1] == 13
    ridge = Ridge(alpha=1e-3).fit(prepared.x_train, prepared.y_train.ravel())
    season_free = Ridge(alpha=1e-3).fit(prepared.x_train[:, :1], prepared.y_train.ravel())
    with_season = r2_score(prepared.y_test.ravel(), ridge.predict(prepared.x_test))
    assert with_season > 0.95 and with_season > r2_score(prepared.y_test.ravel(),
                                                         season_free.predict(prepared.x_test[:, :1])) + 0.25


def test_a_table_without_a_decimal_year_writes_no_seasons():
    rng = np.random.default_rng(1)
    table = Table({"x": np.array([f"{v:.3f}" for v in rng.normal(size=50)], dtype=object),
                   "year": np.array([str(y) for y in rng.integers(1990, 2000, 50)], dtype=object),
                   "y": np.array([f"{v:.3f}" for v in rng.normal(size=50)], dtype=object)})
    config = TabularPreprocessor("median").fit(table, ["x", "year"]).config
    assert "seasons" not in config  # model files stay as they were

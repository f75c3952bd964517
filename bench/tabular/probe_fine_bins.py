"""Ridge on the piecewise-linear encoding at 8-64 bins a column against RandomForest, on yearly series.

The probe behind ``space.FINE_BINS`` (BENCHMARKS.md, twenty-fifth session): 5-fold cross-validation on the
training rows of an 80/20 split (seed 0), scikit-learn's Ridge(alpha=1) on gradwise's encoding, RandomForest on
the raw numbers. Needs the Rdatasets CSVs (``python -m bench.tabular.real --fetch``, or GRADWISE_RDATASETS).

    python -m bench.tabular.probe_fine_bins
"""

import os

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score, train_test_split

from gradwise.layers import PiecewiseLinearEncoding

from .real import RDATASETS

SERIES = [("datasets/Nile", "Nile"), ("datasets/LakeHuron", "LakeHuron"), ("datasets/lynx", "lynx"),
          ("datasets/sunspot.year", "sunspot.year"), ("car/Hartnagel", "fconvict"), ("HistData/Arbuthnot", "Mortality")]


def read_table(name, target):
    """(x, y) of Rdatasets table `name` ('package/dataset'): its complete rows, without R's row names."""
    frame = pd.read_csv(os.path.join(RDATASETS, name + ".csv")).drop(columns=["Unnamed: 0"], errors="ignore").dropna()
    return frame.drop(columns=[target]).to_numpy(float), frame[target].to_numpy(float)


def main():
    folds = KFold(5, shuffle=True, random_state=0)
    for name, target in SERIES:
        x, y = read_table(name, target)
        x_train, _, y_train, _ = train_test_split(x, y, test_size=0.2, random_state=0)
        scores = {}
        for bins in (8, 16, 32, 64):
            encoding = PiecewiseLinearEncoding(num_bins=bins).adapt(x_train)
            scores[f"ridge on {bins} bins"] = cross_val_score(Ridge(), np.asarray(encoding(x_train)), y_train,
                                                              cv=folds, scoring="r2").mean()
        standardized = (x_train - x_train.mean(0)) / (x_train.std(0) + 1e-12)
        scores["ridge"] = cross_val_score(Ridge(), standardized, y_train, cv=folds, scoring="r2").mean()
        scores["forest"] = cross_val_score(RandomForestRegressor(random_state=0), x_train, y_train, cv=folds,
                                           scoring="r2").mean()
        print(name, " ".join(f"{key}={value:.3f}" for key, value in scores.items()), flush=True)


if __name__ == "__main__":
    main()

"""Ridge on the piecewise-linear encoding of a one-column table: 8 bins, half the rows, 64, a knot per row.

The probe behind ``space.CURVE_BINS`` (BENCHMARKS.md, twenty-sixth session): for each one-input table and split
seed (80/20), scikit-learn's RidgeCV (its penalty chosen by leave-one-out on the training rows) on gradwise's
encoding of the training rows, and RandomForest on the raw number, scored by test R². Needs the Rdatasets CSVs
(``python -m bench.tabular.real --fetch``, or GRADWISE_RDATASETS).

    python -m bench.tabular.probe_curve_bins
"""

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from gradwise.layers import PiecewiseLinearEncoding

from .probe_fine_bins import read_table

TABLES = [("datasets/Nile", "Nile"), ("datasets/LakeHuron", "LakeHuron"), ("datasets/lynx", "lynx"),
          ("datasets/sunspot.year", "sunspot.year"), ("datasets/lh", "lh"), ("quantreg/engel", "foodexp"),
          ("datasets/nhtemp", "nhtemp"), ("datasets/discoveries", "discoveries")]
PENALTIES = np.logspace(-4, 3, 15)


def main():
    for name, target in TABLES:
        x, y = read_table(name, target)
        for seed in (0, 1, 2):
            x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=seed)
            rows, scores = len(x_train), {}
            for label, bins in (("8", 8), ("rows/2", rows // 2), ("64", 64), ("a knot per row", min(rows, 256))):
                encoding = PiecewiseLinearEncoding(num_bins=bins).adapt(x_train)
                ridge = RidgeCV(alphas=PENALTIES).fit(np.asarray(encoding(x_train)), y_train)
                scores[label] = r2_score(y_test, ridge.predict(np.asarray(encoding(x_test))))
            forest = RandomForestRegressor(random_state=0).fit(x_train, y_train)
            scores["forest"] = r2_score(y_test, forest.predict(x_test))
            print(f"{name.split('/')[1]:13s} seed {seed} ({rows} training rows): "
                  + ", ".join(f"{label} {value:.3f}" for label, value in scores.items()), flush=True)


if __name__ == "__main__":
    main()

"""The benchmark's tables, written as CSV: scikit-learn's bundled ones, Pima, and generated messy ones.

CALIBRATION tables were used while the search, the space and the thresholds were built;
HELD_OUT tables were only run once those were frozen (see BENCHMARKS.md).
"""

import csv
import os

import numpy as np

CALIBRATION = ("pima", "breast_cancer", "customers")
HELD_OUT = ("wine", "iris", "digits", "diabetes", "spend")
TIMING = ("wide10k",)


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _sklearn(name):
    from sklearn import datasets

    loader = {"wine": datasets.load_wine, "iris": datasets.load_iris, "digits": datasets.load_digits,
              "breast_cancer": datasets.load_breast_cancer, "diabetes": datasets.load_diabetes}[name]
    bunch = loader()
    names = [str(n).replace(" ", "_") for n in (bunch.feature_names if hasattr(bunch, "feature_names") else
                                               [f"x{i}" for i in range(bunch.data.shape[1])])]
    target = bunch.target
    return names + ["target"], [[*map(repr, map(float, x)), str(t)] for x, t in zip(bunch.data, target)]


def write_table(name, folder):
    """(csv path, target column) of benchmark table `name`, written under `folder`."""
    from gradwise.tabular.messy import write_customer_csv

    path = os.path.join(folder, f"{name}.csv")
    if name == "pima":
        from importlib import resources

        with resources.as_file(resources.files("gradwise").joinpath("data", "diabetes.csv")) as source:
            with open(source, encoding="utf-8") as handle, open(path, "w", encoding="utf-8") as out:
                out.write(handle.read())
        return path, "Outcome"
    if name == "customers":
        return str(write_customer_csv(path, rows=1000, seed=11)), "churned"
    if name == "spend":
        return str(write_customer_csv(path, rows=1000, seed=12, task="regression")), "spend"
    if name == "wide10k":
        from sklearn.datasets import make_classification

        x, y = make_classification(10_000, 50, n_informative=20, random_state=0)
        _write(path, [f"f{i}" for i in range(50)] + ["label"],
               [[f"{v:.5f}" for v in row] + [str(t)] for row, t in zip(x, y)])
        return path, "label"
    header, rows = _sklearn(name)
    if name == "diabetes":
        for row in rows:
            row[-1] = str(float(row[-1]))  # a numeric target: regression
    _write(path, header, rows)
    return path, "target"

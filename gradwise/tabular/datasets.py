"""The bundled datasets of ``gradwise tune --dataset``: Pima diabetes (shipped CSV) and digits (scikit-learn)."""

from importlib import resources

import numpy as np

from .table import Table, read_csv

DATASETS = ("pima", "digits")


def load_dataset(name):
    """(Table, target column name) of a bundled dataset.

    - 'pima': the Pima Indians diabetes data (768 rows, 8 numeric features, binary
      'Outcome'), shipped inside the package as ``gradwise/data/diabetes.csv``.
    - 'digits': scikit-learn's 8x8 handwritten digits (1797 rows, 64 pixel columns,
      target 'digit' 0-9).
    """
    if name == "pima":
        with resources.as_file(resources.files("gradwise").joinpath("data", "diabetes.csv")) as path:
            table = read_csv(path)
        table.source = "the Pima dataset"
        return table, "Outcome"
    if name == "digits":
        from sklearn.datasets import load_digits

        digits = load_digits()
        columns = {f"pixel_{i // 8}_{i % 8}": digits.data[:, i].astype(np.float64) for i in range(64)}
        columns["digit"] = digits.target.astype(np.float64)
        return Table(columns, source="the digits dataset"), "digit"
    raise ValueError(f"--dataset must be one of {', '.join(DATASETS)}, got {name!r}.")

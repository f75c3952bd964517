"""Feature preprocessing fitted on the training rows, stored as JSON, replayed at prediction time.

Fitting uses scikit-learn (``SimpleImputer``, ``StandardScaler``, ``OneHotEncoder``) on
the training split only; the fitted statistics (imputation values, means and scales,
categories) go into a plain JSON config. ``transform`` applies that config with NumPy,
so a saved model predicts from raw CSV rows without scikit-learn objects or pickles,
and gives exactly what the fitted scikit-learn transformers give.
"""

import numpy as np

from .table import Table

IMPUTE_STRATEGIES = ("mean", "median", "most_frequent")


def _as_float(table, name):
    """The column as floats (NaN for missing); ValueError naming the first non-numeric cell."""
    values = table[name]
    if values.dtype.kind == "f":
        return values.astype(np.float64)
    missing = table.missing_mask(name)
    result = np.full(len(values), np.nan)
    for index in np.flatnonzero(~missing):
        try:
            result[index] = float(values[index])
        except ValueError:
            raise ValueError(
                f"Column '{name}' of {table.source} must hold numbers, but line {table.lines[index]} has "
                f"{values[index]!r}."
            ) from None
    return result


def _is_numeric(table, name):
    values = table[name]
    if values.dtype.kind in "fiub":
        return True
    missing = table.missing_mask(name)
    try:
        [float(cell) for cell in values[~missing]]
    except ValueError:
        return False
    return True


def _missing_error(table, names, masks):
    details = [f"'{n}' ({m.sum()} missing, first on line {table.lines[np.argmax(m)]})" for n, m in zip(names, masks)]
    return ValueError(
        f"{table.source} has missing values in column(s) {', '.join(details)}. Fill them in, drop those rows, "
        "or impute them with --impute mean|median|most_frequent (Python: impute='mean')."
    )


class TabularPreprocessor:
    """Standardize numeric columns and one-hot encode text columns, with training statistics only.

    Parameters
    ----------
    impute : {'mean', 'median', 'most_frequent'}, optional
        How to fill missing values of numeric columns (text columns take their most
        frequent value). None (default): missing values are an error naming the column.
    """

    def __init__(self, impute=None):
        if impute is not None and impute not in IMPUTE_STRATEGIES:
            raise ValueError(f"`impute` must be one of {', '.join(IMPUTE_STRATEGIES)} or None, got {impute!r}.")
        self.impute = impute
        self.config = None

    def fit(self, table, features):
        """Learn column kinds and statistics from `table` (training rows); returns self."""
        from sklearn.impute import SimpleImputer
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        features = list(features)
        masks = [table.missing_mask(name) for name in features]
        if self.impute is None and any(mask.any() for mask in masks):
            bad = [(n, m) for n, m in zip(features, masks) if m.any()]
            raise _missing_error(table, [n for n, _ in bad], [m for _, m in bad])
        numeric = [name for name in features if _is_numeric(table, name)]
        text = [name for name in features if name not in numeric]
        config = {"features": features, "impute": self.impute, "numeric": [], "categorical": []}
        if numeric:
            matrix = np.column_stack([_as_float(table, name) for name in numeric])
            if self.impute is not None:
                imputer = SimpleImputer(strategy=self.impute).fit(matrix)
                fill = imputer.statistics_
                matrix = imputer.transform(matrix)
            else:
                fill = np.full(len(numeric), np.nan)
            scaler = StandardScaler().fit(matrix)
            config["numeric"] = [{"name": n, "mean": float(m), "scale": float(s), "fill": None if np.isnan(f) else float(f)}
                                 for n, m, s, f in zip(numeric, scaler.mean_, scaler.scale_, fill)]
        for name in text:
            cells = np.array([None if missing else str(cell) for cell, missing in
                              zip(table[name], table.missing_mask(name))], dtype=object)
            fill = None
            if self.impute is not None:
                present = cells[cells != None]  # noqa: E711 - element-wise comparison on an object array
                labels, counts = np.unique(present.astype(str), return_counts=True)
                fill = str(labels[np.argmax(counts)])
                cells = np.where(cells == None, fill, cells)  # noqa: E711
            encoder = OneHotEncoder(handle_unknown="ignore").fit(cells.reshape(-1, 1).astype(str))
            config["categorical"].append({"name": name, "categories": [str(c) for c in encoder.categories_[0]],
                                          "fill": fill})
        self.config = config
        return self

    @classmethod
    def from_config(cls, config):
        preprocessor = cls(config.get("impute"))
        preprocessor.config = config
        return preprocessor

    @property
    def output_names(self):
        names = [entry["name"] for entry in self.config["numeric"]]
        for entry in self.config["categorical"]:
            names += [f"{entry['name']}={category}" for category in entry["categories"]]
        return names

    def check_columns(self, table, ignore=()):
        """ValueError naming missing and extra columns when `table` does not have the training columns."""
        expected = self.config["features"]
        present = [name for name in table.names if name not in ignore]
        missing = [name for name in expected if name not in present]
        extra = [name for name in present if name not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing column(s) {missing}")
            if extra:
                parts.append(f"unexpected column(s) {extra}")
            raise ValueError(f"{table.source} does not match the model's columns: {' and '.join(parts)}. "
                             f"The model expects {expected}.")

    def transform(self, table):
        """Float32 matrix of shape (rows, len(output_names)) for the raw rows of `table`."""
        self.check_columns(table, ignore=[n for n in table.names if n not in self.config["features"]])
        blocks = []
        for entry in self.config["numeric"]:
            values = _as_float(table, entry["name"])
            missing = np.isnan(values)
            if missing.any():
                if entry["fill"] is None:
                    raise _missing_error(table, [entry["name"]], [missing])
                values = np.where(missing, entry["fill"], values)
            blocks.append(((values - entry["mean"]) / entry["scale"]).reshape(-1, 1))
        for entry in self.config["categorical"]:
            cells = table[entry["name"]]
            missing = table.missing_mask(entry["name"])
            if missing.any() and entry["fill"] is None:
                raise _missing_error(table, [entry["name"]], [missing])
            text = np.array([entry["fill"] if m else str(c) for c, m in zip(cells, missing)], dtype=object)
            blocks.append(np.stack([text == category for category in entry["categories"]], axis=1).astype(np.float64))
        matrix = np.hstack(blocks) if blocks else np.zeros((table.rows, 0))
        return matrix.astype(np.float32)


def split_features(table, target):
    """(feature table, target column) of `table`."""
    if target not in table.names:
        raise ValueError(f"--target {target!r} is not a column of {table.source}; its columns are {table.names}.")
    return table.without(target), table[target]


__all__ = ["TabularPreprocessor", "Table", "split_features", "IMPUTE_STRATEGIES"]

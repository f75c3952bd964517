"""TabularModel: the networks of a tuned model and the preprocessing they were trained behind.

``gradwise.load_model("runs/NAME/best.gw")`` returns one; it predicts from raw rows — a
pandas DataFrame, a dict of columns, a ``Table`` or a 2-D NumPy array of the original
feature columns in training order — exactly what ``gradwise predict`` prints::

    model = gradwise.load_model("runs/wine/best.gw")
    model.predict(frame)            # class probabilities (rows, classes), or values in the target's units
    model.predict_labels(frame)     # class labels, or values

Several networks (an ensemble of the best trials) are averaged with their weights.
"""

import sys

import numpy as np

from .preprocess import TabularPreprocessor
from .table import Table
from .target import TargetEncoder


def _stderr(line):
    print(f"gradwise: {line}", file=sys.stderr, flush=True)


class TabularModel:
    """Preprocessing + one or several gradwise networks + target decoding.

    Parameters
    ----------
    preprocessing : dict
        ``{"target", "features" (a TabularPreprocessor config), "target_encoding"}``,
        plus free-form entries (the trial, hyperparameters) kept in the file.
    networks : list of Sequential
        Trained on the preprocessor's output.
    weights : list of float, optional
        Ensemble weights (default: equal).
    """

    def __init__(self, preprocessing, networks, weights=None):
        if not networks:
            raise ValueError("TabularModel: `networks` must hold at least one trained network.")
        self.preprocessing = preprocessing
        self.preprocessor = TabularPreprocessor.from_config(preprocessing["features"])
        self.encoder = TargetEncoder.from_config(preprocessing["target_encoding"])
        self.networks = list(networks)
        weights = np.ones(len(networks)) if weights is None else np.asarray(weights, dtype=np.float64)
        if weights.shape != (len(networks),) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(f"TabularModel: `weights` must be {len(networks)} non-negative numbers, got {weights}.")
        self.weights = weights / weights.sum()

    @property
    def task(self):
        return self.encoder.task

    @property
    def classes(self):
        return self.encoder.classes

    @property
    def target(self):
        return self.preprocessing["target"]

    # ----- rows in ---------------------------------------------------------------------------
    def table(self, rows):
        """The raw rows as a Table; TypeError/ValueError for anything that is not raw rows of this model."""
        if isinstance(rows, Table):
            return rows
        if hasattr(rows, "columns") and hasattr(rows, "to_numpy"):  # a pandas DataFrame
            columns = {str(name): _column(rows[name].to_numpy()) for name in rows.columns}
            return Table(columns, source="the DataFrame")
        if isinstance(rows, dict):
            columns = {str(name): _column(np.asarray(values)) for name, values in rows.items()}
            return Table(columns, source="the dict of columns")
        if isinstance(rows, (np.ndarray, list, tuple)):
            return self._table_from_array(np.asarray(rows))
        raise TypeError(f"TabularModel.predict: `rows` must be a pandas DataFrame, a dict of columns or a 2-D "
                        f"NumPy array of the columns {self.preprocessor.columns}, got {type(rows).__name__}.")

    def _table_from_array(self, array):
        columns, features = self.preprocessor.columns, self.preprocessor.config["features"]
        width = len(self.preprocessor.output_names)
        if array.ndim != 2 or array.shape[1] not in (len(columns), len(features)):
            looks = (f" It has the width of the model's internal inputs ({width}): pass raw rows, not transformed "
                     "features." if array.ndim == 2 and array.shape[1] == width else "")
            raise ValueError(f"TabularModel.predict: a NumPy array must have shape (rows, {len(columns)}): the raw "
                             f"columns {columns} in this order; got shape {array.shape}.{looks}")
        names = columns if array.shape[1] == len(columns) else features
        table = Table({name: _column(array[:, i]) for i, name in enumerate(names)}, source="the array")
        self._refuse_transformed(table)
        return table

    def _refuse_transformed(self, table):
        """ValueError when numeric columns sit near 0 where the training values sit far from it (standardized)."""
        if table.rows < 20:
            return
        far = [e for e in self.preprocessor.config["numeric"]
               if abs(e["mean"]) > 3 * e["scale"] and e["scale"] > 0 and e["name"] in table.names]
        if not far:
            return
        from .preprocess import _as_float

        near = [e["name"] for e in far
                if abs(np.nanmean(_as_float(table, e["name"], e.get("formatted", False)))) < e["scale"]]
        if len(near) == len(far):
            raise ValueError(f"TabularModel.predict: columns {near} of {table.source} are centred near 0, while "
                             "their training values are far from 0: these look like already-standardized features. "
                             "Pass the raw rows; the model applies its own preprocessing.")

    # ----- predictions out ------------------------------------------------------------------------
    def transform(self, rows, strict=False, report=_stderr):
        """The networks' input matrix for raw `rows` (unseen categories reported through `report`)."""
        table = self.table(rows)
        self.preprocessor.check_columns(table, ignore=[self.target])
        return self.preprocessor.transform(table, strict=strict, report=report)

    def network_outputs(self, matrix):
        """The weighted mean of the networks' outputs for preprocessed `matrix`."""
        outputs = [np.asarray(network.predict(matrix, verbose=0), dtype=np.float64) for network in self.networks]
        return sum(weight * output for weight, output in zip(self.weights, outputs))

    def predict(self, rows, strict=False, report=_stderr):
        """Class probabilities, shape (rows, classes), or regression values in the target's units, shape (rows,)."""
        outputs = self.network_outputs(self.transform(rows, strict, report))
        if self.task == "regression":
            return self.encoder.decode(outputs)
        return self.encoder.probabilities(outputs)

    def predict_labels(self, rows, strict=False, report=_stderr):
        """Class labels (as in the training file), or regression values."""
        outputs = self.network_outputs(self.transform(rows, strict, report))
        return self.encoder.decode(outputs)

    def __call__(self, rows):
        return self.predict(rows)

    # ----- description and files ------------------------------------------------------------------
    def summary(self, print_fn=print):
        """Print the preprocessing, the target encoding and each network."""
        config = self.preprocessor.config
        print_fn(f'TabularModel: target "{self.target}" ({self.task}), {len(config["features"])} of '
                 f'{len(self.preprocessor.columns)} columns used -> {len(self.preprocessor.output_names)} inputs')
        print_fn("Preprocessing (fitted on the training rows):")
        for line in self.preprocessor.describe():
            print_fn(line)
        encoding = self.encoder.config
        if self.task == "regression":
            print_fn(f"Target: standardized (mean {encoding['mean']:.6g}, scale {encoding['scale']:.6g}); "
                     "predictions in the target's units")
        else:
            print_fn(f"Target: classes {encoding['classes']}")
        for index, (network, weight) in enumerate(zip(self.networks, self.weights)):
            print_fn(f"Network {index + 1} of {len(self.networks)} (weight {weight:.3f}):")
            network.summary(print_fn=print_fn)

    def save(self, filepath):
        from .modelfile import save_tabular_model

        save_tabular_model(self, filepath)

    def count_params(self):
        return int(sum(network.count_params() for network in self.networks))

    def __repr__(self):
        return (f"<TabularModel target={self.target!r} task={self.task} networks={len(self.networks)} "
                f"columns={len(self.preprocessor.columns)}>")


def _column(values):
    """A float column when every cell is a number, else an object column of the cells."""
    values = np.asarray(values)
    if values.dtype.kind in "fiub":
        return values.astype(np.float64)
    return np.array([None if _missing(value) else value for value in values], dtype=object)


def _missing(value):
    """None, NaN, and pandas' NA/NaT (told by their type, so pandas need not be imported)."""
    return value is None or (isinstance(value, float) and np.isnan(value)) or type(value).__name__ in ("NAType",
                                                                                                     "NaTType")

"""Tabular data for the command line: CSV rows, column screening, preprocessing stored with the model.

``gradwise tune`` and ``gradwise predict`` are built from these pieces; they are usable
from Python too::

    table = read_csv("diabetes.csv")
    prepared = prepare(table, target="Outcome")          # split, screen columns, preprocess, encode
    model = gradwise.load_model("runs/pima/best.gw")     # a TabularModel: raw rows in
    model.predict(frame)
"""

from .data import Prepared, prepare, split_rows
from .datasets import DATASETS, load_dataset
from .modelfile import load_tabular_model, save_tabular_model
from .pipeline import TabularModel
from .preprocess import TabularPreprocessor
from .table import Table, read_csv
from .target import TargetEncoder, infer_task

__all__ = [
    "Table", "read_csv", "TabularPreprocessor", "TargetEncoder", "infer_task", "prepare", "Prepared", "split_rows",
    "load_dataset", "DATASETS", "TabularModel", "save_tabular_model", "load_tabular_model",
]

"""Tabular data for the command line: CSV rows, task inference, preprocessing stored with the model.

``gradwise tune`` and ``gradwise predict`` are built from these pieces; they are usable
from Python too::

    table = read_csv("diabetes.csv")
    prepared = prepare(table, target="Outcome")          # split, preprocess, encode
    model, preprocessing = load_with_preprocessing("runs/pima/best.gw")
"""

from .data import Prepared, prepare
from .datasets import DATASETS, load_dataset
from .modelfile import load_with_preprocessing, save_with_preprocessing
from .preprocess import TabularPreprocessor
from .table import Table, read_csv
from .target import TargetEncoder, infer_task

__all__ = [
    "Table", "read_csv", "TabularPreprocessor", "TargetEncoder", "infer_task", "prepare", "Prepared",
    "load_dataset", "DATASETS", "save_with_preprocessing", "load_with_preprocessing",
]

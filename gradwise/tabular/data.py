"""From a table to training, validation and held-out test arrays, with the preprocessing fitted on training rows.

The test rows are split off first (stratified for classification) and are never seen
by the search: the preprocessing statistics come from the training split, the trials
train on part of it and are compared on the rest (the validation rows).
"""

from dataclasses import dataclass

import numpy as np

from .preprocess import TabularPreprocessor, split_features
from .target import TargetEncoder, check_target, infer_task


@dataclass
class Prepared:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    test_cells: list
    test_index: np.ndarray
    task: str
    preprocessor: TabularPreprocessor
    encoder: TargetEncoder
    target: str

    @property
    def classes(self):
        return self.encoder.classes

    def preprocessing(self):
        """The JSON stored in the best model file."""
        return {"target": self.target, "features": self.preprocessor.config, "target_encoding": self.encoder.config}


def _split(indices, labels, fraction, seed, stratify):
    from sklearn.model_selection import train_test_split

    if stratify:
        _, counts = np.unique(labels, return_counts=True)
        if counts.min() < 2:
            raise ValueError("A class of the target has a single row; every class needs at least 2 rows "
                             "to be split into training and test rows.")
    return train_test_split(indices, test_size=fraction, random_state=seed, stratify=labels if stratify else None)


def prepare(table, target, task=None, impute=None, test_size=0.2, validation_size=0.2, seed=0):
    """Split `table`, fit the preprocessing on the training rows and encode everything.

    Parameters
    ----------
    table : Table
    target : str
        The target column.
    task : {'binary', 'multiclass', 'regression'}, optional
        Inferred from the target when None.
    impute : str, optional
        See ``TabularPreprocessor``.
    test_size, validation_size : float
        Fractions of all rows held out for the test, and of the training rows for validation.
    """
    features, target_values = split_features(table, target)
    if not features.names:
        raise ValueError(f"{table.source} has no feature columns besides the target {target!r}.")
    cells = check_target(target_values, target, table.lines)
    task = task or infer_task(cells)
    TargetEncoder(task).fit(cells)  # a task that does not fit the target fails here, before any split
    stratify = task != "regression"
    labels = np.array(cells, dtype=object)
    train_index, test_index = _split(np.arange(table.rows), labels, test_size, seed, stratify)
    fit_index, val_index = _split(train_index, labels[train_index], validation_size, seed, stratify)
    training = features.take(train_index)
    preprocessor = TabularPreprocessor(impute).fit(training, features.names)
    encoder = TargetEncoder(task).fit([cells[i] for i in train_index])

    def arrays(index):
        return preprocessor.transform(features.take(index)), encoder.transform([cells[i] for i in index])

    x_train, y_train = arrays(fit_index)
    x_val, y_val = arrays(val_index)
    x_test, y_test = arrays(test_index)
    return Prepared(x_train, y_train, x_val, y_val, x_test, y_test, [cells[i] for i in test_index], test_index,
                    task, preprocessor, encoder, target)

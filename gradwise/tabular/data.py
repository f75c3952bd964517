"""From a table to training and held-out test arrays, with the preprocessing fitted on training rows.

The test rows are split off first (stratified for classification; whole groups of rows with
``group``, see ``groups``) and are never seen by the search: the column screening and the preprocessing statistics come from the training
rows, the trials are compared on folds of the training rows (see ``folds``), and the test
rows are scored once, at the end.
"""

from dataclasses import dataclass

import numpy as np

from .dates import date_format
from .groups import check_groups, group_flag, group_labels, split_off
from .markers import target_words
from .preprocess import TabularPreprocessor, split_features
from .table import did_you_mean
from .target import TargetEncoder, infer_task, target_cells, whole_numbers


@dataclass
class Prepared:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_cells: list
    test_cells: list
    train_index: np.ndarray
    test_index: np.ndarray
    task: str
    preprocessor: TabularPreprocessor
    encoder: TargetEncoder
    target: str
    groups: np.ndarray = None  # the training rows' groups (``--group``), or None: rows are independent

    @property
    def classes(self):
        return self.encoder.classes

    def preprocessing(self):
        """The JSON stored in the model file."""
        return {"target": self.target, "features": self.preprocessor.config, "target_encoding": self.encoder.config}


def _split(indices, labels, fraction, seed, stratify, groups=None):
    from sklearn.model_selection import train_test_split

    if stratify:
        classes, counts = np.unique(labels, return_counts=True)
        single = [str(label) for label, count in zip(classes, counts) if count < 2]
        if single:
            whole = whole_numbers(classes)
            if whole:
                single.sort(key=float)  # 7 before 14, not after it as text
            hint = (" The target's values are whole numbers, read as classes; if they are quantities (counts, "
                    "amounts), use --task regression." if whole else "")
            if not whole and date_format([str(label) for label in classes]):
                hint = (" The target's values are dates, which are neither classes nor a quantity: write what to "
                        "predict of them as a column of its own (a year, a month, days since an event).")
            raise ValueError(f"{len(single)} class(es) of the target have a single row ({', '.join(single[:5])}"
                             f"{', ...' if len(single) > 5 else ''}); every class needs at least 2 rows to be split "
                             f"into training and test rows.{hint}")
        test_rows = int(np.ceil(fraction * len(indices)))
        if test_rows < len(classes) or len(indices) - test_rows < len(classes):
            raise ValueError(f"--test-size {fraction:g} of {len(indices)} rows gives {test_rows} test and "
                             f"{len(indices) - test_rows} training rows, but each must hold all {len(classes)} classes.")
    if groups is not None:
        return split_off(indices, groups, labels, fraction, seed, stratify)
    return train_test_split(indices, test_size=fraction, random_state=seed, stratify=labels if stratify else None)


def split_rows(table, target, task=None, test_size=0.2, seed=0, group=None):
    """(task, target cells, training row indices, test row indices): the split every tool compares on.

    Rows whose target is missing are in neither part (``unlabelled_lines`` names them): a row
    without a target can neither train nor score a model. With `group` (a column), the test
    rows are whole groups of that column's values.
    """
    groups = None if group is None else _group_column(table, target, group)
    cells, labelled = labelled_rows(table, target, task)
    known = [cells[i] for i in labelled]
    task = task or infer_task(known, target)
    TargetEncoder(task).fit(known)  # a task that does not fit the target fails here, before any split
    labels = np.array(known, dtype=object)
    if groups is not None:
        groups = groups[labelled]
        # a class-balanced test split takes the first of round(1 / test_size) folds of whole groups (``split_off``)
        needed = 2 if task == "regression" else max(2, int(round(1 / test_size)))
        check_groups(groups, needed, f"the {len(labelled)} labelled rows", group_flag(group))
    train_index, test_index = _split(labelled, labels, test_size, seed, task != "regression", groups)
    return task, cells, np.sort(train_index), np.sort(test_index)


def _group_column(table, target, group):
    if group == target:
        raise ValueError(f"--group {group!r} is the target; name the column whose rows belong together.")
    if group not in table.names:
        raise ValueError(f"--group {group!r} is not a column of {table.source}{did_you_mean(group, table.names)}; "
                         f"its columns are {table.names}.")
    return group_labels(table, group)


def labelled_cells(table, target, task=None):
    """(the target's cells, None where missing, the words read as missing): see ``markers.target_words``.

    A target of numbers with a few words ('-', 'unknown') is read as numbers, its words as missing,
    unless `task` says it is classes.
    """
    _, target_values = split_features(table, target)
    cells = target_cells(target_values)
    words = target_words(cells) if task in (None, "regression") else None
    if words:
        cells = [None if cell in words else cell for cell in cells]
    return cells, words or []


def labelled_rows(table, target, task=None):
    """(the target's cells, None where missing; the indices of the rows that have one); ValueError when none has."""
    cells, _ = labelled_cells(table, target, task)
    labelled = np.flatnonzero([cell is not None for cell in cells])
    if not len(labelled):
        raise ValueError(f"{table.source}: the target column '{target}' is missing on every row.")
    return cells, labelled


def unlabelled_lines(table, target, task=None):
    """(file lines of the rows whose target is missing, left out by ``split_rows``; the words read as missing)."""
    cells, words = labelled_cells(table, target, task)
    return [line for line, cell in zip(table.lines, cells) if cell is None], words


def prepare(table, target, task=None, impute=None, test_size=0.2, seed=0, drop=(), keep=(), report=None,
            group=None):
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
    test_size : float
        Fraction of all rows held out for the test.
    drop, keep : sequence of str
        Columns to drop, and columns the hygiene rules must keep.
    report : callable, optional
        Called with a line for each column whose test rows hold what training never saw (an unseen
        category, text in a number column; see ``TabularPreprocessor.transform``).
    group : str, optional
        A column whose rows belong together: the test rows are whole groups, ``Prepared.groups``
        holds the training rows' groups for the folds, and the column is not a feature.
    """
    features, _ = split_features(table, target)
    if not features.names:
        raise ValueError(f"{table.source} has no feature columns besides the target {target!r}.")
    task, cells, train_index, test_index = split_rows(table, target, task, test_size, seed, group)
    train_cells = [cells[i] for i in train_index]
    if task != "regression" and len(set(train_cells)) < 2:
        raise ValueError(f"The training rows hold a single class of '{target}': there is nothing to learn.")
    encoder = TargetEncoder(task).fit(train_cells)
    targets = encoder.transform(train_cells)
    targets = np.eye(len(encoder.classes))[targets] if task == "multiclass" else targets.reshape(-1, 1)
    groups = None if group is None else group_labels(table, group)[train_index]
    preprocessor = TabularPreprocessor(impute, drop, keep, group).fit(features.take(train_index), features.names,
                                                                       targets.astype(np.float64), groups)
    test_cells = [cells[i] for i in test_index]
    return Prepared(preprocessor.transform(features.take(train_index)), encoder.transform(train_cells),
                    preprocessor.transform(features.take(test_index), report=report), encoder.transform(test_cells),
                    train_cells, test_cells, train_index, test_index, task, preprocessor, encoder, target, groups)


__all__ = ["Prepared", "prepare", "split_rows", "unlabelled_lines", "labelled_cells", "labelled_rows"]

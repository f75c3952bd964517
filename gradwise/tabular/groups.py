"""Grouped splits: rows that belong together (a patient's visits, a worker's years) stay on one side.

When rows come in groups and new rows will come from new groups, a split by row is
optimistic: a model (a forest above all) recalls a group's other rows from training and is
scored as if it knew new ones (BENCHMARKS.md, seventeenth session: seven real tables of repeated
measures, each split by row and by whole groups). With
``--group COLUMN`` the test rows are whole groups, every cross-validation fold and every
early-stopping split keeps groups whole, and the column itself is not a feature: its values
say nothing of groups not seen in training. scikit-learn's ``GroupShuffleSplit``,
``GroupKFold`` and ``StratifiedGroupKFold`` (for classes) do the splitting; AutoGluon and FLAML
take such a group column the same way.

A missing group value is a group of its own kind: all such rows together.
"""

import re

import numpy as np

MISSING_GROUP = "(missing)"
# Names of columns that usually say whose row it is; with repeated values, a hint suggests --group
# ('school' is left out: as often years of schooling as a school)
_WHO = re.compile(r"(^|[^a-z])(id|subject|patient|person|user|customer|client|participant|individual|household|"
                  r"firm|company|store|shop|student|pupil|family|worker|employee|animal|plant)s?([^a-z]|$)",
                  re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](Id|ID)$")  # patientId, storeID (case matters: 'afraid' is no identifier)
MIN_GROUPS = 5  # values a column needs for the hint (and, with --group, as many as folds)


def group_labels(table, name):
    """The group of each row of `table` by column `name`, as text (numbers as written)."""
    from .target import target_cells

    return np.array([MISSING_GROUP if cell is None else cell for cell in target_cells(table[name])], dtype=object)


def check_groups(groups, needed, what):
    """ValueError naming --group when `groups` has fewer than `needed` distinct values."""
    count = len(set(groups))
    if count < needed:
        raise ValueError(f"--group: {what} hold {count} group(s), but {needed} are needed (a grouped split puts "
                         "whole groups on each side); group by a column with more values, or leave out --group.")


def likely_groups(table, features):
    """[(column, values, rows per value)] of feature columns named like 'whose row' (subject, patient_id, store)
    whose values repeat: candidates for ``--group`` when new rows will come from new ones."""
    found = []
    for name in features:
        if not (_WHO.search(name) or _CAMEL_ID.search(name)):
            continue
        labels = group_labels(table, name)
        values = len(set(labels))
        if MIN_GROUPS <= values <= table.rows / 2:
            found.append((name, values, table.rows / values))
    return found


def constant_within(values, groups):
    """Whether `values` (floats, NaN for missing) take one value in each group: a property of the group."""
    seen = {}
    for value, group in zip(values, groups):
        key = "nan" if value != value else value
        if seen.setdefault(group, key) != key:
            return False
    return True


def _shuffled_codes(groups, seed):
    """Groups as integers in an order drawn from `seed`: GroupKFold's ties fall where the seed says."""
    _, codes = np.unique(groups.astype(str), return_inverse=True)
    return np.random.default_rng(seed).permutation(codes.max() + 1)[codes]


def split_off(indices, groups, labels, fraction, seed, stratify):
    """(train, test) subsets of `indices`: `fraction` of the rows as whole groups (class-balanced when `stratify`)."""
    from sklearn.model_selection import GroupShuffleSplit, StratifiedGroupKFold

    groups = np.asarray(groups)
    if stratify:  # the first fold of round(1 / fraction) class-balanced folds of whole groups
        folds = max(2, int(round(1 / fraction)))
        splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
        train, test = next(splitter.split(np.zeros(len(indices)), labels, groups))
    else:
        splitter = GroupShuffleSplit(1, test_size=fraction, random_state=seed)
        train, test = next(splitter.split(np.zeros(len(indices)), groups=groups))
    return np.asarray(indices)[train], np.asarray(indices)[test]


def grouped_folds(groups, labels, folds, seed):
    """[(fit rows, validation rows)]: `folds` folds of whole groups (class-balanced when `labels` is not None)."""
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    rows = np.zeros(len(groups))
    if labels is not None:
        return list(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(rows, labels, groups))
    return list(GroupKFold(folds).split(rows, groups=_shuffled_codes(np.asarray(groups), seed)))


__all__ = ["group_labels", "check_groups", "split_off", "grouped_folds", "likely_groups", "constant_within",
           "MISSING_GROUP"]

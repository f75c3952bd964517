"""Words in a number column: missing values with a meaning ('unknown', '-', '#N/A', 'never').

Spreadsheets and surveys write a gap in a column of numbers as a word or a sign: '-', 'unknown',
'n.a.', Excel's '#N/A' and '#DIV/0!'; or a number with a name: years of smoking '12.5' or 'never'.
Read as text, such a column was a near-unique text column and was dropped, or a category per
value: a generated churn table whose most telling column had 30 such cells in 400 lost it (test
accuracy 0.70; 0.86 with it).

A text column whose training values are numbers but for a few words (``MAX_MARKERS`` distinct
values at most, none holding a digit unless it is a spreadsheet error such as '#DIV/0!', and no
more than half of the present values) and whose numbers take ``MIN_NUMBERS`` values or more keeps
its numbers, with the words as missing values (imputed, like empty cells), and gains a
categorical part ``NAME.text``: each word one-hot, the numbers and empty cells under ``NUMBER``
('never' is no missing number of years; 'unknown' may say something too: HistGradientBoosting
learns from a gap where it falls, this part lets a network do so). A word not seen in training
is, when predicting, text in a number column: imputed and reported (an error with ``strict``).

Numbers of fewer values with a word ('3', '4', '6', '8' cylinders and 'rotary'; grades '1' ...
'12' and 'K') stay a category per value, as before: nothing was lost there, and on MASS's Cars93
reading its cylinders as a number moved the test R² by -0.13 to +0.03 over seven seeds (19 test
rows; mean -0.022).
"""

import re
from collections import Counter

import numpy as np

from .formats import parse_number, plain_number
from .table import Table

MAX_MARKERS = 5  # distinct words in a number column; more, and the column is text with some numbers in it
MAX_SHARE = 0.5  # of the present values at most; more, and the numbers are the exception
MIN_NUMBERS = 20  # distinct numbers at least; fewer, and one-hot categories of them lose nothing
NUMBER = "(number)"  # the category of the cells that write a number, or nothing
_DIGIT = re.compile(r"\d")


def _marker(cell):
    """Whether `cell` (text that is no number) can stand for a missing or named number."""
    text = cell.strip()
    return 0 < len(text) <= 30 and (text.startswith("#") or not _DIGIT.search(text))


def fit_markers(table, name):
    """{'name', 'values', 'rows'} for a number column of `table` with words in it (see the module's doc), else None."""
    values = table[name]
    if values.dtype.kind != "O":
        return None
    present = values[~table.missing_mask(name)]
    try:
        np.asarray(present, dtype=np.float64)
        return None  # numbers only (the usual case, read at C speed)
    except (TypeError, ValueError):
        pass
    numbers, words = 0, {}
    for cell, count in Counter(present.tolist()).items():  # each distinct value once: a category's many rows
        if plain_number(cell) or parse_number(cell) is not None:
            numbers += 1
            continue
        word = str(cell).strip()
        words[word] = words.get(word, 0) + count
        if len(words) > MAX_MARKERS or not _marker(word):
            return None
    rows = sum(words.values())
    if not words or rows > MAX_SHARE * len(present) or numbers < MIN_NUMBERS:
        return None
    distinct = sorted(words)
    return {"name": name, "values": distinct, "rows": rows}


def target_words(cells):
    """The words of a target of numbers with a few words in it ('-', 'unknown'), by the rules above; else None.

    `cells`: the target's cells as text, None where missing. Such a target is a regression
    target whose word rows have no value: they are left out like rows without a target, where
    they made the target text, classes of one row each.
    """
    present = np.array([cell for cell in cells if cell is not None], dtype=object)
    entry = fit_markers(Table({"target": present}), "target") if len(present) else None
    return None if entry is None else entry["values"]


def text_part(entry):
    return f"{entry['name']}.text"


def expand_markers(table, entries):
    """`table` with the words of each column of `entries` as missing values, and its ``NAME.text`` part beside it."""
    if not entries:
        return table
    columns = dict(table.columns)
    for entry in entries:
        cells = table[entry["name"]].astype(object)
        words = np.array([isinstance(cell, str) and cell.strip() in entry["values"] for cell in cells], dtype=bool)
        columns[entry["name"]] = np.where(words, None, cells)
        part = np.full(len(cells), NUMBER, dtype=object)
        part[words] = [cell.strip() for cell in cells[words]]
        columns[text_part(entry)] = part
    return Table(columns, table.lines, table.source)


def describe_markers(entry):
    """"'#N/A', 'unknown'": the words of `entry` as the messages show them."""
    return ", ".join(repr(word) for word in entry["values"])


__all__ = ["fit_markers", "expand_markers", "describe_markers", "text_part", "NUMBER", "MAX_MARKERS", "MIN_NUMBERS", "target_words"]

"""Words, units and bounds in a number column: '-', 'unknown', '#N/A', 'never'; '74 bhp'; '<0.5'.

Spreadsheets and surveys write a gap in a column of numbers as a word or a sign: '-', 'unknown',
'n.a.', Excel's '#N/A' and '#DIV/0!'; or a number with a name: years of smoking '12.5' or 'never'.
Scraped listings write a unit after each number: '1248 CC', '74 bhp', '23.4 kmpl' beside
'17.3 km/kg'. Laboratories write a value below or above what they measure as '<0.5' or '>1000'.
Read as text, such a column was a near-unique text column and was dropped, or a category per
value: a generated churn table whose most telling column had 30 words in 400 cells lost it (test
accuracy 0.70; 0.86 with it).

A text column whose training values are numbers but for a few words (``MAX_MARKERS`` distinct
values at most, none holding a digit unless it is a spreadsheet error such as '#DIV/0!', and no
more than half of the present values), or numbers followed by a unit (``MAX_UNITS`` distinct
units at most, on half of the values or more; a unit starts with a letter or '°' and holds no
digit), or numbers after a bound ('<', '>', '≤', '≥', '~'), and whose numbers take
``MIN_NUMBERS`` values or more, keeps its numbers: the words are missing values (imputed, like
empty cells), the units are stripped, a bounded value is its bound ('<0.5' is 0.5). Where the
words, units, bounds and plain numbers make two kinds of cell or more, the column gains a
categorical part ``NAME.text``, one-hot: each word; each unit as '(number) kmpl' (apart from a
word that spells it alone: ' bhp' is a listing's missing power); each bound as '< (number)'
(below what was measured); the plain numbers and empty cells as ``NUMBER``. 'never' is no missing
number of years, 'unknown' may say something too (HistGradientBoosting learns from a gap where it
falls; this part lets a network do so), kmpl and km/kg are no common scale, and '<0.5' is not
0.5. When predicting, a word, unit or bound not seen in training is text in a number column:
imputed and reported (an error with ``strict``).

Numbers of fewer values with a word ('3', '4', '6', '8' cylinders and 'rotary'; grades '1' ...
'12' and 'K'; '2 BHK', '3 BHK') stay a category per value, as before: nothing was lost there, and
on MASS's Cars93 reading its cylinders as a number moved the test R² by -0.13 to +0.03 over seven
seeds (19 test rows; mean -0.022).
"""

import re
from collections import Counter

import numpy as np

from .formats import parse_number, plain_number
from .table import Table, is_missing

MAX_MARKERS = 5  # distinct words in a number column; more, and the column is text with some numbers in it
MAX_SHARE = 0.5  # of the present values at most; more, and the numbers are the exception
MIN_NUMBERS = 20  # distinct numbers at least; fewer, and one-hot categories of them lose nothing
MAX_UNITS = 5  # distinct units after the numbers
NUMBER = "(number)"  # the category of the cells that write a number, or nothing
_DIGIT = re.compile(r"\d")
# '1,248 CC', '23.4kmpl', '20 °C': a unit starts with a letter or '°' and holds no digit or control character
_WITH_UNIT = re.compile(r"(?P<number>.*?\d\.?)\s*(?P<unit>(?:[^\W\d_]|°)[^\d\x00-\x1f\x7f]{0,19})")
# '<0.5', '> 1000', '<=5', '≥ 3', '~12': a laboratory's value below or above what it measures, or an estimate
_WITH_BOUND = re.compile(r"\s*(?P<bound><=|>=|[<>≤≥~])\s*(?P<number>[^<>≤≥~]+)")
_BOUNDS = {"<=": "≤", ">=": "≥"}


def _with_bound(cell):
    """(number, bound) of a cell that writes a number after '<', '>', '≤', '≥' or '~' ('<0.5' -> (0.5, '<')),
    else None."""
    match = _WITH_BOUND.fullmatch(cell) if isinstance(cell, str) else None
    number = None if match is None else parse_number(match["number"])
    return None if number is None else (number, _BOUNDS.get(match["bound"], match["bound"]))


def _with_unit(cell):
    """(number, unit) of a cell that writes a number and a unit after it ('74 bhp' -> (74.0, 'bhp')), else None."""
    match = _WITH_UNIT.fullmatch(cell.strip()) if isinstance(cell, str) else None
    number = None if match is None else parse_number(match["number"])
    return None if number is None else (number, match["unit"].strip())


def _reading(cell):
    """('number', value, None), ('bound', value, '<') or ('unit', value, 'kmpl') of a cell that writes a number
    plainly, after a bound or before a unit; None for any other cell (a word)."""
    number = float(cell) if plain_number(cell) else parse_number(cell)
    if number is not None:
        return "number", number, None
    for kind, read in (("bound", _with_bound), ("unit", _with_unit)):
        found = read(cell)
        if found is not None:
            return kind, found[0], found[1]
    return None


def _marker(cell):
    """Whether `cell` (text that is no number) can stand for a missing or named number."""
    text = cell.strip()
    return 0 < len(text) <= 30 and (text.startswith("#") or not _DIGIT.search(text))


def fit_markers(table, name):
    """{'name', 'values', 'units', 'rows', 'part'} (and 'bounds' where there are some) for a number column of
    `table` with words, units or bounds in it (see the module's doc), else None. 'values': the words; 'rows':
    the cells that are words; 'part': whether ``NAME.text`` is made."""
    values = table[name]
    if values.dtype.kind != "O":
        return None
    present = values[~table.missing_mask(name)]
    try:
        np.asarray(present, dtype=np.float64)
        return None  # numbers only (the usual case, read at C speed)
    except (TypeError, ValueError):
        pass
    numbers, words, units, bounds, plain, unit_rows = set(), {}, set(), set(), False, 0
    for cell, count in Counter(present.tolist()).items():  # each distinct value once: a category's many rows
        reading = _reading(cell)
        if reading is None:
            word = str(cell).strip()
            words[word] = words.get(word, 0) + count
            if len(words) > MAX_MARKERS or not _marker(word):
                return None
            continue
        kind, number, label = reading
        numbers.add(number)
        plain = plain or kind == "number"
        if kind == "bound":
            bounds.add(label)
        elif kind == "unit":
            units.add(label)
            unit_rows += count
            if len(units) > MAX_UNITS:
                return None
    rows = sum(words.values())
    if not (words or units or bounds) or rows > MAX_SHARE * len(present) or len(numbers) < MIN_NUMBERS:
        return None
    if units and unit_rows < MAX_SHARE * len(present):
        return None  # a few numbers with a letter among plain ones are codes ('136A' among Galton's families)
    entry = {"name": name, "values": sorted(words), "units": sorted(units), "rows": rows,
             "part": len(words) + len(units) + len(bounds) + plain >= 2}
    return {**entry, "bounds": sorted(bounds)} if bounds else entry  # files without bounds keep their configs


def target_words(cells):
    """The words of a target of numbers with a few words in it ('-', 'unknown'), by the rules above; else None.

    `cells`: the target's cells as text, None where missing. Such a target is a regression
    target whose word rows have no value: they are left out like rows without a target, where
    they made the target text, classes of one row each.
    """
    present = np.array([cell for cell in cells if cell is not None], dtype=object)
    entry = fit_markers(Table({"target": present}), "target") if len(present) else None
    return None if entry is None else entry["values"]


def unit_category(unit):
    """'(number) kmpl': the category of a number written with `unit`, apart from a word that spells the unit alone."""
    return f"{NUMBER} {unit}"


def bound_category(bound):
    """'< (number)': the category of a number written after `bound` ('<0.5': below what the laboratory measures)."""
    return f"{bound} {NUMBER}"


def marker_line(entry):
    """What reading the column of `entry` did, for ``gradwise tune``'s announcement and ``summary()``."""
    quoted = {key: ", ".join(map(repr, entry.get(key, []))) for key in ("values", "units", "bounds")}
    done = ([f"{entry['rows']} cell(s) of the word(s) {quoted['values']} read as missing values"]
            if entry["values"] else [])
    done += [f"the unit(s) {quoted['units']} stripped"] if entry.get("units") else []
    done += [f"the bound(s) {quoted['bounds']} read as their numbers"] if entry.get("bounds") else []
    part = f"; one-hot in '{text_part(entry)}'" if entry.get("part", True) else ""
    return f"numbers, with {' and '.join(done)}{part}"


def text_part(entry):
    return f"{entry['name']}.text"


def expand_markers(table, entries):
    """`table` with each column of `entries` read (see the module's doc): its words missing, its units stripped,
    and its ``NAME.text`` part beside it where the entry makes one."""
    if not entries:
        return table
    columns = dict(table.columns)
    for entry in entries:
        words, units, bounds = set(entry["values"]), set(entry.get("units", [])), set(entry.get("bounds", []))
        cells = table[entry["name"]].astype(object)
        numbers, part = cells.copy(), np.full(len(cells), NUMBER, dtype=object)
        for index, cell in enumerate(cells):
            if not isinstance(cell, str) or is_missing(cell):
                continue
            if cell.strip() in words:
                numbers[index], part[index] = None, cell.strip()
                continue
            kind, number, label = _reading(cell) or (None, None, None)
            if kind == "bound" and label in bounds:
                numbers[index], part[index] = repr(number), bound_category(label)
            elif kind == "unit" and label in units:
                numbers[index], part[index] = repr(number), unit_category(label)
            elif kind != "number":
                part[index] = None  # text never seen here: reported once, by the number column; the part imputes it
        columns[entry["name"]] = numbers
        if entry.get("part", True):
            columns[text_part(entry)] = part
    return Table(columns, table.lines, table.source)


__all__ = ["fit_markers", "expand_markers", "marker_line", "text_part", "target_words",
           "unit_category", "bound_category", "NUMBER", "MAX_MARKERS", "MAX_UNITS", "MIN_NUMBERS"]

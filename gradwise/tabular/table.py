"""Table: named columns read from a CSV file, with each row's line number for error messages.

A column is either a float array (NaN marks a missing value) or an object array of raw
strings (missing values are None). ``read_csv`` keeps every cell as text; deciding what
is numeric is the preprocessor's job, from the training rows. It reads comma-separated
files, and the ';'-separated ones that spreadsheets write where the decimal mark is a comma
(their '3,25' read as 3.25, '1.234,50 €' as '1234.50 €' for ``formats``), tab- and '|'-separated
ones, as their header line shows.
"""

import csv
import io
import os
import re

import numpy as np

# 'inf' too: a division by zero upstream, no value a model can use (pandas reads it as infinity)
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "inf", "-inf", "+inf", "infinity", "-infinity"})
OTHER_DELIMITERS = (";", "\t", "|")  # tried, in this order, when the header line holds no comma
DECIMAL_COMMA = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")
# '1.234,56', '1.234.567', '-12,5 %', '€ 1.234,50', '1.234,50 €': dots group thousands, the comma marks decimals
# ('1 234,56' with a space, a no-break or a narrow no-break space: French, Nordic)
EUROPEAN_NUMBER = re.compile(r"(?P<head>[-+]?\s*[$€£¥]?\s*)"
                             r"(?P<number>\d{1,3}(?P<group>[. \u00a0\u202f])\d{3}((?P=group)\d{3})*(,\d*)?|\d+,\d*)"
                             r"(?P<tail>\s*(%|[$€£¥])?)")


def is_missing(cell):
    return cell is None or (isinstance(cell, str) and cell.strip().lower() in MISSING) or (
        isinstance(cell, float) and not np.isfinite(cell)) or _not_a_time(cell)


def _not_a_time(cell):
    """NumPy's and pandas' missing time (NaT), the one value unequal to itself among times."""
    return type(cell).__name__ in ("datetime64", "NaTType") and cell != cell


class Table:
    """Columns of equal length.

    Parameters
    ----------
    columns : dict of str -> array of shape (rows,)
    lines : array of int, optional
        The file line of each row (header is line 1); defaults to 2, 3, ...
    source : str, optional
        Where the rows came from, for messages.
    notes : sequence of str, optional
        What reading the file skipped (title lines above the header), one line each.
    """

    def __init__(self, columns, lines=None, source="the data", notes=()):
        self.columns = {name: np.asarray(values) for name, values in columns.items()}
        self.notes = list(notes)  # lines on how the rows were read, for the commands to print
        lengths = {len(values) for values in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"Table: columns of {source} have different lengths {sorted(lengths)}.")
        self.rows = lengths.pop() if lengths else 0
        self.lines = np.arange(2, self.rows + 2) if lines is None else np.asarray(lines)
        self.source = source

    @property
    def names(self):
        return list(self.columns)

    def __getitem__(self, name):
        return self.columns[name]

    def take(self, index):
        """The rows at `index` (an int array), keeping their line numbers."""
        return Table({name: values[index] for name, values in self.columns.items()}, self.lines[index], self.source)

    def without(self, name):
        return Table({n: v for n, v in self.columns.items() if n != name}, self.lines, self.source)

    def missing_mask(self, name):
        values = self.columns[name]
        if values.dtype.kind == "f":
            return ~np.isfinite(values)
        if values.dtype.kind == "M":
            return np.isnat(values)
        try:  # each distinct cell judged once: a column of 30,000 rows holds a few hundred values (3x faster)
            distinct = set(values.tolist())
        except TypeError:  # a cell that cannot be hashed
            return np.fromiter((is_missing(cell) for cell in values), dtype=bool, count=len(values))
        missing = [cell for cell in distinct if is_missing(cell)]
        if not missing:
            return np.zeros(len(values), dtype=bool)
        mask = np.zeros(len(values), dtype=bool)
        for cell in missing:
            mask |= (values != values) if cell != cell else (values == cell)  # NaN equals nothing, itself included
        return mask


def read_csv(path):
    """Read a CSV file with a header row into a Table of text columns.

    Raises
    ------
    ValueError
        The file is missing, empty, binary, not UTF-8, has no data rows, repeats a column
        name, has a cell over the csv module's field limit or a row with the wrong number of
        cells (the message names the file, and the line where there is one).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"CSV file '{path}' does not exist.")
    with open(path, "rb") as handle:
        data = handle.read()
    if b"\x00" in data[:65536]:
        raise ValueError(f"CSV file '{path}' is a binary file (it holds NUL bytes), not comma-separated text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"CSV file '{path}' is not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start} "
                         f"is invalid); it may be {_guess_encoding(data)}: save it as UTF-8, e.g. "
                         f"iconv -f {_guess_encoding(data).split()[0]} -t utf-8 '{path}'.") from None
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, starts = [], []  # each record and the file line it starts on (a quoted cell may span lines)
    try:
        for row in reader:
            starts.append(reader.line_num - sum(cell.count("\n") for cell in row))
            rows.append(row)
    except csv.Error as error:
        if "field larger" in str(error):
            raise ValueError(f"CSV file '{path}', line {reader.line_num}: a cell is longer than the csv module's limit "
                             f"of {csv.field_size_limit():,} characters (often an unclosed quote).") from None
        raise ValueError(f"CSV file '{path}', line {reader.line_num}: not valid CSV ({error}).") from None
    if delimiter == ";":
        rows = _decimal_points(rows)
    return _table_from_rows(rows, f"'{path}'", starts)


def _delimiter(text):
    """The cell separator: a comma, unless the header line holds none but holds ';', a tab or '|'.

    Spreadsheets in locales whose decimal mark is a comma (most of Europe) save "CSV" with ';'
    between cells; a tab-separated export keeps its .csv name just as often. The header decides,
    as it is the one line with no numbers in it.
    """
    lines = [line for line in text.splitlines()[:MAX_TITLE_LINES + 1] if line.strip()]
    # the first line with a separator: a title line above the header may have none ('Sales report')
    header = next((line for line in lines if any(d in line for d in (",",) + OTHER_DELIMITERS)), "")
    if "," in header:
        return ","
    return max(OTHER_DELIMITERS, key=header.count) if any(d in header for d in OTHER_DELIMITERS) else ","


_LONE_GROUP = re.compile(r"[-+]?\d{1,3}\.\d{3}")  # '1.234': a thousand, or one and a bit?


def _decimal_points(rows):
    """The rows of a ';'-separated file with its numbers written with a decimal point (see ``_decimal_point``).

    A lone '1.234' is a thousand and more in a column where another cell groups thousands
    unambiguously ('2.345.678', '1.234,5', '€ 1.234'), else one and a bit, as written.
    """
    width = max((len(row) for row in rows[1:]), default=0)
    grouped = [any(j < len(row) and _groups_thousands(row[j]) for row in rows[1:]) for j in range(width)]
    return rows[:1] + [[_decimal_point(cell, j < width and grouped[j]) for j, cell in enumerate(row)]
                       for row in rows[1:]]


def _groups_thousands(cell):
    stripped = cell.strip()
    match = EUROPEAN_NUMBER.fullmatch(stripped)
    return match is not None and match["group"] is not None and not _LONE_GROUP.fullmatch(stripped)


def _decimal_point(cell, thousands=False):
    """'3,25' -> '3.25' in a ';'-separated file, where the comma is the decimal mark; other cells unchanged.

    With thousands separators, currency or percent signs ('1.234,50 €', '12,5 %') the number is
    rewritten with a decimal point and the signs kept, for ``formats`` to read: '1234.50 €'. A lone
    '1.234' is rewritten only when `thousands` (its column groups thousands elsewhere).
    """
    stripped = cell.strip()
    if DECIMAL_COMMA.fullmatch(stripped):
        return stripped.replace(",", ".")
    match = EUROPEAN_NUMBER.fullmatch(stripped)
    if match is None or (_LONE_GROUP.fullmatch(stripped) and not thousands):
        return cell
    return match["head"] + re.sub(r"[. \u00a0\u202f]", "", match["number"]).replace(",", ".") + match["tail"]


def _guess_encoding(data):
    """The 8-bit encoding a non-UTF-8 file most likely uses, for the error message."""
    try:
        data.decode("cp1252")
        return "cp1252 (Windows-1252, Western European)"
    except UnicodeDecodeError:
        return "latin-1 (ISO-8859-1)"


def _table_from_rows(rows, source, starts=None):
    starts = starts or range(1, len(rows) + 1)
    lines = [start for start, row in zip(starts, rows) if any(cell.strip() for cell in row)]
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError(f"CSV file {source} is empty: expected a header row and data rows.")
    titles = _title_rows(rows)
    rows, lines = rows[len(titles):], lines[len(titles):]
    notes = [f"Skipped {len(titles)} title line(s) above the header on line {lines[0]} of {source}: "
             f"{' / '.join(repr(title) for title in titles[:3])}"] if titles else []
    rows = _without_empty_unnamed_columns(rows)
    # An empty name over cells: the row index that pandas' to_csv and R's write.csv write first.
    # Named as pandas reads it back; the column screening then drops it as an identifier.
    header = [cell.strip() or f"Unnamed: {position}" for position, cell in enumerate(rows[0])]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValueError(f"CSV file {source}: the header repeats column names {repeated}.")
    data = rows[1:]
    if not data:
        raise ValueError(f"CSV file {source} has a header but no data rows.")
    for line, row in zip(lines[1:], data):
        if len(row) != len(header):
            raise ValueError(f"CSV file {source}, line {line}: expected {len(header)} cells (as in the header), got {len(row)}.")
    columns = {}
    for position, name in enumerate(header):
        column = np.empty(len(data), dtype=object)
        column[:] = [row[position].strip() for row in data]
        columns[name] = column
    return Table(columns, np.asarray(lines[1:]), source, notes)


MAX_TITLE_LINES = 10


def _title_rows(rows):
    """The texts of the leading rows that are a title, not the header: a first cell alone on its row.

    A spreadsheet exported with a report's title or an export date above the table ('Customer
    churn report,,,'): read as the header, its title named the columns and the real header became
    a row of data. A header has more than one name; a file of one column has no title rows.
    """
    width = max(len(row) for row in rows)
    titles = []
    for row in rows[:MAX_TITLE_LINES]:
        if width < 2 or not row[0].strip() or any(cell.strip() for cell in row[1:]):
            break
        titles.append(row[0].strip())
    return titles if len(titles) < len(rows) else []


def _without_empty_unnamed_columns(rows):
    """`rows` without the columns that have neither a name nor a value (a spreadsheet's trailing separators)."""
    header = rows[0]
    empty = {position for position, name in enumerate(header) if not name.strip()}
    empty = {position for position in empty
             if all(position >= len(row) or not row[position].strip() for row in rows[1:])}
    if not empty:
        return rows
    return [[cell for position, cell in enumerate(row) if position not in empty] for row in rows]


def did_you_mean(name, names):
    """" (did you mean 'Churned'?)" for a column name close to `name` (letter case, spaces, a typo), else ''."""
    import difflib

    folded = {str(other).casefold().replace(" ", "").replace("_", ""): other for other in names}
    key = str(name).casefold().replace(" ", "").replace("_", "")
    if key in folded:
        return f" (did you mean {folded[key]!r}?)"
    close = difflib.get_close_matches(str(name), [str(other) for other in names], n=1, cutoff=0.85)
    return f" (did you mean {close[0]!r}?)" if close else ""


def write_csv(path, header, rows):
    """Write `rows` (sequences of cells) under `header`; '-' writes to standard output."""
    import sys

    if path == "-":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)

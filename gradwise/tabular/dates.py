"""Date and time columns: read with pandas, turned into a trend and one-hot calendar parts.

Read as plain text, a date column has a value per day and was dropped as free text
('2021-06-10' seen once or twice); a model then cannot see a trend, a season or a weekend. A
text column is read as dates when every value of its training rows parses with one format
(ISO 8601, or one of ``FORMATS``: day and month in either order, 2- or 4-digit years,
month names, an optional time). Where both orders parse every row (no day above 12), the
reading that puts every row on one day of the month wins (monthly data); otherwise the first listed
order: month first with '/', as pandas reads it, day first with '.'.

Each date column becomes, as FLAML's and AutoGluon's feature generators do:

- ``NAME.days``: days since 1970-01-01 (with the time as a fraction), a number like any other,
  standardized and, when predicting, clipped to the training range (the trend is not
  extrapolated);
- ``NAME.month`` ('Jan' ... 'Dec'), ``NAME.weekday`` ('Mon' ... 'Sun'), ``NAME.hour`` ('0' ...
  '23'): categories, one-hot encoded with the frequency cut-off, each only when it varies in
  training (the weekday only when distinct dates lie less than a week apart: not for monthly data).

A column of times of day alone ('14:30', '2:30 PM') becomes ``NAME.time`` (hours since
midnight, which is also a duration under a day) and a one-hot ``NAME.hour``. Up to
``UNREADABLE_SHARE`` of a date column's training values may be no date ('0000-00-00', a
database's zero date): they are missing values, imputed (an error without imputation). A value
that is not a date in the column's format when predicting is a missing value, imputed and
reported, as text in a number column is.
"""

import datetime
import re

import numpy as np

ISO = "ISO8601"
_HAS_DIGIT = re.compile(r"\d")
_ISO_START = re.compile(r"\d{4}-\d{1,2}(-\d{1,2})?([ T]\d.*)?")
_DATES = ("%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y", "%m.%d.%Y", "%d.%m.%y",
          "%Y.%m.%d", "%d-%m-%Y", "%m-%d-%Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%b %d %Y", "%b %d, %Y",
          "%d %B %Y", "%B %d %Y", "%B %d, %Y")
_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p")
FORMATS = tuple(date + time for date in _DATES for time in _TIMES)
# A time of day alone ('14:30', '2:30 PM'; minutes of two digits, so that a score '2:1' stays text)
TIME_ONLY = tuple(time.strip() for time in _TIMES if time)
_TIME_SHAPE = re.compile(r"\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?")
PROBE = 50  # cells tried with every format before the survivors are tried on the whole column
# A date column may hold a few values that are no date ('0000-00-00', a database's zero date; 'unknown'):
# at most this share of its training values, which become missing values (imputed, and announced)
UNREADABLE_SHARE = 0.02
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PARTS = ("days", "time", "month", "weekday", "hour")


def parse_dates(cells, date_format):
    """pandas DatetimeIndex (UTC) of `cells` read with `date_format`; NaT where a cell is not such a date."""
    import pandas as pd

    cells = np.asarray(cells, dtype=object)
    # datetime objects (a DataFrame's parsed column) are dates whatever the file's format; text is read by it
    texts = np.array([cell if isinstance(cell, str) else None for cell in cells], dtype=object)
    parsed = pd.to_datetime(pd.Series(texts), format=date_format, errors="coerce", utc=True)
    objects = np.array([cell is not None and not isinstance(cell, str) for cell in cells])
    if objects.any():  # indexed as the rows they replace: pandas aligns on the index when assigning
        rows = np.flatnonzero(objects)
        parsed[objects] = pd.to_datetime(pd.Series(cells[objects], index=rows), errors="coerce", utc=True)
    return pd.DatetimeIndex(parsed)


def _reads(cell, date_format):
    try:
        datetime.datetime.strptime(cell, date_format)
    except ValueError:
        return False
    return True


def date_format(cells):
    """The format that reads the cells (none missing, at least two distinct) as dates, or None.

    All but ``UNREADABLE_SHARE`` of them must be read (none when there are fewer than 50). Date and
    time objects (a DataFrame's parsed column) are dates whatever their format: ISO.
    """
    if len(cells) and all(isinstance(cell, (datetime.date, np.datetime64)) for cell in cells):
        return ISO if len(set(cells)) > 1 else None
    texts = [cell for cell in cells if isinstance(cell, str)]
    if len(texts) != len(cells) or len(set(texts)) < 2 or any(cell.strip().replace(".", "", 1).isdigit()
                                                               for cell in texts[:PROBE]):
        return None  # numbers are read as numbers ('20190105' too: a date format would also take an ID)
    texts = np.array([cell.strip() for cell in texts], dtype=object)
    allowed = int(UNREADABLE_SHARE * len(texts))
    if sum(not _HAS_DIGIT.search(cell) for cell in texts[:PROBE]) > allowed:
        return None  # categories ('Retail'): no format need be tried
    if sum(not _ISO_START.fullmatch(cell) for cell in texts) <= allowed:
        candidates = [ISO]
    elif sum(not _TIME_SHAPE.fullmatch(cell) for cell in texts) <= allowed:
        candidates = list(TIME_ONLY)
    else:  # the formats that read one readable-looking cell with the standard library first: cheap
        first = next((cell for cell in texts if _HAS_DIGIT.search(cell)), texts[0])
        candidates = [f for f in FORMATS if _reads(first, f)]
    for stage in (texts[:PROBE], texts):
        candidates = [f for f in candidates if parse_dates(stage, f).isna().sum() <= allowed]
    return min(candidates, key=lambda f: not _monthly(parse_dates(texts, f)), default=None)


def is_time_only(date_format):
    return date_format in TIME_ONLY


def _monthly(stamps):
    """Whether the dates fall on one day of the month in at least three months.

    Both orders read '01/02/2015' ... '01/12/2019': day first, monthly data; month first, the first
    twelve days of five Januaries. The reading that makes the data monthly wins, else the first listed.
    """
    return len(set(stamps.day)) == 1 and len(set(zip(stamps.year, stamps.month))) >= 3


def _calendar(stamps):
    """{part: array} of the date parts of a DatetimeIndex; None where the date is missing."""
    missing = np.asarray(stamps.isna())
    seconds = np.asarray(stamps.tz_convert(None).astype("datetime64[s]").astype(np.int64), dtype=np.float64)
    labels = {"month": (stamps.month, MONTHS, 1), "weekday": (stamps.day_of_week, WEEKDAYS, 0), "hour": (stamps.hour, None, 0)}
    days = np.where(missing, np.nan, seconds / 86400.0)
    parts = {"days": days, "time": (days - np.floor(days)) * 24.0}  # time: hours since midnight
    for part, (numbers, names, first) in labels.items():
        numbers = np.asarray(numbers.fillna(-1) if hasattr(numbers, "fillna") else numbers)
        parts[part] = np.array([None if gone else (names[int(n) - first] if names else str(int(n)))
                                for n, gone in zip(numbers, missing)], dtype=object)
    return parts


def fit_dates(table, name):
    """{'name', 'format', 'parts'} for a date column of the training rows `table`, or None if it is not one."""
    present = table[name][~table.missing_mask(name)]
    found = date_format(list(present))
    if found is None:
        return None
    stamps = parse_dates(present, found)
    unreadable = np.asarray(stamps.isna())
    parts = _calendar(stamps[~unreadable])
    varies = {part: len(set(parts[part])) > 1 for part in PARTS}
    daily = _daily(parts["days"])
    chosen = ["time" if is_time_only(found) else "days"] + [
        p for p in ("month", "weekday", "hour") if varies[p] and (p != "weekday" or daily)]
    entry = {"name": name, "format": found, "parts": chosen}
    if unreadable.any():  # said by ``gradwise tune``; missing values for the imputation
        entry["unreadable"] = {"rows": int(unreadable.sum()), "examples": sorted({str(c) for c in present[unreadable]})[:3]}
    return entry


def _daily(days):
    """Whether distinct dates lie less than a week apart (median): only then can a weekday tell rows apart.

    Monthly data on the last day of the month (ggplot2's economics: 1967-06-30, 1967-07-31) has
    a weekday that varies and means nothing.
    """
    days = np.unique(np.floor(days))
    return len(days) > 1 and float(np.median(np.diff(days))) < 7


def shown_format(date_format):
    """The format as messages write it."""
    return "ISO 8601" if date_format == ISO else repr(date_format)


def part_name(entry, part):
    return f"{entry['name']}.{part}"


def expand_dates(table, entries, strict=False, report=None, fill=True):
    """`table` with each date column of `entries` replaced by its parts (see the module's doc).

    A value that is not a date in the column's format becomes a missing value and is reported
    (or, with `strict` or without imputation (`fill` False), a ValueError naming it).
    """
    from .table import Table

    if not entries:
        return table
    columns = dict(table.columns)
    for entry in entries:
        cells = table[entry["name"]]
        missing = table.missing_mask(entry["name"])
        stamps = parse_dates(np.where(missing, None, cells.astype(object)), entry["format"])
        wrong = np.asarray(stamps.isna()) & ~missing
        if wrong.any():
            examples = sorted({str(cell) for cell in cells[wrong]})[:3]
            where = f"{wrong.sum()} row(s) of {table.source}, first on line {table.lines[np.argmax(wrong)]}"
            shown = shown_format(entry["format"])
            if strict or not fill:
                raise ValueError(f"Column '{entry['name']}' must hold dates ({shown}), as in training, but {where} "
                                 f"hold {examples}" + (" (strict mode)." if strict else "."))
            if report is not None:
                report(f"column '{entry['name']}': {where} hold {examples}, not dates ({shown}) as in training; "
                       "imputed as missing values")
        parts = _calendar(stamps)
        del columns[entry["name"]]
        for part in entry["parts"]:
            columns[part_name(entry, part)] = parts[part]
    return Table(columns, table.lines, table.source)


__all__ = ["fit_dates", "expand_dates", "parse_dates", "date_format", "part_name", "shown_format", "FORMATS"]

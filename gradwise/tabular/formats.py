"""Numbers as spreadsheets and reports write them: currency signs, thousands separators, percent signs.

'$15,635.18', '52.8%', '-€3.50', '1,234,567', '45 678', '12 €'. Read
as plain text, such a column is unique on nearly every row and was dropped as free text: a
generated churn table with an income in dollars and a share in percent lost both (test
accuracy 0.60; 0.84 with them read as numbers).

A text column is read as numbers when every value of its training rows is written this way;
``parse_number`` gives the number as written (52.8% -> 52.8: the standardization that follows
makes the scale immaterial). An accountant's '(1,200.00)' is a negative in a column that writes
so, with a separator, a decimal point or a currency sign in its parentheses (``accounting_column``);
a column of labels such as '(1)', '(2)' stays text. Thousands separators are commas or spaces (one kind in a
number) in groups of three, so '1,5' is not a number here (a ';'-separated file's decimal commas
are read by ``table.read_csv``).
"""

import re

import numpy as np

CURRENCY = "$€£¥"
# Spaces that group thousands: a plain one ('45 678', as French, Swedish or ISO 31-0 write it), the
# no-break space spreadsheets put there, and the narrow one of French typography
SPACES = " \u00a0\u202f"
_NUMBER = re.compile(rf"""
    \s*(?P<sign>[-+−])?\s*[{CURRENCY}]?\s*(?P<after>[-+−])?\s*
    (?P<digits>\d{{1,3}}(?P<group>[,{SPACES}])\d{{3}}(?:(?P=group)\d{{3}})*(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)
    (?P<exponent>[eE][-+]?\d+)?
    \s*(?:%|[{CURRENCY}])?\s*""", re.VERBOSE)


# An accountant's negative: '(1,200.00)', '$(1,200)', '($1,200)'
_PARENTHESES = re.compile(rf"\s*(?P<before>[{CURRENCY}]?)\s*\((?P<inside>[^()]*)\)\s*(?P<after>[{CURRENCY}]?)\s*")
_SEPARATORS = re.compile(rf"[,.{CURRENCY}]")


def parse_number(cell, accounting=False):
    """The number a cell writes ('$1,234.50' -> 1234.5, '12%' -> 12.0), or None when it writes none.

    `accounting`: '(1,200.00)' is -1200 (see ``accounting_column``: only for a column that writes so).
    """
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        return float(cell)
    if not isinstance(cell, str):
        return None
    if accounting:
        parenthesized = _PARENTHESES.fullmatch(cell)
        if parenthesized is not None:
            inside = parse_number(parenthesized["before"] + parenthesized["inside"] + parenthesized["after"])
            return None if inside is None or inside < 0 else -inside
    match = _NUMBER.fullmatch(cell)
    if match is None or (match["sign"] and match["after"]):
        return None
    value = float(re.sub(f"[,{SPACES}]", "", match["digits"]) + (match["exponent"] or ""))
    negative = (match["sign"] or match["after"] or "+") in "-−"
    return -value if negative else value


def plain_number(cell):
    """Whether Python's ``float`` reads the cell as it is."""
    try:
        float(cell)
    except (TypeError, ValueError):
        return False
    return True


def accounting_column(cells):
    """Whether `cells` write numbers as an accountant does: every one a number, some in parentheses for a
    negative, and those written with a separator, a decimal point or a currency sign ('(1,200)', '(3.50)').

    A column of '(1)', '(2)' is labels, not negatives, and stays text.
    """
    parenthesized = [cell for cell in cells if isinstance(cell, str) and _PARENTHESES.fullmatch(cell)]
    return (bool(parenthesized) and any(_SEPARATORS.search(cell) for cell in parenthesized)
            and all(parse_number(cell, accounting=True) is not None for cell in cells))


def written_numbers(cells):
    """The cells as floats, written plainly or with signs and separators ('$1,200', '4.5%', an accountant's
    '(1,200.00)'); None if some are text."""
    try:
        return np.asarray(cells, dtype=np.float64)
    except (TypeError, ValueError):
        numbers = [parse_number(cell) for cell in cells]
        if None not in numbers:
            return np.array(numbers)
        return np.array([parse_number(cell, accounting=True) for cell in cells]) if accounting_column(cells) else None


def formatted_numbers(cells):
    """Whether every cell (none missing) writes a number and some need more than ``float`` to be read."""
    if not len(cells):
        return False
    plain = True
    for cell in cells:
        if plain_number(cell):
            continue
        if parse_number(cell) is None:
            return False
        plain = False
    return not plain


__all__ = ["parse_number", "written_numbers", "formatted_numbers", "plain_number", "accounting_column"]

"""Feature preprocessing fitted on the training rows, stored as JSON, replayed at prediction time.

Fitting uses scikit-learn (``SimpleImputer``, ``StandardScaler``, ``OneHotEncoder`` with a
frequency cut-off) on the training split only; the fitted statistics (imputation values,
means and scales, categories and which of them share the 'other' bucket) go into a plain
JSON config. ``transform`` applies that config with NumPy, so a saved model predicts from
raw rows without scikit-learn objects or pickles, and gives what the fitted scikit-learn
transformers give.

Categories seen once in training (and those beyond the ``MAX_CATEGORIES`` most frequent)
share one 'other' column; a category never seen in
training goes there too (or nowhere, when there is no 'other' column), and is reported.

Before that, text columns that write numbers with currency or percent signs or thousands
separators are read as numbers (``formats``), number columns with a few words in them ('-',
'unknown', '#N/A') or units after them ('74 bhp') read the words as missing values, strip the
units and one-hot both (``markers``), date columns become
a trend and calendar categories (``dates``), and whole-number columns that act as codes are
one-hot encoded as well (``codes``).
"""

import numpy as np

from .codes import MAX_VALUES as MAX_CODES, code_group_rows, code_text, is_code_column, zero_padded
from .columns import screen_columns
from .dates import expand_dates, fit_dates, part_name, shown_format
from .formats import accounting_column, parse_number, plain_number
from .groups import own_to_groups
from .markers import expand_markers, fit_markers, marker_line, text_part
from .seasons import describe as describe_season, fit_season, season_cells, season_part
from .table import Table, did_you_mean

IMPUTE_STRATEGIES = ("mean", "median", "most_frequent")
# Training rows a category needs for a column of its own. Until the seventeenth session 5 (from 250 rows
# on): a subject, a family or a state with 2-4 training rows went to 'other', and with it the effect a
# linear model or a network learns from those rows under their penalty. Measured with `gradwise tune`
# (BENCHMARKS.md): 2 gained 0.26-0.29 R² on car's Blackmoor, 0.09-0.10 on Ecdat's Fatality, 0.02-0.05
# on Galton's families, mean +0.060 over 14 runs of seven tables, +0.004 over 8 held-out runs.
MIN_FREQUENCY = 2


def _with_seasons(table, entries):
    """`table` with the season part of each column of `entries` beside it (``seasons``)."""
    if not entries:
        return table
    columns = dict(table.columns)
    for entry in entries:
        columns[season_part(entry)] = season_cells(_numbers_or_nan(table, entry["name"])[0], entry["period"])
    return Table(columns, table.lines, table.source)


def min_frequency(rows):
    """Training rows a category needs for a column of its own."""
    return MIN_FREQUENCY


# At most this many columns per categorical column; the frequency cut-off decides first. Why not
# fewer: a column of many well-filled categories carries its signal in all of them (50 states,
# 150 postcodes of 16 rows each), and a cap of 32 sent 118 of those 150 postcodes into one
# 'other' column: test accuracy 0.668 against LogisticRegression's 0.692 on all of them (a
# generated table, 3,000 rows). Why a cap at all: each category is a column of the first
# layer's product on every batch; beyond a few hundred, an embedding is the better encoding.
MAX_CATEGORIES = 256
# A whole-number code may have more (codes.MAX_VALUES): it passed a test that each value's rows differ, and a
# panel's people are hundreds (Males: 545 workers), each an effect of its own.
OTHER = "(other)"
# With imputation, a column's gaps are a category of their own (text) or are marked in a 0/1 column of
# their own (numbers) once the training rows hold at least MIN_FREQUENCY of them, as scikit-learn's
# SimpleImputer(add_indicator=True) marks them: a value is often missing for a reason (a test not ordered,
# a question not asked of that group), and the imputed median alone hides the reason from the model.
MISSING = "(missing)"


def _as_float(table, name, formatted=False):
    """The column as floats (NaN for missing); ValueError naming the first non-numeric cell."""
    values, text = _numbers_or_nan(table, name, formatted)
    if text.any():
        index = int(np.argmax(text))
        raise ValueError(f"Column '{name}' of {table.source} must hold numbers, but line {table.lines[index]} has "
                         f"{table[name][index]!r}.")
    return values


def _numbers_or_nan(table, name, formatted=False):
    """(floats, mask of cells that are text): the column as numbers, text cells (not missing ones) as NaN.

    `formatted`: cells may write numbers with currency and percent signs and thousands separators
    (see ``formats``).
    """
    values = table[name]
    if values.dtype.kind in "fiub":
        result = values.astype(np.float64)
        return np.where(np.isfinite(result), result, np.nan), np.zeros(len(values), dtype=bool)
    result, text = np.full(len(values), np.nan), np.zeros(len(values), dtype=bool)
    for index in np.flatnonzero(~table.missing_mask(name)):
        try:
            result[index] = float(values[index])
        except (TypeError, ValueError):
            number = parse_number(values[index], accounting=formatted == "accounting") if formatted else None
            text[index] = number is None
            result[index] = np.nan if number is None else number
    # 'inf' (a division by zero upstream) carries no value a model can use: a missing value, imputed
    # and counted as one, or an error naming it without imputation
    result[~np.isfinite(result)] = np.nan
    return result, text


def _clipping_line(table, clipped, shown=3):
    """One report line for the columns whose new values lay beyond the training range (``clipped``)."""
    parts = [f"'{entry['name']}' {rows} row(s) from line {line} (range [{entry['low']:.6g}, {entry['high']:.6g}])"
             for entry, rows, line in clipped[:shown]]
    more = f" and {len(clipped) - shown} more column(s)" if len(clipped) > shown else ""
    return (f"{table.source} holds values outside the training range in {', '.join(parts)}{more}; "
            "clipped to the range")


def _number_kind(table, name):
    """'plain' when ``float`` reads every present cell, 'formatted' when ``formats`` does, else None."""
    values = table[name]
    if values.dtype.kind in "fiub":
        return "plain"
    present = values[~table.missing_mask(name)]
    if all(plain_number(cell) for cell in present):
        return "plain"
    if all(parse_number(cell) is not None for cell in present):
        return "formatted"
    return "accounting" if accounting_column(list(present)) else None


def _missing_error(table, names, masks):
    details = [f"'{n}' ({m.sum()} missing, first on line {table.lines[np.argmax(m)]})" for n, m in zip(names, masks)]
    return ValueError(
        f"{table.source} has missing values in column(s) {', '.join(details)}. Fill them in, drop those rows, "
        "or impute them with --impute mean|median|most_frequent (Python: impute='mean')."
    )


def _unreadable_dates(table, entries):
    details = [f"'{e['name']}' ({e['unreadable']['rows']}: {e['unreadable']['examples']})" for e in entries]
    return ValueError(
        f"{table.source} has values that are not dates in the date column(s) {', '.join(details)}. Fill them in, "
        "drop those rows, or impute them as missing values with --impute mean|median|most_frequent "
        "(Python: impute='median')."
    )


def _missing_at_predict(table, name, mask):
    return ValueError(
        f"{table.source} has {mask.sum()} missing value(s) in column '{name}', first on line "
        f"{table.lines[np.argmax(mask)]}; the model was trained without imputation, so it cannot fill them. "
        "Fill them in or remove those rows."
    )


def _text(table, name):
    return np.array([None if missing else str(cell).strip() for cell, missing in
                     zip(table[name], table.missing_mask(name))], dtype=object)


_TRUE, _FALSE = {"true", "1", "1.0"}, {"false", "0", "0.0"}


def _as_written_in_training(text, categories):
    """`text` with true/false values spelled as the training rows spelled them.

    A CSV file's 'TRUE'/'FALSE' (R, Excel) are categories of the training rows; the same file read
    by pandas gives bools (1.0/0.0 in a float column) and Python's str gives 'True': without
    this, every row of such a DataFrame was an unseen category.
    """
    lower = {category.lower(): category for category in categories}
    if set(lower) != {"true", "false"}:
        return text
    spelled = {**{word: lower["true"] for word in _TRUE}, **{word: lower["false"] for word in _FALSE}}
    return np.array([cell if cell is None else spelled.get(cell.lower(), cell) for cell in text], dtype=object)


class TabularPreprocessor:
    """Drop useless columns, standardize numeric ones, one-hot encode text ones, from training rows only.

    Parameters
    ----------
    impute : {'mean', 'median', 'most_frequent'}, optional
        How to fill missing values of numeric columns (text columns take their most
        frequent value). None (default): missing values are an error naming the column.
    drop, keep : sequence of str
        Columns to drop whatever they hold, and columns to keep even when the column
        hygiene rules (see ``columns``) would drop them.
    group : str, optional
        The column that groups the rows (``--group``): dropped, with that reason.
    """

    def __init__(self, impute=None, drop=(), keep=(), group=None):
        if impute is not None and impute not in IMPUTE_STRATEGIES:
            raise ValueError(f"`impute` must be one of {', '.join(IMPUTE_STRATEGIES)} or None, got {impute!r}.")
        self.impute = impute
        self.drop, self.keep = list(drop), list(keep)
        self.group = group
        self.config = None

    def fit(self, table, features, targets=None, groups=None):
        """Learn which columns to use, their kinds and statistics from `table` (training rows); returns self.

        `targets` (optional): the training rows' targets as a (rows, outputs) float array (the
        standardized value, or one column per class); with them, whole-number columns that act as
        codes are one-hot encoded as well (see ``codes``). `groups` (optional, ``--group``): each
        row's group; a column constant within every group is then no code: its values name groups,
        and new rows come from new groups (a patient's baseline count, MASS's epil, was one-hot
        encoded and its codes were unseen on every test patient).
        """
        columns = list(features)
        markers = [entry for entry in (fit_markers(table, name) for name in columns) if entry]
        for entry in markers:  # a column of the file named like the part ('x.text') keeps its name and values
            entry["part"] = entry["part"] and text_part(entry) not in table.names
        table = expand_markers(table, markers)
        features, dropped = screen_columns(table, columns, self.drop, self.keep, self.group)
        masks = [table.missing_mask(name) for name in features]
        if self.impute is None and any(mask.any() for mask in masks):
            bad = [(n, m) for n, m in zip(features, masks) if m.any()]
            raise _missing_error(table, [n for n, _ in bad], [m for _, m in bad])
        kinds = {name: _number_kind(table, name) for name in features}
        numeric = [name for name in features if kinds[name]]
        formatted = {name: kinds[name] for name in numeric if kinds[name] in ("formatted", "accounting")}
        dates = [entry for entry in (fit_dates(table, name) for name in features if name not in numeric)
                 if entry and not any(part_name(entry, part) in table.names for part in entry["parts"])]
        date_names = {entry["name"] for entry in dates}
        text = [name for name in features if name not in numeric and name not in date_names]
        markers = [entry for entry in markers if entry["name"] in numeric]  # kept, and numbers when read so
        text += [text_part(entry) for entry in markers if entry.get("part", True)]
        work = expand_dates(table, dates)  # each date column replaced by its parts: a number and categories
        unreadable = [entry for entry in dates if "unreadable" in entry]
        if unreadable and self.impute is None:
            raise _unreadable_dates(table, unreadable)
        trends = [part_name(entry, entry["parts"][0]) for entry in dates]  # days since 1970, or a time of day
        calendar = [part_name(entry, part) for entry in dates for part in entry["parts"][1:]]
        seasons = [{"name": name, **found} for name in numeric if kinds[name] == "plain"
                   for found in [fit_season(_as_float(table, name, False))] if found]
        work = _with_seasons(work, seasons)  # a decimal-year clock's month or quarter beside it, as a category
        calendar += [season_part(entry) for entry in seasons]
        config = {"columns": columns, "features": features, "dropped": dropped, "impute": self.impute,
                  "numeric": self._fit_numeric(work, numeric + trends, formatted),
                  "categorical": [self._fit_categorical(work, name) for name in text + calendar]}
        if dates:  # only then: configs and model files of tables without dates stay as they were
            config["dates"] = dates
        if markers:  # likewise
            config["markers"] = markers
        if seasons:  # likewise
            config["seasons"] = seasons
        padded = {name for name in numeric if kinds[name] == "plain" and zero_padded(table[name])}
        if targets is not None or padded:
            rows = code_group_rows(table.rows)
            for name in numeric:
                values = _as_float(table, name, formatted.get(name, False))
                if groups is not None and own_to_groups(values, groups):
                    continue
                if name in padded or (targets is not None and is_code_column(values, targets, rows)):
                    entry = self._fit_categories(name, code_text(values), codes=True)
                    config["categorical"].append({**entry, "zero_padded": True} if name in padded else entry)
        self.config = config
        return self

    def _fit_numeric(self, table, numeric, formatted):
        from sklearn.impute import SimpleImputer
        from sklearn.preprocessing import StandardScaler

        if not numeric:
            return []
        matrix = np.column_stack([_as_float(table, name, formatted.get(name, False)) for name in numeric])
        gaps = np.isnan(matrix)
        missing = gaps.sum(axis=0)
        fill = np.full(len(numeric), np.nan)
        if self.impute is not None:
            imputer = SimpleImputer(strategy=self.impute, keep_empty_features=True).fit(matrix)
            fill = imputer.statistics_
            matrix = imputer.transform(matrix)
        scaler = StandardScaler().fit(matrix)
        low, high = np.nanmin(matrix, axis=0), np.nanmax(matrix, axis=0)
        entries = [{"name": n, "mean": float(m), "scale": float(s), "fill": None if np.isnan(f) else float(f),
                    "missing": int(c), "low": float(lo), "high": float(hi)}
                   for n, m, s, f, c, lo, hi in zip(numeric, scaler.mean_, scaler.scale_, fill, missing, low, high)]
        marked = {}  # the training rows' gaps of each marked column, as bytes
        for entry, column in zip(entries, gaps.T):
            if self.impute is not None and entry["missing"] >= MIN_FREQUENCY:
                # a column missing on exactly the rows of a marked one (a survey's five income questions, a
                # trial's measures of the patients outside it) is not marked again: its mark would be a copy
                twin = marked.get(column.tobytes())
                if twin is None:
                    marked[column.tobytes()] = entry["name"]
                    entry["indicator"] = True  # only then: configs of tables without gaps stay as they were
                else:
                    entry["gaps_of"] = twin
            if entry["name"] in formatted:
                entry["formatted"] = True
                if formatted[entry["name"]] == "accounting":
                    entry["accounting"] = True
        return entries

    def _fit_categorical(self, table, name):
        return self._fit_categories(name, _text(table, name))

    def _fit_categories(self, name, cells, codes=False):
        from sklearn.preprocessing import OneHotEncoder

        missing = int((cells == None).sum())  # noqa: E711 - element-wise comparison on an object array
        fill = None
        if self.impute is not None and missing >= MIN_FREQUENCY:
            fill = MISSING
        elif self.impute is not None and len(cells) > missing:  # also without gaps in training: new rows may have some
            labels, counts = np.unique(cells[cells != None].astype(str), return_counts=True)  # noqa: E711
            fill = str(labels[np.argmax(counts)])
        if fill is not None:
            cells = np.where(cells == None, fill, cells)  # noqa: E711
        encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=min_frequency(len(cells)),
                                max_categories=MAX_CODES if codes else MAX_CATEGORIES).fit(cells.reshape(-1, 1).astype(str))
        infrequent = encoder.infrequent_categories_[0]
        rare = [] if infrequent is None else [str(c) for c in infrequent]
        frequent = [str(c) for c in encoder.categories_[0] if str(c) not in rare]
        entry = {"name": name, "categories": frequent, "other": rare, "fill": fill, "missing": missing}
        return {**entry, "codes": True} if codes else entry

    @classmethod
    def from_config(cls, config):
        preprocessor = cls(config.get("impute"))
        preprocessor.config = config
        return preprocessor

    @property
    def columns(self):
        """The raw feature columns of the training rows, dropped ones included, in order."""
        return self.config.get("columns", self.config["features"])

    @property
    def output_names(self):
        """The matrix's columns: the numbers (standardized), each text column's one-hot columns, then one 0/1
        column per number column whose gaps are marked ('age=(missing)'): last, so that the numbers stay first."""
        names = [entry["name"] for entry in self.config["numeric"]]
        for entry in self.config["categorical"]:
            names += [f"{entry['name']}={category}" for category in _columns_of(entry)]
        return names + [f"{entry['name']}={MISSING}" for entry in _marked(self.config)]

    @property
    def code_columns(self):
        """Boolean mask of the output columns that one-hot encode a whole-number code (its number is a column too)."""
        mask = [False] * len(self.config["numeric"])
        for entry in self.config["categorical"]:
            mask += [bool(entry.get("codes"))] * len(_columns_of(entry))
        return np.array(mask + [False] * len(_marked(self.config)), dtype=bool)

    @property
    def source_columns(self):
        """The raw column each output column comes from (a date's parts and a number column's words included)."""
        parts = {part_name(entry, part): entry["name"] for entry in self.config.get("dates", [])
                 for part in entry["parts"]}
        parts.update({text_part(entry): entry["name"] for entry in self.config.get("markers", [])
                      if entry.get("part", True)})
        parts.update({season_part(entry): entry["name"] for entry in self.config.get("seasons", [])})
        sources = [entry["name"] for entry in self.config["numeric"]]
        for entry in self.config["categorical"]:
            sources += [entry["name"]] * len(_columns_of(entry))
        sources += [entry["name"] for entry in _marked(self.config)]
        return [parts.get(name, name) for name in sources]

    def check_columns(self, table, ignore=()):
        """ValueError naming missing and extra columns when `table` does not have the model's columns.

        Dropped columns may be present or absent.
        """
        expected = self.config["features"]
        allowed = set(self.columns) | set(ignore)
        missing = [name for name in expected if name not in table.names]
        extra = [name for name in table.names if name not in allowed]
        if missing or extra:
            parts = []
            if missing:
                hints = "".join(did_you_mean(name, extra) for name in missing) if extra else ""
                parts.append(f"missing column(s) {missing}{hints}")
            if extra:
                parts.append(f"unexpected column(s) {extra}")
            raise ValueError(f"{table.source} does not match the model's columns: {' and '.join(parts)}. "
                             f"The model expects {expected}.")

    def transform(self, table, strict=False, report=None):
        """Float32 matrix of shape (rows, len(output_names)) for the raw rows of `table`.

        Parameters
        ----------
        strict : bool, default False
            A category not seen in training is an error instead of going to the unknown bucket.
        report : callable, optional
            Called with one line per column that holds unseen categories.
        """
        missing_columns = [name for name in self.config["features"] if name not in table.names]
        if missing_columns:
            self.check_columns(table, ignore=table.names)
        table = expand_markers(table, self.config.get("markers", []))
        table = expand_dates(table, self.config.get("dates", []), strict, report, fill=self.config["impute"] is not None)
        table = _with_seasons(table, self.config.get("seasons", []))
        clipped = []  # (column, rows, first line) of numbers beyond the training range: one report for all
        numbers = [self._numeric_block(table, entry, strict, report, clipped) for entry in self.config["numeric"]]
        if clipped and report is not None:
            report(_clipping_line(table, clipped))
        blocks = [column for column, _ in numbers]
        blocks += [self._categorical_block(table, entry, strict, report) for entry in self.config["categorical"]]
        blocks += [gaps.reshape(-1, 1).astype(np.float64)  # after every other column: see ``output_names``
                   for entry, (_, gaps) in zip(self.config["numeric"], numbers) if entry.get("indicator")]
        matrix = np.hstack(blocks) if blocks else np.zeros((table.rows, 0))
        return matrix.astype(np.float32)

    def _numeric_block(self, table, entry, strict=False, report=None, clipped=None):
        """(the standardized column, the mask of its missing cells) of numeric `entry`."""
        values, text = _numbers_or_nan(table, entry["name"], "accounting" if entry.get("accounting") else
                                       entry.get("formatted", False))
        if text.any():  # a number column with text in new rows: like an unseen category, a missing value
            examples = sorted({str(cell) for cell in table[entry["name"]][text]})[:3]
            where = f"{text.sum()} row(s) of {table.source}, first on line {table.lines[np.argmax(text)]}"
            if strict or entry["fill"] is None:
                raise ValueError(f"Column '{entry['name']}' must hold numbers, as in training, but {where} hold "
                                 f"text {examples}" + (" (strict mode)." if strict else "."))
            if report is not None:
                report(f"column '{entry['name']}': {where} hold text {examples} where training had numbers; "
                       f"imputed as missing values ({entry['fill']:.6g})")
        missing = np.isnan(values)
        if missing.any():
            if entry["fill"] is None:
                raise _missing_at_predict(table, entry["name"], missing)
            values = np.where(missing, entry["fill"], values)
        if "low" in entry:  # files written before the range was stored predict unclipped, as they did
            # Within the training rows' range: a network (or a linear model) knows nothing beyond it, and
            # extrapolating a line or a ReLU from there is how one outlier row gets a wild prediction (a
            # test row 17 standard deviations out turned a test R² of 0.75 into -0.54, Ecdat's Fatality).
            outside = (values < entry["low"]) | (values > entry["high"])
            if outside.any() and clipped is not None:
                clipped.append((entry, int(outside.sum()), table.lines[np.argmax(outside)]))
            values = np.clip(values, entry["low"], entry["high"])
        return ((values - entry["mean"]) / entry["scale"]).reshape(-1, 1), missing

    def _categorical_block(self, table, entry, strict, report):
        name = entry["name"]
        text = code_text(_numbers_or_nan(table, name)[0]) if entry.get("codes") else _as_written_in_training(
            _text(table, name), entry["categories"] + entry.get("other", []))
        missing = text == None  # noqa: E711
        if missing.any():
            if entry["fill"] is None:
                raise _missing_at_predict(table, name, missing)
            text = np.where(missing, entry["fill"], text)
        known = set(entry["categories"]) | set(entry.get("other", []))
        unseen = np.array([cell not in known for cell in text], dtype=bool)
        if unseen.any():
            examples = sorted({str(cell) for cell in text[unseen]})[:3]
            where = f"{unseen.sum()} row(s) of {table.source}, first on line {table.lines[np.argmax(unseen)]}"
            if strict:
                raise ValueError(f"Column '{name}' has categories not seen in training {examples} on {where} "
                                 "(strict mode).")
            if report is not None:
                bucket = f"the '{OTHER}' bucket" if entry.get("other") else "no category (all zeros)"
                report(f"column '{name}': {where} hold categories not seen in training {examples}; "
                       f"mapped to {bucket}")
        block = [text == category for category in entry["categories"]]
        if entry.get("other"):
            block.append(~np.isin(text, entry["categories"]))
        return np.stack(block, axis=1).astype(np.float64) if block else np.zeros((table.rows, 0))

    def describe(self):
        """Lines of text: what happens to each column (for ``summary()``)."""
        lines = [f"  dropped {d['name']!r}: {d['reason']}" for d in self.config.get("dropped", [])]
        for entry in self.config.get("markers", []):
            lines.append(f"  {entry['name']!r}: {marker_line(entry)}")
        for entry in self.config.get("dates", []):
            shown = shown_format(entry["format"])
            parts = ", ".join(repr(part_name(entry, part)) for part in entry["parts"])
            lines.append(f"  {entry['name']!r}: dates ({shown}) -> {parts}")
        for entry in self.config.get("seasons", []):
            lines.append(f"  {entry['name']!r}: {describe_season(entry)} as {season_part(entry)!r}")
        for entry in self.config["numeric"]:
            fill = "" if entry["fill"] is None else f", missing -> {entry['fill']:.6g}"
            fill += f" and marked in {entry['name'] + '=' + MISSING!r}" if entry.get("indicator") else ""
            fill += f" (on the rows of {entry['gaps_of']!r}'s, marked there)" if entry.get("gaps_of") else ""
            clip = f", clipped to [{entry['low']:.6g}, {entry['high']:.6g}]" if "low" in entry else ""
            read = ", read from text with currency/percent signs or thousands separators" if entry.get(
                "formatted") else ""
            read += " and negatives in parentheses" if entry.get("accounting") else ""
            lines.append(f"  {entry['name']!r}: standardize (mean {entry['mean']:.6g}, scale {entry['scale']:.6g}"
                         f"{fill}{clip}{read})")
        for entry in self.config["categorical"]:
            other = f" + '{OTHER}' for {len(entry['other'])} rare" if entry.get("other") else ""
            fill = "" if entry["fill"] is None else (
                ", missing -> a category of their own" if entry["fill"] == MISSING else f", missing -> {entry['fill']!r}")
            written = " written with leading zeros" if entry.get("zero_padded") else ""
            kind = f"codes{written} (also standardized above)" if entry.get("codes") else "categories"
            lines.append(f"  {entry['name']!r}: one-hot {len(entry['categories'])} {kind}{other}{fill}")
        return lines


def _marked(config):
    """The numeric entries of `config` whose gaps are marked in a column of their own."""
    return [entry for entry in config["numeric"] if entry.get("indicator")]


def _columns_of(entry):
    """The output columns of a categorical entry: one per kept category, then the '(other)' bucket if any."""
    return entry["categories"] + ([OTHER] if entry.get("other") else [])


def split_features(table, target):
    """(feature table, target column) of `table`."""
    if target not in table.names:
        raise ValueError(f"--target {target!r} is not a column of {table.source}{did_you_mean(target, table.names)}; "
                         f"its columns are {table.names}.")
    return table.without(target), table[target]


__all__ = ["TabularPreprocessor", "Table", "split_features", "IMPUTE_STRATEGIES", "MISSING"]

